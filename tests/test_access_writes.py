"""Write actions per role: results entry, draws and imports are refused for leader/readonly and, for a
unit user, for other units' tasks; the draw ledger a unit user sees holds only its own tasks."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.auth import get_user
from dashboard.config import PROJECT_ROOT
from dashboard.entry import service
from dashboard.entry.rules import InspectionInput
from dashboard.store import close_store, open_store
from tests.browser_util import copy_demo_store, login_as


@pytest.fixture(scope="module")
def wdb(demo_store, demo_db_path, tmp_path_factory):
    path = copy_demo_store(demo_store, demo_db_path, tmp_path_factory.mktemp("w") / "w.duckdb")
    yield path
    close_store(path)


@pytest.fixture
def wstore(wdb, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DB", str(wdb))
    return open_store(wdb)


def _task_of(store, unit, *, other_than):
    """A drawn task led by `unit` that none of `other_than` takes part in."""
    rows = store.rows(
        "SELECT task_code FROM tasks WHERE lead_unit = ? AND status IN ('drawn', 'in_progress', 'done')"
        " AND NOT list_contains(coalesce(partner_units, []), ?) ORDER BY task_code",
        [unit, other_than],
    )
    assert rows, unit
    return rows[0][0]


def _units(store, task_code):
    lead, partners = store.rows(
        "SELECT lead_unit, partner_units FROM tasks WHERE task_code = ?", [task_code]
    )[0]
    return {lead, *(partners or [])}


@pytest.mark.parametrize("username", ["kck", "chk", "viewer", "leader"])
def test_writable_tasks_follow_the_role(wstore, username):
    user = get_user(wstore, username)
    tasks = service.writable_tasks(wstore, user)
    if user.role in ("leader", "readonly"):
        assert tasks.empty
    else:
        assert not tasks.empty
        for code in tasks["task_code"]:
            assert _units(wstore, code) & set(user.unit_codes), code


@pytest.mark.parametrize("username", ["chk", "viewer", "leader"])
def test_entry_refused_on_a_task_the_user_may_not_write(wstore, username):
    task = _task_of(wstore, "KCK", other_than="CHK")
    entity = (
        wstore.scalar(
            "SELECT entity_code FROM draw_selections AS s JOIN draws AS d USING (draw_id)"
            " WHERE d.task_code = ? LIMIT 1",
            [task],
        )
        or "X"
    )
    before = wstore.scalar("SELECT count(*) FROM inspections WHERE task_code = ?", [task])
    inp = InspectionInput(
        task_code=task, entity_code=entity, inspected_on=date(2026, 11, 20), result_codes=("1",)
    )
    with pytest.raises(service.EntryError, match="没有为任务"):
        service.save_inspection(wstore, get_user(wstore, username), inp, today=date(2026, 11, 27))
    assert wstore.scalar("SELECT count(*) FROM inspections WHERE task_code = ?", [task]) == before


def _page(name, store, username):
    at = AppTest.from_file(str(PROJECT_ROOT / "pages" / f"{name}.py"), default_timeout=90)
    login_as(at, username, store)
    return at.run()


@pytest.mark.parametrize("username", ["leader", "kck", "viewer"])
def test_only_the_admin_gets_the_draw_runner_and_the_import(wstore, username):
    at = _page("draw", wstore, username)
    assert not at.exception, at.exception
    assert len(at.tabs) == 1  # only the ledger
    assert not [r for r in at.radio if r.key == "draw_mode"]
    dm = _page("data_management", wstore, username)
    assert not dm.exception, dm.exception
    assert not dm.get("file_uploader")
    exports = [b for b in dm.button if b.key == "export_prepare"]
    # the whole-store export is for roles that may read every unit (admin, leader)
    assert bool(exports) == (username == "leader")


def test_admin_gets_the_draw_runner_and_the_import(wstore):
    at = _page("draw", wstore, "admin")
    assert not at.exception, at.exception
    assert len(at.tabs) == 2 and [r for r in at.radio if r.key == "draw_mode"]
    dm = _page("data_management", wstore, "admin")
    assert dm.get("file_uploader")


def test_draw_ledger_of_a_unit_user_holds_only_its_tasks(wstore):
    from dashboard.auth import scope_for
    from dashboard.draw import service as draws
    from dashboard.draw.ledger import ledger

    planned = [
        r[0]
        for r in wstore.rows(
            "SELECT task_code FROM tasks WHERE status = 'planned' ORDER BY task_code"
        )
    ]
    for task in [t for t in planned if "KCK" in _units(wstore, t)][:1] + [
        t for t in planned if "KCK" not in _units(wstore, t)
    ][:1]:
        draws.run_draw(wstore, task, "777", operator="admin", draw_date="2026-11-27")
    tasks_with_draws = {r[0] for r in wstore.rows("SELECT DISTINCT task_code FROM draws")}
    assert any("KCK" not in _units(wstore, t) for t in tasks_with_draws)
    kck = get_user(wstore, "kck")
    own = {t for t in tasks_with_draws if "KCK" in _units(wstore, t)}
    df = ledger(wstore, scope_for(kck, 2026))
    col = next(c for c in df.columns if str(c) in ("task_code", "任务编码"))
    assert set(df[col]) <= own
    everything = ledger(wstore, scope_for(get_user(wstore, "admin"), 2026))
    assert set(everything[col]) - own  # the admin does see the other unit's draw
