"""Server-side time of every page, next to the static 指标说明 page (issues #3 and #17).

Run: uv run python benchmarks/bench_pages.py [--scale county|large|xlarge|province] [--db PATH] [--repeat N]

Builds a demo store of that scale in a temp folder (as of 2026-11-27) unless --db is given, then runs
each page with Streamlit's AppTest as the office's admin (all units) and prints, per page:

  first     the page's first run in this process (its queries are not cached yet)
  session   median of N runs, each in a new session (a new AppTest: another user, or a reload)
  rerun     median of N reruns of one session (a widget click: the same session runs the page again)
  × static  `rerun` as a multiple of the static 指标说明 page's `rerun`, measured in the same run,
            so that a busy machine (other engineers' tests) slows both alike

The goals of issue #17: every page's rerun ≤ 0.5 s at `large` (100,000 entities) and ≤ 2 s at 8 M.
At the end it prints the process's resident memory (RSS) now and at its peak, after visiting every
page: the server's RSS goal is ≤ 2 GB at 1,000,000 entities.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AS_OF = date(2026, 11, 27)
STATIC = "glossary"  # 指标说明: texts only, the baseline


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident memory of this process in MB."""
    current = 0.0
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                current = int(line.split()[1]) / 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return current, peak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path)
    parser.add_argument(
        "--scale", default="county", choices=["county", "large", "xlarge", "province"]
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pages", nargs="*", help="page keys (default: every page)")
    args = parser.parse_args()

    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    from streamlit.testing.v1 import AppTest

    from dashboard.auth import User
    from dashboard.demo import build_demo_store
    from dashboard.store import open_store
    from dashboard.ui.nav import PAGES

    db = args.db
    if db is None:
        db = Path(tempfile.mkdtemp()) / f"bench_{args.scale}.duckdb"
        t0 = time.perf_counter()
        build_demo_store(db, seed=2026, scale=args.scale, as_of=AS_OF)
        print(f"demo store ({args.scale}) built in {time.perf_counter() - t0:.1f} s")
    os.environ["DASHBOARD_DB"] = str(db)
    store = open_store(db)
    entities = store.scalar("SELECT count(*) FROM entities")
    inspections = store.scalar(
        "SELECT count(*) FROM inspections WHERE year(inspected_on) = ?", [AS_OF.year]
    )
    print(f"store {db}: {entities:,} entities, {inspections:,} inspections in {AS_OF.year}")

    admin = User("admin", "办公室管理员", "admin", ())

    def new_session(spec) -> AppTest:
        at = AppTest.from_file(str(ROOT / spec.path), default_timeout=900)
        at.session_state["auth_user"] = admin
        at.session_state["scope.year"] = AS_OF.year
        at.session_state["scope.as_of"] = AS_OF
        at.session_state["scope.as_of_year"] = AS_OF.year
        return at

    def timed(at: AppTest) -> tuple[float, str]:
        t0 = time.perf_counter()
        at.run()
        elapsed = time.perf_counter() - t0
        status = "ok"
        if at.exception:
            status = "EXCEPTION: " + str(at.exception[0].value).splitlines()[0][:60]
        return elapsed, status

    specs = [s for s in PAGES if s.exists() and (not args.pages or s.key in args.pages)]
    static = next(s for s in PAGES if s.key == STATIC)
    if static not in specs:
        specs.insert(0, static)
    results = {}
    for spec in specs:
        first, status = timed(new_session(spec))
        sessions, reruns = [], []
        for _ in range(args.repeat):
            elapsed, st = timed(new_session(spec))
            sessions.append(elapsed)
            status = st if st != "ok" else status
        at = new_session(spec)
        timed(at)
        for _ in range(args.repeat):
            elapsed, st = timed(at)
            reruns.append(elapsed)
            status = st if st != "ok" else status
        results[spec.key] = (
            first,
            statistics.median(sessions),
            statistics.median(reruns),
            status,
        )
    base = results[STATIC][2]
    print(f"{'page':<18}{'first s':>9}{'session s':>11}{'rerun s':>9}{'× static':>10}  status")
    for key, (first, session, rerun, status) in results.items():
        flag = status
        print(f"{key:<18}{first:>9.3f}{session:>11.3f}{rerun:>9.3f}{rerun / base:>10.1f}  {flag}")
    worst = max(results.items(), key=lambda kv: kv[1][2])
    print(f"slowest rerun: {worst[0]} {worst[1][2]:.3f} s ({worst[1][2] / base:.1f}× static)")
    current, peak = rss_mb()
    print(f"RSS after every page: {current:,.0f} MB now, {peak:,.0f} MB peak")
    return 0


if __name__ == "__main__":
    sys.exit(main())
