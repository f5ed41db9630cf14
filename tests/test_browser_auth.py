"""Browser test of log-in and log-out (headless Chromium against a real `streamlit run app.py`)."""

from __future__ import annotations

from dashboard.store import open_store
from tests.browser_util import BROWSER_MARKS, app_page, shot, wait_for_idle, wait_for_text

pytestmark = BROWSER_MARKS


def test_unit_user_logs_in_and_out(fresh_demo_copy):
    with app_page(fresh_demo_copy, "kck", "Unit@2026", width=1400) as (server, page):
        sidebar = page.locator('[data-testid="stSidebar"]')
        text = sidebar.inner_text()
        assert "退出登录" in text
        assert "用户管理" not in text and "系统设置" not in text  # admin-only pages are not offered
        shot(page, "auth_kck_logged_in")

        sidebar.get_by_role("button", name="退出登录").click()
        wait_for_text(page, "用户名")
        wait_for_idle(page)
        assert page.get_by_role("button", name="登录").is_visible()
        assert page.get_by_text("退出登录").count() == 0
        # a reload does not bring the session back
        page.reload()
        wait_for_text(page, "用户名")
        wait_for_idle(page)
        assert page.get_by_text("退出登录").count() == 0
        shot(page, "auth_logged_out")
        assert "Traceback" not in server.log(), server.log()[-3000:]
    store = open_store(fresh_demo_copy)
    try:
        actions = [
            r[0]
            for r in store.rows("SELECT action FROM audit_log WHERE actor = 'kck' ORDER BY rowid")
        ]
    finally:
        store.close()
    assert any("login" in a for a in actions), actions
