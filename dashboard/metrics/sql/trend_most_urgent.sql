-- The most urgent open problems as of T, most working days past their deadline first:
-- entries not made, results not published, follow-ups not closed, closures not backfilled.
WITH {{base}},
problems AS (
    SELECT '超期未录入' AS kind, lead_unit AS unit_code, task_code, entity_code, entity_name,
        entry_deadline AS deadline
    FROM y_insp, b_params AS p
    WHERE entered_on IS NULL AND entry_deadline < p.t
    UNION ALL
    SELECT '超期未公示', lead_unit, task_code, entity_code, entity_name, entry_deadline
    FROM y_insp, b_params AS p
    WHERE published_on IS NULL AND entry_deadline < p.t
    UNION ALL
    SELECT '后续处理逾期未完结', unit_code, task_code, entity_code, entity_name, due_on
    FROM y_fu, b_params AS p
    WHERE due_on < p.t AND closed_on IS NULL
    UNION ALL
    SELECT '完结后超期未回填', unit_code, task_code, entity_code, entity_name, backfill_deadline
    FROM y_fu, b_params AS p
    WHERE closed_on IS NOT NULL AND backfilled_on IS NULL AND backfill_deadline < p.t
)
SELECT
    pr.kind AS 问题,
    pr.unit_code AS 单位编码,
    un.unit_name AS 责任单位,
    pr.task_code AS 任务编码,
    pr.entity_code AS 主体编码,
    pr.entity_name AS 名称,
    pr.deadline AS 期限,
    workdays_between(pr.deadline, p.t) AS 超期工作日
FROM problems AS pr
LEFT JOIN units AS un ON un.unit_code = pr.unit_code,
b_params AS p
ORDER BY 超期工作日 DESC, 期限, 单位编码, 任务编码, 主体编码, 问题
LIMIT CAST($limit AS INTEGER)
