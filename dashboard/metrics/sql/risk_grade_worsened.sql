-- 风险预警: grade worsened (system 市场监管 only). The latest grade with period <= T's month is compared
-- with the grade of the month before it and of 3 months before it; a higher risk (A < B < C < D) fires.
-- Entities: the directory under the town/item filters, not closed by T; with a unit filter, those tagged
-- with an item whose owner_unit is one of the units (the rule of high_risk_uninspected).
WITH {{base}},
r_entities AS (
    SELECT e.*
    FROM b_entities AS e, b_params AS p
    WHERE (e.closed_on IS NULL OR e.closed_on > p.t)
        AND (p.units IS NULL OR EXISTS (
            SELECT 1 FROM items AS it
            WHERE list_contains(p.units, it.owner_unit) AND list_contains(e.tags, it.item_code)
        ))
),
-- each entity's latest grade and the two months it is compared with
cmp AS (
    SELECT
        bg.entity_code, bg.period, bg.grade, bg.score,
        CASE bg.grade WHEN 'A' THEN 1 WHEN 'B' THEN 2 WHEN 'C' THEN 3 WHEN 'D' THEN 4 END AS rnk,
        strftime(strptime(bg.period || '-01', '%Y-%m-%d') - INTERVAL 1 MONTH, '%Y-%m') AS p1,
        strftime(strptime(bg.period || '-01', '%Y-%m-%d') - INTERVAL 3 MONTH, '%Y-%m') AS p3
    FROM b_grade_now AS bg
),
-- the grades of those months only (a few distinct months: the history is filtered, not joined whole)
graded AS (
    SELECT g.entity_code, g.period, g.grade,
        CASE g.grade WHEN 'A' THEN 1 WHEN 'B' THEN 2 WHEN 'C' THEN 3 WHEN 'D' THEN 4 END AS rnk
    FROM risk_grades AS g, b_params AS p
    WHERE g.system = p.risk_system AND g.period <= p.t_month
        AND g.period IN (SELECT p1 FROM cmp UNION SELECT p3 FROM cmp)
)
SELECT
    c.entity_code AS 主体编码,
    '等级上升' AS 预警类型,
    concat_ws('；',
        CASE WHEN c.rnk > g1.rnk THEN format('较上月（{}）{}级上升为{}级', g1.period, g1.grade, c.grade) END,
        CASE WHEN c.rnk > g3.rnk THEN format('较3个月前（{}）{}级上升为{}级', g3.period, g3.grade, c.grade) END
    ) || format('（{}风险指数{}）', c.period, round(c.score, 1)) AS 预警原因
FROM cmp AS c
JOIN r_entities AS e ON e.entity_code = c.entity_code
LEFT JOIN graded AS g1 ON g1.entity_code = c.entity_code AND g1.period = c.p1
LEFT JOIN graded AS g3 ON g3.entity_code = c.entity_code AND g3.period = c.p3
WHERE c.rnk > g1.rnk OR c.rnk > g3.rnk
ORDER BY c.rnk DESC, c.score DESC NULLS LAST, c.entity_code
