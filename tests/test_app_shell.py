"""The app shell with AppTest: log-in gate, wrong password, admin on the demo store, roles, expiry."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.config import PROJECT_ROOT
from dashboard.store import close_store, open_store
from dashboard.ui import nav
from tests.browser_util import login_as

APP = str(PROJECT_ROOT / "app.py")


def _texts(elements) -> list[str]:
    return [str(e.value) for e in elements]


def _log_in(at, username, password):
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(password)
    at.button(key="FormSubmitter:login_form-登录").click()
    return at.run()


def test_logged_out_shows_only_the_login_form(app_store):
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert [ti.label for ti in at.text_input] == ["用户名", "密码"]
    assert "双随机监管驾驶舱" in _texts(at.title)
    # no scope controls, no user box, no data tables besides the demo accounts
    assert len(at.sidebar.selectbox) == 0
    assert not any("退出登录" == b.label for b in at.button)
    # demo store: the demo accounts are listed
    demo = at.table[0].value
    assert demo.loc["admin", "密码"] == "Admin@2026"
    assert demo.loc["kck", "角色"] == "单位用户"
    assert len(demo) == 5


def test_wrong_password_is_refused(app_store):
    at = AppTest.from_file(APP, default_timeout=60).run()
    _log_in(at, "admin", "wrong-password-1")
    assert "用户名或密码错误。" in _texts(at.error)
    assert "auth_user" not in at.session_state
    assert [ti.label for ti in at.text_input] == ["用户名", "密码"]


def test_admin_logs_in_and_sees_the_shell(app_store):
    at = AppTest.from_file(APP, default_timeout=60).run()
    _log_in(at, "admin", "Admin@2026")
    assert not at.exception, at.exception
    assert at.session_state["auth_user"].username == "admin"
    sidebar = " ".join(_texts(at.sidebar.markdown))
    assert "演示数据" in sidebar
    assert "办公室管理员" in sidebar
    assert any(b.label == "退出登录" for b in at.sidebar.button)
    # the default page ran (总览 if it exists, else 数据管理)
    default = nav.default_page_key(nav.visible_pages("admin"))
    assert nav.page_spec(default).key in {"overview", "data_management"}
    if default == "data_management":
        assert "数据管理" in _texts(at.title)


def test_log_out_returns_to_login(app_store):
    at = AppTest.from_file(APP, default_timeout=60)
    login_as(at, "admin", app_store)
    at.run()
    at.sidebar.button(key="_logout").click().run()
    assert "auth_user" not in at.session_state
    assert [ti.label for ti in at.text_input] == ["用户名", "密码"]


def test_direct_page_without_login_shows_login_prompt(app_store):
    at = AppTest.from_file(
        str(PROJECT_ROOT / "pages" / "data_management.py"), default_timeout=60
    ).run()
    assert not at.exception
    assert "请先登录：本页面需要登录后才能查看。" in _texts(at.info)
    assert "数据管理" not in _texts(at.title)
    assert [ti.label for ti in at.text_input] == ["用户名", "密码"]
    assert not any(m.label in ("检查对象", "抽查任务") for m in at.metric)


def test_role_is_enforced_on_admin_pages(app_store):
    at = AppTest.from_file(str(PROJECT_ROOT / "pages" / "users.py"), default_timeout=60)
    login_as(at, "kck", app_store)
    at.run()
    assert "您的角色无权查看本页面，如需使用请联系办公室管理员。" in _texts(at.error)
    assert len(at.dataframe) == 0


def test_session_expires_after_inactivity(app_store):
    at = AppTest.from_file(APP, default_timeout=60)
    login_as(at, "admin", app_store)
    at.session_state["auth_last_activity"] = datetime.now() - timedelta(minutes=31)
    at.run()
    assert "auth_user" not in at.session_state
    assert any("30 分钟未操作" in w for w in _texts(at.warning))
    assert [ti.label for ti in at.text_input] == ["用户名", "密码"]


SCOPE_PAGE = """
import streamlit as st
from dashboard.ui import page_setup
scope = page_setup("overview")
st.session_state["test_scope"] = scope
"""


def test_unit_user_scope_lists_only_own_unit(app_store, tmp_path):
    page = PROJECT_ROOT / "pages" / "account.py"
    at = AppTest.from_file(str(page), default_timeout=60)
    login_as(at, "kck", app_store)
    at.run()
    assert not at.exception
    assert len(at.sidebar.selectbox) == 0  # account page: no scope controls
    # a page with scope: the unit box offers only the user's unit
    from dashboard.ui import sidebar

    scope_page = tmp_path / "scope_page.py"
    scope_page.write_text(SCOPE_PAGE, encoding="utf-8")
    at = AppTest.from_file(str(scope_page), default_timeout=60)
    login_as(at, "kck", app_store)
    at.run()
    unit_box = at.sidebar.selectbox(key="_w_" + sidebar.UNIT)
    assert unit_box.options == ["矿产资源管理股"]


def test_navigation_registry_filters_by_role():
    admin_keys = {p.key for p in nav.PAGES if p.allows("admin")}
    unit_keys = {p.key for p in nav.PAGES if p.allows("unit")}
    leader_keys = {p.key for p in nav.PAGES if p.allows("leader")}
    assert {"users", "settings", "audit"} <= admin_keys
    assert not {"users", "settings", "audit"} & unit_keys
    assert "audit" in leader_keys and "users" not in leader_keys
    assert len({p.url_path for p in nav.PAGES} | {nav.LOGIN.url_path}) == len(nav.PAGES) + 1
    assert (
        nav.default_page_key([nav.BY_KEY["data_management"], nav.BY_KEY["users"]])
        == "data_management"
    )
    assert nav.default_page_key([nav.BY_KEY["users"], nav.BY_KEY["overview"]]) == "overview"


def test_scope_from_sidebar_for_unit_user_and_admin(app_store, tmp_path):
    from datetime import date

    scope_page = tmp_path / "scope_page.py"
    scope_page.write_text(SCOPE_PAGE, encoding="utf-8")
    years = sorted(
        {
            r[0]
            for r in app_store.rows(
                "SELECT DISTINCT year(start_on) FROM tasks WHERE start_on IS NOT NULL"
            )
        }
    )
    today = date.today()
    expected_year = today.year if today.year in years else years[-1]

    at = AppTest.from_file(str(scope_page), default_timeout=60)
    login_as(at, "kck", app_store)
    at.run()
    scope = at.session_state["test_scope"]
    assert scope.allowed_units == frozenset({"KCK"})
    assert scope.unit == "KCK" and scope.unit_filter == ["KCK"]
    assert scope.year == expected_year
    assert scope.role == "unit" and scope.username == "kck"

    at = AppTest.from_file(str(scope_page), default_timeout=60)
    login_as(at, "admin", app_store)
    at.run()
    unit_box = at.sidebar.selectbox(key="_w_scope.unit")
    assert unit_box.options[0] == "全部"
    assert len(unit_box.options) == 1 + app_store.scalar("SELECT count(*) FROM units")
    assert at.session_state["test_scope"].allowed_units is None
    assert at.session_state["test_scope"].unit is None
    # choose a unit and a past year: the scope follows, the as-of date moves to Dec 31
    unit_box.select_index(2).run()
    past = [y for y in years if y < expected_year]
    if past:
        at.sidebar.selectbox(key="_w_scope.year").select(past[-1]).run()
        scope = at.session_state["test_scope"]
        assert scope.year == past[-1] and scope.as_of == date(past[-1], 12, 31)
    scope = at.session_state["test_scope"]
    code = app_store.rows("SELECT unit_code FROM units ORDER BY unit_code")[1][0]
    assert scope.unit == code


def test_must_change_password_blocks_pages_until_changed(app_store, tmp_path):
    from dashboard import auth

    auth.create_user(
        app_store,
        "newbie",
        "新同事",
        "unit",
        ["CHK"],
        "Start@2026x",
        actor="admin",
        must_change_password=True,
    )
    at = AppTest.from_file(APP, default_timeout=60).run()
    _log_in(at, "newbie", "Start@2026x")
    assert not at.exception, at.exception
    assert "您的密码由管理员设置或重置，请先修改密码后再使用。" in _texts(at.warning)
    assert len(at.dataframe) == 0 and len(at.metric) == 0

    at.switch_page("pages/account.py").run()
    at.text_input(key="pw_old").input("Start@2026x")
    at.text_input(key="pw_new").input("Better@2026y")
    at.text_input(key="pw_again").input("Better@2026y")
    at.button(key="FormSubmitter:change_password-修改密码").click().run()
    assert not at.exception, at.exception
    assert "密码已修改，下次登录请使用新密码。" in _texts(at.success)
    assert at.session_state["auth_user"].must_change_password is False
    assert auth.authenticate(app_store, "newbie", "Better@2026y").username == "newbie"


def test_first_start_builds_the_demo_store_with_progress(tmp_path, monkeypatch):
    import dashboard.demo

    real_build = dashboard.demo.build_demo_store
    calls = []

    def recording_build(path, **kwargs):
        progress = kwargs.pop("progress")

        def spy(fraction, message):
            calls.append((fraction, message))
            progress(fraction, message)

        return real_build(path, progress=spy, **kwargs)

    monkeypatch.setattr(dashboard.demo, "build_demo_store", recording_build)
    path = tmp_path / "new" / "fresh.duckdb"
    monkeypatch.setenv("DASHBOARD_DB", str(path))
    at = AppTest.from_file(APP, default_timeout=180).run()
    try:
        assert not at.exception, at.exception
        assert path.exists()
        assert not path.with_name("fresh.duckdb.building").exists()
        assert len(calls) >= 3 and calls[-1][0] == pytest.approx(1.0)
        assert open_store(path).is_demo
        assert [ti.label for ti in at.text_input] == ["用户名", "密码"]
    finally:
        close_store(path)


def test_real_store_login_page_hides_demo_accounts(tmp_path, monkeypatch):
    from dashboard import auth

    path = tmp_path / "real.duckdb"
    real = open_store(path)
    try:
        auth.create_user(real, "boss", "局办公室", "admin", [], "Boss@2026x", actor="命令行")
        monkeypatch.setenv("DASHBOARD_DB", str(path))
        at = AppTest.from_file(APP, default_timeout=60).run()
        assert not at.exception
        assert len(at.dataframe) == 0 and len(at.table) == 0
        assert not any("演示" in i.value for i in at.info)
        _log_in(at, "boss", "Boss@2026x")
        assert at.session_state["auth_user"].username == "boss"
        assert not any("演示数据" in m.value for m in at.sidebar.markdown)
    finally:
        close_store(path)


def test_every_registered_page_starts_with_page_setup_of_its_key():
    """DESIGN.md §7: the first statement after the import is `scope = page_setup("<key>", ...)`."""
    import ast

    for spec in nav.PAGES:
        path = PROJECT_ROOT / spec.path
        if not path.exists():
            continue
        body = ast.parse(path.read_text(encoding="utf-8")).body
        statements = [
            s
            for s in body
            if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))  # docstring
            and not (isinstance(s, ast.ImportFrom) and s.module == "__future__")
        ]
        first, second = statements[0], statements[1]
        assert isinstance(first, ast.ImportFrom) and first.module == "dashboard.ui", spec.path
        assert [a.name for a in first.names] == ["page_setup"], spec.path
        assert isinstance(second, ast.Assign) and isinstance(second.value, ast.Call), spec.path
        call = second.value
        assert getattr(call.func, "id", None) == "page_setup", spec.path
        assert call.args and call.args[0].value == spec.key, (spec.path, call.args[0].value)


def test_disabled_account_is_logged_out_and_role_changes_apply(app_store):
    from dashboard import auth

    auth.create_user(app_store, "temp1", "临时", "unit", ["CHK"], "Temp@2026x", actor="admin")
    at = AppTest.from_file(APP, default_timeout=60)
    login_as(at, "temp1", app_store)
    at.run()
    assert at.session_state["auth_user"].unit_codes == ("CHK",)
    auth.update_user(app_store, "temp1", unit_codes=["KCK"], actor="admin")
    at.run()
    assert at.session_state["auth_user"].unit_codes == ("KCK",)
    auth.disable_user(app_store, "temp1", actor="admin")
    at.run()
    assert "auth_user" not in at.session_state
    assert any("已被停用" in w.value for w in at.warning)
    assert [ti.label for ti in at.text_input] == ["用户名", "密码"]


def test_fallback_calendar_year_warns_in_the_sidebar(tmp_path, monkeypatch):
    from dashboard import auth

    path = tmp_path / "future.duckdb"
    s = open_store(path)
    try:
        with s.transaction() as cur:
            cur.execute("INSERT INTO units VALUES ('KCK', '矿产资源管理股', '股室', false)")
            cur.execute(
                "INSERT INTO tasks (task_code, task_name, lead_unit, start_on)"
                " VALUES ('T2030', '远期任务', 'KCK', DATE '2030-03-02')"
            )
        auth.create_user(s, "boss", "局办公室", "admin", [], "Boss@2026x", actor="命令行")
        monkeypatch.setenv("DASHBOARD_DB", str(path))
        page = tmp_path / "scope_page.py"
        page.write_text(SCOPE_PAGE, encoding="utf-8")
        at = AppTest.from_file(str(page), default_timeout=60)
        login_as(at, "boss", s)
        at.run()
        assert not at.exception, at.exception
        years = at.sidebar.selectbox(key="_w_scope.year").options
        assert "2030" in years
        at.sidebar.selectbox(key="_w_scope.year").select(2030).run()
        assert at.session_state["test_scope"].year == 2030
        warned = [w.value for w in at.sidebar.warning]
        assert any("2030 年的工作日和截止日为暂定" in w and "工作日手工补录" in w for w in warned)
    finally:
        close_store(path)


def test_default_as_of():
    from datetime import date

    from dashboard.ui.sidebar import default_as_of

    today = date(2026, 11, 27)
    assert default_as_of(2026, today) == today
    assert default_as_of(2025, today) == date(2025, 12, 31)
    assert default_as_of(2027, today) == date(2027, 1, 1)


@pytest.mark.parametrize(
    "error, words",
    [
        ("InterruptException", "时间上限（60 秒）"),
        ("OutOfMemoryException", "内存上限（当前 1024 MB）"),
    ],
)
def test_a_query_stopped_by_the_store_reads_as_one_chinese_sentence(
    app_store, monkeypatch, error, words
):
    """Issue 17 at 8 M: a page whose query passes the store's time or memory limit shows what to do,
    not Streamlit's English "This app has encountered an error"."""
    import duckdb

    from dashboard.metrics import kpi

    def stopped(*args, **kwargs):
        raise getattr(duckdb, error)("INTERRUPT Error: Query exceeded maximum execution time")

    monkeypatch.setattr(kpi, "compute_kpis", stopped)
    at = AppTest.from_file(APP, default_timeout=60)
    login_as(at, "admin", app_store)
    at.run()
    assert not at.exception, at.exception
    errors = _texts(at.error)
    assert any(words in e and "缩小到一个单位、事项或乡镇" in e for e in errors), errors


def test_any_other_query_error_still_surfaces(app_store, monkeypatch):
    import duckdb

    from dashboard.metrics import kpi

    def broken(*args, **kwargs):
        raise duckdb.BinderException("Binder Error: no such column")

    monkeypatch.setattr(kpi, "compute_kpis", broken)
    at = AppTest.from_file(APP, default_timeout=60)
    login_as(at, "admin", app_store)
    at.run()
    assert at.exception
