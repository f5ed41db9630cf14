-- Inspections of Y not entered by T whose entry deadline falls in the due-soon window (b_soon:
-- T <= deadline <= deadline(T, $due_soon)). The complement of entry_overdue (deadline < T): an
-- inspection is in at most one of the two. workdays_left = working days in (T, deadline] (0: due on T).
WITH {{base}}
SELECT
    i.lead_unit AS unit_code,
    un.unit_name,
    i.task_code,
    i.entity_code,
    i.entity_name,
    i.entry_deadline,
    cd.workday_seq - s.t_seq AS workdays_left,
    i.inspected_on,
    i.task_name,
    tm.team
FROM y_insp AS i
JOIN b_soon AS s ON i.entry_deadline BETWEEN s.soon_start AND s.soon_end
JOIN calendar AS cd ON cd.day = i.entry_deadline
LEFT JOIN units AS un ON un.unit_code = i.lead_unit
LEFT JOIN b_team AS tm ON tm.task_code = i.task_code AND tm.entity_code = i.entity_code
WHERE i.entered_on IS NULL
ORDER BY i.entry_deadline, i.lead_unit, i.task_code, i.entity_code
