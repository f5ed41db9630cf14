-- 风险预警: score jump. The latest 市场监管 score (period <= T's month) minus the score of the entity's
-- previous graded month is at least $score_jump (setting risk.score_jump). Entities as in
-- risk_grade_worsened.sql.
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
seq AS (
    SELECT g.entity_code, g.period, g.score,
        lag(g.period) OVER w AS prev_period,
        lag(g.score) OVER w AS prev_score
    FROM risk_grades AS g, b_params AS p
    WHERE g.system = p.risk_system AND g.period <= p.t_month
    WINDOW w AS (PARTITION BY g.entity_code ORDER BY g.period)
)
SELECT
    s.entity_code AS 主体编码,
    '风险指数跃升' AS 预警类型,
    format('风险指数由{}（{}）升至{}（{}），上升{}分，达到阈值{}分',
        round(s.prev_score, 1), s.prev_period, round(s.score, 1), s.period,
        round(s.score - s.prev_score, 1), CAST($score_jump AS DOUBLE)) AS 预警原因
FROM seq AS s
JOIN b_grade_now AS bg ON bg.entity_code = s.entity_code AND bg.period = s.period
JOIN r_entities AS e ON e.entity_code = s.entity_code
WHERE s.score - s.prev_score >= CAST($score_jump AS DOUBLE)
ORDER BY s.score - s.prev_score DESC, s.entity_code
