-- Inspections of Y whose team has fewer distinct inspectors than required: max(min_inspectors of the
-- task's items, 2) — the rule of dashboard.entry.rules.check_inspectors (an item without the setting
-- counts 2; a task without known items needs 2). An empty team counts 0.
WITH {{base}},
req AS (
    SELECT bt.task_code, greatest(coalesce(max(it.min_inspectors), 2), 2) AS required
    FROM b_tasks AS bt
    LEFT JOIN items AS it ON list_contains(bt.item_codes, it.item_code)
    GROUP BY bt.task_code
)
SELECT
    i.lead_unit AS unit_code,
    un.unit_name,
    i.task_code,
    i.entity_code,
    i.entity_name,
    len(list_distinct(i.inspectors)) AS team_size,
    r.required,
    tm.team,
    i.inspected_on,
    i.entered_on,
    i.task_name
FROM y_insp AS i
JOIN req AS r ON r.task_code = i.task_code
LEFT JOIN units AS un ON un.unit_code = i.lead_unit
LEFT JOIN b_team AS tm ON tm.task_code = i.task_code AND tm.entity_code = i.entity_code
WHERE len(list_distinct(i.inspectors)) < r.required
ORDER BY i.lead_unit, i.task_code, i.entity_code
