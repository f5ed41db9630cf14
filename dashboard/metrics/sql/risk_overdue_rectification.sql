-- 风险预警: overdue rectification. Follow-ups of Y with measure 3 (责令限期整改) whose due_on < T and
-- that are not closed by T (unit rule of y_fu). A follow-up this unit is responsible for may belong to a
-- task of another unit: the task is named only when its lead or a partner unit is in $visible_units (the
-- user's allowed units; NULL = every unit), else the reason says 其他单位任务.
WITH {{base}}
SELECT
    f.entity_code AS 主体编码,
    '整改逾期' AS 预警类型,
    CASE
        WHEN CAST($visible_units AS VARCHAR[]) IS NULL
            OR list_contains(CAST($visible_units AS VARCHAR[]), f.lead_unit)
            OR len(list_intersect(CAST($visible_units AS VARCHAR[]), coalesce(f.partner_units, []))) > 0
        THEN '任务' || f.task_code ELSE '其他单位任务' END
    || format('责令限期整改，期限{}已过{}个工作日仍未完结（责任单位{}）',
        strftime(f.due_on, '%Y-%m-%d'), workdays_between(f.due_on, p.t),
        coalesce(un.unit_name, f.unit_code)) AS 预警原因
FROM y_fu AS f
LEFT JOIN units AS un ON un.unit_code = f.unit_code, b_params AS p
WHERE f.measure_code = '3' AND f.due_on < p.t AND f.closed_on IS NULL
ORDER BY f.due_on, f.entity_code, f.task_code
