-- The hand-written twin of sql/kpi_values.sql for the whole county (no unit, item or town filter):
-- the same thirteen numerators and denominators of DESIGN.md §5 written as directly as DuckDB allows,
-- without the shared base CTEs. benchmarks/bench_kpi.py checks that it gives exactly the numbers of
-- compute_kpis and prints compute_kpis' time as a multiple of this one's (issue 17: at most 2×).
-- Parameters: $year, $as_of, $entry_limit, $backfill_limit, $lookback_days, $finding_codes,
-- $followup_codes.
WITH p AS (
    SELECT CAST($year AS INTEGER) AS y, CAST($as_of AS DATE) AS t,
        make_date(CAST($year AS INTEGER) - 1, 12, 31) AS base_day,
        strftime(CAST($as_of AS DATE), '%Y-%m') AS t_month
),
tk AS (
    SELECT task_code, joint_kind, uses_risk_grades
    FROM tasks, p
    WHERE year(start_on) = p.y AND start_on <= p.t AND status <> 'voided'
),
ins AS (
    SELECT i.task_code, i.entity_code, i.result_codes, tk.joint_kind,
        CASE WHEN i.entered_on <= p.t THEN i.entered_on END AS en,
        CASE WHEN i.published_on <= p.t THEN i.published_on END AS pu,
        c2.day AS dl
    FROM inspections AS i
    JOIN tk ON tk.task_code = i.task_code
    CROSS JOIN p
    LEFT JOIN calendar AS c1 ON c1.day = i.inspected_on
    LEFT JOIN calendar AS c2
        ON c2.workday_seq = c1.workday_seq + CAST($entry_limit AS INTEGER) AND c2.is_workday
    WHERE i.inspected_on <= p.t
        AND i.entity_code IN (SELECT entity_code FROM entities)
),
fu AS (
    SELECT f.due_on, c.cl, CASE WHEN f.backfilled_on <= p.t THEN f.backfilled_on END AS bf, c4.day AS bdl
    FROM followups AS f
    JOIN ins ON ins.task_code = f.task_code AND ins.entity_code = f.entity_code
    CROSS JOIN p
    CROSS JOIN LATERAL (SELECT CASE WHEN f.closed_on <= p.t THEN f.closed_on END AS cl) AS c
    LEFT JOIN calendar AS c3 ON c3.day = c.cl
    LEFT JOIN calendar AS c4
        ON c4.workday_seq = c3.workday_seq + CAST($backfill_limit AS INTEGER) AND c4.is_workday
),
g AS (
    SELECT entity_code, arg_max(grade, period) AS grade
    FROM risk_grades, p
    WHERE system = '市场监管' AND period <= p.t_month
    GROUP BY entity_code
),
li AS (
    SELECT i.entity_code, max(i.inspected_on) AS last_on
    FROM inspections AS i
    JOIN tasks AS t ON t.task_code = i.task_code, p
    WHERE t.status <> 'voided' AND i.inspected_on <= p.t
    GROUP BY i.entity_code
)
SELECT
    (SELECT count(DISTINCT entity_code) FROM ins) AS cov_num,
    (SELECT count(*) FROM entities, p
        WHERE (registered_on IS NULL OR registered_on <= p.base_day)
            AND (closed_on IS NULL OR closed_on > p.base_day)) AS cov_den,
    (SELECT count(*) FILTER (WHERE joint_kind <> 'none') FROM tk) AS joint_task_num,
    (SELECT count(*) FROM tk) AS task_den,
    (SELECT count(*) FILTER (WHERE uses_risk_grades) FROM tk) AS graded_num,
    i.joint_hh_num, i.insp_den, i.entry_num, i.entry_den, i.publish_num, i.publish_den,
    i.entry_overdue, i.problem_num, i.problem_den, i.followup_missing,
    f.fu_closed_num, f.fu_den, f.fu_overdue, f.backfill_late,
    (SELECT count(*) FROM entities AS e
        JOIN g ON g.entity_code = e.entity_code
        LEFT JOIN li ON li.entity_code = e.entity_code, p
        WHERE g.grade = 'D' AND (e.closed_on IS NULL OR e.closed_on > p.t)
            AND (li.last_on IS NULL OR li.last_on <= p.t - CAST($lookback_days AS INTEGER))
    ) AS high_risk_uninspected
FROM (
    SELECT
        count(*) FILTER (WHERE joint_kind <> 'none') AS joint_hh_num,
        count(*) AS insp_den,
        count(*) FILTER (WHERE en <= dl) AS entry_num,
        count(*) FILTER (WHERE en IS NOT NULL OR dl < p.t) AS entry_den,
        count(*) FILTER (WHERE pu <= dl) AS publish_num,
        count(*) FILTER (WHERE pu IS NOT NULL OR dl < p.t) AS publish_den,
        count(*) FILTER (WHERE en IS NULL AND dl < p.t) AS entry_overdue,
        count(*) FILTER (WHERE en IS NOT NULL AND len(result_codes) > 0
            AND len(list_intersect(result_codes, CAST($finding_codes AS VARCHAR[]))) > 0) AS problem_num,
        count(*) FILTER (WHERE en IS NOT NULL AND len(result_codes) > 0) AS problem_den,
        count(*) FILTER (WHERE en IS NOT NULL
            AND len(list_intersect(result_codes, CAST($followup_codes AS VARCHAR[]))) > 0
            AND NOT EXISTS (SELECT 1 FROM followups AS x
                WHERE x.task_code = ins.task_code AND x.entity_code = ins.entity_code)
        ) AS followup_missing
    FROM ins, p
) AS i,
(
    SELECT
        count(*) FILTER (WHERE cl IS NOT NULL) AS fu_closed_num,
        count(*) AS fu_den,
        count(*) FILTER (WHERE due_on < p.t AND cl IS NULL) AS fu_overdue,
        count(*) FILTER (WHERE cl IS NOT NULL AND (bf > bdl OR (bf IS NULL AND bdl < p.t))) AS backfill_late
    FROM fu, p
) AS f
