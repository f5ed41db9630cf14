-- 单位排名's 数据质量 for every unit at once (issue 17): for each unit U that leads or partners a task
-- of Y (the §5 unit rule, as the scope with unit = U), the rows quality_published_before_entry.sql
-- lists and the 条数 of the groups quality_bulk_notes.sql lists under that scope — one query instead of
-- two per unit. The base's item and town filters apply; the caller keeps the units it scores.
WITH {{base}},
per_unit AS (
    SELECT u.unit_code, i.entered_on, i.published_on, i.inspectors, i.note
    FROM b_insp AS i,
        unnest(list_distinct(list_prepend(i.lead_unit, coalesce(i.partner_units, [])))) AS u(unit_code)
),
bulk AS (
    SELECT unit_code, count(*) AS n
    FROM per_unit
    WHERE entered_on IS NOT NULL AND note IS NOT NULL AND trim(note) <> ''
    GROUP BY unit_code, entered_on, array_to_string(list_sort(inspectors), ';'), trim(note)
    HAVING count(*) >= CAST($bulk_min AS INTEGER)
),
published AS (
    SELECT unit_code, count(*) AS n
    FROM per_unit
    WHERE published_on < entered_on
    GROUP BY unit_code
)
SELECT
    coalesce(p.unit_code, b.unit_code) AS unit_code,
    coalesce(p.n, 0) AS published_before_entry,
    coalesce(b.n, 0) AS bulk_identical_rows
FROM published AS p
FULL JOIN (SELECT unit_code, sum(n) AS n FROM bulk GROUP BY unit_code) AS b
    ON b.unit_code = p.unit_code
ORDER BY 1
