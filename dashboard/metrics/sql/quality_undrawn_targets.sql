-- Inspections of Y whose entity is not among the selections of the task's current draw — the rule of
-- dashboard.entry.rules.check_target with the draw of dashboard.entry.service.current_draw: the task's
-- latest draw of kind 'task' (highest chain_pos) that no other draw supersedes. A task without any draw
-- record (dispatched tasks, draws run on the provincial platform) has no drawn list to compare with and
-- is never listed. Like a status, the draw record is the current one at every T.
WITH {{base}},
cur_draw AS (
    SELECT d.task_code, arg_max(d.draw_id, d.chain_pos) AS draw_id
    FROM draws AS d
    WHERE d.kind = 'task'
        AND d.task_code IN (SELECT task_code FROM b_tasks)
        AND NOT EXISTS (SELECT 1 FROM draws AS s WHERE s.supersedes = d.draw_id)
    GROUP BY d.task_code
),
drawn AS (
    SELECT s.draw_id, count(*) AS drawn_count
    FROM draw_selections AS s
    WHERE s.draw_id IN (SELECT draw_id FROM cur_draw)
    GROUP BY s.draw_id
)
SELECT
    i.lead_unit AS unit_code,
    un.unit_name,
    i.task_code,
    i.entity_code,
    i.entity_name,
    cd.draw_id,
    d.draw_date,
    coalesce(dn.drawn_count, 0) AS drawn_count,
    i.inspected_on,
    i.entered_on,
    i.task_name
FROM y_insp AS i
JOIN cur_draw AS cd ON cd.task_code = i.task_code
JOIN draws AS d ON d.draw_id = cd.draw_id
LEFT JOIN drawn AS dn ON dn.draw_id = cd.draw_id
LEFT JOIN units AS un ON un.unit_code = i.lead_unit
WHERE NOT EXISTS (
    SELECT 1 FROM draw_selections AS s
    WHERE s.draw_id = cd.draw_id AND s.entity_code = i.entity_code
)
ORDER BY i.lead_unit, i.task_code, i.entity_code
