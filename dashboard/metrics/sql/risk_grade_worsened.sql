-- 风险预警: grade worsened (system 市场监管 only). The latest grade with period <= T's month is compared
-- with the grade of the month before it and of 3 months before it; a higher risk (A < B < C < D) fires.
-- Entities: the directory under the town/item filters, not closed by T; with a unit filter, those tagged
-- with an item whose owner_unit is one of the units (the rule of high_risk_uninspected).
WITH {{base}},
r_entities AS (
    SELECT e.*
    FROM b_entities AS e, b_params AS p
    WHERE (e.closed_on IS NULL OR e.closed_on > p.t)
        AND (p.units IS NULL OR len(list_intersect(e.tags, (SELECT codes FROM b_unit_items))) > 0)
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
-- the grades of those two months, for the entities whose latest grade can have worsened (B, C, D): one
-- hash join of the history on the entity, not a materialised copy of it (issue 17: 8 M entities)
prior AS (
    SELECT c.entity_code,
        max(CASE WHEN g.period = c.p1 THEN g.grade END) AS grade1,
        max(CASE WHEN g.period = c.p3 THEN g.grade END) AS grade3
    FROM cmp AS c
    JOIN risk_grades AS g
        ON g.entity_code = c.entity_code AND (g.period = c.p1 OR g.period = c.p3),
    b_params AS p
    WHERE c.rnk > 1 AND g.system = p.risk_system
    GROUP BY c.entity_code
),
ranked AS (
    SELECT c.*, pr.grade1, pr.grade3,
        CASE pr.grade1 WHEN 'A' THEN 1 WHEN 'B' THEN 2 WHEN 'C' THEN 3 WHEN 'D' THEN 4 END AS rnk1,
        CASE pr.grade3 WHEN 'A' THEN 1 WHEN 'B' THEN 2 WHEN 'C' THEN 3 WHEN 'D' THEN 4 END AS rnk3
    FROM cmp AS c
    JOIN prior AS pr ON pr.entity_code = c.entity_code
)
SELECT
    c.entity_code AS 主体编码,
    '等级上升' AS 预警类型,
    concat_ws('；',
        CASE WHEN c.rnk > c.rnk1 THEN format('较上月（{}）{}级上升为{}级', c.p1, c.grade1, c.grade) END,
        CASE WHEN c.rnk > c.rnk3 THEN format('较3个月前（{}）{}级上升为{}级', c.p3, c.grade3, c.grade) END
    ) || format('（{}风险指数{}）', c.period, round(c.score, 1)) AS 预警原因
FROM ranked AS c
JOIN r_entities AS e ON e.entity_code = c.entity_code
WHERE c.rnk > c.rnk1 OR c.rnk > c.rnk3
ORDER BY c.rnk DESC, c.score DESC NULLS LAST, c.entity_code
