-- Inspections of Y not entered by T whose entry deadline is already past (deadline < T).
WITH {{base}}
SELECT
    i.lead_unit AS 单位编码,
    un.unit_name AS 单位,
    i.task_code AS 任务编码,
    i.task_name AS 任务名称,
    i.entity_code AS 主体编码,
    i.entity_name AS 名称,
    i.inspected_on AS 检查日期,
    i.entry_deadline AS 录入期限,
    workdays_between(i.entry_deadline, p.t) AS 超期工作日,
    tm.team AS 检查人员
FROM y_insp AS i
LEFT JOIN units AS un ON un.unit_code = i.lead_unit
LEFT JOIN b_team AS tm ON tm.task_code = i.task_code AND tm.entity_code = i.entity_code,
b_params AS p
WHERE i.entered_on IS NULL AND i.entry_deadline < p.t
ORDER BY 超期工作日 DESC, 单位编码, 任务编码, 主体编码
