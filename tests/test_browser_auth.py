"""Browser test of log-in and log-out (headless Chromium against a real `streamlit run app.py`)."""

from __future__ import annotations

import pytest

from dashboard.store import open_store
from tests.browser_util import (
    CHROMIUM,
    StreamlitServer,
    copy_demo_store,
    launch_chromium,
    log_in,
    shot,
    wait_for_idle,
    wait_for_text,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed"),
]


@pytest.fixture
def browser_db(demo_store, demo_db_path, tmp_path):
    return copy_demo_store(demo_store, demo_db_path, tmp_path / "auth.duckdb")


def test_unit_user_logs_in_and_out(browser_db):
    from playwright.sync_api import sync_playwright

    with StreamlitServer(browser_db) as server, sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
            page.goto(server.url)
            wait_for_text(page, "用户名")
            log_in(page, "kck", "Unit@2026")
            sidebar = page.locator('[data-testid="stSidebar"]')
            text = sidebar.inner_text()
            assert "退出登录" in text
            assert (
                "用户管理" not in text and "系统设置" not in text
            )  # admin-only pages are not offered
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
        finally:
            browser.close()
        assert "Traceback" not in server.log(), server.log()[-3000:]
    store = open_store(browser_db)
    try:
        actions = [
            r[0]
            for r in store.rows("SELECT action FROM audit_log WHERE actor = 'kck' ORDER BY rowid")
        ]
    finally:
        store.close()
    assert any("login" in a for a in actions), actions
