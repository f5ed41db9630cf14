-- Inspections of Y entered ($which = 'entered') or published ($which = 'published') before the
-- inspection ended (that date < inspected_on, both by T). Imports store such rows with a warning
-- (DESIGN.md §4); the entry forms refuse them. days_early = calendar days from that date to inspected_on.
WITH {{base}},
dated AS (
    SELECT i.*,
        CASE CAST($which AS VARCHAR) WHEN 'entered' THEN i.entered_on ELSE i.published_on END
            AS early_on
    FROM y_insp AS i
)
SELECT
    i.lead_unit AS unit_code,
    un.unit_name,
    i.task_code,
    i.entity_code,
    i.entity_name,
    i.inspected_on,
    i.entered_on,
    i.published_on,
    datediff('day', i.early_on, i.inspected_on) AS days_early,
    i.task_name,
    tm.team
FROM dated AS i
LEFT JOIN units AS un ON un.unit_code = i.lead_unit
LEFT JOIN b_team AS tm ON tm.task_code = i.task_code AND tm.entity_code = i.entity_code
WHERE i.early_on < i.inspected_on
ORDER BY i.lead_unit, i.task_code, i.entity_code
