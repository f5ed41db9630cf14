-- 计划执行 by month and unit (the plan's unit / the task's lead unit, within the unit filter), months
-- 1..12 of Y up to T's month: plans starting (planned_start) in the month (not voided), tasks of Y starting
-- in the month, inspections of those tasks done (inspected_on) in the month, and the running totals.
WITH {{base}},
y_plans AS (
    SELECT pl.*,
        CAST(ceil(pl.base_count * TRY_CAST(pl.ratio AS DECIMAL(18, 6))) AS INTEGER) AS planned_n
    FROM plans AS pl, b_params AS p
    WHERE pl.year = p.y
        AND (p.item IS NULL OR pl.item_code = p.item)
        AND (p.units IS NULL OR list_contains(p.units, pl.unit_code)
            OR len(list_intersect(p.units, pl.joint_units)) > 0)
),
months AS (
    SELECT unnest(range(1, CASE WHEN year(p.t) = p.y THEN month(p.t) + 1
        WHEN year(p.t) < p.y THEN 1 ELSE 13 END)) AS m
    FROM b_params AS p
),
facts AS (
    SELECT unit_code, month(planned_start) AS m, 1 AS plans, 0 AS tasks, 0 AS insp
    FROM y_plans, b_params AS p
    WHERE status <> '已作废' AND year(planned_start) = p.y
    UNION ALL
    SELECT lead_unit, month(start_on), 0, 1, 0 FROM b_tasks
    UNION ALL
    SELECT lead_unit, month(inspected_on), 0, 0, 1 FROM b_insp, b_params AS p
    WHERE year(inspected_on) = p.y
),
units_in AS (
    SELECT DISTINCT f.unit_code FROM facts AS f, b_params AS p
    WHERE p.units IS NULL OR list_contains(p.units, f.unit_code)
),
grid AS (
    SELECT u.unit_code, mo.m,
        coalesce(sum(f.plans), 0) AS plans,
        coalesce(sum(f.tasks), 0) AS tasks,
        coalesce(sum(f.insp), 0) AS insp
    FROM units_in AS u CROSS JOIN months AS mo
    LEFT JOIN facts AS f ON f.unit_code = u.unit_code AND f.m = mo.m
    GROUP BY u.unit_code, mo.m
)
SELECT
    format('{}-{:02d}', p.y, g.m) AS 月份,
    g.unit_code AS 单位编码,
    un.unit_name AS 单位名称,
    CAST(g.plans AS INTEGER) AS 计划开始数,
    CAST(g.tasks AS INTEGER) AS 任务开始数,
    CAST(g.insp AS INTEGER) AS 检查户次,
    CAST(sum(g.plans) OVER w AS INTEGER) AS 累计计划数,
    CAST(sum(g.tasks) OVER w AS INTEGER) AS 累计任务数,
    CAST(sum(g.insp) OVER w AS INTEGER) AS 累计检查户次
FROM grid AS g
LEFT JOIN units AS un ON un.unit_code = g.unit_code, b_params AS p
WINDOW w AS (PARTITION BY g.unit_code ORDER BY g.m)
ORDER BY g.m, g.unit_code
