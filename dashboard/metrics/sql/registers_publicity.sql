-- Publicity items of Y published by T by a unit in scope (newest first).
WITH {{base}}, {{registers}}
SELECT pb.published_on, pb.unit_code, un.unit_name, pb.channel, pb.title, pb.url, pb.publicity_code,
    pb.note
FROM r_publicity AS pb LEFT JOIN units AS un ON un.unit_code = pb.unit_code
ORDER BY pb.published_on DESC, pb.publicity_code
