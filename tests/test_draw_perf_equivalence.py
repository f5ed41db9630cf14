"""The bulk engine (DuckDB) and the pure protocol agree on realistic pools; the fast store layout holds."""

from __future__ import annotations

import hashlib
import random

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
