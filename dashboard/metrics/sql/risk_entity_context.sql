-- Context of warning entities ($codes): name, town, current 市场监管 grade/score, and the tasks the entity
-- is already in: selected by a draw that no later draw superseded, or inspected, in a task whose status
-- is not done/voided (a task not started or under way). $visible_units = the user's allowed units (NULL =
-- every unit): a task outside them (neither lead nor partner unit) is listed as 其他单位任务, not by code.
WITH {{base}},
wanted AS (SELECT DISTINCT unnest(CAST($codes AS VARCHAR[])) AS entity_code),
open_tasks AS (
    SELECT task_code, status,
        CAST($visible_units AS VARCHAR[]) IS NULL
            OR list_contains(CAST($visible_units AS VARCHAR[]), lead_unit)
            OR len(list_intersect(CAST($visible_units AS VARCHAR[]), coalesce(partner_units, []))) > 0
            AS visible
    FROM tasks WHERE status NOT IN ('done', 'voided')
),
engaged AS (
    SELECT s.entity_code, d.task_code, ot.visible, '已抽中' AS how
    FROM draw_selections AS s
    JOIN draws AS d ON d.draw_id = s.draw_id
    JOIN open_tasks AS ot ON ot.task_code = d.task_code
    WHERE d.kind = 'task'
        AND NOT EXISTS (SELECT 1 FROM draws AS d2 WHERE d2.supersedes = d.draw_id)
    UNION
    SELECT i.entity_code, i.task_code, ot.visible, '检查中' AS how
    FROM inspections AS i
    JOIN open_tasks AS ot ON ot.task_code = i.task_code
),
engaged_text AS (
    SELECT en.entity_code,
        string_agg(DISTINCT CASE WHEN en.visible THEN en.task_code ELSE '其他单位任务' END, '、'
            ORDER BY CASE WHEN en.visible THEN en.task_code ELSE '其他单位任务' END) AS tasks
    FROM engaged AS en JOIN wanted AS w ON w.entity_code = en.entity_code
    GROUP BY en.entity_code
)
SELECT
    w.entity_code AS 主体编码,
    e.name AS 名称,
    e.town AS 乡镇,
    g.grade AS 当前等级,
    g.score AS 当前风险指数,
    g.period AS 评级月份,
    CASE WHEN et.tasks IS NULL THEN '否' ELSE '是' END AS 已在任务中,
    et.tasks AS 所在任务
FROM wanted AS w
LEFT JOIN entities AS e ON e.entity_code = w.entity_code
LEFT JOIN b_grade_now AS g ON g.entity_code = w.entity_code
LEFT JOIN engaged_text AS et ON et.entity_code = w.entity_code
