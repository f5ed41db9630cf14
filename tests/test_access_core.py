"""Access control outside the pages: SQL console views, lock-out, session expiry, no clear passwords,
a fresh `dashboard init` store without accounts, and 公示名单 without risk grades."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import auth
from dashboard.analysis.console import SqlConsole
from dashboard.auth import DEMO_ACCOUNTS, AuthError, get_user, scope_for
from dashboard.config import PROJECT_ROOT
from dashboard.store import close_store, open_store
from tests.browser_util import login_as


def _own_tasks(store, units):
    return {
        r[0]
        for r in store.rows(
            "SELECT task_code FROM tasks WHERE list_contains(?, lead_unit)"
            " OR len(list_intersect(coalesce(partner_units, []), ?)) > 0",
            [list(units), list(units)],
        )
    }


@pytest.mark.parametrize(
    "username,units", [("kck", ("KCK",)), ("chk", ("CHK",)), ("viewer", ("DHK",))]
)
def test_sql_console_views_hold_only_own_unit_rows(demo_store, username, units):
    own = _own_tasks(demo_store, units)
    all_tasks = {r[0] for r in demo_store.rows("SELECT task_code FROM tasks")}
    console = SqlConsole.for_scope(demo_store, scope_for(get_user(demo_store, username), 2026))
    try:
        views = console.schema()
        names = sorted(set(views.iloc[:, 0]))
        with_tasks = sorted(set(views[views.iloc[:, 1] == "task_code"].iloc[:, 0]))
        assert "v_inspections" in with_tasks and "v_tasks" in with_tasks
        total = 0
        for view in with_tasks:
            df = console.run(f"SELECT DISTINCT task_code FROM {view}").df
            seen = set(df["task_code"].dropna())
            assert seen <= own, (view, sorted(seen - own)[:5])
            total += len(seen)
        admin = SqlConsole.for_scope(demo_store, scope_for(get_user(demo_store, "admin"), 2026))
        try:
            everything = set(admin.run("SELECT DISTINCT task_code FROM v_tasks").df["task_code"])
        finally:
            admin.close()
        assert everything - own  # the admin sees more, so the unit filter did something
        assert everything <= all_tasks
        # the base tables (other units' rows, users, audit) are not reachable from the console
        for table in ("tasks", "inspections", "users", "audit_log", "main.tasks"):
            with pytest.raises(Exception):  # noqa: B017 - ConsoleError or a DuckDB catalog error
                console.run(f"SELECT * FROM {table}")
        assert names
    finally:
        console.close()


def test_five_wrong_passwords_lock_the_account(app_store):
    t0 = datetime(2026, 11, 27, 9, 0)
    for i in range(5):
        with pytest.raises(AuthError):
            auth.authenticate(app_store, "chk", f"wrong{i}", now=t0 + timedelta(seconds=i))
    with pytest.raises(AuthError) as err:
        auth.authenticate(app_store, "chk", "Unit@2026", now=t0 + timedelta(minutes=1))
    assert "锁定" in str(err.value)
    # after the lock-out period (15 minutes by default) the right password works again
    user = auth.authenticate(app_store, "chk", "Unit@2026", now=t0 + timedelta(minutes=17))
    assert user.unit_codes == ("CHK",)


def test_four_wrong_passwords_do_not_lock(app_store):
    t0 = datetime(2026, 11, 27, 10, 0)
    for i in range(4):
        with pytest.raises(AuthError):
            auth.authenticate(app_store, "viewer", "nope", now=t0 + timedelta(seconds=i))
    assert (
        auth.authenticate(app_store, "viewer", "Read@2026", now=t0 + timedelta(seconds=5)).role
        == "readonly"
    )


def test_session_expiry_returns_to_login(app_store):
    assert auth.session_expired(datetime(2026, 1, 1, 9, 0), datetime(2026, 1, 1, 9, 31), 30)
    assert not auth.session_expired(datetime(2026, 1, 1, 9, 0), datetime(2026, 1, 1, 9, 29), 30)
    from dashboard.ui.session import ACTIVITY_KEY, USER_KEY

    at = AppTest.from_file(str(PROJECT_ROOT / "pages" / "timeliness.py"), default_timeout=60)
    login_as(at, "kck", app_store)
    at.session_state[ACTIVITY_KEY] = datetime.now() - timedelta(minutes=31)
    at.run()
    assert not at.exception, at.exception
    assert len(at.dataframe) == 0
    assert USER_KEY not in at.session_state or at.session_state[USER_KEY] is None
    texts = " ".join(e.value for e in [*at.info, *at.warning, *at.error])
    assert "登录" in texts
    # a fresh activity stamp shows the page
    at2 = AppTest.from_file(str(PROJECT_ROOT / "pages" / "timeliness.py"), default_timeout=60)
    login_as(at2, "kck", app_store)
    at2.run()
    assert len(at2.dataframe) > 0


def test_passwords_never_stored_or_logged_in_clear(app_store, demo_copy):
    new_pw = "Kck#Secret2026x"
    with pytest.raises(AuthError):
        auth.authenticate(app_store, "kck", "Typo@Pass2026")
    auth.authenticate(app_store, "kck", "Unit@2026")
    auth.change_password(app_store, "kck", "Unit@2026", new_pw)
    auth.reset_password(app_store, "leader", "Reset#Leader2026", actor="admin")
    hashes = dict(app_store.rows("SELECT username, password_hash FROM users"))
    assert hashes and all(h.startswith("$argon2id$") for h in hashes.values())
    secrets = [a["password"] for a in DEMO_ACCOUNTS] + [new_pw, "Typo@Pass2026", "Reset#Leader2026"]
    audit_text = " ".join(
        str(v) for row in app_store.rows("SELECT * FROM audit_log") for v in row if v is not None
    )
    assert "kck" in audit_text  # the audit log does record these events
    for secret in secrets:
        assert secret not in audit_text, secret
    app_store.rows("CHECKPOINT")
    raw = demo_copy.read_bytes()
    for secret in secrets:
        assert secret.encode() not in raw, secret
    assert b"$argon2id$" in raw  # the hashes are there, so the byte check looks at the real file


def test_init_store_has_no_accounts_and_login_shows_no_demo(tmp_path, monkeypatch):
    from dashboard.cli import main

    db = tmp_path / "real.duckdb"
    assert main(["init", "--db", str(db)]) == 0
    s = open_store(db)
    try:
        assert s.scalar("SELECT count(*) FROM users") == 0
        assert not s.is_demo
    finally:
        close_store(db)
    monkeypatch.setenv("DASHBOARD_DB", str(db))
    at = AppTest.from_file(str(PROJECT_ROOT / "pages" / "login.py"), default_timeout=60).run()
    assert not at.exception, at.exception
    shown = " ".join(
        [e.value for e in [*at.info, *at.markdown, *at.caption]]
        + [str(f.value.to_dict()) for f in [*at.dataframe, *at.table]]
    )
    assert "演示" not in shown
    for a in DEMO_ACCOUNTS:
        assert a["password"] not in shown


def test_login_page_lists_demo_accounts_on_demo_store(app_store):
    at = AppTest.from_file(str(PROJECT_ROOT / "pages" / "login.py"), default_timeout=60).run()
    assert not at.exception, at.exception
    shown = " ".join(
        [e.value for e in [*at.info, *at.markdown, *at.caption]]
        + [str(f.value.to_dict()) for f in [*at.dataframe, *at.table]]
    )
    assert "演示" in shown and "kck" in shown


def test_publication_list_has_no_grades_or_scores(app_store):
    from dashboard.draw import service
    from dashboard.draw.ledger import publication_list

    task = app_store.rows(
        "SELECT task_code FROM tasks WHERE status = 'planned' AND uses_risk_grades ORDER BY task_code LIMIT 1"
    ) or app_store.rows(
        "SELECT task_code FROM tasks WHERE status = 'planned' ORDER BY task_code LIMIT 1"
    )
    assert task, "the demo store has a planned task to draw"
    rec = service.run_draw(
        app_store, task[0][0], "20261127", operator="admin", draw_date="2026-11-27"
    )
    df = publication_list(app_store, rec["draw_id"])
    assert len(df) > 0
    for col in df.columns:
        name = str(col)
        assert not any(w in name for w in ("等级", "风险", "分值", "评分", "指数", "分层")), name
        assert (
            "grade" not in name.lower()
            and "score" not in name.lower()
            and "stratum" not in name.lower()
        )
    # the draw's selections do carry strata internally, the list just leaves them out
    assert app_store.scalar(
        "SELECT count(*) FROM draw_selections WHERE draw_id = ?", [rec["draw_id"]]
    ) == len(df)
