-- Reports due in Y of the units in scope, with their state as of T (missing and late first).
WITH {{base}}, {{registers}}
SELECT s.unit_code, un.unit_name, s.period, s.due_on, s.submitted_on,
    CASE WHEN s.missing THEN '逾期未报送' WHEN s.late THEN '逾期报送' WHEN s.on_time THEN '按时报送'
        ELSE '未到期' END AS report_state,
    CASE WHEN s.missing THEN workdays_between(s.due_on, p.t)
        WHEN s.late THEN workdays_between(s.due_on, s.submitted_on) END AS workdays_late,
    s.note
FROM r_submissions AS s
LEFT JOIN units AS un ON un.unit_code = s.unit_code, b_params AS p
ORDER BY CASE WHEN s.missing THEN 0 WHEN s.late THEN 1 ELSE 2 END, s.due_on, s.unit_code
