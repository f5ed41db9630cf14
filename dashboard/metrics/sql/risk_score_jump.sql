-- 风险预警: score jump. The latest 市场监管 score (period <= T's month) minus the score of the entity's
-- previous graded month is at least $score_jump (setting risk.score_jump). Entities as in
-- risk_grade_worsened.sql.
WITH {{base}},
r_entities AS (
    SELECT e.*
    FROM b_entities AS e, b_params AS p
    WHERE (e.closed_on IS NULL OR e.closed_on > p.t)
        AND (p.units IS NULL OR len(list_intersect(e.tags, (SELECT codes FROM b_unit_items))) > 0)
),
-- the score of each entity's previous graded month: the latest row before its latest period (one
-- grouped arg_max instead of a window over the whole history)
prev AS (
    SELECT g.entity_code,
        arg_max({'period': g.period, 'score': g.score}, g.period) AS pv
    FROM risk_grades AS g
    JOIN b_grade_now AS bg ON bg.entity_code = g.entity_code AND g.period < bg.period,
    b_params AS p
    WHERE g.system = p.risk_system
    GROUP BY g.entity_code
),
seq AS (
    SELECT bg.entity_code, bg.period, bg.score, pr.pv.period AS prev_period, pr.pv.score AS prev_score
    FROM b_grade_now AS bg
    JOIN prev AS pr ON pr.entity_code = bg.entity_code
)
SELECT
    s.entity_code AS 主体编码,
    '风险指数跃升' AS 预警类型,
    format('风险指数由{}（{}）升至{}（{}），上升{}分，达到阈值{}分',
        round(s.prev_score, 1), s.prev_period, round(s.score, 1), s.period,
        round(s.score - s.prev_score, 1), CAST($score_jump AS DOUBLE)) AS 预警原因
FROM seq AS s
JOIN r_entities AS e ON e.entity_code = s.entity_code
WHERE s.score - s.prev_score >= CAST($score_jump AS DOUBLE)
ORDER BY s.score - s.prev_score DESC, s.entity_code
