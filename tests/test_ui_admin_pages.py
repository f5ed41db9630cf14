"""AppTests of the admin pages: 用户管理, 系统设置, 审计日志 (on a private copy of the demo store)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from dashboard import auth, config
from dashboard.config import PROJECT_ROOT
from tests.browser_util import login_as


def _page(name, store, username="admin"):
    at = AppTest.from_file(str(PROJECT_ROOT / "pages" / f"{name}.py"), default_timeout=60)
    login_as(at, username, store)
    return at.run()


def test_users_page_lists_and_adds_a_user(app_store):
    at = _page("users", app_store)
    assert not at.exception, at.exception
    listed = at.dataframe[0].value
    assert set(listed["用户名"]) >= {"admin", "leader", "kck", "chk", "viewer"}
    assert "password_hash" not in listed.columns and "role_label" not in listed.columns
    at.text_input(key="ua_username").input("zhang3")
    at.text_input(key="ua_display").input("张三")
    at.selectbox(key="ua_role").select("unit")
    at.multiselect(key="ua_units").select("GBK")
    at.text_input(key="ua_password").input("Zhang@2026a")
    at.button(key="FormSubmitter:user_add-新增").click().run()
    assert not at.exception, at.exception
    user = auth.get_user(app_store, "zhang3")
    assert user is not None and user.unit_codes == ("GBK",) and user.must_change_password
    assert "zhang3" in at.dataframe[0].value["用户名"].tolist()


def test_users_page_refuses_a_bad_username(app_store):
    at = _page("users", app_store)
    at.text_input(key="ua_username").input("坏 名字")
    at.text_input(key="ua_password").input("Zhang@2026a")
    at.button(key="FormSubmitter:user_add-新增").click().run()
    assert any("用户名" in e.value for e in at.error)


def test_settings_page_changes_a_value_and_refuses_nonsense(app_store):
    at = _page("settings", app_store)
    assert not at.exception, at.exception
    at.selectbox(key="setting_key").select("entry_limit_workdays")
    at.text_input(key="setting_value").input("abc")
    at.button(key="FormSubmitter:setting_edit-保存").click().run()
    assert any("结果录入公示时限" in e.value for e in at.error)
    assert config.get_setting(app_store, "entry_limit_workdays") == 20
    at.text_input(key="setting_value").input("18")
    at.button(key="FormSubmitter:setting_edit-保存").click().run()
    assert config.get_setting(app_store, "entry_limit_workdays") == 18
    at.button(key="FormSubmitter:setting_edit-恢复默认值").click().run()
    assert config.get_setting(app_store, "entry_limit_workdays") == 20


def test_audit_page_for_leader_filters_by_action(app_store):
    at = _page("audit", app_store, "leader")
    assert not at.exception, at.exception
    at.selectbox(key="audit_action").select("user.create").run()
    shown = at.dataframe[0].value
    assert len(shown) == app_store.scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'user.create'"
        " AND happened_at >= current_date - INTERVAL 30 DAY"
    )
    assert set(shown["操作"]) == {"新建用户"}


def test_unit_user_cannot_open_settings_or_audit(app_store):
    for name in ("settings", "audit"):
        at = _page(name, app_store, "kck")
        assert "您的角色无权查看本页面，如需使用请联系办公室管理员。" in [e.value for e in at.error]
        assert len(at.dataframe) == 0
