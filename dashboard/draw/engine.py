"""The fast path of protocol v1 for large pools: the same rules as `protocol`, computed in bulk.

Pools arrive as Arrow tables (entity_code, stratum) sorted by entity_code. The pool hash and the
entity and inspector keys come from `bulk_sha` (compiled; one SHA-256 block per key, all cores), a
large pool's strata from `bulk_join`. Small inputs use the pure functions of `protocol`; tests run
both paths on the same inputs.
"""

from __future__ import annotations

import gc
import hashlib
from contextlib import contextmanager

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from dashboard.draw import protocol
from dashboard.draw.numba_guard import hide_stray_coverage

# Below these sizes the pure-Python protocol functions are used (tests lower them to reach bulk_sha).
FAST_POOL_MIN = 20_000
FAST_PAIRS_MIN = 20_000


@contextmanager
def gc_paused():
    """Pause Python's cycle collector: a large draw builds hundreds of thousands of acyclic dicts,
    and the collector would rescan them over and over (about 1 s of an 8,000,000 pool's draw)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def as_pool_table(pool: pa.Table) -> pa.Table:
    """Check a pool table: the two columns, strings, sorted by entity_code without duplicates."""
    codes = _one_chunk(pool["entity_code"], pa.string())
    strata = _combined(pool["stratum"])
    if not _is_unique_dictionary(strata):
        strata = strata.cast(pa.string()).dictionary_encode()
    if len(codes) > 1 and not _ascending(codes, strict=True):
        raise ValueError("名录未按主体编码升序排列或有重复编码")
    if codes.null_count or strata.null_count:
        raise ValueError("名录含空的主体编码或分层")
    # one chunk, and a handful of strata encoded once, for counting, hashing and selecting
    return pa.table({"entity_code": codes, "stratum": strata})


def _is_unique_dictionary(column: pa.Array) -> bool:
    """A dictionary of distinct strings (each stratum once), as pool_with_grades builds it."""
    if not pa.types.is_dictionary(column.type):
        return False
    names = column.dictionary
    return (
        pa.types.is_string(names.type)
        and not names.null_count
        and len(pc.unique(names)) == len(names)
    )


def _ascending(codes: pa.Array, *, strict: bool) -> bool:
    """Codes in byte order (strictly: also without repeats)."""
    later, earlier = codes[1:], codes[:-1]
    test = pc.greater(later, earlier) if strict else pc.greater_equal(later, earlier)
    return bool(pc.all(test).as_py())


def pool_with_grades(
    members: pa.Array, graded: pa.Array, grades: pa.Array, ungraded: str
) -> pa.Table | None:
    """The pool's strata as a sorted merge: each member (entity codes in ascending order) takes the
    grade of its last row in `graded`/`grades` (rows sorted by entity code, then period), else
    `ungraded`. None if the rows are not in byte order (the caller then joins in SQL)."""
    members, graded, grades = (_one_chunk(a, pa.string()) for a in (members, graded, grades))
    if len(graded) > 1 and not _ascending(graded, strict=False):
        return None
    hide_stray_coverage()  # numba must not import pages/coverage.py
    from dashboard.draw import bulk_join

    encoded = grades.dictionary_encode()
    names = encoded.dictionary.to_pylist()
    if ungraded not in names:
        names.append(ungraded)
    strata = bulk_join.last_value(
        _buffers(members),
        _buffers(graded),
        encoded.indices.to_numpy(zero_copy_only=False),
        names.index(ungraded),
    )
    stratum = pa.DictionaryArray.from_arrays(pa.array(strata), pa.array(names, pa.string()))
    return as_pool_table(pa.table({"entity_code": members, "stratum": stratum}))


def _one_chunk(column: pa.Array | pa.ChunkedArray, kind: pa.DataType) -> pa.Array:
    return _combined(column).cast(kind)


def _combined(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """One array; a single chunk is taken as it is (combine_chunks would copy it: ~0.3 s at 8 M)."""
    if not isinstance(column, pa.ChunkedArray):
        return column
    return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()


def strata_array(pool: pa.Table) -> pa.DictionaryArray:
    column = _combined(pool["stratum"])
    return column if pa.types.is_dictionary(column.type) else column.dictionary_encode()


def pool_pairs(pool: pa.Table) -> list[tuple[str, str]]:
    return list(zip(pool["entity_code"].to_pylist(), pool["stratum"].to_pylist(), strict=True))


def pool_hash(pool: pa.Table) -> str:
    """protocol.pool_hash over an Arrow pool without a Python loop per member."""
    if pool.num_rows < FAST_POOL_MIN:
        return protocol.pool_hash(pool_pairs(pool))
    hide_stray_coverage()  # numba must not import pages/coverage.py
    from dashboard.draw import bulk_sha

    strata = strata_array(pool)
    return bulk_sha.pool_digest(
        _buffers(_combined(pool["entity_code"])),
        _buffers(strata.dictionary),
        strata.indices.to_numpy(zero_copy_only=False),
    )


def strata_counts(pool: pa.Table) -> dict[str, int]:
    strata = strata_array(pool)
    counts = np.bincount(
        strata.indices.to_numpy(zero_copy_only=False), minlength=len(strata.dictionary)
    )
    return {
        name: int(n) for name, n in zip(strata.dictionary.to_pylist(), counts, strict=True) if n
    }


def _buffers(codes: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Arrow-style offsets and UTF-8 bytes of a string array (no copy of the text)."""
    width = np.int64 if pa.types.is_large_string(codes.type) else np.int32
    offsets = np.frombuffer(codes.buffers()[1], width)[codes.offset : codes.offset + len(codes) + 1]
    data = codes.buffers()[2]
    return offsets, np.frombuffer(data, np.uint8) if data is not None else np.zeros(1, np.uint8)


def select_targets(pool: pa.Table, seed: str, sizes: dict[str, int]) -> list[dict]:
    """protocol.select_targets compiled: 64-bit key prefixes pick a candidate set per stratum that
    surely holds the n_s smallest keys; full hex keys then order the candidates exactly."""
    if pool.num_rows < FAST_POOL_MIN:
        return protocol.select_targets(pool_pairs(pool), seed, sizes)
    hide_stray_coverage()  # numba must not import pages/coverage.py
    from dashboard.draw import bulk_sha

    codes = _combined(pool["entity_code"])
    strata = strata_array(pool)
    ids = strata.indices.to_numpy(zero_copy_only=False)
    names = strata.dictionary.to_pylist()
    hasher = bulk_sha.Hasher(f"{seed}/", *_buffers(codes))
    out = []
    for name in sorted(names):
        n = sizes.get(name, 0)
        if n <= 0:
            continue
        members = np.flatnonzero(ids == names.index(name))
        if n < len(members):
            # the n-th smallest prefix bounds the n smallest full keys (prefixes order like keys)
            prefixes = hasher.prefix64(members, [""])[:, 0]
            bound = np.partition(prefixes, n - 1)[n - 1]
            members = members[prefixes <= bound]
        keys = hasher.hex_keys(members)
        order = np.argsort(keys)[:n]  # keys are distinct: SHA-256 of distinct messages
        picked = pc.take(codes, pa.array(members[order])).to_pylist()
        text = keys[order].tobytes().decode("ascii")  # n keys of 64 hex digits, back to back
        out.extend(
            {"entity_code": c, "stratum": name, "key": text[64 * i : 64 * i + 64]}
            for i, c in enumerate(picked)
        )
    return out


def canonical_json_bytes(record: dict) -> bytes:
    """protocol.canonical_json(record) as UTF-8, by orjson: the same bytes (sorted keys, no spaces,
    only the escapes JSON requires) about 4× faster on a record of 400,000 targets. A record holds
    strings, 64-bit integers, booleans, None, lists and dicts, never floats; anything orjson
    refuses (a lone surrogate, a larger integer) goes to the reference function."""
    try:
        return orjson.dumps(record, option=orjson.OPT_SORT_KEYS)
    except (TypeError, orjson.JSONEncodeError):
        return protocol.canonical_json(record).encode("utf-8")


def record_hash_of(previous_hash: str, record_json: bytes) -> str:
    """protocol.record_hash over the record's canonical JSON bytes (no copy of the text)."""
    digest = hashlib.sha256(previous_hash.encode("utf-8"))
    digest.update(record_json)
    return digest.hexdigest()


def compute_assignments(
    seed: str,
    selections: list[dict],
    units: list[str],
    inspector_pool: list[dict],
    recused: dict[str, list[str]],
    min_inspectors: int,
) -> tuple[list[dict], list[str]]:
    """protocol.compute_assignments; compiled (bulk_sha) when targets × inspectors is large."""
    if not units:
        return [], []
    if len(selections) * max(len(inspector_pool), 1) < FAST_PAIRS_MIN:
        return protocol.compute_assignments(
            seed, selections, units, inspector_pool, recused, min_inspectors
        )
    hide_stray_coverage()  # numba must not import pages/coverage.py
    from dashboard.draw import bulk_sha

    k = protocol.team_size(min_inspectors)
    unit_pos: dict[str, int] = {}
    for u in units:
        unit_pos.setdefault(u, len(unit_pos))
    members = [p["inspector_code"] for p in inspector_pool]
    member_index = {code: j for j, code in enumerate(members)}
    codes = [s["entity_code"] for s in selections]
    code_array = pa.array(codes, pa.string())
    eligible = np.ones((len(codes), len(members)), np.bool_)
    clean_recused = {code: sorted(set(v) & member_index.keys()) for code, v in recused.items() if v}
    named = list(clean_recused)
    positions = pc.index_in(pa.array(named, pa.string()), value_set=code_array).to_pylist()
    for code, row in zip(named, positions, strict=True):
        if row is not None:
            eligible[row, [member_index[i] for i in clean_recused[code]]] = False
    hasher = bulk_sha.Hasher(f"{seed}/", *_buffers(code_array))
    keys = hasher.prefix64(np.arange(len(codes)), ["/" + code for code in members])
    upos = np.array([unit_pos.get(p["unit_code"], len(unit_pos)) for p in inspector_pool])
    team, count, tie = bulk_sha.teams(keys, eligible, upos, len(unit_pos), k)
    width = team.shape[1]
    rows = np.array([*members, None], dtype=object)[team].tolist()  # -1 → None, only at a row's end
    sizes = (team >= 0).sum(axis=1).tolist()
    short = (count < k).tolist()
    for i in np.flatnonzero(tie).tolist():  # two eligible 64-bit key prefixes tie: use full keys
        candidates = [
            (p["inspector_code"], p["unit_code"])
            for j, p in enumerate(inspector_pool)
            if eligible[i, j]
        ]
        rows[i], short[i] = protocol.match_team(seed, codes[i], units, candidates, k)
        sizes[i] = len(rows[i])
    assignments = [
        {
            "entity_code": code,
            "inspector_codes": row if size == width else row[:size],
            "recused": clean_recused.get(code, []),
        }
        for code, row, size in zip(codes, rows, sizes, strict=True)
    ]
    unstaffed = [code for code, s in zip(codes, short, strict=True) if s]
    return assignments, unstaffed
