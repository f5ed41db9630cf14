-- Units scored on 单位排名: internal units (not 外部门) within the unit filter that lead or partner a task
-- of Y (b_tasks) or own / join a plan of Y (item filter applies to both).
WITH {{base}},
involved AS (
    SELECT lead_unit AS unit_code FROM b_tasks
    UNION SELECT unnest(partner_units) FROM b_tasks
    UNION SELECT pl.unit_code FROM plans AS pl, b_params AS p
        WHERE pl.year = p.y AND (p.item IS NULL OR pl.item_code = p.item)
    UNION SELECT unnest(pl.joint_units) FROM plans AS pl, b_params AS p
        WHERE pl.year = p.y AND (p.item IS NULL OR pl.item_code = p.item)
)
SELECT un.unit_code, un.unit_name
FROM units AS un, b_params AS p
WHERE NOT un.external AND coalesce(un.unit_kind, '') <> '外部门'
    AND un.unit_code IN (SELECT unit_code FROM involved)
    AND (p.units IS NULL OR list_contains(p.units, un.unit_code))
ORDER BY un.unit_code
