-- 风险预警: licence expiring or expired. The schema has no licence validity column, so the end of a
-- licence holder's current licence is taken as closed_on when it is set, else the next renewal date on or
-- after T: registered_on + k × the usual term of its kind (k = 1, 2, …; $licence_kinds / $licence_years,
-- parallel lists; see dashboard.metrics.risk.LICENCE_TERMS), i.e. licences are presumed renewed on time.
-- Fires when that end is <= T + $expiry_days and the entity is still 存续 (a licence holder 注销/吊销 is no
-- longer a risk); an end <= T (only possible from closed_on) is 许可已过期. Entities as in
-- risk_grade_worsened.sql except that a closed_on <= T does not drop the entity.
WITH {{base}},
terms AS (
    SELECT unnest(CAST($licence_kinds AS VARCHAR[])) AS kind,
        unnest(CAST($licence_years AS INTEGER[])) AS years
),
lic AS (
    SELECT e.entity_code, e.entity_kind,
        coalesce(e.closed_on, (
            SELECT min(CAST(e.registered_on + to_years(tm.years * k.k) AS DATE))
            FROM (SELECT unnest(range(1, 60)) AS k) AS k
            WHERE CAST(e.registered_on + to_years(tm.years * k.k) AS DATE) >= p.t
        )) AS valid_until,
        e.closed_on IS NOT NULL AS from_closed
    FROM b_entities AS e
    JOIN terms AS tm ON tm.kind = e.entity_kind, b_params AS p
    WHERE e.status = '存续'
        AND (p.units IS NULL OR len(list_intersect(e.tags, (SELECT codes FROM b_unit_items))) > 0)
)
SELECT
    l.entity_code AS 主体编码,
    CASE WHEN l.valid_until <= p.t THEN '许可已过期' ELSE '许可即将到期' END AS 预警类型,
    format('{}许可有效期至{}（{}），{}',
        l.entity_kind, strftime(l.valid_until, '%Y-%m-%d'),
        CASE WHEN l.from_closed THEN '按注销/到期日期' ELSE '按成立日期及法定期限推算的换证日期' END,
        CASE WHEN l.valid_until <= p.t
            THEN format('已过期{}天，对象仍为存续状态', p.t - l.valid_until)
            ELSE format('距到期还有{}天（预警期{}天）', l.valid_until - p.t, CAST($expiry_days AS INTEGER))
        END) AS 预警原因
FROM lic AS l, b_params AS p
WHERE l.valid_until IS NOT NULL AND l.valid_until <= p.t + CAST($expiry_days AS INTEGER)
ORDER BY l.valid_until, l.entity_code
