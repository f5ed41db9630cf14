"""The compiled bulk path (bulk_sha + engine) equals the pure protocol, including its corner cases:
message lengths across block boundaries, both block functions, 64-bit key ties."""

from __future__ import annotations

import hashlib
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from dashboard.draw import bulk_sha, engine, protocol

ROOT = Path(__file__).resolve().parents[1]
SEED = hashlib.sha256(b"bulk").hexdigest()


def _codes() -> list[str]:
    # lengths 0..130 bytes cross the 55/64-byte padding edges of the second and third block
    codes = ["x" * n for n in range(131)]
    codes += ["中" * n for n in (1, 6, 19, 40)] + [
        "91130129MA0000001X",
        "RW2026015/91130129MA0000001X",
    ]
    return codes


def _buffers(codes: list[str]):
    return engine._buffers(pa.array(codes, pa.string()))


def test_keys_equal_hashlib_for_every_length():
    codes = _codes()
    hasher = bulk_sha.Hasher(f"{SEED}/", *_buffers(codes))
    rows = np.arange(len(codes))
    suffixes = ["", "/K01", "/" + "长" * 30]
    prefixes = hasher.prefix64(rows, suffixes)
    for i, code in enumerate(codes):
        for j, suffix in enumerate(suffixes):
            full = hashlib.sha256(f"{SEED}/{code}{suffix}".encode()).hexdigest()
            assert format(int(prefixes[i, j]), "016x") == full[:16], (code, suffix)
    assert hasher.hex_keys(rows).astype("U64").tolist() == [
        protocol.entity_key(SEED, c) for c in codes
    ]


def test_prefix_longer_than_one_block_and_sliced_arrays():
    prefix = "p" * 150  # two whole blocks absorbed into the midstate, 22 bytes carried over
    codes = pa.array(["skip", "a", "bb", "ccc"], pa.string()).slice(1)
    hasher = bulk_sha.Hasher(prefix, *engine._buffers(codes))
    got = hasher.hex_keys(np.arange(3)).astype("U64").tolist()
    assert got == [hashlib.sha256((prefix + c).encode()).hexdigest() for c in ("a", "bb", "ccc")]


def test_software_block_function_gives_the_same_keys():
    """With OpenSSL's block function refused, the compiled software one is used and agrees."""
    code = (
        "import hashlib, numpy as np, pyarrow as pa\n"
        "from dashboard.draw import bulk_sha, engine\n"
        "codes = ['x' * n for n in range(131)] + ['中文', '']\n"
        "h = bulk_sha.Hasher('s/', *engine._buffers(pa.array(codes)))\n"
        "got = h.hex_keys(np.arange(len(codes))).astype('U64').tolist()\n"
        "assert got == [hashlib.sha256(('s/' + c).encode()).hexdigest() for c in codes]\n"
        "st = pa.array(['A', 'B']).dictionary_encode()\n"
        "index = np.arange(len(codes)) % 2\n"
        "text = ''.join(f'{c}|{\"AB\"[i % 2]}\\n' for i, c in enumerate(codes)).encode()\n"
        "digest = bulk_sha.pool_digest(engine._buffers(pa.array(codes)), engine._buffers(st.dictionary), index)\n"
        "assert digest == hashlib.sha256(text).hexdigest()\n"
        "print(bulk_sha.BLOCK_FUNCTION)\n"
    )
    env = {**os.environ, "DASHBOARD_SOFTWARE_SHA": "1"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "numba software"


def _pool(n: int, rnd: random.Random) -> list[tuple[str, str]]:
    codes = sorted({f"9113{rnd.randrange(10**12):012d}" for _ in range(n)})
    return [(c, rnd.choice("ABCU")) for c in codes]


def _coarse(monkeypatch):
    """Keep only 3 bits of each 64-bit prefix: ties everywhere, which the engine must resolve."""
    exact = bulk_sha.Hasher.prefix64
    monkeypatch.setattr(
        bulk_sha.Hasher,
        "prefix64",
        lambda self, rows, suffixes: exact(self, rows, suffixes) >> np.uint64(61),
    )


@pytest.mark.parametrize("coarse", [False, True])
def test_selection_and_teams_with_and_without_prefix_ties(monkeypatch, coarse):
    monkeypatch.setattr(engine, "FAST_POOL_MIN", 0)
    monkeypatch.setattr(engine, "FAST_PAIRS_MIN", 0)
    if coarse:
        _coarse(monkeypatch)
    rnd = random.Random(11)
    pool = _pool(1500, rnd)
    table = engine.as_pool_table(
        pa.table({"entity_code": [c for c, _ in pool], "stratum": [s for _, s in pool]})
    )
    counts = protocol.strata_counts(pool)
    # a stratum taken whole, one not at all, two in part
    sizes = {"A": counts["A"], "B": 0, "C": 17, "U": 60}
    expected = protocol.select_targets(pool, SEED, sizes)
    assert engine.select_targets(table, SEED, sizes) == expected
    assert sum(s["stratum"] == "A" for s in expected) == counts["A"]

    inspectors = [{"inspector_code": f"K{i}", "unit_code": "KCK"} for i in range(6)]
    inspectors += [{"inspector_code": f"S{i}", "unit_code": "SJJ"} for i in range(3)]
    codes = [s["entity_code"] for s in expected]
    recused = {c: rnd.sample([p["inspector_code"] for p in inspectors], 3) for c in codes[::5]}
    recused[codes[0]] = ["S0", "S1", "S2"]  # no SJJ inspector left: the team is KCK only
    recused[codes[1]] = [p["inspector_code"] for p in inspectors][1:]  # one left: unstaffed
    for units, m in ((["KCK", "SJJ"], 2), (["SJJ", "KCK"], 3), (["KCK"], 2)):
        want = protocol.compute_assignments(SEED, expected, units, inspectors, recused, m)
        assert engine.compute_assignments(SEED, expected, units, inspectors, recused, m) == want
        assert codes[1] in want[1]
        assert want[0][0]["inspector_codes"][0].startswith("K")


def test_teams_kernel_reports_ties_and_orders_by_unit_first():
    keys = np.array([[5, 3, 9, 1], [4, 4, 8, 2]], np.uint64)
    eligible = np.array([[True, True, True, True], [True, True, True, False]])
    upos = np.array([0, 0, 1, 1])
    team, count, tie = bulk_sha.teams(keys, eligible, upos, 2, 3)
    # row 0: first of unit 0 is index 1 (key 3), first of unit 1 is index 3 (key 1), then key 5
    assert team[0].tolist() == [1, 3, 0]
    assert count.tolist() == [4, 3]
    assert tie.tolist() == [False, True]


def test_kernels_from_many_threads_at_once():
    """Streamlit serves sessions on threads; parallel kernels must not run concurrently (numba's
    workqueue pool aborts the process), and each caller still gets its own right answer."""
    from concurrent.futures import ThreadPoolExecutor

    codes = [f"9113{i:014d}" for i in range(30_000)]
    hasher = bulk_sha.Hasher(f"{SEED}/", *_buffers(codes))
    rows = np.arange(len(codes))
    expected = hasher.prefix64(rows, [""])
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: hasher.prefix64(rows, [""]), range(8)))
    assert all(np.array_equal(r, expected) for r in results)


def test_fast_canonical_json_is_byte_identical_to_the_reference():
    """The ledger hashes the record's canonical JSON: orjson must give json.dumps's exact bytes."""
    rnd = random.Random(3)
    alphabet = [chr(c) for c in range(0, 0x250)] + ["中", "文", "\u2028", "\ufeff", "😀", '"', "\\"]
    for _ in range(200):
        text = "".join(rnd.choices(alphabet, k=rnd.randrange(0, 30)))
        record = {
            "task_code": text,
            text + "键": [text, -(2**63), 2**64 - 1, 0, True, False, None],
            "strata": [{"stratum": text, "pool_size": rnd.randrange(10**9), "ratio": "0.05"}],
            "selections": [{"entity_code": text, "key": "ab" * 32, "stratum": "D"}] * 2,
        }
        assert engine.canonical_json_bytes(record) == protocol.canonical_json(record).encode()
        assert engine.record_hash_of("0" * 64, engine.canonical_json_bytes(record)) == (
            protocol.record_hash("0" * 64, record)
        )
    huge = {"n": 2**70, "t": "x"}  # beyond orjson's range: the reference function answers
    assert engine.canonical_json_bytes(huge) == b'{"n":1180591620717411303424,"t":"x"}'


def test_pool_digest_equals_hashlib_over_the_pool_text():
    """Every tail length (the final padding takes one block or two), lines across the kernel's
    buffer, a line longer than the buffer, multi-byte strata and an empty pool."""

    def digest(pairs):
        codes = pa.array([c for c, _ in pairs], pa.string())
        strata = pa.array([s for _, s in pairs], pa.string()).dictionary_encode()
        return bulk_sha.pool_digest(
            engine._buffers(codes),
            engine._buffers(strata.dictionary),
            strata.indices.to_numpy(zero_copy_only=False),
        )

    pools = [[(f"E{i:03d}", "中") for i in range(n)] for n in range(0, 40)]
    pools.append([(f"9113{i:014d}", "ABCU"[i % 4]) for i in range(20_000)])
    pools.append([("A", "D"), ("B" * 70_000, "U"), ("C", "高风险")])
    for pairs in pools:
        text = "".join(f"{c}|{s}\n" for c, s in pairs).encode()
        assert digest(pairs) == hashlib.sha256(text).hexdigest() == protocol.pool_hash(pairs)
