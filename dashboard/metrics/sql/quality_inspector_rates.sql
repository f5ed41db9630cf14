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
unit_insp AS (
    SELECT DISTINCT ins.unit_code, g.task_code, g.entity_code, g.inspectors, g.finding
    FROM graded AS g
    JOIN inspectors AS ins ON list_contains(g.inspectors, ins.inspector_code)
),
people AS (
    SELECT ins.inspector_code, ins.name, ins.unit_code
    FROM inspectors AS ins, b_params AS p
    WHERE p.units IS NULL OR list_contains(p.units, ins.unit_code)
)
SELECT
    pe.inspector_code, pe.name, pe.unit_code,
    count(*) FILTER (WHERE list_contains(ui.inspectors, pe.inspector_code)) AS n,
    count(*) FILTER (WHERE list_contains(ui.inspectors, pe.inspector_code) AND ui.finding) AS k,
    count(*) FILTER (WHERE NOT list_contains(ui.inspectors, pe.inspector_code)) AS n_rest,
    count(*) FILTER (WHERE NOT list_contains(ui.inspectors, pe.inspector_code) AND ui.finding) AS k_rest
FROM people AS pe
JOIN unit_insp AS ui ON ui.unit_code = pe.unit_code
GROUP BY pe.inspector_code, pe.name, pe.unit_code
HAVING count(*) FILTER (WHERE list_contains(ui.inspectors, pe.inspector_code)) > 0
ORDER BY pe.unit_code, pe.inspector_code
