-- 抽查事项 with no owner unit (empty, or a code not in units). Item filter applies; not unit-filtered
-- (an item without an owner belongs to no unit, which is the problem).
WITH {{base}}
SELECT
    it.item_code AS 事项编码,
    it.item_name AS 事项名称,
    it.category AS 事项类别,
    it.owner_unit AS 责任单位编码,
    CASE WHEN it.owner_unit IS NULL OR trim(it.owner_unit) = '' THEN '未指定责任单位'
        ELSE '责任单位不在单位表中' END AS 问题
FROM items AS it, b_params AS p
WHERE (p.item IS NULL OR it.item_code = p.item)
    AND (it.owner_unit IS NULL OR trim(it.owner_unit) = ''
        OR it.owner_unit NOT IN (SELECT unit_code FROM units))
ORDER BY it.item_code
