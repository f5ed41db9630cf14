-- The entities behind the high_risk_uninspected KPI (b_high_risk of base_scope.sql).
WITH {{base}}
SELECT
    h.entity_code AS 主体编码,
    h.name AS 名称,
    h.entity_kind AS 主体类别,
    h.town AS 乡镇,
    array_to_string(h.tags, ';') AS 标签,
    h.grade AS 风险等级,
    h.score AS 风险指数,
    h.period AS 评级月份,
    h.last_on AS 最近检查日期
FROM b_high_risk AS h
ORDER BY h.score DESC NULLS LAST, h.entity_code
