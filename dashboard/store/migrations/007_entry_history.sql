-- 007: what the entry forms (issue #5) record beyond the interchange columns, and the edit history.
-- The interchange export writes only the DESIGN.md §4 columns, so these columns never leave by export.

-- 检查方式 (书面检查/实地核查/…), per-item notes (JSON object text {item_code: note}), the reason the team
-- differs from the one the draw assigned, and who entered the record when (the form fills them).
ALTER TABLE inspections ADD COLUMN methods VARCHAR[] NOT NULL DEFAULT [];
ALTER TABLE inspections ADD COLUMN item_notes VARCHAR;
ALTER TABLE inspections ADD COLUMN inspector_change_reason VARCHAR;
ALTER TABLE inspections ADD COLUMN entered_by VARCHAR;
ALTER TABLE inspections ADD COLUMN entered_at TIMESTAMP;

-- 处置措施的具体内容 (what was done), recorded with the measure code.
ALTER TABLE followups ADD COLUMN measure_note VARCHAR;

-- Every version of an inspection or follow-up written by the entry forms or the entry bulk path:
-- old and new row as JSON text, whether the record had been published, and the reason given.
-- Append-only like the draw ledger: an edit after publication never overwrites its history.
CREATE SEQUENCE entry_history_seq START 1;
CREATE TABLE entry_history (
    history_id BIGINT PRIMARY KEY DEFAULT nextval('entry_history_seq'),
    happened_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp(),
    actor VARCHAR NOT NULL,
    table_name VARCHAR NOT NULL CHECK (table_name IN ('inspections', 'followups')),
    task_code VARCHAR NOT NULL,
    entity_code VARCHAR NOT NULL,
    action VARCHAR NOT NULL CHECK (action IN ('insert', 'update')),
    after_publication BOOLEAN NOT NULL DEFAULT false,
    reason VARCHAR,
    old_value VARCHAR,
    new_value VARCHAR,
    source VARCHAR NOT NULL DEFAULT 'form' CHECK (source IN ('form', 'bulk'))
);

CREATE TRIGGER entry_history_no_update AFTER UPDATE ON entry_history FOR EACH STATEMENT
    INSERT INTO append_only_guard SELECT error('录入历史只允许追加，不得修改（entry_history）');
CREATE TRIGGER entry_history_no_delete AFTER DELETE ON entry_history FOR EACH STATEMENT
    INSERT INTO append_only_guard SELECT error('录入历史只允许追加，不得删除（entry_history）');
