"""Time of the §5 KPIs (metrics.kpi.compute_kpis) and the due-soon lists on a demo store.

Run: uv run python benchmarks/bench_kpi.py [--scale county|large|xlarge|province] [--db PATH] [--repeat N]
Builds a demo store of that scale in a temp folder unless --db is given (as of 2026-11-27), then prints
the median and maximum wall time of N warm runs for the whole county, one unit and the previous year.

It also runs the hand-written twin of the KPI query (benchmarks/kpi_twin.sql: the same thirteen
numerators and denominators, written directly), checks that it gives exactly compute_kpis' numbers,
and prints compute_kpis' median next to the twin's and their ratio (issue 17: at most 2×). Both are
measured in the same run, alternately, so a busy machine slows both alike. No result cache is used
(the app's cache only serves Streamlit script runs).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AS_OF = date(2026, 11, 27)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--scale", default="county", choices=["county", "large", "xlarge", "province"]
    )
    parser.add_argument("--db", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--memory-mb",
        type=int,
        help="DuckDB memory limit for this run (default: the store's setting store.memory_limit_mb)",
    )
    args = parser.parse_args()

    from dashboard.demo import build_demo_store
    from dashboard.metrics import due_soon
    from dashboard.metrics.kpi import compute_kpis
    from dashboard.scope import Scope
    from dashboard.store import open_store

    db = args.db
    if db is None:
        db = Path(tempfile.mkdtemp()) / f"bench_{args.scale}.duckdb"
        t0 = time.perf_counter()
        build_demo_store(db, seed=2026, scale=args.scale, as_of=AS_OF)
        print(f"demo store ({args.scale}) built in {time.perf_counter() - t0:.2f} s")
    # no statement time limit: a benchmark prints the time instead of stopping at the app's 60 s
    store = open_store(db, memory_limit_mb=args.memory_mb, max_execution_ms=0)
    limit, threads = store.rows(
        "SELECT current_setting('memory_limit'), current_setting('threads')"
    )[0]
    print(f"DuckDB memory limit {limit}, threads {threads}")
    n = store.scalar("SELECT count(*) FROM inspections")
    print(f"inspections: {n}")
    scopes = {
        "county 2026": Scope(2026, AS_OF),
        "unit KCK 2026": Scope(2026, AS_OF, unit="KCK"),
        "county 2025": Scope(2025, AS_OF),
    }
    jobs = {
        "compute_kpis": compute_kpis,
        "due_soon.entries": due_soon.entries_due_soon,
        "due_soon.followups": due_soon.followups_due_soon,
    }
    twin_vs_kpis(store, Scope(2026, AS_OF), args.repeat)
    print(f"{'query':<20}{'scope':<16}{'median s':>10}{'max s':>8}")
    for job, fn in jobs.items():
        for name, scope in scopes.items():
            times = []
            for i in range(args.repeat + 1):
                cur = store.cursor()
                t0 = time.perf_counter()
                fn(cur, scope)
                elapsed = time.perf_counter() - t0
                cur.close()
                if i:  # the first run warms caches
                    times.append(elapsed)
            print(f"{job:<20}{name:<16}{statistics.median(times):>10.3f}{max(times):>8.3f}")
    return 0


def twin_vs_kpis(store, scope, repeat: int) -> float:
    """compute_kpis next to the hand-written twin (same numbers checked); returns the ratio."""
    from dashboard.metrics import base
    from dashboard.metrics.kpi import _COLUMNS, compute_kpis

    sql = (ROOT / "benchmarks" / "kpi_twin.sql").read_text(encoding="utf-8")

    def twin(cur, scope):
        params = base.bind(sql, base.scope_params(cur, scope))
        result = cur.execute(sql, params)
        cols = [d[0] for d in result.description]
        return dict(zip(cols, result.fetchone(), strict=True))

    kpi_times, twin_times = [], []
    for i in range(repeat + 1):
        for fn, times in ((compute_kpis, kpi_times), (twin, twin_times)):
            cur = store.cursor()
            t0 = time.perf_counter()
            out = fn(cur, scope)
            elapsed = time.perf_counter() - t0
            cur.close()
            if fn is twin:
                row = out
            else:
                kpis = out
            if i:  # the first run warms caches
                times.append(elapsed)
    for key, (num, den) in _COLUMNS.items():
        k = kpis[key]
        assert k.numerator == int(row[num] or 0), (key, k.numerator, row[num])
        if den is not None:
            assert k.denominator == int(row[den] or 0), (key, k.denominator, row[den])
    kpi_med, twin_med = statistics.median(kpi_times), statistics.median(twin_times)
    ratio = kpi_med / twin_med if twin_med else float("nan")
    print(
        f"compute_kpis {kpi_med:.3f} s | hand-written twin {twin_med:.3f} s | ratio {ratio:.2f}"
        f" (goal ≤ 2) — same 13 numbers: yes ({scope.year}, as of {scope.as_of})"
    )
    return ratio


if __name__ == "__main__":
    sys.exit(main())
