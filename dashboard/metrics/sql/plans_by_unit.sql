-- 计划执行 per unit: the plans of Y (y_plans: year Y, item filter, the plan's unit or a joint unit in the
-- unit filter) grouped by the plan's unit, against the tasks of Y led by that unit and their inspections
-- by T. 计划抽查户数 = Σ ceil(base_count × ratio) over the plans not voided (the plan's single ratio; exact
-- decimal arithmetic). 计划完成率 = inspections in tasks of those plans ÷ 计划抽查户数 (NULL when 0).
-- Rows: units with a plan of Y or leading a task of Y, within the unit filter.
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
per_plan_unit AS (
    SELECT unit_code,
        count(*) FILTER (WHERE status <> '已作废') AS plans,
        count(*) FILTER (WHERE status = '已作废') AS voided_plans,
        CAST(coalesce(sum(planned_n) FILTER (WHERE status <> '已作废'), 0) AS INTEGER) AS planned_n
    FROM y_plans GROUP BY unit_code
),
live_plans AS (SELECT plan_code, unit_code FROM y_plans WHERE status <> '已作废'),
per_task_unit AS (
    SELECT bt.lead_unit AS unit_code,
        count(*) FILTER (WHERE bt.plan_code IN (SELECT plan_code FROM live_plans)) AS plan_tasks,
        count(*) FILTER (WHERE bt.plan_code IS NULL) AS other_tasks,
        count(*) FILTER (WHERE bt.status = 'done') AS done_tasks
    FROM b_tasks AS bt GROUP BY bt.lead_unit
),
per_insp_unit AS (
    SELECT bi.lead_unit AS unit_code,
        count(*) AS insp,
        count(*) FILTER (WHERE t.plan_code IN (SELECT plan_code FROM live_plans)) AS plan_insp
    FROM b_insp AS bi JOIN tasks AS t ON t.task_code = bi.task_code
    GROUP BY bi.lead_unit
),
all_units AS (
    SELECT unit_code FROM per_plan_unit UNION SELECT unit_code FROM per_task_unit
)
SELECT
    a.unit_code AS 单位编码,
    un.unit_name AS 单位名称,
    coalesce(pp.plans, 0) AS 计划数,
    coalesce(pp.voided_plans, 0) AS 作废计划数,
    coalesce(pp.planned_n, 0) AS 计划抽查户数,
    coalesce(pt.plan_tasks, 0) AS 计划任务数,
    coalesce(pt.other_tasks, 0) AS 临时及下派任务数,
    coalesce(pt.done_tasks, 0) AS 已完成任务数,
    coalesce(pi.insp, 0) AS 检查户次,
    coalesce(pi.plan_insp, 0) AS 计划内检查户次,
    CASE WHEN coalesce(pp.planned_n, 0) = 0 THEN NULL
        ELSE coalesce(pi.plan_insp, 0) / pp.planned_n END AS 计划完成率
FROM all_units AS a
LEFT JOIN units AS un ON un.unit_code = a.unit_code
LEFT JOIN per_plan_unit AS pp ON pp.unit_code = a.unit_code
LEFT JOIN per_task_unit AS pt ON pt.unit_code = a.unit_code
LEFT JOIN per_insp_unit AS pi ON pi.unit_code = a.unit_code,
b_params AS p
WHERE p.units IS NULL OR list_contains(p.units, a.unit_code)
ORDER BY a.unit_code
