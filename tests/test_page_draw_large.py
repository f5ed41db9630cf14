"""The 随机抽取 page under AppTest on a store above 20,000 entities (issue 17).

Pools of 20,000 and more take the draw's numba fast path. numba does ``import coverage``; with the
page's folder on sys.path (as AppTest and a server started on a page file put it) that used to find
``pages/coverage.py`` and run the 覆盖率 page inside numba's import. The page runs in a child process
so numba is imported there for the first time, whatever this test process has imported already.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from dashboard.config import PROJECT_ROOT
from dashboard.draw.engine import FAST_POOL_MIN
from dashboard.store import close_store, open_store
from tests.browser_util import copy_demo_store

TASK = "RW2026017"  # the demo's one planned task
EXTRA = 25_000

CHILD = textwrap.dedent(
    """
    import json, os, sys
    sys.path.insert(0, {root!r})
    from streamlit.testing.v1 import AppTest
    from dashboard.store import open_store
    from tests.browser_util import login_as

    store = open_store(os.environ["DASHBOARD_DB"])
    at = AppTest.from_file({page!r}, default_timeout=300)
    login_as(at, "admin", store)
    at.run()
    print(json.dumps({{
        "exceptions": [str(e.value) for e in at.exception],
        "numba": "numba" in sys.modules,
        "coverage_page_imported": any(
            str(getattr(m, "__file__", "") or "").endswith("pages/coverage.py")
            for m in list(sys.modules.values())
        ),
        "metrics": {{m.label: m.value for m in at.metric}},
    }}))
    """
)


def test_draw_page_runs_on_a_pool_above_the_fast_path_threshold(demo_store, demo_db_path, tmp_path):
    path = copy_demo_store(demo_store, demo_db_path, tmp_path / "draw_large.duckdb")
    store = open_store(path)
    item = store.scalar("SELECT item_codes[1] FROM tasks WHERE task_code = ?", [TASK])
    with store.transaction() as cur:
        cur.execute(
            "INSERT INTO entities (entity_code, name, tags, status, registered_on)"
            " SELECT '91130129X' || lpad(i::VARCHAR, 9, '0'), '基准企业' || i::VARCHAR, [?],"
            " '存续', DATE '2015-01-01' FROM range(?) AS r(i)",
            [item, EXTRA],
        )
    assert store.scalar("SELECT count(*) FROM entities") > FAST_POOL_MIN
    close_store(path)  # the child process opens the file

    code = CHILD.format(root=str(PROJECT_ROOT), page=str(PROJECT_ROOT / "pages" / "draw.py"))
    env = {**__import__("os").environ, "DASHBOARD_DB": str(path)}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["exceptions"] == []
    assert result["numba"]  # the fast path really ran in the child
    assert not result["coverage_page_imported"]
    pool = [v for label, v in result["metrics"].items() if "名录" in label or "对象" in label]
    assert pool and max(int(str(v).replace(",", "")) for v in pool) > FAST_POOL_MIN, result
