-- Timeliness counts per unit. Inspections: each row is the KPI with that unit as the unit filter
-- (lead or partner unit of the task). Follow-ups: the responsible unit, or every unit of the task
-- when it has none (the §5 unit rule).
WITH {{base}},
iu AS (
    SELECT i.*, unnest(list_distinct(list_prepend(i.lead_unit, i.partner_units))) AS unit_code
    FROM y_insp AS i
),
ic AS (
    SELECT unit_code,
        count(*) AS pairs,
        count(*) FILTER (WHERE entered_on IS NOT NULL OR entry_deadline < p.t) AS entry_den,
        count(*) FILTER (WHERE entered_on <= entry_deadline) AS entry_ok,
        count(*) FILTER (WHERE entered_on > entry_deadline) AS entry_late,
        count(*) FILTER (WHERE entered_on IS NULL AND entry_deadline < p.t) AS entry_overdue,
        count(*) FILTER (WHERE published_on IS NOT NULL OR entry_deadline < p.t) AS pub_den,
        count(*) FILTER (WHERE published_on <= entry_deadline) AS pub_ok,
        count(*) FILTER (WHERE published_on > entry_deadline) AS pub_late,
        count(*) FILTER (WHERE published_on IS NULL AND entry_deadline < p.t) AS pub_overdue
    FROM iu, b_params AS p
    GROUP BY unit_code
),
fu AS (
    SELECT f.*, unnest(CASE WHEN f.responsible_unit IS NOT NULL THEN [f.responsible_unit]
        ELSE list_distinct(list_prepend(f.lead_unit, f.partner_units)) END) AS fu_unit
    FROM y_fu AS f
),
fc AS (
    SELECT fu_unit AS unit_code,
        count(*) AS fus,
        count(*) FILTER (WHERE closed_on IS NOT NULL) AS closed,
        count(*) FILTER (WHERE due_on < p.t AND closed_on IS NULL) AS overdue,
        count(*) FILTER (
            WHERE closed_on IS NOT NULL
                AND (backfilled_on > backfill_deadline
                    OR (backfilled_on IS NULL AND backfill_deadline < p.t))
        ) AS backfill_late
    FROM fu, b_params AS p
    GROUP BY fu_unit
)
SELECT
    un.unit_code AS 单位编码,
    un.unit_name AS 单位,
    coalesce(ic.pairs, 0) AS 检查户数,
    coalesce(ic.entry_ok, 0) AS 按时录入,
    coalesce(ic.entry_late, 0) AS 逾期录入,
    coalesce(ic.entry_overdue, 0) AS 超期未录入,
    CASE WHEN ic.entry_den > 0 THEN ic.entry_ok / ic.entry_den END AS 按时录入率,
    coalesce(ic.pub_ok, 0) AS 按时公示,
    coalesce(ic.pub_late, 0) AS 逾期公示,
    coalesce(ic.pub_overdue, 0) AS 超期未公示,
    CASE WHEN ic.pub_den > 0 THEN ic.pub_ok / ic.pub_den END AS 按时公示率,
    coalesce(fc.fus, 0) AS 后续处理件数,
    coalesce(fc.closed, 0) AS 已完结,
    coalesce(fc.overdue, 0) AS 逾期未完结,
    coalesce(fc.backfill_late, 0) AS 回填超期
FROM units AS un
LEFT JOIN ic ON ic.unit_code = un.unit_code
LEFT JOIN fc ON fc.unit_code = un.unit_code,
b_params AS p
WHERE (ic.pairs IS NOT NULL OR fc.fus IS NOT NULL OR NOT un.external)
    AND (p.units IS NULL OR list_contains(p.units, un.unit_code))
ORDER BY 超期未录入 + 逾期录入 + 逾期未完结 + 回填超期 DESC, 单位编码
