-- The scoped building blocks of DESIGN.md §5, as CTEs. Every metric query starts with
-- `WITH {{base}}` (dashboard.metrics.base substitutes this text) so all lists and KPIs share one
-- definition of "tasks / inspections / follow-ups of Y" under the as-of rule and the filters.
--
-- Parameters: $year, $as_of (T), $units (VARCHAR[] or NULL = every unit; already intersected with the
-- user's allowed units), $item, $town (NULL = no filter), $entry_limit (20), $backfill_limit (5),
-- $risk_system ('市场监管'), $lookback_days, $followup_codes (the A family), $due_soon (5).
b_params AS (
    SELECT
        CAST($year AS INTEGER) AS y,
        CAST($as_of AS DATE) AS t,
        CAST($units AS VARCHAR[]) AS units,
        CAST($item AS VARCHAR) AS item,
        CAST($town AS VARCHAR) AS town,
        CAST($entry_limit AS INTEGER) AS entry_limit,
        CAST($backfill_limit AS INTEGER) AS backfill_limit,
        make_date(CAST($year AS INTEGER) - 1, 12, 31) AS base_day,
        strftime(CAST($as_of AS DATE), '%Y-%m') AS t_month,
        CAST($risk_system AS VARCHAR) AS risk_system
),
-- deadline(d, n) of §5 for every day d of the calendar, for the entry and the backfill limits: the
-- working day whose workday_seq is d's + n (the rule of the workday_deadline macro, as one join over
-- the calendar instead of a lookup per row; issue 17). Days outside the calendar have no deadline.
b_deadline AS (
    SELECT c1.day, c2.day AS entry_deadline, c3.day AS backfill_deadline
    FROM calendar AS c1
    CROSS JOIN b_params AS p
    LEFT JOIN calendar AS c2 ON c2.workday_seq = c1.workday_seq + p.entry_limit AND c2.is_workday
    LEFT JOIN calendar AS c3
        ON c3.workday_seq = c1.workday_seq + p.backfill_limit AND c3.is_workday
),
-- Tasks of Y (start_on in Y, start_on <= T, not voided), item-filtered; `in_units` = the unit rule
-- (the filter unit is the lead or a partner unit).
b_tasks AS (
    SELECT
        t.task_code, t.plan_code, t.task_name, t.item_codes, t.lead_unit, t.partner_units,
        t.joint_kind, t.source, t.uses_risk_grades, t.start_on, t.end_on, t.status,
        (p.units IS NULL
            OR list_contains(p.units, t.lead_unit)
            OR len(list_intersect(p.units, t.partner_units)) > 0) AS in_units
    FROM tasks AS t, b_params AS p
    WHERE year(t.start_on) = p.y
        AND t.start_on <= p.t
        AND t.status <> 'voided'
        AND (p.item IS NULL OR list_contains(t.item_codes, p.item))
),
-- Inspections of those tasks that happened by T (entity town-filtered); dates after T are empty.
b_insp AS (
    SELECT
        i.task_code, i.entity_code, i.inspectors, i.inspected_on, i.result_codes,
        CASE WHEN i.entered_on <= p.t THEN i.entered_on END AS entered_on,
        CASE WHEN i.published_on <= p.t THEN i.published_on END AS published_on,
        i.note,
        dl.entry_deadline,
        bt.in_units, bt.task_name, bt.item_codes, bt.lead_unit, bt.partner_units,
        bt.joint_kind, bt.source,
        e.name AS entity_name, e.town
    FROM inspections AS i
    JOIN b_tasks AS bt ON bt.task_code = i.task_code
    JOIN entities AS e ON e.entity_code = i.entity_code
    LEFT JOIN b_deadline AS dl ON dl.day = i.inspected_on
    CROSS JOIN b_params AS p
    WHERE i.inspected_on <= p.t
        AND (p.town IS NULL OR e.town = p.town)
),
-- "Inspections of Y" under the unit filter: they follow their task.
y_insp AS (
    SELECT * FROM b_insp WHERE in_units
),
-- "Tasks of Y" under the unit filter; with a town filter, the tasks that inspected an entity there.
y_tasks AS (
    SELECT bt.*
    FROM b_tasks AS bt, b_params AS p
    WHERE bt.in_units
        AND (p.town IS NULL OR bt.task_code IN (SELECT task_code FROM b_insp))
),
-- "Follow-ups of Y": those of an inspection of Y; under the unit filter by responsible_unit, or
-- (when that is empty) by the units of the task. closed/backfilled/revisit dates after T are empty.
y_fu AS (
    SELECT
        f.task_code, f.entity_code, f.measure_code, f.responsible_unit,
        coalesce(f.responsible_unit, bi.lead_unit) AS unit_code,
        f.due_on,
        CASE WHEN f.closed_on <= p.t THEN f.closed_on END AS closed_on,
        CASE WHEN f.backfilled_on <= p.t THEN f.backfilled_on END AS backfilled_on,
        CASE WHEN f.revisit_on <= p.t THEN f.revisit_on END AS revisit_on,
        CASE WHEN f.revisit_on <= p.t THEN f.revisit_result END AS revisit_result,
        CASE WHEN f.closed_on <= p.t THEN dl.backfill_deadline END AS backfill_deadline,
        bi.inspected_on, bi.inspectors, bi.task_name, bi.lead_unit, bi.partner_units,
        bi.entity_name, bi.town
    FROM followups AS f
    JOIN b_insp AS bi ON bi.task_code = f.task_code AND bi.entity_code = f.entity_code
    LEFT JOIN b_deadline AS dl ON dl.day = f.closed_on
    CROSS JOIN b_params AS p
    WHERE p.units IS NULL
        OR CASE
            WHEN f.responsible_unit IS NOT NULL THEN list_contains(p.units, f.responsible_unit)
            ELSE bi.in_units
        END
),
-- followup_missing (§5): inspections of Y entered by T whose result codes include a code of the A family
-- ($followup_codes: A and every code under it, domain.codes.FOLLOWUP_CODES) and for whose
-- (task_code, entity_code) no follow-up row exists at all — whatever its dates and its unit.
y_fu_missing AS (
    SELECT i.*
    FROM y_insp AS i
    WHERE i.entered_on IS NOT NULL
        AND len(list_intersect(i.result_codes, CAST($followup_codes AS VARCHAR[]))) > 0
        AND NOT EXISTS (
            SELECT 1 FROM followups AS f
            WHERE f.task_code = i.task_code AND f.entity_code = i.entity_code
        )
),
-- The due-soon window of §5: deadlines d with T <= d <= deadline(T, $due_soon), i.e. from T itself (a
-- deadline on T is still on time) to the $due_soon-th working day after T. Read from the calendar by
-- workday_seq once; t_seq lets a list compute working days left as workday_seq(d) - t_seq (0 = T).
-- Empty when T is outside the calendar.
b_soon AS (
    SELECT p.t AS soon_start, c2.day AS soon_end, c1.workday_seq AS t_seq
    FROM b_params AS p
    JOIN calendar AS c1 ON c1.day = p.t
    JOIN calendar AS c2
        ON c2.workday_seq = c1.workday_seq + CAST($due_soon AS INTEGER) AND c2.is_workday
),
-- The directory under the town and item (tag) filters; never unit-filtered (§5: coverage base).
b_entities AS (
    SELECT e.*
    FROM entities AS e, b_params AS p
    WHERE (p.town IS NULL OR e.town = p.town)
        AND (p.item IS NULL OR list_contains(e.tags, p.item))
),
-- Each entity's latest grade of the system 市场监管 with period <= T's month.
-- $grades_current (dashboard.store.grades.latest_is_current): no grade of the system is newer than T's
-- month, so the kept table risk_grade_latest is that grade (DuckDB folds the constant and reads only
-- one branch: 0.002 s against 0.29 s at 1,000,000 entities; issue 17). Otherwise the arg_max over the
-- history (period is unique per entity and system, so the row of the latest period is one row; one
-- arg_max of the whole row is about 3× faster than one arg_max per column).
b_grade_now AS (
    SELECT entity_code, grade, score, period
    FROM risk_grade_latest, b_params AS p
    WHERE CAST($grades_current AS BOOLEAN) AND system = p.risk_system
    UNION ALL
    SELECT entity_code, latest.grade, latest.score, latest.period
    FROM (
        SELECT entity_code,
            arg_max({'grade': grade, 'score': score, 'period': period}, period) AS latest
        FROM risk_grades, b_params AS p
        WHERE NOT CAST($grades_current AS BOOLEAN)
            AND system = p.risk_system AND period <= p.t_month
        GROUP BY entity_code
    )
),
-- The team of each b_insp row as inspector names in their listed order (code when unknown).
b_team AS (
    SELECT x.task_code, x.entity_code,
        string_agg(coalesce(ins.name, x.code), '、' ORDER BY x.pos) AS team
    FROM (
        SELECT task_code, entity_code, unnest(inspectors) AS code,
            generate_subscripts(inspectors, 1) AS pos
        FROM b_insp
    ) AS x
    LEFT JOIN inspectors AS ins ON ins.inspector_code = x.code
    GROUP BY x.task_code, x.entity_code
),
-- high_risk_uninspected (§5): entities of b_entities not closed by T whose latest grade
-- (b_grade_now) is D, with no inspection of a non-voided task in (T − $lookback_days, T]. With a
-- unit filter: entities tagged with an item whose owner_unit is one of the units.
b_last_inspected AS (
    SELECT i.entity_code, max(i.inspected_on) AS last_on
    FROM inspections AS i
    JOIN tasks AS t ON t.task_code = i.task_code,
    b_params AS p
    WHERE t.status <> 'voided' AND i.inspected_on <= p.t
    GROUP BY i.entity_code
),
-- The items owned by one of the filter units, as one list (a row-wise test per entity instead of
-- a join of the directory with items; issue 17). Empty list without a unit filter (not used then).
b_unit_items AS (
    SELECT coalesce(list(it.item_code), []) AS codes
    FROM items AS it, b_params AS p
    WHERE p.units IS NOT NULL AND list_contains(p.units, it.owner_unit)
),
b_high_risk AS (
    SELECT e.entity_code, e.name, e.entity_kind, e.town, e.tags, e.status,
        g.grade, g.score, g.period, li.last_on
    FROM b_entities AS e
    JOIN b_grade_now AS g ON g.entity_code = e.entity_code
    LEFT JOIN b_last_inspected AS li ON li.entity_code = e.entity_code
    CROSS JOIN b_params AS p
    CROSS JOIN b_unit_items AS ui
    WHERE g.grade = 'D'
        AND (e.closed_on IS NULL OR e.closed_on > p.t)
        AND (li.last_on IS NULL OR li.last_on <= p.t - CAST($lookback_days AS INTEGER))
        AND (p.units IS NULL OR len(list_intersect(e.tags, ui.codes)) > 0)
)
