-- The 市场监管 grade/score history of one entity ($entity_code), months <= T's month, oldest first.
SELECT period AS 月份, grade AS 等级, score AS 风险指数
FROM risk_grades
WHERE entity_code = $entity_code AND system = $risk_system
    AND period <= strftime(CAST($as_of AS DATE), '%Y-%m')
ORDER BY period
