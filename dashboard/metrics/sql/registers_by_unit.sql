-- Every register figure of DESIGN.md §8 per internal unit in scope, with numerators and denominators.
WITH {{base}}, {{registers}},
tr AS (
    SELECT unit_code,
        count(*) FILTER (WHERE kind = '业务培训') AS trainings_business,
        count(*) FILTER (WHERE kind = '系统使用培训') AS trainings_system,
        count(*) FILTER (WHERE kind = '工作规范培训') AS trainings_rules,
        count(*) FILTER (WHERE kind = '其他') AS trainings_other,
        count(*) AS trainings
    FROM r_trainings GROUP BY unit_code
),
ins AS (
    SELECT unit_code, count(*) AS inspectors_active, count(*) FILTER (WHERE trained) AS inspectors_trained
    FROM r_inspectors GROUP BY unit_code
),
pb AS (SELECT unit_code, count(*) AS publicity FROM r_publicity GROUP BY unit_code),
sb AS (
    SELECT unit_code,
        count(*) FILTER (WHERE counted) AS reports_due,
        count(*) FILTER (WHERE on_time) AS reports_on_time,
        count(*) FILTER (WHERE late) AS reports_late,
        count(*) FILTER (WHERE missing) AS reports_missing
    FROM r_submissions GROUP BY unit_code
),
fu AS (
    SELECT unit_code,
        count(*) FILTER (WHERE transfer_needed) AS transfers,
        count(*) FILTER (WHERE transfer_incomplete) AS transfers_incomplete,
        count(*) FILTER (WHERE penalty) AS penalties,
        count(*) FILTER (WHERE penalty_late) AS penalties_late,
        count(*) FILTER (WHERE credit_missing) AS credit_missing,
        count(*) FILTER (WHERE revisited) AS revisits,
        count(*) FILTER (WHERE revisit_contradicts) AS revisit_contradictions
    FROM r_fu_flags GROUP BY unit_code
),
sv AS (
    SELECT unit_code,
        count(*) FILTER (WHERE has_finding) AS supervision_findings,
        count(*) FILTER (WHERE overdue) AS supervision_overdue
    FROM r_supervisions GROUP BY unit_code
)
SELECT
    u.unit_code, u.unit_name, l.name AS liaison_name,
    coalesce(tr.trainings_business, 0) AS trainings_business,
    coalesce(tr.trainings_system, 0) AS trainings_system,
    coalesce(tr.trainings_rules, 0) AS trainings_rules,
    coalesce(tr.trainings_other, 0) AS trainings_other,
    coalesce(tr.trainings, 0) AS trainings,
    coalesce(ins.inspectors_trained, 0) AS inspectors_trained,
    coalesce(ins.inspectors_active, 0) AS inspectors_active,
    coalesce(pb.publicity, 0) AS publicity,
    coalesce(sb.reports_on_time, 0) AS reports_on_time,
    coalesce(sb.reports_due, 0) AS reports_due,
    coalesce(sb.reports_late, 0) AS reports_late,
    coalesce(sb.reports_missing, 0) AS reports_missing,
    coalesce(fu.transfers_incomplete, 0) AS transfers_incomplete,
    coalesce(fu.transfers, 0) AS transfers,
    coalesce(fu.penalties_late, 0) AS penalties_late,
    coalesce(fu.credit_missing, 0) AS credit_missing,
    coalesce(fu.penalties, 0) AS penalties,
    coalesce(sv.supervision_overdue, 0) AS supervision_overdue,
    coalesce(sv.supervision_findings, 0) AS supervision_findings,
    coalesce(fu.revisit_contradictions, 0) AS revisit_contradictions,
    coalesce(fu.revisits, 0) AS revisits
FROM r_units AS u
LEFT JOIN liaisons AS l ON l.unit_code = u.unit_code
LEFT JOIN tr ON tr.unit_code = u.unit_code
LEFT JOIN ins ON ins.unit_code = u.unit_code
LEFT JOIN pb ON pb.unit_code = u.unit_code
LEFT JOIN sb ON sb.unit_code = u.unit_code
LEFT JOIN fu ON fu.unit_code = u.unit_code
LEFT JOIN sv ON sv.unit_code = u.unit_code
ORDER BY u.unit_code
