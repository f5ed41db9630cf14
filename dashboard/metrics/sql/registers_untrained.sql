-- Active inspectors of the units in scope who attended no training of Y by T.
WITH {{base}}, {{registers}}
SELECT i.unit_code, un.unit_name, i.inspector_code, i.name AS inspector_name
FROM r_inspectors AS i LEFT JOIN units AS un ON un.unit_code = i.unit_code
WHERE NOT i.trained
ORDER BY i.unit_code, i.inspector_code
