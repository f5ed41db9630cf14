-- Entities of the directory (not closed by T, registered by T) with no inspection of a non-voided
-- task in (T − $years years, T]. Unit filter: entities tagged with an item owned by one of the units.
WITH {{base}}
SELECT
    e.entity_code AS 主体编码,
    e.name AS 名称,
    e.entity_kind AS 主体类别,
    e.town AS 乡镇,
    array_to_string(e.tags, ';') AS 标签,
    coalesce(g.grade, 'U') AS 风险等级,
    e.registered_on AS 成立日期,
    ls.last_on AS 最近检查日期
FROM b_entities AS e
LEFT JOIN b_grade_now AS g ON g.entity_code = e.entity_code
LEFT JOIN b_last_inspected AS ls ON ls.entity_code = e.entity_code,
b_params AS p
WHERE (e.closed_on IS NULL OR e.closed_on > p.t)
    AND (e.registered_on IS NULL OR e.registered_on <= p.t)
    AND (ls.last_on IS NULL
        OR ls.last_on <= CAST(p.t - to_years(CAST($years AS INTEGER)) AS DATE))
    AND (p.units IS NULL OR len(list_intersect(e.tags, (SELECT codes FROM b_unit_items))) > 0)
ORDER BY CASE coalesce(g.grade, 'U') WHEN 'D' THEN 0 WHEN 'C' THEN 1 WHEN 'B' THEN 2
    WHEN 'A' THEN 3 ELSE 4 END, e.entity_code
