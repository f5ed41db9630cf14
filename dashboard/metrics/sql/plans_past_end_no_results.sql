-- Tasks of Y (b_tasks under the unit rule; the town filter does not apply: they have no inspection) whose
-- end_on < T and that have no inspection with inspected_on <= T.
WITH {{base}},
current_draws AS (
    SELECT d.task_code, count(s.entity_code) AS selected
    FROM draws AS d
    LEFT JOIN draw_selections AS s ON s.draw_id = d.draw_id
    WHERE d.kind = 'task' AND NOT EXISTS (SELECT 1 FROM draws AS d2 WHERE d2.supersedes = d.draw_id)
    GROUP BY d.task_code
)
SELECT
    bt.task_code AS 任务编码,
    bt.task_name AS 任务名称,
    bt.lead_unit AS 单位编码,
    un.unit_name AS 牵头单位,
    bt.plan_code AS 计划编码,
    bt.status AS 状态,
    bt.start_on AS 开始日期,
    bt.end_on AS 结束日期,
    workdays_between(bt.end_on, p.t) AS 超过结束日工作日,
    coalesce(cd.selected, 0) AS 已抽取对象数
FROM b_tasks AS bt
LEFT JOIN units AS un ON un.unit_code = bt.lead_unit
LEFT JOIN current_draws AS cd ON cd.task_code = bt.task_code, b_params AS p
WHERE bt.in_units AND bt.end_on < p.t
    AND NOT EXISTS (
        SELECT 1 FROM inspections AS i
        WHERE i.task_code = bt.task_code AND i.inspected_on <= p.t
    )
ORDER BY bt.end_on, bt.task_code
