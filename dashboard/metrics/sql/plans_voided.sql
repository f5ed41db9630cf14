-- Voided plans (status 已作废) of Y (y_plans), with the date and reason of the change that voided them
-- (the plan_changes row on field status whose new value is 已作废, if recorded).
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
void_change AS (
    SELECT plan_code, min(changed_on) AS changed_on, arg_min(reason, changed_on) AS reason
    FROM plan_changes WHERE field = 'status' AND new_value = '已作废'
    GROUP BY plan_code
)
SELECT
    pl.plan_code AS 计划编码,
    pl.unit_code AS 单位编码,
    un.unit_name AS 单位名称,
    it.item_name AS 抽查事项,
    pl.base_count AS 抽查基数,
    pl.ratio AS 抽查比例,
    pl.published_on AS 公开日期,
    vc.changed_on AS 作废日期,
    vc.reason AS 作废原因,
    (SELECT count(*) FROM tasks AS t WHERE t.plan_code = pl.plan_code) AS 关联任务数
FROM y_plans AS pl
LEFT JOIN units AS un ON un.unit_code = pl.unit_code
LEFT JOIN items AS it ON it.item_code = pl.item_code
LEFT JOIN void_change AS vc ON vc.plan_code = pl.plan_code
WHERE pl.status = '已作废'
ORDER BY pl.plan_code
