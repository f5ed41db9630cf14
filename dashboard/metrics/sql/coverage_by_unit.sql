-- Coverage per unit: each row is what the KPIs show with that unit as the unit filter
-- (tasks where the unit is lead or partner). The base is the whole directory (§5).
WITH {{base}},
base_n AS (
    SELECT count(*) AS n FROM b_entities AS e, b_params AS p
    WHERE (e.registered_on IS NULL OR e.registered_on <= p.base_day)
        AND (e.closed_on IS NULL OR e.closed_on > p.base_day)
),
tu AS (
    SELECT task_code, unnest(list_distinct(list_prepend(lead_unit, partner_units))) AS unit_code
    FROM y_tasks
),
iu AS (
    SELECT task_code, entity_code,
        unnest(list_distinct(list_prepend(lead_unit, partner_units))) AS unit_code
    FROM y_insp
),
t AS (SELECT unit_code, count(DISTINCT task_code) AS tasks FROM tu GROUP BY unit_code),
i AS (
    SELECT unit_code, count(*) AS pairs, count(DISTINCT entity_code) AS ents
    FROM iu GROUP BY unit_code
)
SELECT
    un.unit_code AS 单位编码,
    un.unit_name AS 单位,
    coalesce(t.tasks, 0) AS 任务数,
    coalesce(i.pairs, 0) AS 检查户次,
    coalesce(i.ents, 0) AS 检查对象数,
    base_n.n AS 名录基数,
    CASE WHEN base_n.n > 0 THEN coalesce(i.ents, 0) / base_n.n END AS 覆盖率
FROM units AS un
LEFT JOIN t ON t.unit_code = un.unit_code
LEFT JOIN i ON i.unit_code = un.unit_code,
base_n, b_params AS p
WHERE (NOT un.external OR t.tasks IS NOT NULL)
    AND (p.units IS NULL OR list_contains(p.units, un.unit_code))
ORDER BY 覆盖率 DESC NULLS LAST, 单位编码
