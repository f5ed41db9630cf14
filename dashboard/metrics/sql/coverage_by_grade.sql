-- Credit-risk grade (system 市场监管, latest with period <= T's month; U = ungraded): the base's
-- grade mix against the grade mix of the entities inspected in Y.
WITH {{base}},
b AS (
    SELECT coalesce(g.grade, 'U') AS grade, count(*) AS n
    FROM b_entities AS e
    LEFT JOIN b_grade_now AS g ON g.entity_code = e.entity_code,
    b_params AS p
    WHERE (e.registered_on IS NULL OR e.registered_on <= p.base_day)
        AND (e.closed_on IS NULL OR e.closed_on > p.base_day)
    GROUP BY 1
),
c AS (
    SELECT coalesce(g.grade, 'U') AS grade, count(*) AS n
    FROM (SELECT DISTINCT entity_code FROM y_insp) AS i
    LEFT JOIN b_grade_now AS g ON g.entity_code = i.entity_code
    GROUP BY 1
),
grades AS (
    SELECT grade FROM b UNION SELECT grade FROM c
)
SELECT
    gr.grade AS 风险等级,
    coalesce(b.n, 0) AS 名录对象数,
    CASE WHEN sum(coalesce(b.n, 0)) OVER () > 0
        THEN coalesce(b.n, 0) / sum(coalesce(b.n, 0)) OVER () END AS 名录占比,
    coalesce(c.n, 0) AS 已检查对象数,
    CASE WHEN sum(coalesce(c.n, 0)) OVER () > 0
        THEN coalesce(c.n, 0) / sum(coalesce(c.n, 0)) OVER () END AS 检查占比,
    CASE WHEN b.n > 0 THEN coalesce(c.n, 0) / b.n END AS 覆盖率
FROM grades AS gr
LEFT JOIN b ON b.grade = gr.grade
LEFT JOIN c ON c.grade = gr.grade
ORDER BY CASE gr.grade WHEN 'U' THEN 'ZZ' ELSE gr.grade END
