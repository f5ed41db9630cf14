-- Sizes of 一单两库 under the filters: items (item filter), directory entities (town/item filters, not
-- closed by T), active inspectors of the units in the filter.
WITH {{base}}
SELECT
    (SELECT count(*) FROM items AS it WHERE p.item IS NULL OR it.item_code = p.item) AS items,
    (SELECT count(*) FROM b_entities AS e WHERE e.closed_on IS NULL OR e.closed_on > p.t) AS entities,
    (SELECT count(*) FROM inspectors AS ins
        WHERE ins.active AND (p.units IS NULL OR list_contains(p.units, ins.unit_code))) AS inspectors
FROM b_params AS p
