-- Inspections of Y published before they were entered (published_on < entered_on, both by T).
WITH {{base}}
SELECT
    i.lead_unit AS 单位编码,
    i.task_code AS 任务编码,
    i.task_name AS 任务名称,
    i.entity_code AS 主体编码,
    i.entity_name AS 名称,
    i.inspected_on AS 检查日期,
    i.entered_on AS 录入日期,
    i.published_on AS 公示日期,
    tm.team AS 检查人员
FROM y_insp AS i
LEFT JOIN b_team AS tm ON tm.task_code = i.task_code AND tm.entity_code = i.entity_code
WHERE i.published_on < i.entered_on
ORDER BY i.lead_unit, i.task_code, i.entity_code
