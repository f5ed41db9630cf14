-- Follow-ups of Y with a register problem as of T ($problem: 'transfer' = measure 4/6 without the
-- receiving body or the date; 'penalty' = a penalty published after its deadline or not yet and past it;
-- 'credit' = a penalty not in the entity's credit record; 'revisit' = a return visit that found the
-- rectification not done where the inspection reported 未发现问题).
WITH {{base}}, {{registers}}
SELECT f.unit_code, un.unit_name, f.task_code, f.task_name, f.entity_code, f.entity_name,
    f.inspected_on, f.result_codes, f.measure_code, f.transferred_to, f.transferred_on,
    f.penalty_decided_on, f.penalty_deadline, f.penalty_published_on, f.credit_recorded_on,
    f.revisit_on, f.revisit_result, f.lead_unit, lu.unit_name AS lead_unit_name, tm.team
FROM r_fu_flags AS f
LEFT JOIN units AS un ON un.unit_code = f.unit_code
LEFT JOIN units AS lu ON lu.unit_code = f.lead_unit
LEFT JOIN b_team AS tm ON tm.task_code = f.task_code AND tm.entity_code = f.entity_code
WHERE CASE CAST($problem AS VARCHAR)
    WHEN 'transfer' THEN f.transfer_incomplete
    WHEN 'penalty' THEN f.penalty_late
    WHEN 'credit' THEN f.credit_missing
    WHEN 'revisit' THEN f.revisit_contradicts
    ELSE false END
ORDER BY f.unit_code, f.task_code, f.entity_code
