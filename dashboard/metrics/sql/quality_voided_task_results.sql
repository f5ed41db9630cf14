-- Results recorded on voided tasks: inspections with inspected_on <= T of tasks whose current status is
-- voided, with start_on in Y and <= T (the tasks of Y but for the status), the item filter, the §5 unit
-- rule (lead or partner unit) and the entity town filter. Such results count in no KPI (a voided task
-- is excluded at every T); entry and publication dates after T are empty.
WITH {{base}},
vt AS (
    SELECT t.task_code, t.task_name, t.lead_unit
    FROM tasks AS t, b_params AS p
    WHERE t.status = 'voided'
        AND year(t.start_on) = p.y
        AND t.start_on <= p.t
        AND (p.item IS NULL OR list_contains(t.item_codes, p.item))
        AND (p.units IS NULL
            OR list_contains(p.units, t.lead_unit)
            OR len(list_intersect(p.units, t.partner_units)) > 0)
)
SELECT
    vt.lead_unit AS unit_code,
    un.unit_name,
    vt.task_code,
    i.entity_code,
    e.name AS entity_name,
    i.inspected_on,
    CASE WHEN i.entered_on <= p.t THEN i.entered_on END AS entered_on,
    CASE WHEN i.published_on <= p.t THEN i.published_on END AS published_on,
    i.result_codes,
    vt.task_name
FROM inspections AS i
JOIN vt ON vt.task_code = i.task_code
JOIN entities AS e ON e.entity_code = i.entity_code
LEFT JOIN units AS un ON un.unit_code = vt.lead_unit,
b_params AS p
WHERE i.inspected_on <= p.t
    AND (p.town IS NULL OR e.town = p.town)
ORDER BY vt.lead_unit, vt.task_code, i.entity_code
