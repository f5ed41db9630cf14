-- The work registers of DESIGN.md §8 as CTEs, for year Y and as-of date T (after {{base}}: they use
-- b_params and y_fu). A date after T counts as not yet happened, a due date is kept (§5). The unit
-- filter applies to each register's own unit column; the follow-up figures follow y_fu's rule.
-- Parameters: $penalty_limit (working days from a penalty decision to its publication, default 7),
-- $transfer_measures (the follow-up measures that hand a case over: 4 and 6).
r_units AS (
    SELECT un.unit_code, un.unit_name
    FROM units AS un, b_params AS p
    WHERE NOT coalesce(un.external, false) AND coalesce(un.unit_kind, '') <> '外部门'
        AND (p.units IS NULL OR list_contains(p.units, un.unit_code))
),
r_trainings AS (
    SELECT tr.*
    FROM trainings AS tr, b_params AS p
    WHERE year(tr.held_on) = p.y AND tr.held_on <= p.t
        AND (p.units IS NULL OR list_contains(p.units, tr.unit_code))
),
-- Active inspectors of the internal units in scope (an external department trains its own), and whether they attended any training of Y by T (whoever
-- organised it).
r_inspectors AS (
    SELECT ins.unit_code, ins.inspector_code, ins.name,
        EXISTS (
            SELECT 1 FROM trainings AS tr
            WHERE year(tr.held_on) = p.y AND tr.held_on <= p.t
                AND list_contains(tr.attendees, ins.inspector_code)
        ) AS trained
    FROM inspectors AS ins, b_params AS p
    WHERE ins.active AND ins.unit_code IN (SELECT unit_code FROM r_units)
),
r_publicity AS (
    SELECT pb.*
    FROM publicity AS pb, b_params AS p
    WHERE year(pb.published_on) = p.y AND pb.published_on <= p.t
        AND (p.units IS NULL OR list_contains(p.units, pb.unit_code))
),
-- Reports due in Y; `counted` = submitted by T or due before T (the on-time share's denominator, like
-- entry_on_time); `late` = submitted after its due date; `missing` = due before T and not submitted.
r_submissions AS (
    SELECT s.unit_code, s.period, s.due_on,
        CASE WHEN s.submitted_on <= p.t THEN s.submitted_on END AS submitted_on,
        s.note,
        (s.submitted_on <= p.t OR s.due_on < p.t) AS counted,
        (s.submitted_on <= p.t AND s.submitted_on <= s.due_on) AS on_time,
        (s.submitted_on <= p.t AND s.submitted_on > s.due_on) AS late,
        ((s.submitted_on IS NULL OR s.submitted_on > p.t) AND s.due_on < p.t) AS missing
    FROM submissions AS s, b_params AS p
    WHERE year(s.due_on) = p.y
        AND (p.units IS NULL OR list_contains(p.units, s.unit_code))
),
-- Follow-ups of Y with the register columns (dates after T empty) and the penalty's publication
-- deadline = the $penalty_limit-th working day after the decision, read from the calendar.
r_fu AS (
    SELECT f.task_code, f.entity_code, f.unit_code, f.measure_code, f.task_name, f.entity_name,
        f.inspected_on, f.lead_unit, f.revisit_on, f.revisit_result,
        x.transferred_to,
        CASE WHEN x.transferred_on <= p.t THEN x.transferred_on END AS transferred_on,
        CASE WHEN x.penalty_decided_on <= p.t THEN x.penalty_decided_on END AS penalty_decided_on,
        CASE WHEN x.penalty_published_on <= p.t THEN x.penalty_published_on END
            AS penalty_published_on,
        CASE WHEN x.credit_recorded_on <= p.t THEN x.credit_recorded_on END AS credit_recorded_on,
        dl.day AS penalty_deadline,
        i.result_codes, i.inspectors
    FROM y_fu AS f
    JOIN followups AS x ON x.task_code = f.task_code AND x.entity_code = f.entity_code
    JOIN inspections AS i ON i.task_code = f.task_code AND i.entity_code = f.entity_code
    CROSS JOIN b_params AS p
    LEFT JOIN calendar AS c1 ON c1.day = x.penalty_decided_on AND x.penalty_decided_on <= p.t
    LEFT JOIN calendar AS dl
        ON dl.workday_seq = c1.workday_seq + CAST($penalty_limit AS INTEGER) AND dl.is_workday
),
r_fu_flags AS (
    SELECT r.*,
        list_contains(CAST($transfer_measures AS VARCHAR[]), r.measure_code) AS transfer_needed,
        (list_contains(CAST($transfer_measures AS VARCHAR[]), r.measure_code)
            AND (coalesce(trim(r.transferred_to), '') = '' OR r.transferred_on IS NULL))
            AS transfer_incomplete,
        (r.penalty_decided_on IS NOT NULL) AS penalty,
        (r.penalty_decided_on IS NOT NULL AND (
            (r.penalty_published_on IS NOT NULL AND r.penalty_published_on > r.penalty_deadline)
            OR (r.penalty_published_on IS NULL AND r.penalty_deadline < p.t)
        )) AS penalty_late,
        (r.penalty_decided_on IS NOT NULL AND r.credit_recorded_on IS NULL) AS credit_missing,
        (r.revisit_on IS NOT NULL) AS revisited,
        (r.revisit_on IS NOT NULL AND r.revisit_result = '未到位'
            AND list_contains(r.result_codes, '1')) AS revisit_contradicts
    FROM r_fu AS r, b_params AS p
),
-- The office's special inspections of Y by T; `finding` given = a problem found; overdue = its
-- rectification due before T and not rectified by T.
r_supervisions AS (
    SELECT sv.supervision_code, sv.held_on, sv.unit_code, sv.topic, sv.finding, sv.rectify_due,
        CASE WHEN sv.rectified_on <= p.t THEN sv.rectified_on END AS rectified_on,
        (coalesce(trim(sv.finding), '') <> '') AS has_finding,
        (coalesce(trim(sv.finding), '') <> '' AND sv.rectify_due < p.t
            AND (sv.rectified_on IS NULL OR sv.rectified_on > p.t)) AS overdue
    FROM supervisions AS sv, b_params AS p
    WHERE year(sv.held_on) = p.y AND sv.held_on <= p.t
        AND (p.units IS NULL OR list_contains(p.units, sv.unit_code))
)
