"""Render time of every page on the county demo store (issue #3: each page < 1 s).

Run: uv run python benchmarks/bench_pages.py [--db PATH] [--repeat N]
Builds a demo store in a temp folder unless --db is given, then runs each page with Streamlit's
AppTest as the 领导 role (all units) and prints the median wall time of N warm runs per page.
"""

from __future__ import annotations

import argparse
import os
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
    parser.add_argument("--db", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from streamlit.testing.v1 import AppTest

    from dashboard.auth import User
    from dashboard.demo import build_demo_store
    from dashboard.ui.nav import PAGES

    db = args.db
    if db is None:
        db = Path(tempfile.mkdtemp()) / "bench.duckdb"
        t0 = time.perf_counter()
        build_demo_store(db, seed=2026, scale="county", as_of=AS_OF)
        print(f"demo store built in {time.perf_counter() - t0:.2f} s")
    os.environ["DASHBOARD_DB"] = str(db)

    admin = User("admin", "办公室管理员", "admin", ())
    print(f"{'page':<18}{'median s':>10}{'max s':>8}  status")
    slow = 0
    for spec in PAGES:
        if not spec.exists():
            continue
        times = []
        status = "ok"
        for i in range(args.repeat + 1):
            at = AppTest.from_file(str(ROOT / spec.path), default_timeout=120)
            at.session_state["auth_user"] = admin
            at.session_state["scope.year"] = AS_OF.year
            at.session_state["scope.as_of"] = AS_OF
            at.session_state["scope.as_of_year"] = AS_OF.year
            t0 = time.perf_counter()
            at.run()
            elapsed = time.perf_counter() - t0
            if at.exception:
                status = "EXCEPTION: " + str(at.exception[0].value)[:60]
            if i:  # the first run warms caches and imports
                times.append(elapsed)
        med = statistics.median(times)
        slow += med >= 1.0
        flag = status if status != "ok" else ("ok" if med < 1.0 else "SLOW (≥ 1 s)")
        print(f"{spec.key:<18}{med:>10.3f}{max(times):>8.3f}  {flag}")
    print(f"pages at or over 1 s: {slow}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
