-- Inspections of Y listed by $which, each exactly as its KPI counts it:
--   'followup_missing' the followup_missing KPI (y_fu_missing of base_scope.sql): entered by T, a result
--                      code of the A family, no follow-up row at all;
--   'findings'         the numerator of problem_rate (kpi_values.sql problem_num): entered by T with at
--                      least one code, one of them a finding code.
-- Unit = the task's lead unit (the list follows the §5 unit rule of its task: lead or partner unit).
WITH {{base}},
listed AS (
    SELECT * FROM y_fu_missing WHERE $which = 'followup_missing'
    UNION ALL BY NAME
    SELECT * FROM y_insp
    WHERE $which = 'findings' AND entered_on IS NOT NULL AND len(result_codes) > 0
        AND len(list_intersect(result_codes, CAST($finding_codes AS VARCHAR[]))) > 0
)
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
FROM listed AS i
LEFT JOIN units AS un ON un.unit_code = i.lead_unit
LEFT JOIN b_team AS tm ON tm.task_code = i.task_code AND tm.entity_code = i.entity_code
ORDER BY i.lead_unit, i.inspected_on, i.task_code, i.entity_code
