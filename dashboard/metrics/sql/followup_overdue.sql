-- Follow-ups of Y past their due date (due_on < T) and not closed by T.
WITH {{base}}
SELECT
    f.unit_code AS 单位编码,
    un.unit_name AS 责任单位,
    f.task_code AS 任务编码,
    f.task_name AS 任务名称,
    f.entity_code AS 主体编码,
    f.entity_name AS 名称,
    f.measure_code AS 处置措施,
    f.inspected_on AS 检查日期,
    f.due_on AS 整改期限,
    workdays_between(f.due_on, p.t) AS 逾期工作日,
    tm.team AS 检查人员
FROM y_fu AS f
LEFT JOIN units AS un ON un.unit_code = f.unit_code
LEFT JOIN b_team AS tm ON tm.task_code = f.task_code AND tm.entity_code = f.entity_code,
b_params AS p
WHERE f.due_on < p.t AND f.closed_on IS NULL
ORDER BY 逾期工作日 DESC, 单位编码, 任务编码, 主体编码
