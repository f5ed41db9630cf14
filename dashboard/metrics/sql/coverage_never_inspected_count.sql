-- The row count of coverage_never_inspected.sql (the same WHERE; no grade join, no order): a page shows
-- that list's first rows and this count (issue 17; tests/test_perf_lists.py checks they agree).
WITH {{base}}
SELECT count(*) AS n
FROM b_entities AS e
LEFT JOIN b_last_inspected AS ls ON ls.entity_code = e.entity_code,
b_params AS p
WHERE (e.closed_on IS NULL OR e.closed_on > p.t)
    AND (e.registered_on IS NULL OR e.registered_on <= p.t)
    AND (ls.last_on IS NULL
        OR ls.last_on <= CAST(p.t - to_years(CAST($years AS INTEGER)) AS DATE))
    AND (p.units IS NULL OR len(list_intersect(e.tags, (SELECT codes FROM b_unit_items))) > 0)
