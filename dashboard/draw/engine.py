"""The fast path of protocol v1 for large pools: the same rules as `protocol`, computed in bulk.

Pools arrive as Arrow tables (entity_code, stratum) sorted by entity_code. The pool hash is one SHA-256
over the Arrow buffer of the lines; entity and inspector keys are computed by DuckDB's sha256() in a
private in-memory connection (multi-threaded C++, ~4× faster than a Python loop over hashlib). Small
inputs use the pure functions of `protocol`; tests run both paths on the same inputs.
"""

from __future__ import annotations

import hashlib
import math

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dashboard.draw import protocol

# Below these sizes the pure-Python protocol functions are used (tests lower them to exercise SQL).
FAST_POOL_MIN = 20_000
FAST_PAIRS_MIN = 20_000


def _con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(
        ":memory:",
        config={"autoload_known_extensions": False, "autoinstall_known_extensions": False},
    )
    con.execute("SET enable_external_access = false")
    return con


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


def _cut(n: int, total: int) -> str | None:
    """A key prefix below which the n smallest of `total` uniform keys lie with near certainty."""
    if n <= 0 or n >= total:
        return None
    share = (n + 8 * math.sqrt(n) + 64) / total
    if share >= 0.5:
        return None
    return format(int(share * 16**16), "016x")


def select_targets(pool: pa.Table, seed: str, sizes: dict[str, int]) -> list[dict]:
    """protocol.select_targets in DuckDB: keys below a generous cut, then exact n_s smallest."""
    if pool.num_rows < FAST_POOL_MIN:
        return protocol.select_targets(pool_pairs(pool), seed, sizes)
    counts = strata_counts(pool)
    cuts = {s: _cut(sizes.get(s, 0), counts[s]) for s in counts if sizes.get(s, 0) > 0}
    result: dict[str, list[tuple[str, str]]] = {}
    con = _con()
    try:
        con.register("pool_in", pool)
        todo = dict(cuts)
        while todo:
            plan = pa.table(
                {
                    "stratum": list(todo),
                    "n": [sizes[s] for s in todo],
                    "cut": [todo[s] for s in todo],
                }
            )
            con.register("plan_in", plan)
            rows = con.execute(
                """
                SELECT stratum, entity_code, key FROM (
                    SELECT p.stratum, p.entity_code, sha256($prefix || p.entity_code) AS key, t.n, t.cut
                    FROM pool_in AS p JOIN plan_in AS t USING (stratum)
                ) WHERE cut IS NULL OR key < cut
                QUALIFY row_number() OVER (PARTITION BY stratum ORDER BY key) <= n
                ORDER BY stratum, key
                """,
                {"prefix": f"{seed}/"},
            ).fetchall()
            con.unregister("plan_in")
            got: dict[str, list[tuple[str, str]]] = {s: [] for s in todo}
            for stratum, code, key in rows:
                got[stratum].append((code, key))
            retry = {}
            for s, picked in got.items():
                if len(picked) < sizes[s] and todo[s] is not None:
                    retry[s] = None  # the cut was too tight: redo this stratum over all its keys
                else:
                    result[s] = picked
            todo = retry
    finally:
        con.close()
    out = []
    for s in sorted(result):
        out.extend({"entity_code": c, "stratum": s, "key": k} for c, k in result[s])
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
    k = protocol.team_size(min_inspectors)
    unit_pos: dict[str, int] = {}
    for u in units:
        unit_pos.setdefault(u, len(unit_pos))
    member_codes = {p["inspector_code"] for p in inspector_pool}
    rec_e, rec_i = [], []
    clean_recused: dict[str, list[str]] = {}
    for code, inspectors in recused.items():
        kept = sorted(set(inspectors) & member_codes)
        clean_recused[code] = kept
        for i in kept:
            rec_e.append(code)
            rec_i.append(i)
    con = _con()
    try:
        sel_in = pa.table(
            {
                "entity_code": pa.array([s["entity_code"] for s in selections], pa.string()),
                "ord": pa.array(range(len(selections)), pa.int64()),
            }
        )
        # small record batches: DuckDB scans Arrow batches in parallel, so the hashing of the
        # (target × inspector) pairs runs on every thread instead of one
        con.register("sel_in", pa.Table.from_batches(sel_in.to_batches(max_chunksize=2048)))
        con.register(
            "ip_in",
            pa.table(
                {
                    "inspector_code": pa.array(
                        [p["inspector_code"] for p in inspector_pool], pa.string()
                    ),
                    "upos": pa.array(
                        [unit_pos.get(p["unit_code"], len(unit_pos)) for p in inspector_pool],
                        pa.int64(),
                    ),
                }
            ),
        )
        con.register(
            "rec_in",
            pa.table(
                {
                    "entity_code": pa.array(rec_e, pa.string()),
                    "inspector_code": pa.array(rec_i, pa.string()),
                }
            ),
        )
        nunits = len(unit_pos)
        # one pass: each key is hashed once; the first of each unit via a filtered arg_min
        firsts_sql = "".join(
            f", arg_min(inspector_code, key) FILTER (WHERE upos = {u}) AS f{u}"
            for u in range(nunits)
        )
        result = con.sql(
            f"""
            SELECT ord, min_by(inspector_code, key, $k) AS codes, count(*) AS n {firsts_sql}
            FROM (
                SELECT s.ord, i.inspector_code, i.upos,
                       sha256($prefix || s.entity_code || '/' || i.inspector_code) AS key
                FROM sel_in AS s CROSS JOIN ip_in AS i
                ANTI JOIN rec_in AS r
                    ON r.entity_code = s.entity_code AND r.inspector_code = i.inspector_code
            ) GROUP BY ord
            """,
            params={"prefix": f"{seed}/", "k": k},
        ).to_arrow_table()
    finally:
        con.close()
    columns = [result["ord"].to_pylist(), result["codes"].to_pylist(), result["n"].to_pylist()]
    columns += [result[f"f{u}"].to_pylist() for u in range(nunits)]
    teams: dict[int, tuple[list[str], int]] = {}
    for ord_, codes, n, *firsts in zip(*columns, strict=True):
        # one per unit in unit order, then the smallest remaining keys up to k (the k smallest
        # overall always hold enough inspectors that are not first of their unit)
        team = [c for c in firsts if c is not None]
        if len(team) < k:
            team += [c for c in codes if c not in team][: k - len(team)]
        teams[ord_] = (team, n)
    assignments, unstaffed = [], []
    for i, sel in enumerate(selections):
        team, n = teams.get(i, ([], 0))
        code = sel["entity_code"]
        assignments.append(
            {
                "entity_code": code,
                "inspector_codes": list(team),
                "recused": clean_recused.get(code, []),
            }
        )
        if n < k:
            unstaffed.append(code)
    return assignments, unstaffed
