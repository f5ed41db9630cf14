-- The inspections behind the followup_missing KPI (y_fu_missing of base_scope.sql): entered by T, a
-- result code of the A family, no follow-up row at all. Unit = the task's lead unit (the list follows
-- the §5 unit rule of its task: lead or partner unit).
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
FROM y_fu_missing AS i
LEFT JOIN units AS un ON un.unit_code = i.lead_unit
LEFT JOIN b_team AS tm ON tm.task_code = i.task_code AND tm.entity_code = i.entity_code
ORDER BY i.lead_unit, i.inspected_on, i.task_code, i.entity_code
