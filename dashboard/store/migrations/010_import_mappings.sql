-- 010: saved column mappings of the import (DESIGN.md §4): a spreadsheet laid out the platform's or a
-- unit's own way is read as one table; the mapping is kept by header text, and a later file whose
-- header has the same column names (`header`, normalised and sorted) reuses it.
CREATE TABLE import_mappings (
    name VARCHAR PRIMARY KEY,
    table_name VARCHAR NOT NULL,
    header VARCHAR[] NOT NULL,
    columns VARCHAR NOT NULL,  -- JSON: field -> header text
    created_by VARCHAR,
    created_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp()
);
