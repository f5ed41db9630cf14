-- Numerators and denominators of every KPI of DESIGN.md §5, in one row (dashboard.metrics.kpi).
WITH {{base}},
cov AS (
    SELECT
        (SELECT count(DISTINCT entity_code) FROM y_insp) AS cov_num,
        (SELECT count(*) FROM b_entities AS e, b_params AS p
            WHERE (e.registered_on IS NULL OR e.registered_on <= p.base_day)
                AND (e.closed_on IS NULL OR e.closed_on > p.base_day)) AS cov_den
),
tsk AS (
    SELECT
        count(*) FILTER (WHERE joint_kind <> 'none') AS joint_task_num,
        count(*) AS task_den,
        count(*) FILTER (WHERE uses_risk_grades) AS graded_num
    FROM y_tasks
),
ins AS (
    SELECT
        count(*) FILTER (WHERE joint_kind <> 'none') AS joint_hh_num,
        count(*) AS insp_den,
        count(*) FILTER (WHERE entered_on <= entry_deadline) AS entry_num,
        count(*) FILTER (WHERE entered_on IS NOT NULL OR entry_deadline < p.t) AS entry_den,
        count(*) FILTER (WHERE published_on <= entry_deadline) AS publish_num,
        count(*) FILTER (WHERE published_on IS NOT NULL OR entry_deadline < p.t) AS publish_den,
        count(*) FILTER (WHERE entered_on IS NULL AND entry_deadline < p.t) AS entry_overdue,
        count(*) FILTER (
            WHERE entered_on IS NOT NULL AND len(result_codes) > 0
                AND len(list_intersect(result_codes, CAST($finding_codes AS VARCHAR[]))) > 0
        ) AS problem_num,
        count(*) FILTER (WHERE entered_on IS NOT NULL AND len(result_codes) > 0) AS problem_den
    FROM y_insp, b_params AS p
),
fu AS (
    SELECT
        count(*) FILTER (WHERE closed_on IS NOT NULL) AS fu_closed_num,
        count(*) AS fu_den,
        count(*) FILTER (WHERE due_on < p.t AND closed_on IS NULL) AS fu_overdue,
        count(*) FILTER (
            WHERE closed_on IS NOT NULL
                AND (backfilled_on > backfill_deadline
                    OR (backfilled_on IS NULL AND backfill_deadline < p.t))
        ) AS backfill_late
    FROM y_fu, b_params AS p
),
hr AS (
    SELECT count(*) AS high_risk_uninspected FROM b_high_risk
),
fm AS (
    SELECT count(*) AS followup_missing FROM y_fu_missing
)
SELECT * FROM cov, tsk, ins, fu, hr, fm
