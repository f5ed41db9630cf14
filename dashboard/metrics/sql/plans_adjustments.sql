-- 计划调整 of the plans of Y (y_plans) made by T. A change counts as republished when republished_on <= T.
WITH {{base}},
y_plans AS (
    SELECT pl.*,
        CAST(ceil(pl.base_count * TRY_CAST(pl.ratio AS DECIMAL(18, 6))) AS INTEGER) AS planned_n
    FROM plans AS pl, b_params AS p
    WHERE pl.year = p.y
        AND (p.item IS NULL OR pl.item_code = p.item)
        AND (p.units IS NULL OR list_contains(p.units, pl.unit_code)
            OR len(list_intersect(p.units, pl.joint_units)) > 0)
)
SELECT
    c.plan_code AS 计划编码,
    pl.unit_code AS 单位编码,
    un.unit_name AS 单位名称,
    it.item_name AS 抽查事项,
    c.changed_on AS 调整日期,
    c.field AS 调整内容,
    c.old_value AS 原值,
    c.new_value AS 新值,
    c.reason AS 调整原因,
    CASE WHEN c.republished_on <= p.t THEN c.republished_on END AS 重新公开日期,
    CASE WHEN c.republished_on <= p.t THEN '是' ELSE '否' END AS 已重新公开,
    CASE WHEN c.republished_on IS NULL OR c.republished_on > p.t
        THEN workdays_between(c.changed_on, p.t) END AS 未公开工作日
FROM plan_changes AS c
JOIN y_plans AS pl ON pl.plan_code = c.plan_code
LEFT JOIN units AS un ON un.unit_code = pl.unit_code
LEFT JOIN items AS it ON it.item_code = pl.item_code, b_params AS p
WHERE c.changed_on <= p.t
ORDER BY c.changed_on, c.plan_code, c.field
