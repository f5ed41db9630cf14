-- Voided tasks with start_on in Y (any as-of date: a status is the current one), unit rule of §5 (lead
-- or partner unit), item filter.
WITH {{base}}
SELECT
    t.task_code AS 任务编码,
    t.task_name AS 任务名称,
    t.lead_unit AS 单位编码,
    un.unit_name AS 牵头单位,
    t.plan_code AS 计划编码,
    t.source AS 来源,
    t.start_on AS 开始日期,
    t.end_on AS 结束日期,
    (SELECT count(*) FROM inspections AS i WHERE i.task_code = t.task_code) AS 检查结果数
FROM tasks AS t
LEFT JOIN units AS un ON un.unit_code = t.lead_unit, b_params AS p
WHERE t.status = 'voided' AND year(t.start_on) = p.y
    AND (p.item IS NULL OR list_contains(t.item_codes, p.item))
    AND (p.units IS NULL OR list_contains(p.units, t.lead_unit)
        OR len(list_intersect(p.units, t.partner_units)) > 0)
ORDER BY t.task_code
