"""Protocol v1 pure functions, checked against values worked out with hashlib from the protocol text."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest
from test_draw_fixtures import POOL_ON_D, h

from dashboard.draw import engine, protocol

ROOT = Path(__file__).resolve().parent.parent


def test_sizes_use_exact_decimal_arithmetic():
    assert 50 * 0.14 > 7  # the binary-float trap the protocol avoids
    assert protocol.stratum_size(50, "0.14") == 7
    assert protocol.stratum_size(6, "0.14") == 1  # ceil(0.84)
    assert protocol.stratum_size(3, "0.5") == 2  # ceil(1.5)
    assert protocol.stratum_size(10, "0.3") == 3  # exactly 3, no rounding up
    assert protocol.stratum_size(7, "1") == 7
    assert protocol.stratum_size(7, "0") == 0
    assert protocol.stratum_size(100, "0.010") == 1
    with pytest.raises(ValueError):
        protocol.stratum_size(10, "1.5")
    with pytest.raises(ValueError):
        protocol.stratum_size(10, "abc")


def test_hand_computed_small_draw():
    ph = h("".join(f"{c}|{s}\n" for c, s in POOL_ON_D))
    assert protocol.pool_hash(POOL_ON_D) == ph
    seed = h(f"v1|T1|{ph}|12345")
    assert protocol.compute_seed("T1", ph, "12345") == seed
    # N: A=3 B=2 D=2 U=6; r: A 0.5, D 1 (grade ratios), B and U 0.14 (plan ratio) → n = 2, 1, 2, 1
    strata = protocol.compute_strata(
        protocol.strata_counts(POOL_ON_D), {"A": "0.5", "B": "0.14", "D": "1", "U": "0.14"}
    )
    assert [(s["stratum"], s["pool_size"], s["size"]) for s in strata] == [
        ("A", 3, 2),
        ("B", 2, 1),
        ("D", 2, 2),
        ("U", 6, 1),
    ]
    expected = []
    for stratum, n in (("A", 2), ("B", 1), ("D", 2), ("U", 1)):
        keyed = sorted((h(f"{seed}/{c}"), c) for c, s in POOL_ON_D if s == stratum)
        expected += [{"entity_code": c, "stratum": stratum, "key": k} for k, c in keyed[:n]]
    got = protocol.select_targets(POOL_ON_D, seed, {"A": 2, "B": 1, "D": 2, "U": 1})
    assert got == expected
    assert len(got) == 6


def _team_by_hand(seed, entity, units, pool, k):
    keyed = sorted((h(f"{seed}/{entity}/{c}"), c, u) for c, u in pool)
    team = []
    for unit in units:
        mine = [c for _, c, u in keyed if u == unit]
        if mine:
            team.append(mine[0])
    team += [c for _, c, _ in keyed if c not in team][: max(k - len(team), 0)]
    return team


def test_team_rules_one_per_unit_then_fill_in_key_order():
    seed = h("seed")
    pool = [("A1", "A"), ("A2", "A"), ("A3", "A"), ("B1", "B"), ("B2", "B"), ("C1", "C")]
    # two units, k = 3: min of A, min of B, then the smallest remaining key
    team, short = protocol.match_team(seed, "E1", ["A", "B"], pool, 3)
    assert team == _team_by_hand(seed, "E1", ["A", "B"], pool, 3)
    assert len(team) == 3 and not short
    assert team[0].startswith("A") and team[1].startswith("B")
    # partner order decides the team order
    team2, _ = protocol.match_team(seed, "E1", ["B", "A"], pool, 2)
    assert team2[0].startswith("B") and team2[1].startswith("A")
    # more units than k: one per unit
    team3, short3 = protocol.match_team(seed, "E1", ["A", "B", "C"], pool, 2)
    assert [c[0] for c in team3] == ["A", "B", "C"] and not short3
    # a unit without eligible inspectors is skipped; fewer than k eligible → unstaffed, keeps all
    team4, short4 = protocol.match_team(seed, "E1", ["A", "C"], [("C1", "C")], 2)
    assert team4 == ["C1"] and short4


def test_assignments_recusal_and_k():
    seed = h("s")
    ip = [{"inspector_code": c, "unit_code": u} for c, u in (("K1", "K"), ("K2", "K"), ("S1", "S"))]
    sels = [
        {"entity_code": "E1", "stratum": "U", "key": "x"},
        {"entity_code": "E2", "stratum": "U", "key": "y"},
    ]
    assignments, unstaffed = protocol.compute_assignments(
        seed, sels, ["K", "S"], ip, {"E1": ["K1", "NOT_IN_POOL"]}, 1
    )
    assert assignments[0] == {
        "entity_code": "E1",
        "inspector_codes": ["K2", "S1"],
        "recused": ["K1"],
    }
    assert (
        assignments[1]["recused"] == [] and len(assignments[1]["inspector_codes"]) == 2
    )  # k = max(1, 2)
    assert unstaffed == []
    # k = 3 with one recused leaves 2 → unstaffed keeps both
    assignments, unstaffed = protocol.compute_assignments(
        seed, sels, ["K", "S"], ip, {"E1": ["K1"]}, 3
    )
    assert assignments[0]["inspector_codes"] == ["K2", "S1"] and unstaffed == ["E1"]
    assert len(assignments[1]["inspector_codes"]) == 3
    # no units (return visits): no matching at all
    assert protocol.compute_assignments(seed, sels, [], ip, {}, 2) == ([], [])


def test_record_hash_is_over_canonical_json():
    record = {"b": 1, "a": "中文", "c": [1, {"y": None, "x": True}]}
    text = '{"a":"中文","b":1,"c":[1,{"x":true,"y":null}]}'
    assert protocol.canonical_json(record) == text
    assert protocol.record_hash("0" * 64, record) == h("0" * 64 + text)


def test_uniform_selection_frequency():
    pool = [(f"X{i:02d}", "U") for i in range(10)]
    ph = protocol.pool_hash(pool)
    counts = {c: 0 for c, _ in pool}
    trials = 2000
    for v in range(trials):
        seed = protocol.compute_seed("T", ph, str(v))
        for s in protocol.select_targets(pool, seed, {"U": 3}):
            counts[s["entity_code"]] += 1
    # p = 0.3: mean 600, sd ≈ 20.5; ±5 sd
    for code, n in counts.items():
        assert 497 <= n <= 703, (code, n)
    assert sum(counts.values()) == 3 * trials


def test_deterministic_across_processes():
    code = (
        # the stand-alone copy of the protocol (stdlib only, so the child process starts fast)
        "import json, sys; sys.path.insert(0, 'tools'); import verify_certificate as p;"
        "pool=[(f'E{i}', 'AB'[i % 2]) for i in range(40)];"
        "s=p.compute_seed('T', p.pool_hash(sorted(pool)), '07 12 33');"
        "print(json.dumps(p.select_targets(sorted(pool), s, {'A': 3, 'B': 5})))"
    )
    outs = {
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
        ).stdout
        for _ in range(2)
    }
    assert len(outs) == 1
    pool = sorted((f"E{i}", "AB"[i % 2]) for i in range(40))
    seed = protocol.compute_seed("T", protocol.pool_hash(pool), "07 12 33")
    assert json.loads(outs.pop()) == protocol.select_targets(pool, seed, {"A": 3, "B": 5})


def test_fast_path_equals_pure_protocol(monkeypatch):
    monkeypatch.setattr(engine, "FAST_POOL_MIN", 0)
    monkeypatch.setattr(engine, "FAST_PAIRS_MIN", 0)
    rng = random.Random(7)
    codes = sorted(
        {f"9113{rng.randrange(10**9):09d}" for _ in range(2500)} | {"中文编码", "Z-1", "a-1"}
    )
    pool = [(c, rng.choice("ABCDU")) for c in codes]
    table = pa.table({"entity_code": [c for c, _ in pool], "stratum": [s for _, s in pool]})
    seed = h("fast")
    assert engine.pool_hash(table) == protocol.pool_hash(pool)
    sizes = {"A": 3, "B": 40, "C": 300, "D": 0, "U": 500}
    sel = engine.select_targets(table, seed, sizes)
    assert sel == protocol.select_targets(pool, seed, sizes)
    ip = [{"inspector_code": f"I{i:02d}", "unit_code": "UVW"[i % 3]} for i in range(10)]
    rec = {
        s["entity_code"]: rng.sample([p["inspector_code"] for p in ip], rng.randrange(9))
        for s in sel[:200]
    }
    for units, m in ((["U", "V"], 2), (["W", "U", "V"], 2), (["V"], 4)):
        assert engine.compute_assignments(
            seed, sel, units, ip, rec, m
        ) == protocol.compute_assignments(seed, sel, units, ip, rec, m)


def test_tool_is_the_protocol_module():
    tool = (ROOT / "tools" / "verify_certificate.py").read_bytes()
    module = (ROOT / "dashboard" / "draw" / "protocol.py").read_bytes()
    assert tool == module, (
        "tools/verify_certificate.py must be a copy of dashboard/draw/protocol.py (cp it)"
    )
