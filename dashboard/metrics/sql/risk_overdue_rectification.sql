-- 风险预警: overdue rectification. Follow-ups of Y with measure 3 (责令限期整改) whose due_on < T and
-- that are not closed by T (unit rule of y_fu).
WITH {{base}}
SELECT
    f.entity_code AS 主体编码,
    '整改逾期' AS 预警类型,
    format('任务{}责令限期整改，期限{}已过{}个工作日仍未完结（责任单位{}）',
        f.task_code, strftime(f.due_on, '%Y-%m-%d'), workdays_between(f.due_on, p.t),
        coalesce(un.unit_name, f.unit_code)) AS 预警原因
FROM y_fu AS f
LEFT JOIN units AS un ON un.unit_code = f.unit_code, b_params AS p
WHERE f.measure_code = '3' AND f.due_on < p.t AND f.closed_on IS NULL
ORDER BY f.due_on, f.entity_code, f.task_code
