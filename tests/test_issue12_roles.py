"""Issue 12 point 7, defaults and roles: a new user starts with the least privilege, 结果录入 opens on the
task with the most pending work, 回填日期 is not pre-filled, leaders see the entry status read-only, and
a unit user's 数据管理 counts only its own units (AppTest on a private copy of the demo store).

The tests make their own follow-up waiting for backfill and their own expired certificates (one
inspector of KCK, one of DHK), so they do not depend on the demo generator's choices.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.auth import get_user
from dashboard.config import PROJECT_ROOT
from dashboard.entry import service, workload
from dashboard.store import close_store, open_store
from tests.browser_util import copy_demo_store, login_as
from tests.test_entry_support import chk_task, make_pending

PAGES = PROJECT_ROOT / "pages"
TODAY = date.today()
OLDER = "RW2026004"  # CHK leads it; older than chk_task (RW2026014), so second in the list


@pytest.fixture(scope="module")
def roles_db(demo_store, demo_db_path, tmp_path_factory):
    path = copy_demo_store(demo_store, demo_db_path, tmp_path_factory.mktemp("proles") / "r.duckdb")
    yield path
    close_store(path)


@pytest.fixture
def store(roles_db, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DB", str(roles_db))
    return open_store(roles_db)


def _backfilled(store, unit: str) -> tuple[str, str, date]:
    """One closed and backfilled follow-up of the unit's own task: (task, entity, closed_on)."""
    return store.rows(
        "SELECT f.task_code, f.entity_code, f.closed_on FROM followups AS f"
        " JOIN tasks AS t USING (task_code)"
        " WHERE f.responsible_unit = ? AND t.lead_unit = ? AND f.closed_on IS NOT NULL"
        " AND f.backfilled_on IS NOT NULL AND f.revisit_on IS NULL"
        " ORDER BY f.task_code DESC, f.entity_code LIMIT 1",
        [unit, unit],
    )[0]


def _unbackfill(store, unit: str) -> tuple[str, str, date]:
    """Clear the backfill date of _backfilled(store, unit) (it waits for its backfill again)."""
    task, entity, closed = _backfilled(store, unit)
    with store.transaction() as cur:
        cur.execute(
            "UPDATE followups SET backfilled_on = NULL WHERE task_code = ? AND entity_code = ?",
            [task, entity],
        )
    return task, entity, closed


def _page(store, name: str, username: str) -> AppTest:
    at = AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=90)
    login_as(at, username, store)
    return at.run()


# -- a new user's role ------------------------------------------------------------------------------


def test_a_new_user_starts_read_only(store):
    at = _page(store, "users", "admin")
    assert not at.exception, at.exception
    assert at.selectbox(key="ua_role").value == "readonly"


# -- the task 结果录入 opens on ---------------------------------------------------------------------


def test_busiest_task_counts_entries_first_then_backfills():
    work = pd.DataFrame(
        [("A", 2, 0), ("B", 2, 3), ("C", 1, 9), ("D", 2, 3)], columns=workload.COLUMNS
    )
    assert workload.busiest_task(work) == "B"  # D ties with B: the first in the list
    none = pd.DataFrame([("A", 0, 0), ("B", 0, 1)], columns=workload.COLUMNS)
    assert workload.busiest_task(none) == "B"
    assert workload.busiest_task(pd.DataFrame(columns=workload.COLUMNS)) is None


def test_pending_work_counts_targets_to_enter_and_followups_to_backfill(store):
    task = _backfilled(store, "CHK")[0]
    before = workload.pending_work(store, [OLDER, task]).set_index("task_code")
    make_pending(store, OLDER, 6, before=TODAY)
    assert _unbackfill(store, "CHK")[0] == task
    after = workload.pending_work(store, [OLDER, task, "NO-SUCH"]).set_index("task_code")
    assert after.loc[OLDER, "to_enter"] - before.loc[OLDER, "to_enter"] == 6
    assert after.loc[task, "to_backfill"] - before.loc[task, "to_backfill"] == 1
    assert after.loc["NO-SUCH"].tolist() == [0, 0]


def test_unit_user_entry_opens_on_the_task_with_most_pending_work(store):
    newest = chk_task(store)
    assert newest != OLDER
    work = workload.pending_work(store, [newest, OLDER]).set_index("task_code")["to_enter"]
    if work[OLDER] <= work[newest]:
        make_pending(store, OLDER, work[newest] - work[OLDER] + 1, before=TODAY)
    at = _page(store, "entry", "chk")
    assert not at.exception, at.exception
    assert service.writable_tasks(store, get_user(store, "chk"))["task_code"].iloc[0] == newest
    assert at.selectbox(key="entry_task").value == OLDER  # not the first task of the list
    target = at.selectbox(key="entry_target").value
    assert service.stored_inspection(store, OLDER, target)["entered_on"] is None


# -- 回填日期 ---------------------------------------------------------------------------------------


def test_backfill_date_is_not_prefilled_and_saving_without_it_says_so(store):
    task, entity, closed = _unbackfill(store, "KCK")
    at = _page(store, "followup", "kck")
    assert not at.exception, at.exception
    at.selectbox(key="fu_pick").set_value(f"{task}/{entity}").run()
    assert not at.exception, at.exception
    assert at.date_input(key="fu_closed").value == closed
    assert at.date_input(key="fu_backfilled").value is None  # was today
    at.button(key="fu_submit").click().run()
    assert not at.exception, at.exception
    shown = [m.value for m in [*at.warning, *at.success, *at.info]]
    assert any("回填日期为空" in m and "仍算待回填" in m for m in shown), shown
    row = service.stored_followup(store, task, entity)
    assert row["closed_on"] == closed and row["backfilled_on"] is None


# -- leaders on 结果录入 ----------------------------------------------------------------------------


def test_leader_sees_the_entry_status_read_only(store):
    at = _page(store, "entry", "leader")
    assert not at.exception, at.exception
    frames = [f.value for f in at.dataframe if isinstance(f.value, pd.DataFrame)]
    overview = next(df for df in frames if "待录入" in df.columns and "任务编码" in df.columns)
    n_tasks = store.scalar(
        "SELECT count(*) FROM tasks WHERE status IN ('drawn', 'in_progress', 'done')"
    )
    assert len(overview) == n_tasks  # every unit's tasks
    codes = overview["任务编码"].tolist()
    work = workload.pending_work(store, codes).set_index("task_code")
    assert overview.set_index("任务编码")["待录入"].to_dict() == work["to_enter"].to_dict()
    chosen = at.selectbox(key="entry_task").value
    assert chosen == workload.busiest_task(work.reset_index())
    targets = next(df for df in frames if "状态" in df.columns and "主体编码" in df.columns)
    assert len(targets) == len(service.task_targets(store, chosen))
    # read-only: no form, no upload, no save or confirm buttons
    assert not at.get("form") and not at.get("file_uploader")
    assert not [b for b in at.button if b.key in ("entry_submit", "entry_bulk_confirm")]
    assert any("只能查看录入情况" in i.value for i in at.info)


def test_readonly_user_sees_only_its_units_tasks_there(store):
    at = _page(store, "entry", "viewer")
    assert not at.exception, at.exception
    frames = [f.value for f in at.dataframe if isinstance(f.value, pd.DataFrame)]
    overview = next(df for df in frames if "待录入" in df.columns and "任务编码" in df.columns)
    own = {
        r[0]
        for r in store.rows(
            "SELECT task_code FROM tasks WHERE status IN ('drawn', 'in_progress', 'done')"
            " AND (lead_unit = 'DHK' OR list_contains(partner_units, 'DHK'))"
        )
    }
    assert set(overview["任务编码"]) == own
    assert not at.get("form")


# -- 数据管理 for a unit user -----------------------------------------------------------------------


def _expire_one_certificate_each(store) -> dict[str, str]:
    """One active inspector of KCK and one of DHK get a certificate expired on 2026-01-01."""
    chosen = {
        unit: store.scalar(
            "SELECT min(inspector_code) FROM inspectors WHERE active AND unit_code = ?", [unit]
        )
        for unit in ("KCK", "DHK")
    }
    with store.transaction() as cur:
        cur.execute(
            "UPDATE inspectors SET cert_valid_until = DATE '2026-01-01'"
            " WHERE list_contains(?, inspector_code)",
            [list(chosen.values())],
        )
    return chosen


def test_unit_user_data_management_counts_only_its_units(store):
    chosen = _expire_one_certificate_each(store)
    at = _page(store, "data_management", "kck")
    assert not at.exception, at.exception
    own_tasks = store.scalar(
        "SELECT count(*) FROM tasks WHERE lead_unit = 'KCK' OR list_contains(partner_units, 'KCK')"
    )
    own_results = store.scalar(
        "SELECT count(*) FROM inspections WHERE task_code IN (SELECT task_code FROM tasks"
        " WHERE lead_unit = 'KCK' OR list_contains(partner_units, 'KCK'))"
    )
    assert own_tasks < store.scalar("SELECT count(*) FROM tasks")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["本单位牵头或配合的抽查任务"] == f"{own_tasks:,}"
    assert metrics["本单位任务的检查结果"] == f"{own_results:,}"
    frames = [f.value for f in at.dataframe if isinstance(f.value, pd.DataFrame)]
    tables = next(df for df in frames if "行数" in df.columns)
    counts = dict(zip(tables["表名"], tables["行数"], strict=True))
    own_inspectors = store.scalar("SELECT count(*) FROM inspectors WHERE unit_code = 'KCK'")
    assert counts["执法人员"] == own_inspectors and counts["单位"] == 1
    details = next(df for df in frames if {"检查项", "编码", "说明"} <= set(df.columns))
    expired = set(details.loc[details["检查项"] == "执法人员执法证已过期", "编码"])
    others = {
        code
        for (code,) in store.rows("SELECT inspector_code FROM inspectors WHERE unit_code <> 'KCK'")
    }
    assert chosen["KCK"] in expired and not expired & others  # not DHK's or any other unit's
    assert not set(details["编码"]) & others
    assert all("导入记录" not in label for label in (t.label for t in at.tabs))


def test_admin_data_management_still_counts_every_unit(store):
    chosen = _expire_one_certificate_each(store)
    at = _page(store, "data_management", "admin")
    assert not at.exception, at.exception
    frames = [f.value for f in at.dataframe if isinstance(f.value, pd.DataFrame)]
    details = next(df for df in frames if {"检查项", "编码", "说明"} <= set(df.columns))
    expired = details.loc[details["检查项"] == "执法人员执法证已过期", "编码"].tolist()
    assert set(chosen.values()) <= set(expired)
