-- Coverage per item: entities inspected in Y by tasks of the item ÷ base entities tagged with it.
WITH {{base}},
b AS (
    SELECT it.item_code, count(e.entity_code) AS n
    FROM items AS it
    JOIN b_entities AS e ON list_contains(e.tags, it.item_code),
    b_params AS p
    WHERE (e.registered_on IS NULL OR e.registered_on <= p.base_day)
        AND (e.closed_on IS NULL OR e.closed_on > p.base_day)
    GROUP BY it.item_code
),
c AS (
    SELECT x.item_code, count(DISTINCT x.entity_code) AS n, count(*) AS pairs
    FROM (SELECT entity_code, unnest(item_codes) AS item_code FROM y_insp) AS x
    GROUP BY x.item_code
)
SELECT
    it.item_code AS 事项编码,
    it.item_name AS 抽查事项,
    un.unit_name AS 责任单位,
    coalesce(b.n, 0) AS 名录基数,
    coalesce(c.n, 0) AS 已检查对象数,
    coalesce(c.pairs, 0) AS 检查户次,
    CASE WHEN b.n > 0 THEN coalesce(c.n, 0) / b.n END AS 覆盖率
FROM items AS it
LEFT JOIN units AS un ON un.unit_code = it.owner_unit
LEFT JOIN b ON b.item_code = it.item_code
LEFT JOIN c ON c.item_code = it.item_code,
b_params AS p
WHERE p.item IS NULL OR it.item_code = p.item
ORDER BY 事项编码
