-- The follow-ups of Y in scope with their register columns as stored (for the 工作台账 form).
WITH {{base}}
SELECT f.task_code, f.entity_code, f.entity_name, f.measure_code, f.responsible_unit,
    list_prepend(f.lead_unit, f.partner_units) AS task_units,
    x.transferred_to, x.transferred_on, x.penalty_decided_on, x.penalty_published_on,
    x.credit_recorded_on
FROM y_fu AS f
JOIN followups AS x ON x.task_code = f.task_code AND x.entity_code = f.entity_code
ORDER BY f.task_code, f.entity_code
