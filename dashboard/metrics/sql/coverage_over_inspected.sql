-- Entities inspected more often than the frequency allows. Rule (documented in metrics.coverage):
-- within the 12 months (T − 365 days, T], the same entity inspected more than once for the same item
-- by non-voided tasks, unless its latest grade (<= T's month) is C or D or one of those inspections
-- found a problem. Unit filter: at least one of the tasks is of one of the units.
WITH {{base}},
x AS (
    SELECT
        i.entity_code, unnest(t.item_codes) AS item_code, i.task_code, i.inspected_on,
        i.result_codes, t.lead_unit, t.partner_units
    FROM inspections AS i
    JOIN tasks AS t ON t.task_code = i.task_code,
    b_params AS p
    WHERE t.status <> 'voided'
        AND i.inspected_on > p.t - 365
        AND i.inspected_on <= p.t
),
grp AS (
    SELECT
        entity_code, item_code,
        count(*) AS n,
        list(inspected_on ORDER BY inspected_on) AS days,
        list(task_code ORDER BY inspected_on) AS tasks,
        bool_or(len(list_intersect(result_codes, CAST($finding_codes AS VARCHAR[]))) > 0) AS found,
        list_distinct(flatten(list(list_prepend(lead_unit, partner_units)))) AS units
    FROM x
    GROUP BY entity_code, item_code
    HAVING count(*) > 1
)
SELECT
    e.entity_code AS 主体编码,
    e.name AS 名称,
    e.town AS 乡镇,
    grp.item_code AS 事项编码,
    it.item_name AS 抽查事项,
    grp.n AS 检查次数,
    array_to_string(CAST(grp.days AS VARCHAR[]), ';') AS 检查日期,
    array_to_string(grp.tasks, ';') AS 任务编码,
    coalesce(g.grade, 'U') AS 风险等级
FROM grp
JOIN b_entities AS e ON e.entity_code = grp.entity_code
LEFT JOIN items AS it ON it.item_code = grp.item_code
LEFT JOIN b_grade_now AS g ON g.entity_code = grp.entity_code,
b_params AS p
WHERE NOT grp.found
    AND coalesce(g.grade, 'U') NOT IN ('C', 'D')
    AND (p.item IS NULL OR grp.item_code = p.item)
    AND (p.units IS NULL OR len(list_intersect(p.units, grp.units)) > 0)
ORDER BY 检查次数 DESC, 主体编码, 事项编码
