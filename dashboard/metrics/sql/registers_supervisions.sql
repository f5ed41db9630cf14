-- The office's special inspections of Y held by T in the units in scope (overdue rectifications first).
WITH {{base}}, {{registers}}
SELECT sv.held_on, sv.unit_code, un.unit_name, sv.topic, sv.finding, sv.rectify_due, sv.rectified_on,
    CASE WHEN sv.overdue THEN '整改逾期' WHEN NOT sv.has_finding THEN '未发现问题'
        WHEN sv.rectified_on IS NOT NULL THEN '已整改' ELSE '整改中' END AS supervision_state,
    CASE WHEN sv.overdue THEN workdays_between(sv.rectify_due, p.t) END AS workdays_late,
    sv.supervision_code
FROM r_supervisions AS sv
LEFT JOIN units AS un ON un.unit_code = sv.unit_code, b_params AS p
ORDER BY sv.overdue DESC, sv.held_on DESC, sv.supervision_code
