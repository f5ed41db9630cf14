-- Inspections of Y entered before the inspection ended (entered_on < inspected_on, both by T). Imports
-- store such rows with a warning (DESIGN.md §4); the entry forms refuse them. days_early = calendar days
-- from entered_on to inspected_on.
WITH {{base}}
SELECT
    i.lead_unit AS unit_code,
    un.unit_name,
    i.task_code,
    i.entity_code,
    i.entity_name,
    i.inspected_on,
    i.entered_on,
    datediff('day', i.entered_on, i.inspected_on) AS days_early,
    i.published_on,
    i.task_name,
    tm.team
FROM y_insp AS i
LEFT JOIN units AS un ON un.unit_code = i.lead_unit
LEFT JOIN b_team AS tm ON tm.task_code = i.task_code AND tm.entity_code = i.entity_code
WHERE i.entered_on < i.inspected_on
ORDER BY i.lead_unit, i.task_code, i.entity_code
