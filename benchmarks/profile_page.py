"""cProfile of one page's warm rerun (issue #17): what a widget click spends its time on.

Run: uv run python benchmarks/profile_page.py --db /tmp/large.duckdb --page followup [--top 30]

Runs the page as the office's admin (as bench_pages.py does), twice to warm the caches (not with
`--first`, which profiles a first visit), then once under cProfile, and prints the rerun's wall time and the top functions by cumulative time (and by own time).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AS_OF = date(2026, 11, 27)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--page", required=True, help="page key, e.g. followup, coverage, analysis")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument(
        "--sort", default="cumulative", help="pstats sort key (cumulative, tottime)"
    )
    parser.add_argument(
        "--first",
        action="store_true",
        help="profile the first run of a new process (a first visit)",
    )
    args = parser.parse_args()

    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    from streamlit.testing.v1 import AppTest

    from dashboard.auth import User
    from dashboard.ui.nav import PAGES

    os.environ["DASHBOARD_DB"] = str(args.db)
    spec = next(s for s in PAGES if s.key == args.page)
    at = AppTest.from_file(str(ROOT / spec.path), default_timeout=900)
    at.session_state["auth_user"] = User("admin", "办公室管理员", "admin", ())
    at.session_state["scope.year"] = AS_OF.year
    at.session_state["scope.as_of"] = AS_OF
    at.session_state["scope.as_of_year"] = AS_OF.year
    for _ in range(0 if args.first else 2):
        at.run()
    if at.exception:
        print("EXCEPTION:", at.exception[0].value)
        return 1
    # the script runs on Streamlit's own thread: profile inside ScriptRunner._run_script
    from streamlit.runtime.scriptrunner import script_runner

    prof = cProfile.Profile()
    original = script_runner.ScriptRunner._run_script

    def profiled(self, *a, **k):
        prof.enable()
        try:
            return original(self, *a, **k)
        finally:
            prof.disable()

    script_runner.ScriptRunner._run_script = profiled
    t0 = time.perf_counter()
    at.run()
    run = "first run" if args.first else "rerun"
    print(f"{args.page} {run}: {time.perf_counter() - t0:.3f} s (under cProfile)")
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats(args.sort).print_stats(args.top)
    print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
