-- Tasks of Y (unit rule; started by T) for which an item's checklist form (表格库) was not ready at the
-- start: either the item had no form added on or before start_on (问题 无检查表单), or a form of the item
-- was added after start_on and by the task's end (or T) — the form was made up while the task ran
-- (问题 开始后补充表单). One row per task, item and late form.
WITH {{base}},
task_items AS (
    SELECT bt.task_code, bt.task_name, bt.lead_unit, bt.start_on, bt.end_on,
        unnest(bt.item_codes) AS item_code
    FROM b_tasks AS bt WHERE bt.in_units
),
ready AS (
    SELECT ti.task_code, ti.item_code,
        count(c.form_name) FILTER (WHERE c.added_on IS NULL OR c.added_on <= ti.start_on) AS ready_forms
    FROM task_items AS ti LEFT JOIN checklists AS c ON c.item_code = ti.item_code
    GROUP BY ti.task_code, ti.item_code
),
rows AS (
    SELECT ti.task_code, ti.item_code, NULL AS form_name, NULL AS added_on, '无检查表单' AS problem
    FROM task_items AS ti
    JOIN ready AS r ON r.task_code = ti.task_code AND r.item_code = ti.item_code
    WHERE r.ready_forms = 0
        AND NOT EXISTS (
            SELECT 1 FROM checklists AS c, b_params AS p
            WHERE c.item_code = ti.item_code AND c.added_on > ti.start_on
                AND c.added_on <= least(coalesce(ti.end_on, p.t), p.t)
        )
    UNION ALL
    SELECT ti.task_code, ti.item_code, c.form_name, c.added_on, '开始后补充表单'
    FROM task_items AS ti
    JOIN checklists AS c ON c.item_code = ti.item_code, b_params AS p
    WHERE c.added_on > ti.start_on AND c.added_on <= least(coalesce(ti.end_on, p.t), p.t)
)
SELECT
    r.task_code AS 任务编码,
    ti.task_name AS 任务名称,
    ti.lead_unit AS 单位编码,
    r.item_code AS 事项编码,
    it.item_name AS 事项名称,
    ti.start_on AS 任务开始日期,
    r.form_name AS 表单名称,
    CAST(r.added_on AS DATE) AS 表单添加日期,
    r.problem AS 问题
FROM rows AS r
JOIN task_items AS ti ON ti.task_code = r.task_code AND ti.item_code = r.item_code
LEFT JOIN items AS it ON it.item_code = r.item_code
ORDER BY ti.start_on, r.task_code, r.item_code, r.form_name
