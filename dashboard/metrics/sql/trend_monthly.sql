-- Month by month for Y up to T's month: inspections that ended in the month, how many of them were
-- entered on time, and how many have an entered result with a finding code.
WITH {{base}},
months AS (
    SELECT CAST(m AS DATE) AS month_start
    FROM b_params AS p,
        generate_series(make_date(p.y, 1, 1), date_trunc('month', p.t), INTERVAL 1 MONTH) AS g(m)
    WHERE p.y <= year(p.t)
),
i AS (
    SELECT date_trunc('month', inspected_on) AS month_start,
        count(*) AS n,
        count(*) FILTER (WHERE entered_on IS NOT NULL) AS entered,
        count(*) FILTER (WHERE entered_on <= entry_deadline) AS on_time,
        count(*) FILTER (
            WHERE entered_on IS NOT NULL
                AND len(list_intersect(result_codes, CAST($finding_codes AS VARCHAR[]))) > 0
        ) AS findings
    FROM y_insp
    GROUP BY 1
)
SELECT
    strftime(m.month_start, '%Y-%m') AS 月份,
    coalesce(i.n, 0) AS 检查户数,
    coalesce(i.entered, 0) AS 已录入户数,
    coalesce(i.on_time, 0) AS 按时录入户数,
    coalesce(i.findings, 0) AS 发现问题户数
FROM months AS m
LEFT JOIN i ON i.month_start = m.month_start
ORDER BY 月份
