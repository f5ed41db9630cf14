-- The due-soon window of the scope: soon_start = T, soon_end = deadline(T, $due_soon) (NULL when T is
-- outside the calendar).
WITH {{base}}
SELECT p.t AS soon_start, s.soon_end
FROM b_params AS p
LEFT JOIN b_soon AS s ON true
