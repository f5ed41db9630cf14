-- Each internal unit in scope and its liaison officer (none = not appointed).
WITH {{base}}, {{registers}}
SELECT u.unit_code, u.unit_name, l.name AS liaison_name, l.phone, l.since
FROM r_units AS u LEFT JOIN liaisons AS l ON l.unit_code = u.unit_code
ORDER BY l.name IS NOT NULL, u.unit_code
