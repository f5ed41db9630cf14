-- Coverage per town: entities inspected in Y ÷ the town's part of the base (§5 base rule).
WITH {{base}},
b AS (
    SELECT coalesce(e.town, '（未填写）') AS town, count(*) AS n
    FROM b_entities AS e, b_params AS p
    WHERE (e.registered_on IS NULL OR e.registered_on <= p.base_day)
        AND (e.closed_on IS NULL OR e.closed_on > p.base_day)
    GROUP BY 1
),
c AS (
    SELECT coalesce(town, '（未填写）') AS town, count(DISTINCT entity_code) AS n
    FROM y_insp GROUP BY 1
)
SELECT
    coalesce(b.town, c.town) AS 乡镇,
    coalesce(b.n, 0) AS 名录基数,
    coalesce(c.n, 0) AS 已检查对象数,
    CASE WHEN b.n > 0 THEN coalesce(c.n, 0) / b.n END AS 覆盖率
FROM b FULL JOIN c ON b.town = c.town
ORDER BY 乡镇
