-- Per inspector (of a unit in the filter): inspections of Y entered by T with at least one result code in
-- which the inspector served, those with a finding code, and the same counts for the other inspections of
-- the inspector's unit (served by at least one inspector of that unit, and not by this inspector).
WITH {{base}},
graded AS (
    SELECT task_code, entity_code, inspectors,
        len(list_intersect(result_codes, CAST($finding_codes AS VARCHAR[]))) > 0 AS finding
    FROM y_insp
    WHERE entered_on IS NOT NULL AND len(result_codes) > 0
),
-- (issue 17: teams unnested and equi-joined, the rest of the unit as its total minus the inspector's
-- own: the same numbers as testing every inspector against every inspection of the unit, without the
-- inspectors × inspections list_contains join that took over 60 s at 1 M entities)
unit_insp AS (
    SELECT DISTINCT ins.unit_code, g.task_code, g.entity_code, g.finding
    FROM graded AS g, unnest(g.inspectors) AS m(code)
    JOIN inspectors AS ins ON ins.inspector_code = m.code
),
unit_total AS (
    SELECT unit_code, count(*) AS n_all, count(*) FILTER (WHERE finding) AS k_all
    FROM unit_insp
    GROUP BY unit_code
),
served AS (
    SELECT DISTINCT m.code AS inspector_code, g.task_code, g.entity_code, g.finding
    FROM graded AS g, unnest(g.inspectors) AS m(code)
),
own AS (
    SELECT inspector_code, count(*) AS n, count(*) FILTER (WHERE finding) AS k
    FROM served
    GROUP BY inspector_code
),
people AS (
    SELECT ins.inspector_code, ins.name, ins.unit_code
    FROM inspectors AS ins, b_params AS p
    WHERE p.units IS NULL OR list_contains(p.units, ins.unit_code)
)
SELECT
    pe.inspector_code, pe.name, pe.unit_code,
    o.n,
    o.k,
    ut.n_all - o.n AS n_rest,
    ut.k_all - o.k AS k_rest
FROM people AS pe
JOIN own AS o ON o.inspector_code = pe.inspector_code
JOIN unit_total AS ut ON ut.unit_code = pe.unit_code
ORDER BY pe.unit_code, pe.inspector_code
