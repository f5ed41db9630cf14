"""The fast path of protocol v1 for large pools: the same rules as `protocol`, computed in bulk.

Pools arrive as Arrow tables (entity_code, stratum) sorted by entity_code. The pool hash is one SHA-256
over the Arrow buffer of the lines; entity and inspector keys come from `bulk_sha` (compiled, one
SHA-256 block per key, all cores). Small inputs use the pure functions of `protocol`; tests run both
paths on the same inputs.
"""

from __future__ import annotations

import hashlib
import json
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dashboard.draw import protocol

# Below these sizes the pure-Python protocol functions are used (tests lower them to reach bulk_sha).
FAST_POOL_MIN = 20_000
FAST_PAIRS_MIN = 20_000


def empty_pool() -> pa.Table:
    return pa.table(
        {"entity_code": pa.array([], pa.string()), "stratum": pa.array([], pa.string())}
    )


def as_pool_table(pool: pa.Table) -> pa.Table:
    """Check a pool table: the two columns, strings, sorted by entity_code without duplicates."""
    table = pool.select(["entity_code", "stratum"]).cast(
        pa.schema([("entity_code", pa.string()), ("stratum", pa.string())])
    )
    codes = table["entity_code"]
    if len(codes) > 1 and not pc.all(pc.greater(codes[1:], codes[:-1])).as_py():
        raise ValueError("名录未按主体编码升序排列或有重复编码")
    if table["entity_code"].null_count or table["stratum"].null_count:
        raise ValueError("名录含空的主体编码或分层")
    return table


def pool_pairs(pool: pa.Table) -> list[tuple[str, str]]:
    return list(zip(pool["entity_code"].to_pylist(), pool["stratum"].to_pylist(), strict=True))


def pool_hash(pool: pa.Table) -> str:
    """protocol.pool_hash over an Arrow pool without a Python loop per member."""
    if pool.num_rows < FAST_POOL_MIN:
        return protocol.pool_hash(pool_pairs(pool))
    lines = pc.binary_join_element_wise(
        pool["entity_code"], pa.scalar("|"), pool["stratum"], pa.scalar("\n"), ""
    )
    h = hashlib.sha256()
    for chunk in lines.chunks:
        chunk = chunk.cast(pa.large_string())
        if len(chunk) == 0:
            continue
        offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int64)
        start, end = offsets[chunk.offset], offsets[chunk.offset + len(chunk)]
        h.update(memoryview(chunk.buffers()[2])[start:end])
    return h.hexdigest()


def strata_counts(pool: pa.Table) -> dict[str, int]:
    counts = pc.value_counts(pool["stratum"])
    return {v["values"].as_py(): v["counts"].as_py() for v in counts}


def _buffers(codes: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Arrow-style offsets and UTF-8 bytes of a string array (no copy of the text)."""
    codes = codes.cast(pa.large_string())
    offsets = np.frombuffer(codes.buffers()[1], np.int64)[
        codes.offset : codes.offset + len(codes) + 1
    ]
    data = codes.buffers()[2]
    return offsets, np.frombuffer(data, np.uint8) if data is not None else np.zeros(1, np.uint8)


def select_targets(pool: pa.Table, seed: str, sizes: dict[str, int]) -> list[dict]:
    """protocol.select_targets compiled: 64-bit key prefixes pick a candidate set per stratum that
    surely holds the n_s smallest keys; full hex keys then order the candidates exactly."""
    if pool.num_rows < FAST_POOL_MIN:
        return protocol.select_targets(pool_pairs(pool), seed, sizes)
    from dashboard.draw import bulk_sha

    codes = pool["entity_code"].combine_chunks()
    strata = pool["stratum"].combine_chunks().dictionary_encode()
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
        order = np.argsort(keys, kind="stable")[:n]
        picked = pc.take(codes, pa.array(members[order])).to_pylist()
        out.extend(
            {"entity_code": c, "stratum": name, "key": k}
            for c, k in zip(picked, keys[order].tolist(), strict=True)
        )
    return out


def compute_assignments(
    seed: str,
    selections: list[dict],
    units: list[str],
    inspector_pool: list[dict],
    recused: dict[str, list[str]],
    min_inspectors: int,
) -> tuple[list[dict], list[str]]:
    """protocol.compute_assignments; in DuckDB when targets × inspectors is large."""
    if not units:
        return [], []
    if len(selections) * max(len(inspector_pool), 1) < FAST_PAIRS_MIN:
        return protocol.compute_assignments(
            seed, selections, units, inspector_pool, recused, min_inspectors
        )
    from dashboard.draw import bulk_sha

    k = protocol.team_size(min_inspectors)
    unit_pos: dict[str, int] = {}
    for u in units:
        unit_pos.setdefault(u, len(unit_pos))
    members = [p["inspector_code"] for p in inspector_pool]
    member_index = {code: j for j, code in enumerate(members)}
    codes = [s["entity_code"] for s in selections]
    eligible = np.ones((len(codes), len(members)), np.bool_)
    clean_recused: dict[str, list[str]] = {}
    row_of = {code: i for i, code in enumerate(codes)}
    for code, inspectors in recused.items():
        kept = sorted(set(inspectors) & member_index.keys())
        clean_recused[code] = kept
        if code in row_of:
            eligible[row_of[code], [member_index[i] for i in kept]] = False
    hasher = bulk_sha.Hasher(f"{seed}/", *_buffers(pa.array(codes, pa.string())))
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


# -- canonical JSON of big records ----------------------------------------------------------------

_SELECTION_KEYS = ("entity_code", "key", "stratum")
_ASSIGNMENT_KEYS = ("entity_code", "inspector_codes", "recused")
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f]')
FAST_JSON_MIN = 5_000


def canonical_json(record: dict) -> str:
    """protocol.canonical_json, byte for byte, without json's per-object cost on big lists.

    The selections and assignments lists are written by string joins when every string in them
    is plain (no quote, backslash or control character, which are the only characters json.dumps
    escapes with ensure_ascii=False) and every item has exactly the keys of the protocol; anything
    else goes through json.dumps.
    """
    sels, asgs = record.get("selections"), record.get("assignments")
    if not isinstance(sels, list) or not isinstance(asgs, list) or len(sels) < FAST_JSON_MIN:
        return protocol.canonical_json(record)
    fast = {"selections": _selections_json(sels), "assignments": _assignments_json(asgs)}
    if None in fast.values():
        return protocol.canonical_json(record)
    dumps = json.dumps
    parts = [
        dumps(key, ensure_ascii=False)
        + ":"
        + (
            fast[key]
            if key in fast
            else dumps(record[key], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        )
        for key in sorted(record)
    ]
    return "{" + ",".join(parts) + "}"


def _plain(strings: list) -> bool:
    return all(type(s) is str for s in strings) and not _NEEDS_ESCAPE.search("".join(strings))


def _selections_json(sels: list) -> str | None:
    if not all(type(s) is dict and tuple(sorted(s)) == _SELECTION_KEYS for s in sels):
        return None
    codes = [s["entity_code"] for s in sels]
    keys = [s["key"] for s in sels]
    strata = [s["stratum"] for s in sels]
    if not (_plain(codes) and _plain(keys) and _plain(strata)):
        return None
    return (
        "["
        + ",".join(
            f'{{"entity_code":"{c}","key":"{k}","stratum":"{s}"}}'
            for c, k, s in zip(codes, keys, strata, strict=True)
        )
        + "]"
    )


def _assignments_json(asgs: list) -> str | None:
    if not all(type(a) is dict and tuple(sorted(a)) == _ASSIGNMENT_KEYS for a in asgs):
        return None
    codes = [a["entity_code"] for a in asgs]
    teams = [a["inspector_codes"] for a in asgs]
    recused = [a["recused"] for a in asgs]
    if not all(type(t) is list for t in teams) or not all(type(r) is list for r in recused):
        return None
    flat_teams = [c for t in teams for c in t]
    flat_recused = [c for r in recused for c in r]
    if not (_plain(codes) and _plain(flat_teams) and _plain(flat_recused)):
        return None

    def array(items: list) -> str:
        return '["' + '","'.join(items) + '"]' if items else "[]"

    return (
        "["
        + ",".join(
            f'{{"entity_code":"{c}","inspector_codes":{array(t)},"recused":{array(r)}}}'
            for c, t, r in zip(codes, teams, recused, strict=True)
        )
        + "]"
    )
