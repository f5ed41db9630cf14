-- Due-soon counts per unit; each row is the due-soon list with that unit as the unit filter (§5 unit
-- rule): entries by the lead or a partner unit of the task, follow-ups by the responsible unit or,
-- when it is empty, every unit of the task. Units with nothing due soon are left out.
WITH {{base}},
ent AS (
    SELECT unnest(list_distinct(list_prepend(i.lead_unit, i.partner_units))) AS unit_code
    FROM y_insp AS i
    JOIN b_soon AS s ON i.entry_deadline BETWEEN s.soon_start AND s.soon_end
    WHERE i.entered_on IS NULL
),
fus AS (
    SELECT unnest(CASE WHEN f.responsible_unit IS NOT NULL THEN [f.responsible_unit]
        ELSE list_distinct(list_prepend(f.lead_unit, f.partner_units)) END) AS unit_code
    FROM y_fu AS f
    JOIN b_soon AS s ON f.due_on BETWEEN s.soon_start AND s.soon_end
    WHERE f.closed_on IS NULL
),
ec AS (SELECT unit_code, count(*) AS n FROM ent GROUP BY unit_code),
fc AS (SELECT unit_code, count(*) AS n FROM fus GROUP BY unit_code)
SELECT
    un.unit_code,
    un.unit_name,
    coalesce(ec.n, 0) AS entries_due_soon,
    coalesce(fc.n, 0) AS followups_due_soon
FROM units AS un
LEFT JOIN ec ON ec.unit_code = un.unit_code
LEFT JOIN fc ON fc.unit_code = un.unit_code,
b_params AS p
WHERE (ec.n IS NOT NULL OR fc.n IS NOT NULL)
    AND (p.units IS NULL OR list_contains(p.units, un.unit_code))
ORDER BY entries_due_soon + followups_due_soon DESC, un.unit_code
