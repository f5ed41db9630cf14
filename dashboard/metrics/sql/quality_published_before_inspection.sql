-- Inspections of Y published before the inspection ended (published_on < inspected_on, both by T).
-- days_early = calendar days from published_on to inspected_on.
WITH {{base}}
SELECT
    i.lead_unit AS unit_code,
    un.unit_name,
    i.task_code,
    i.entity_code,
    i.entity_name,
    i.inspected_on,
    i.published_on,
    datediff('day', i.published_on, i.inspected_on) AS days_early,
    i.entered_on,
    i.task_name,
    tm.team
FROM y_insp AS i
LEFT JOIN units AS un ON un.unit_code = i.lead_unit
LEFT JOIN b_team AS tm ON tm.task_code = i.task_code AND tm.entity_code = i.entity_code
WHERE i.published_on < i.inspected_on
ORDER BY i.lead_unit, i.task_code, i.entity_code
