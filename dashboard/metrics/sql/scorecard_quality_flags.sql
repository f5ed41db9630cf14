-- 单位排名's 数据质量 for every unit at once (issue 17): for each unit U that leads or partners a task
-- of Y (the §5 unit rule, as the scope with unit = U), the rows quality_published_before_entry.sql
-- lists and the 条数 of the groups quality_bulk_notes.sql lists under that scope — one query instead of
-- two per unit. The base's item and town filters apply; the caller keeps the units it scores.
WITH {{base}},
-- the team key and the trimmed note once per inspection, then one row per unit of its task (an unnest in
-- the select list: a lateral unnest was a correlated join, 8 s of 9 at 1 M entities)
keyed AS (
    SELECT i.lead_unit, i.partner_units, i.entered_on, i.published_on, trim(i.note) AS note_text,
        array_to_string(list_sort(i.inspectors), ';') AS team_key
    FROM b_insp AS i
),
per_unit AS (
    SELECT unnest(list_distinct(list_prepend(lead_unit, coalesce(partner_units, [])))) AS unit_code,
        entered_on, published_on, note_text, team_key
    FROM keyed
),
bulk AS (
    SELECT unit_code, count(*) AS n
    FROM per_unit
    WHERE entered_on IS NOT NULL AND note_text IS NOT NULL AND note_text <> ''
    GROUP BY unit_code, entered_on, team_key, note_text
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
