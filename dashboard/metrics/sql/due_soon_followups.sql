-- Follow-ups of Y not closed by T whose due_on falls in the due-soon window (b_soon:
-- T <= due_on <= deadline(T, $due_soon)). The complement of followup_overdue (due_on < T).
-- Unit = the responsible unit, or the task's lead unit when it has none. workdays_left = working days
-- in (T, due_on] (0: due on T; due_on itself may be a rest day).
WITH {{base}}
SELECT
    f.unit_code,
    un.unit_name,
    f.task_code,
    f.entity_code,
    f.entity_name,
    f.due_on,
    cd.workday_seq - s.t_seq AS workdays_left,
    f.measure_code,
    f.inspected_on,
    f.task_name,
    tm.team
FROM y_fu AS f
JOIN b_soon AS s ON f.due_on BETWEEN s.soon_start AND s.soon_end
JOIN calendar AS cd ON cd.day = f.due_on
LEFT JOIN units AS un ON un.unit_code = f.unit_code
LEFT JOIN b_team AS tm ON tm.task_code = f.task_code AND tm.entity_code = f.entity_code
WHERE f.closed_on IS NULL
ORDER BY f.due_on, f.unit_code, f.task_code, f.entity_code
