-- Tasks of Y and their task-entity pairs by joint kind (none / internal / cross).
WITH {{base}},
kinds AS (
    SELECT * FROM (VALUES ('internal', 1), ('cross', 2), ('none', 3)) AS k(kind, ord)
),
t AS (SELECT joint_kind, count(*) AS n FROM y_tasks GROUP BY joint_kind),
i AS (SELECT joint_kind, count(*) AS n FROM y_insp GROUP BY joint_kind)
SELECT
    k.kind AS 联合类型,
    coalesce(t.n, 0) AS 任务数,
    CASE WHEN sum(coalesce(t.n, 0)) OVER () > 0
        THEN coalesce(t.n, 0) / sum(coalesce(t.n, 0)) OVER () END AS 任务占比,
    coalesce(i.n, 0) AS 检查户数,
    CASE WHEN sum(coalesce(i.n, 0)) OVER () > 0
        THEN coalesce(i.n, 0) / sum(coalesce(i.n, 0)) OVER () END AS 户数占比
FROM kinds AS k
LEFT JOIN t ON t.joint_kind = k.kind
LEFT JOIN i ON i.joint_kind = k.kind
ORDER BY k.ord
