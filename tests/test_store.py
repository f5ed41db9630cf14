"""The store: migrations, the lock held by another process, concurrent writers, append-only ledger."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import duckdb
import pytest

from dashboard.store import (
    LATEST_SCHEMA_VERSION,
    MIGRATIONS_DIR,
    Store,
    StoreLockedError,
)

MIGRATION_FILES = sorted(p.name for p in MIGRATIONS_DIR.glob("*.sql"))


@pytest.fixture(scope="module")
def empty_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("empty") / "empty.duckdb"
    Store(path).close()
    return path


@pytest.fixture
def db(empty_db, tmp_path) -> Path:
    path = tmp_path / "store.duckdb"
    path.write_bytes(empty_db.read_bytes())
    return path


def test_migrations_are_recorded_and_not_applied_twice(tmp_path):
    path = tmp_path / "new.duckdb"
    store = Store(path)
    recorded = store.rows("SELECT version, name, applied_at FROM schema_version ORDER BY version")
    assert [(v, n) for v, n, _ in recorded] == [(int(n[:3]), n) for n in MIGRATION_FILES]
    assert store.schema_version == LATEST_SCHEMA_VERSION == int(MIGRATION_FILES[-1][:3])
    store.close()
    again = Store(path)
    assert (
        again.rows("SELECT version, name, applied_at FROM schema_version ORDER BY version")
        == recorded
    )
    assert again.schema_version == LATEST_SCHEMA_VERSION
    again.close()


def test_a_version_1_store_is_upgraded_keeping_its_data(tmp_path):
    path = tmp_path / "v1.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
        " applied_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp())"
    )
    con.execute((MIGRATIONS_DIR / "001_initial.sql").read_text(encoding="utf-8"))
    con.execute("INSERT INTO schema_version (version, name) VALUES (1, '001_initial.sql')")
    con.execute(
        (Path(__file__).parent / "fixtures" / "metrics_small" / "data.sql").read_text(
            encoding="utf-8"
        )
    )
    columns = (
        "task_code, entity_code, inspectors, inspected_on, result_codes, entered_on, published_on"
    )
    query = f"SELECT {columns} FROM inspections ORDER BY task_code, entity_code"
    before = con.execute(query).fetchall()
    assert len(before) == 11
    con.close()

    store = Store(path)
    assert store.schema_version == LATEST_SCHEMA_VERSION
    assert [v for (v,) in store.rows("SELECT version FROM schema_version ORDER BY 1")] == [
        int(n[:3]) for n in MIGRATION_FILES
    ]
    assert store.rows(query) == before
    # after 004 a referenced row's list column can change (DuckDB refused it with foreign keys)
    with store.transaction() as cur:
        cur.execute("UPDATE entities SET tags = ['I1', 'I2'] WHERE entity_code = 'E01'")
    assert store.scalar("SELECT tags FROM entities WHERE entity_code = 'E01'") == ["I1", "I2"]
    # after 009 the store holds date-order breaches of the record (DESIGN.md §4); enumerations stay
    with store.transaction() as cur:
        cur.execute(
            "UPDATE inspections SET entered_on = inspected_on - 3, published_on = inspected_on - 1"
            " WHERE task_code = (SELECT min(task_code) FROM inspections)"
        )
    assert store.scalar("SELECT count(*) FROM inspections WHERE entered_on < inspected_on") >= 1
    with pytest.raises(duckdb.ConstraintException):
        with store.transaction() as cur:
            cur.execute("UPDATE tasks SET status = 'lost'")
    assert store.rows(
        "SELECT count(*) FROM information_schema.check_constraints"
        " WHERE check_clause LIKE '%>=%_on%' OR check_clause LIKE '%_on >= %'"
    ) == [(0,)]
    store.close()


def test_store_held_by_another_process_gives_a_chinese_sentence(db):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('ready', flush=True);"
            " time.sleep(60)",
            str(db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(StoreLockedError) as info:
            Store(db)
        message = str(info.value)
        assert message.startswith(f"数据库 {db} 正被另一个程序")
        assert message.endswith("。") and "\n" not in message
    finally:
        holder.kill()
        holder.wait()
    Store(db).close()  # free again once the other process is gone


def test_concurrent_writers_lose_nothing_and_leave_no_partial_writes(db):
    store = Store(db)
    threads, transactions, rows_per_tx = 8, 25, 4
    errors: list[BaseException] = []

    def writer(t: int) -> None:
        try:
            for i in range(transactions):
                codes = [f"W{t}-{i}-{k}" for k in range(rows_per_tx)]
                try:
                    with store.transaction() as cur:
                        values = ", ".join(f"('{c}', '单位{c}')" for c in codes[:2])
                        cur.execute(f"INSERT INTO units (unit_code, unit_name) VALUES {values}")
                        if i % 5 == 4:  # every fifth transaction fails halfway
                            raise RuntimeError("planned failure")
                        values = ", ".join(f"('{c}', '单位{c}')" for c in codes[2:])
                        cur.execute(f"INSERT INTO units (unit_code, unit_name) VALUES {values}")
                        store.audit(
                            cur, f"thread{t}", "test", table_name="units", record_key=str(i)
                        )
                except RuntimeError:
                    pass
                store.scalar("SELECT count(*) FROM units")  # readers run alongside
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    workers = [threading.Thread(target=writer, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    committed = threads * (transactions - transactions // 5)  # 8 × 20 = 160
    assert store.scalar("SELECT count(*) FROM units") == committed * rows_per_tx  # 640
    assert store.scalar("SELECT count(*) FROM audit_log WHERE action = 'test'") == committed
    # every transaction is there whole or not at all, and the failed ones are not there
    groups = store.rows(
        "SELECT regexp_extract(unit_code, 'W(\\d+)-(\\d+)-', 2)::INT AS i, count(*)"
        " FROM units GROUP BY regexp_extract(unit_code, 'W(\\d+)-(\\d+)-', 0), i"
    )
    assert len(groups) == committed
    assert all(n == rows_per_tx and i % 5 != 4 for i, n in groups)
    store.close()


def test_a_failing_transaction_leaves_nothing_behind(db):
    store = Store(db)
    with pytest.raises(duckdb.ConstraintException):
        with store.transaction() as cur:
            cur.execute("INSERT INTO units (unit_code, unit_name) VALUES ('A', '甲')")
            store.audit(cur, "测试", "insert", table_name="units", record_key="A")
            cur.execute("INSERT INTO units (unit_code, unit_name) VALUES ('A', '重复')")
    assert store.scalar("SELECT count(*) FROM units") == 0
    assert store.scalar("SELECT count(*) FROM audit_log") == 0
    store.close()


def _insert_draw(cur, *, pool: bool) -> None:
    cur.execute(
        "INSERT INTO draws (draw_id, chain_pos, task_code, draw_date, operator, public_value,"
        " pool_hash, seed, created_at, record_json, previous_hash, record_hash)"
        " VALUES ('D1', 1, 'T1', ?, '张三', '12345', 'p', 's', '2026-05-01T09:00:00', '{}', ?, 'h1')",
        [date(2026, 5, 1), "0" * 64],
    )
    if pool:
        cur.execute("INSERT INTO draw_pool VALUES ('D1', 'E01', 'A'), ('D1', 'E02', 'U')")


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("UPDATE draws SET operator = '李四'", "抽取台账只允许追加，不得修改（draws）"),
        ("DELETE FROM draws", "抽取台账只允许追加，不得删除（draws）"),
        (
            "UPDATE draw_pool SET stratum = 'D' WHERE entity_code = 'E01'",
            "冻结名单只允许追加，不得修改（draw_pool）",
        ),
        (
            "DELETE FROM draw_pool WHERE entity_code = 'E02'",
            "冻结名单只允许追加，不得删除（draw_pool）",
        ),
    ],
)
def test_ledger_refuses_update_and_delete(db, sql, message):
    # (a draw whose pool rows exist is also refused by DuckDB's foreign-key check before the trigger
    # runs; without pool rows the trigger's own message shows)
    store = Store(db)
    pool = "draw_pool" in sql
    with store.transaction() as cur:
        _insert_draw(cur, pool=pool)
    with pytest.raises(duckdb.Error, match=message.replace("（", "\\（").replace("）", "\\）")):
        with store.transaction() as cur:
            cur.execute(sql)
    assert store.rows("SELECT draw_id, operator FROM draws") == [("D1", "张三")]
    assert store.rows("SELECT entity_code, stratum FROM draw_pool ORDER BY 1") == (
        [("E01", "A"), ("E02", "U")] if pool else []
    )
    store.close()


def test_ledger_with_pool_refuses_changes_to_the_draw(db):
    store = Store(db)
    with store.transaction() as cur:
        _insert_draw(cur, pool=True)
    for sql in ("UPDATE draws SET operator = '李四'", "DELETE FROM draws"):
        with pytest.raises(duckdb.Error):
            with store.transaction() as cur:
                cur.execute(sql)
    assert store.rows("SELECT draw_id, operator FROM draws") == [("D1", "张三")]
    assert store.scalar("SELECT count(*) FROM draw_pool") == 2
    store.close()
