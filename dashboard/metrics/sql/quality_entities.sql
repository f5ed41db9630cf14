-- The directory under the town/item filters with what the code and tag checks need (checked in Python
-- with dashboard.domain.uscc). Not unit-filtered, like the coverage base.
WITH {{base}}
SELECT e.entity_code, e.name, e.entity_kind, e.town, e.status, len(e.tags) AS n_tags
FROM b_entities AS e
ORDER BY e.entity_code
