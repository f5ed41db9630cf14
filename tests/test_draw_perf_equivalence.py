"""The bulk engine (DuckDB) and the pure protocol agree on realistic pools; the fast store layout holds."""

from __future__ import annotations

import hashlib
import random
from datetime import date

import pyarrow as pa
import pytest

from dashboard.draw import engine, protocol
from dashboard.store import open_store

GRADE_RATIOS = {"A": "0.01", "B": "0.02", "C": "0.10", "D": "0.30", "U": "0.03"}


def _pool(n: int, rnd: random.Random) -> list[tuple[str, str]]:
    grades = rnd.choices("ABCDU", weights=[40, 35, 15, 5, 5], k=n)
    codes = sorted({f"9113{rnd.randrange(10**14):014d}" for _ in range(n)})
    return list(zip(codes, grades[: len(codes)], strict=True))


def _table(pool: list[tuple[str, str]]) -> pa.Table:
    return pa.table({"entity_code": [c for c, _ in pool], "stratum": [s for _, s in pool]})


@pytest.mark.parametrize("n, seed_text", [(6000, "s1"), (3000, "s2")])
def test_engine_equals_protocol_on_grade_ratios(monkeypatch, n, seed_text):
    monkeypatch.setattr(engine, "FAST_POOL_MIN", 0)
    monkeypatch.setattr(engine, "FAST_PAIRS_MIN", 0)
    rnd = random.Random(n)
    pool = _pool(n, rnd)
    table = engine.as_pool_table(_table(pool))
    assert engine.pool_hash(table) == protocol.pool_hash(pool)
    counts = protocol.strata_counts(pool)
    sizes = {s["stratum"]: s["size"] for s in protocol.compute_strata(counts, GRADE_RATIOS)}
    seed = hashlib.sha256(seed_text.encode()).hexdigest()
    expected = protocol.select_targets(pool, seed, sizes)
    assert engine.select_targets(table, seed, sizes) == expected
    # hand check: D keeps ceil(N_D × 0.30) targets
    assert sum(1 for s in expected if s["stratum"] == "D") == -(-counts["D"] * 3 // 10)

    units = ["KCK", "SJJ", "ZFD"]
    inspectors = [{"inspector_code": f"K{i:02d}", "unit_code": "KCK"} for i in range(12)]
    inspectors += [{"inspector_code": f"S{i:02d}", "unit_code": "SJJ"} for i in range(5)]
    inspectors += [{"inspector_code": "Z00", "unit_code": "ZFD"}]
    inspectors += [{"inspector_code": "X00", "unit_code": "OTHER"}]
    codes = [s["entity_code"] for s in expected]
    recused = {c: rnd.sample([p["inspector_code"] for p in inspectors], 2) for c in codes[::7]}
    recused[codes[1]] = ["Z00", "NOT_IN_POOL"]  # ZFD's only inspector recused: team from others
    # nearly everyone recused: fewer than k eligible → unstaffed
    recused[codes[2]] = [p["inspector_code"] for p in inspectors][:-1]
    for min_insp in (2, 3):
        want = protocol.compute_assignments(seed, expected, units, inspectors, recused, min_insp)
        got = engine.compute_assignments(seed, expected, units, inspectors, recused, min_insp)
        assert got == want
        assert codes[2] in want[1]
        assert want[0][1]["recused"] == ["Z00"]
        assert "Z00" not in want[0][1]["inspector_codes"]


def test_draw_pool_has_no_index_but_stays_append_only():
    store = open_store(":memory:")
    try:
        assert store.schema_version >= 8
        assert store.rows(
            "SELECT count(*) FROM duckdb_constraints()"
            " WHERE table_name IN ('draw_pool', 'draw_selections') AND constraint_type = 'PRIMARY KEY'"
        ) == [(0,)]
        with store.transaction() as cur:
            cur.execute("INSERT INTO draw_pool VALUES ('D1', 'E1', 'A')")
        with pytest.raises(Exception, match="不得删除"), store.transaction() as cur:
            cur.execute("DELETE FROM draw_pool")
        with pytest.raises(Exception, match="不得修改"), store.transaction() as cur:
            cur.execute("UPDATE draw_selections SET key = 'x'")
        assert store.rows("SELECT draw_id, entity_code, stratum FROM draw_pool") == [
            ("D1", "E1", "A")
        ]
    finally:
        store.close()


def test_appended_duplicate_rows_are_found_by_verify(store):
    # without the PRIMARY KEY an INSERT of a duplicate member is possible; verify_store must name it
    from test_draw_fixtures import D, build

    from dashboard import draw

    build(store)
    draw.run_draw(store, "T1", "42", operator="王", draw_date=D)
    assert draw.verify_store(store) == []
    with store.transaction() as cur:
        cur.execute(
            "INSERT INTO draw_pool SELECT draw_id, entity_code, stratum FROM draw_pool LIMIT 1"
        )
        cur.execute("INSERT INTO draw_selections SELECT * FROM draw_selections LIMIT 1")
    checks = {d.check for d in draw.verify_store(store, "DR-000001") if not d.warning}
    assert {"冻结名单", "抽取结果表"} <= checks


def _grade_store():
    """Entities whose codes differ in length, share prefixes and hold non-ASCII text; grades in
    several periods (some after the draw month, some of another system); some ungraded."""
    store = open_store(":memory:")
    codes = ["A", "AB", "ABC", "ABCDEFGH", "ABCDEFGHI", "ABCDEFGH0", "B中文", "B中", "Z" * 40]
    codes += [f"9113{i:014d}" for i in range(0, 300, 7)]
    rnd = random.Random(5)
    with store.transaction() as cur:
        cur.execute("INSERT INTO items (item_code, item_name) VALUES ('I1', '事项')")
        for i, code in enumerate(codes):
            tags = ["I1"] if i % 5 else [" I1 ", "X"]  # trimmed tags match too
            status = "注销" if i % 11 == 3 else "存续"
            cur.execute(
                "INSERT INTO entities (entity_code, name, tags, status) VALUES (?, ?, ?, ?)",
                [code, f"企业{i}", tags, status],
            )
            for period in rnd.sample(["2025-11", "2026-03", "2026-05", "2026-07"], i % 4):
                cur.execute(
                    "INSERT INTO risk_grades (entity_code, period, grade) VALUES (?, ?, ?)",
                    [code, period, rnd.choice(["A", "B", "C", "D", "AA"])],
                )
            if i % 6 == 1:
                cur.execute(
                    "INSERT INTO risk_grades (entity_code, period, grade, system) VALUES (?, ?, 'D', '其他')",
                    [code, "2026-06"],
                )
    return store


def test_merged_pool_equals_the_sql_join(monkeypatch):
    """The large-store path (two sorted lists merged) gives the SQL join's pool exactly."""
    from dashboard.draw import service

    store = _grade_store()
    try:
        d = date(2026, 6, 15)
        joined = service.resolve_task_pool(store, ["I1"], d)  # few entities: the SQL join
        monkeypatch.setattr(engine, "FAST_POOL_MIN", 0)
        merged = service.resolve_task_pool(store, ["I1"], d)
        assert merged.to_pylist() == joined.to_pylist()
        assert engine.pool_hash(merged) == engine.pool_hash(joined)
        # hand check against the rows: the latest grade up to 2026-06 of the 市场监管 system
        want = {}
        for code, grade in store.rows(
            "SELECT entity_code, grade FROM risk_grades"
            " WHERE system = '市场监管' AND period <= '2026-06' ORDER BY period"
        ):
            want[code] = grade
        got = {r["entity_code"]: r["stratum"] for r in merged.to_pylist()}
        assert got and all(got[c] == want.get(c, "U") for c in got)
        assert {"A", "AB", "ABC", "B中", "B中文"} <= got.keys()
        assert not any(
            code in got
            for (code,) in store.rows("SELECT entity_code FROM entities WHERE status <> '存续'")
        )
    finally:
        store.close()


def test_merge_refuses_rows_out_of_byte_order():
    members = pa.array(["A", "B"])
    assert engine.pool_with_grades(members, pa.array(["B", "A"]), pa.array(["C", "D"]), "U") is None
    table = engine.pool_with_grades(members, pa.array(["A", "A"]), pa.array(["C", "D"]), "U")
    assert table.to_pylist() == [
        {"entity_code": "A", "stratum": "D"},
        {"entity_code": "B", "stratum": "U"},
    ]
    empty = engine.pool_with_grades(
        pa.array([], pa.string()), pa.array([], pa.string()), pa.array([], pa.string()), "U"
    )
    assert empty.num_rows == 0


def test_pool_with_a_null_stratum_is_refused():
    names = pa.array(["A", None])
    stratum = pa.DictionaryArray.from_arrays(pa.array([0, 1], pa.int32()), names)
    with pytest.raises(ValueError, match="空的主体编码或分层"):
        engine.as_pool_table(pa.table({"entity_code": ["E1", "E2"], "stratum": stratum}))


@pytest.mark.parametrize("fast", [False, True])
def test_pool_from_the_kept_latest_grades_equals_the_history(monkeypatch, fast):
    """Issue 17: with no grade newer than D's month the pool's strata come from risk_grade_latest;
    the pool (and its hash) is the one the grade history gives, on both the SQL and the merge path."""
    from dashboard.draw import inputs, service
    from dashboard.store.grades import refresh_latest_grades

    store = _grade_store()
    try:
        with store.transaction() as cur:
            refresh_latest_grades(cur)
        if fast:
            monkeypatch.setattr(engine, "FAST_POOL_MIN", 0)
        d = date(2026, 8, 3)  # after every period of the fixture: the kept table applies
        assert inputs.latest_is_current(store.cursor(), "市场监管", d)
        kept = service.resolve_task_pool(store, ["I1"], d)
        monkeypatch.setattr(inputs, "latest_is_current", lambda *a: False)
        history = service.resolve_task_pool(store, ["I1"], d)
        assert kept.to_pylist() == history.to_pylist()
        assert engine.pool_hash(kept) == engine.pool_hash(history)
        assert {r["stratum"] for r in kept.to_pylist()} >= {"A", "B", "U"}
    finally:
        store.close()
