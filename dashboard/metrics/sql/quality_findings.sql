-- The inspections behind the numerator of problem_rate (问题发现率, kpi_values.sql `problem_num`): of Y
-- under the unit rule, entered by T, at least one result code, one of them a finding code.
WITH {{base}}
SELECT
    i.lead_unit AS unit_code,
    un.unit_name,
    i.task_code,
    i.entity_code,
    i.entity_name,
    i.result_codes,
    i.inspected_on,
    i.entered_on,
    i.task_name,
    tm.team
FROM y_insp AS i
LEFT JOIN units AS un ON un.unit_code = i.lead_unit
LEFT JOIN b_team AS tm ON tm.task_code = i.task_code AND tm.entity_code = i.entity_code
WHERE i.entered_on IS NOT NULL AND len(i.result_codes) > 0
    AND len(list_intersect(i.result_codes, CAST($finding_codes AS VARCHAR[]))) > 0
ORDER BY i.lead_unit, i.inspected_on, i.task_code, i.entity_code
