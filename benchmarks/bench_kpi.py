"""Time of the §5 KPIs (metrics.kpi.compute_kpis) and the due-soon lists on a demo store.

Run: uv run python benchmarks/bench_kpi.py [--scale county|large] [--db PATH] [--repeat N]
Builds a demo store of that scale in a temp folder unless --db is given (as of 2026-11-27), then prints
the median and maximum wall time of N warm runs for the whole county, one unit and the previous year.
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
    parser.add_argument("--scale", default="county", choices=["county", "large"])
    parser.add_argument("--db", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
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
    store = open_store(db)
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


if __name__ == "__main__":
    sys.exit(main())
