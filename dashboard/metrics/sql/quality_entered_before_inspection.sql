-- Inspections of Y whose entry date precedes the inspection date. The store's CHECK constraint
-- (entered_on >= inspected_on) makes this impossible, so the count is 0 unless that constraint is lifted.
WITH {{base}}
SELECT count(*) AS n
FROM y_insp AS i
WHERE i.entered_on < i.inspected_on
