-- Bulk entries with identical notes: inspections of Y entered by T, grouped by entry date, note text (non
-- empty, trimmed) and the inspector team (sorted codes); groups of at least $bulk_min rows. The store has
-- no entry timestamps, so "entered at once" is approximated by "entered the same day by the same team".
WITH {{base}},
x AS (
    SELECT i.*, trim(i.note) AS note_text,
        array_to_string(list_sort(i.inspectors), ';') AS team_key
    FROM y_insp AS i
    WHERE i.entered_on IS NOT NULL AND i.note IS NOT NULL AND trim(i.note) <> ''
)
SELECT
    any_value(x.lead_unit) AS 单位编码,
    x.entered_on AS 录入日期,
    x.team_key AS 检查人员编码,
    string_agg(DISTINCT coalesce(tm.team, x.team_key), '；') AS 检查人员,
    x.note_text AS 备注,
    count(*) AS 条数,
    string_agg(x.task_code || '/' || x.entity_code, '、' ORDER BY x.task_code, x.entity_code) AS 检查结果
FROM x
LEFT JOIN b_team AS tm ON tm.task_code = x.task_code AND tm.entity_code = x.entity_code
GROUP BY x.entered_on, x.team_key, x.note_text
HAVING count(*) >= CAST($bulk_min AS INTEGER)
ORDER BY 条数 DESC, x.entered_on, x.team_key
