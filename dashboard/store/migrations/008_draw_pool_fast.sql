-- 008: the frozen pool and the selections of a draw without a PRIMARY KEY index (issue #4 performance).
-- Why: draw_pool holds one row per pool member (up to ~8,000,000 per draw) and DuckDB maintained an ART
-- index on (draw_id, entity_code) for every row, which dominated the draw's one write transaction.
-- Both tables are append-only (the triggers below stay) and written once per draw by dashboard.draw.service
-- from the engine's pool, which is checked sorted by entity_code without duplicates (engine.as_pool_table)
-- before it is hashed, so uniqueness per draw is guaranteed by the writer; verify_store re-derives the
-- record from the frozen rows and would report any duplicate as a pool-hash mismatch. The foreign key to
-- draws goes too (same reason as 004: checked by the writer, which inserts the draw in the same transaction).
-- DuckDB cannot drop a constraint, so both tables are rebuilt (rows kept in order).

CREATE TEMP TABLE m008_draw_pool AS SELECT * FROM draw_pool;
CREATE TEMP TABLE m008_draw_selections AS SELECT * FROM draw_selections;

DROP TABLE draw_pool;
DROP TABLE draw_selections;

CREATE TABLE draw_pool (
    draw_id VARCHAR NOT NULL,
    entity_code VARCHAR NOT NULL,
    stratum VARCHAR NOT NULL
);

CREATE TABLE draw_selections (
    draw_id VARCHAR NOT NULL,
    entity_code VARCHAR NOT NULL,
    stratum VARCHAR NOT NULL,
    key VARCHAR NOT NULL,
    inspector_codes VARCHAR[] NOT NULL DEFAULT [],
    unstaffed BOOLEAN NOT NULL DEFAULT false
);

INSERT INTO draw_pool SELECT draw_id, entity_code, stratum FROM m008_draw_pool;
INSERT INTO draw_selections
    SELECT draw_id, entity_code, stratum, key, inspector_codes, unstaffed FROM m008_draw_selections;
DROP TABLE m008_draw_pool;
DROP TABLE m008_draw_selections;

CREATE TRIGGER draw_pool_no_update AFTER UPDATE ON draw_pool FOR EACH STATEMENT
    INSERT INTO append_only_guard SELECT error('冻结名单只允许追加，不得修改（draw_pool）');
CREATE TRIGGER draw_pool_no_delete AFTER DELETE ON draw_pool FOR EACH STATEMENT
    INSERT INTO append_only_guard SELECT error('冻结名单只允许追加，不得删除（draw_pool）');
CREATE TRIGGER draw_selections_no_update AFTER UPDATE ON draw_selections FOR EACH STATEMENT
    INSERT INTO append_only_guard SELECT error('抽取结果只允许追加，不得修改（draw_selections）');
CREATE TRIGGER draw_selections_no_delete AFTER DELETE ON draw_selections FOR EACH STATEMENT
    INSERT INTO append_only_guard SELECT error('抽取结果只允许追加，不得删除（draw_selections）');
