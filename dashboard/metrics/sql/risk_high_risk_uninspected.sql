-- 风险预警: D grade not inspected within $lookback_days (the entities of the KPI high_risk_uninspected).
WITH {{base}}
SELECT
    h.entity_code AS 主体编码,
    'D级一年内未检查' AS 预警类型,
    format('最新等级D级（{}，风险指数{}），近{}天内未被检查（{}）',
        h.period, round(h.score, 1), CAST($lookback_days AS INTEGER),
        CASE WHEN h.last_on IS NULL THEN '从未检查'
            ELSE '最近检查' || strftime(h.last_on, '%Y-%m-%d') END) AS 预警原因
FROM b_high_risk AS h
ORDER BY h.score DESC NULLS LAST, h.entity_code
