-- Inspections of Y whose dates are out of order with the inspection's end, by $which:
--   'entered'   entered before the inspection ended (entered_on < inspected_on);
--   'published' published before the inspection ended (published_on < inspected_on);
--   'started'   the inspection ended before the task started or before the task's current draw
--               (inspected_on < start_on or inspected_on < draw_date: the rule of
--               dashboard.entry.rules.inspection_before_start; the current draw is that of
--               quality_undrawn_targets.sql — the latest draw of kind 'task' no other draw supersedes,
--               the current one at every T; a task without a draw record is compared with its start).
-- Dates by T. Imports store such rows with a warning (DESIGN.md §4); the entry forms refuse the first
-- two and warn before saving the third. days_early = calendar days from the earlier date to the later
-- (entry or publication to inspection; inspection to the later of start and draw).
WITH {{base}},
cur_draw AS (
    SELECT d.task_code, arg_max(d.draw_date, d.chain_pos) AS draw_date
    FROM draws AS d
    WHERE d.kind = 'task'
        AND d.task_code IN (SELECT task_code FROM b_tasks)
        AND NOT EXISTS (SELECT 1 FROM draws AS s WHERE s.supersedes = d.draw_id)
    GROUP BY d.task_code
),
dated AS (
    SELECT i.*, bt.start_on, cd.draw_date,
        CASE CAST($which AS VARCHAR)
            WHEN 'entered' THEN i.entered_on
            WHEN 'published' THEN i.published_on
            ELSE i.inspected_on
        END AS early_on,
        CASE CAST($which AS VARCHAR)
            WHEN 'started' THEN greatest(bt.start_on, cd.draw_date)
            ELSE i.inspected_on
        END AS late_on
    FROM y_insp AS i
    JOIN b_tasks AS bt ON bt.task_code = i.task_code
    LEFT JOIN cur_draw AS cd ON cd.task_code = i.task_code
)
SELECT
    i.lead_unit AS unit_code,
    un.unit_name,
    i.task_code,
    i.entity_code,
    i.entity_name,
    i.start_on,
    i.draw_date,
    i.inspected_on,
    i.entered_on,
    i.published_on,
    datediff('day', i.early_on, i.late_on) AS days_early,
    i.task_name,
    tm.team
FROM dated AS i
LEFT JOIN units AS un ON un.unit_code = i.lead_unit
LEFT JOIN b_team AS tm ON tm.task_code = i.task_code AND tm.entity_code = i.entity_code
WHERE i.early_on < i.late_on
ORDER BY i.lead_unit, i.task_code, i.entity_code
