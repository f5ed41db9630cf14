-- 风险预警: repeated findings. At least $repeated_min inspections of non-voided tasks with inspected_on in
-- (T − $window_days, T] whose result codes include a finding code. Entities as in risk_grade_worsened.sql.
-- Every such inspection counts, but the reason names (date, task, codes) only those of tasks whose lead or
-- a partner unit is in $visible_units (the user's allowed units; NULL = every unit); the others are summed
-- up as 其他单位任务n次 without their task or finding.
WITH {{base}},
r_entities AS (
    SELECT e.*
    FROM b_entities AS e, b_params AS p
    WHERE (e.closed_on IS NULL OR e.closed_on > p.t)
        AND (p.units IS NULL OR len(list_intersect(e.tags, (SELECT codes FROM b_unit_items))) > 0)
),
hits AS (
    SELECT i.entity_code, i.inspected_on, i.task_code, i.result_codes,
        CAST($visible_units AS VARCHAR[]) IS NULL
            OR list_contains(CAST($visible_units AS VARCHAR[]), t.lead_unit)
            OR len(list_intersect(CAST($visible_units AS VARCHAR[]), coalesce(t.partner_units, []))) > 0
            AS visible
    FROM inspections AS i
    JOIN tasks AS t ON t.task_code = i.task_code, b_params AS p
    WHERE t.status <> 'voided'
        AND i.inspected_on <= p.t
        AND i.inspected_on > p.t - CAST($window_days AS INTEGER)
        AND len(list_intersect(i.result_codes, CAST($finding_codes AS VARCHAR[]))) > 0
)
SELECT
    h.entity_code AS 主体编码,
    '多次发现问题' AS 预警类型,
    format('近{}天内{}次检查发现问题（{}）', CAST($window_days AS INTEGER), count(*),
        concat_ws('，',
            string_agg(CASE WHEN h.visible THEN strftime(h.inspected_on, '%Y-%m-%d') || ' ' || h.task_code
                || ' 代码' || array_to_string(h.result_codes, ';') END,
                '，' ORDER BY h.inspected_on, h.task_code),
            CASE WHEN count(*) FILTER (WHERE NOT h.visible) > 0
                THEN format('其他单位任务{}次', count(*) FILTER (WHERE NOT h.visible)) END)) AS 预警原因
FROM hits AS h
JOIN r_entities AS e ON e.entity_code = h.entity_code
GROUP BY h.entity_code
HAVING count(*) >= CAST($repeated_min AS INTEGER)
ORDER BY count(*) DESC, h.entity_code
