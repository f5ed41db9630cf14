-- External departments (外部门) in the joint tasks of Y: how many tasks, led by whom, how many pairs.
WITH {{base}},
tu AS (
    SELECT task_code, lead_unit, unnest(list_prepend(lead_unit, partner_units)) AS unit_code
    FROM y_tasks
    WHERE joint_kind <> 'none'
),
i AS (SELECT task_code, count(*) AS n FROM y_insp GROUP BY task_code)
SELECT
    un.unit_code AS 单位编码,
    un.unit_name AS 部门,
    count(DISTINCT tu.task_code) AS 联合任务数,
    string_agg(DISTINCT lu.unit_name, '、' ORDER BY lu.unit_name)
        FILTER (WHERE tu.lead_unit <> tu.unit_code) AS 牵头单位,
    CAST(sum(coalesce(i.n, 0)) AS BIGINT) AS 检查户数
FROM tu
JOIN units AS un ON un.unit_code = tu.unit_code AND un.external
LEFT JOIN units AS lu ON lu.unit_code = tu.lead_unit
LEFT JOIN i ON i.task_code = tu.task_code
GROUP BY un.unit_code, un.unit_name
ORDER BY 联合任务数 DESC, 单位编码
