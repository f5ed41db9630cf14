-- 030 (issue 13): the audit log is append-only (refused UPDATE/DELETE, like the draw ledger) and
-- hash-chained: each row written from now on carries the SHA-256 of the previous row's hash and its own
-- canonical content (dashboard.store.audit_chain), checked by `dashboard verify`. Rows written before
-- this migration keep NULL hashes (the chain starts after them).
ALTER TABLE audit_log ADD COLUMN previous_hash VARCHAR;
ALTER TABLE audit_log ADD COLUMN row_hash VARCHAR;

CREATE TRIGGER audit_log_no_update AFTER UPDATE ON audit_log FOR EACH STATEMENT
    INSERT INTO append_only_guard SELECT error('审计日志只允许追加，不得修改（audit_log）');
CREATE TRIGGER audit_log_no_delete AFTER DELETE ON audit_log FOR EACH STATEMENT
    INSERT INTO append_only_guard SELECT error('审计日志只允许追加，不得删除（audit_log）');
