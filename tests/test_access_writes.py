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
from tests.browser_util import login_as


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
def test_writable_tasks_follow_the_role(app_store, username):
    user = get_user(app_store, username)
    tasks = service.writable_tasks(app_store, user)
    if user.role in ("leader", "readonly"):
        assert tasks.empty
    else:
        assert not tasks.empty
        for code in tasks["task_code"]:
            assert _units(app_store, code) & set(user.unit_codes), code


@pytest.mark.parametrize("username", ["chk", "viewer", "leader"])
def test_entry_refused_on_a_task_the_user_may_not_write(app_store, username):
    task = _task_of(app_store, "KCK", other_than="CHK")
    entity = (
        app_store.scalar(
            "SELECT entity_code FROM draw_selections AS s JOIN draws AS d USING (draw_id)"
            " WHERE d.task_code = ? LIMIT 1",
            [task],
        )
        or "X"
    )
    before = app_store.scalar("SELECT count(*) FROM inspections WHERE task_code = ?", [task])
    inp = InspectionInput(
        task_code=task, entity_code=entity, inspected_on=date(2026, 11, 20), result_codes=("1",)
    )
    with pytest.raises(service.EntryError, match="没有为任务"):
        service.save_inspection(
            app_store, get_user(app_store, username), inp, today=date(2026, 11, 27)
        )
    assert (
        app_store.scalar("SELECT count(*) FROM inspections WHERE task_code = ?", [task]) == before
    )


def _page(name, store, username):
    at = AppTest.from_file(str(PROJECT_ROOT / "pages" / f"{name}.py"), default_timeout=90)
    login_as(at, username, store)
    return at.run()


@pytest.mark.parametrize("username", ["leader", "kck", "viewer"])
def test_only_the_admin_gets_the_draw_runner_and_the_import(app_store, username):
    at = _page("draw", app_store, username)
    assert not at.exception, at.exception
    assert len(at.tabs) == 1  # only the ledger
    assert not [r for r in at.radio if r.key == "draw_mode"]
    dm = _page("data_management", app_store, username)
    assert not dm.exception, dm.exception
    assert not dm.get("file_uploader")
    exports = [b for b in dm.button if b.key == "export_prepare"]
    # the whole-store export is for roles that may read every unit (admin, leader)
    assert bool(exports) == (username == "leader")


def test_admin_gets_the_draw_runner_and_the_import(app_store):
    at = _page("draw", app_store, "admin")
    assert not at.exception, at.exception
    assert len(at.tabs) == 2 and [r for r in at.radio if r.key == "draw_mode"]
    dm = _page("data_management", app_store, "admin")
    assert dm.get("file_uploader")


def test_draw_ledger_of_a_unit_user_holds_only_its_tasks(app_store):
    from dashboard.auth import scope_for
    from dashboard.draw import service as draws
    from dashboard.draw.ledger import ledger

    planned = [
        r[0]
        for r in app_store.rows(
            "SELECT task_code FROM tasks WHERE status = 'planned' ORDER BY task_code"
        )
    ]
    for task in [t for t in planned if "KCK" in _units(app_store, t)][:1] + [
        t for t in planned if "KCK" not in _units(app_store, t)
    ][:1]:
        draws.run_draw(app_store, task, "777", operator="admin", draw_date="2026-11-27")
    tasks_with_draws = {r[0] for r in app_store.rows("SELECT DISTINCT task_code FROM draws")}
    assert any("KCK" not in _units(app_store, t) for t in tasks_with_draws)
    kck = get_user(app_store, "kck")
    own = {t for t in tasks_with_draws if "KCK" in _units(app_store, t)}
    df = ledger(app_store, scope_for(kck, 2026))
    col = next(c for c in df.columns if str(c) in ("task_code", "任务编码"))
    assert set(df[col]) <= own
    everything = ledger(app_store, scope_for(get_user(app_store, "admin"), 2026))
    assert set(everything[col]) - own  # the admin does see the other unit's draw
