-- Joint shares per unit: each row is the KPI with that unit as the unit filter (tasks where the
-- unit is lead or partner; their inspections as task-entity pairs).
WITH {{base}},
tu AS (
    SELECT task_code, joint_kind, lead_unit,
        unnest(list_distinct(list_prepend(lead_unit, partner_units))) AS unit_code
    FROM y_tasks
),
iu AS (
    SELECT task_code, entity_code, joint_kind,
        unnest(list_distinct(list_prepend(lead_unit, partner_units))) AS unit_code
    FROM y_insp
),
t AS (
    SELECT unit_code,
        count(*) AS tasks,
        count(*) FILTER (WHERE joint_kind <> 'none') AS joint_tasks,
        count(*) FILTER (WHERE lead_unit = unit_code) AS led
    FROM tu GROUP BY unit_code
),
i AS (
    SELECT unit_code, count(*) AS pairs, count(*) FILTER (WHERE joint_kind <> 'none') AS joint_pairs
    FROM iu GROUP BY unit_code
)
SELECT
    un.unit_code AS 单位编码,
    un.unit_name AS 单位,
    coalesce(t.tasks, 0) AS 任务数,
    coalesce(t.led, 0) AS 牵头任务数,
    coalesce(t.joint_tasks, 0) AS 联合任务数,
    CASE WHEN t.tasks > 0 THEN t.joint_tasks / t.tasks END AS 次数占比,
    coalesce(i.pairs, 0) AS 检查户数,
    coalesce(i.joint_pairs, 0) AS 联合检查户数,
    CASE WHEN i.pairs > 0 THEN i.joint_pairs / i.pairs END AS 户数占比
FROM units AS un
LEFT JOIN t ON t.unit_code = un.unit_code
LEFT JOIN i ON i.unit_code = un.unit_code,
b_params AS p
WHERE (NOT un.external OR t.tasks IS NOT NULL)
    AND (p.units IS NULL OR list_contains(p.units, un.unit_code))
ORDER BY 次数占比 ASC NULLS LAST, 单位编码
