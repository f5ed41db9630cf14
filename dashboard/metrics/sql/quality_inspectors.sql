-- Active inspectors of the units in the filter with no specialties, no certificate number or validity,
-- or a certificate expired by T (cert_valid_until < T) or expiring within $cert_days days.
WITH {{base}}
SELECT
    ins.inspector_code AS 人员编码,
    ins.name AS 姓名,
    ins.unit_code AS 单位编码,
    un.unit_name AS 单位名称,
    ins.cert_no AS 执法证号,
    ins.cert_valid_until AS 执法证有效期,
    array_to_string(ins.specialties, ';') AS 专长,
    concat_ws('；',
        CASE WHEN len(ins.specialties) = 0 THEN '未登记专长' END,
        CASE WHEN ins.cert_no IS NULL OR trim(ins.cert_no) = '' THEN '无执法证号' END,
        CASE WHEN ins.cert_valid_until IS NULL THEN '执法证有效期未填'
            WHEN ins.cert_valid_until < p.t THEN '执法证已过期'
            WHEN ins.cert_valid_until <= p.t + CAST($cert_days AS INTEGER) THEN '执法证即将到期' END
    ) AS 问题
FROM inspectors AS ins
LEFT JOIN units AS un ON un.unit_code = ins.unit_code, b_params AS p
WHERE ins.active
    AND (p.units IS NULL OR list_contains(p.units, ins.unit_code))
    AND (len(ins.specialties) = 0 OR ins.cert_no IS NULL OR trim(ins.cert_no) = ''
        OR ins.cert_valid_until IS NULL OR ins.cert_valid_until <= p.t + CAST($cert_days AS INTEGER))
ORDER BY ins.unit_code, ins.inspector_code
