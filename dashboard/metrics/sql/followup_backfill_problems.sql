-- Closed follow-ups of Y backfilled after deadline(closed_on, $backfill_limit) (回填超期) or not
-- backfilled by T with that deadline past (超期未回填).
WITH {{base}}
SELECT
    f.unit_code AS 单位编码,
    un.unit_name AS 责任单位,
    f.task_code AS 任务编码,
    f.task_name AS 任务名称,
    f.entity_code AS 主体编码,
    f.entity_name AS 名称,
    f.closed_on AS 完结日期,
    f.backfill_deadline AS 回填期限,
    f.backfilled_on AS 回填日期,
    CASE WHEN f.backfilled_on IS NULL THEN '超期未回填' ELSE '回填超期' END AS 情况,
    workdays_between(f.backfill_deadline, coalesce(f.backfilled_on, p.t)) AS 超期工作日,
    tm.team AS 检查人员
FROM y_fu AS f
LEFT JOIN units AS un ON un.unit_code = f.unit_code
LEFT JOIN b_team AS tm ON tm.task_code = f.task_code AND tm.entity_code = f.entity_code,
b_params AS p
WHERE f.closed_on IS NOT NULL
    AND (f.backfilled_on > f.backfill_deadline
        OR (f.backfilled_on IS NULL AND f.backfill_deadline < p.t))
ORDER BY 超期工作日 DESC, 单位编码, 任务编码, 主体编码
