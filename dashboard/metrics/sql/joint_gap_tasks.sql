-- Tasks of Y in one gap of the joint page, with their inspected pairs so far. $gap:
--   'non_joint'        joint_kind = none (joint_task_share);
--   'non_risk_graded'  drawn without credit-risk grades, uses_risk_grades false (risk_graded_share).
-- joint.py keeps the columns each list shows.
WITH {{base}},
i AS (SELECT task_code, count(*) AS n FROM y_insp GROUP BY task_code)
SELECT
    t.task_code AS 任务编码,
    t.task_name AS 任务名称,
    un.unit_name AS 牵头单位,
    array_to_string(t.item_codes, ';') AS 抽查事项,
    t.source AS 来源,
    t.joint_kind AS 联合类型,
    t.start_on AS 开始日期,
    t.end_on AS 结束日期,
    t.status AS 状态,
    coalesce(i.n, 0) AS 检查户数
FROM y_tasks AS t
LEFT JOIN units AS un ON un.unit_code = t.lead_unit
LEFT JOIN i ON i.task_code = t.task_code
WHERE CASE $gap
    WHEN 'non_joint' THEN t.joint_kind = 'none'
    WHEN 'non_risk_graded' THEN NOT t.uses_risk_grades
END
ORDER BY 牵头单位, 开始日期, 任务编码
