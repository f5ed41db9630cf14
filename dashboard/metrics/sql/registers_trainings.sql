-- Training sessions of Y held by T, organised by a unit in scope (newest first).
WITH {{base}}, {{registers}}
SELECT t.held_on, un.unit_name, t.kind, t.topic, len(t.attendees) AS attendee_count, t.hours,
    t.attendees, t.training_code, t.unit_code, t.note
FROM r_trainings AS t LEFT JOIN units AS un ON un.unit_code = t.unit_code
ORDER BY t.held_on DESC, t.training_code
