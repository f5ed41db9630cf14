"""The real app in headless Chromium: title, log-in, every page without exceptions, direct URLs safe.

Each test starts its own `streamlit run app.py` on a free port against a copy of the demo store.
Screenshots go to /tmp/shots (never into the repository).
"""

from __future__ import annotations

import pytest

from dashboard.ui import nav
from dashboard.ui.i18n import translate
from tests.browser_util import (
    BROWSER_MARKS,
    app_page,
    log_in,
    served_browser,
    shot,
    wait_for_idle,
    wait_for_text,
)

pytestmark = BROWSER_MARKS


@pytest.fixture(scope="module")
def playwright():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


def _exceptions(page) -> list[str]:
    return page.locator('[data-testid="stException"]').all_inner_texts()


def test_login_and_every_page_renders_without_exception(fresh_demo_copy, playwright):
    with app_page(fresh_demo_copy, height=1400, playwright=playwright) as (server, page):
        wait_for_text(page, "用户名")
        assert page.title() == "双随机监管驾驶舱"
        wait_for_text(page, "Admin@2026")  # the demo accounts (demo store only)
        shot(page, "shell_login")

        # wrong password: one Chinese sentence, still on the log-in page
        page.get_by_label("用户名").fill("admin")
        page.get_by_label("密码").fill("not-the-password")
        page.get_by_role("button", name="登录").click()
        wait_for_text(page, "用户名或密码错误。")

        log_in(page, "admin", "Admin@2026")
        sidebar = page.locator('[data-testid="stSidebar"]')
        assert "演示数据" in sidebar.inner_text()
        assert not _exceptions(page), _exceptions(page)
        shot(page, "shell_home_admin")

        problems = {}
        visible = nav.visible_pages("admin")
        for spec in visible:
            title = translate(spec.title_key, "zh_CN")
            sidebar.get_by_role("link", name=title, exact=True).click()
            expected = f"/{spec.url_path}"  # every page keeps its own address (issue 12)
            page.wait_for_function(
                "p => window.location.pathname.endsWith(p)", arg=expected, timeout=30_000
            )
            wait_for_idle(page)
            found = _exceptions(page)
            if found:
                problems[spec.key] = found[0][:300]
            shot(page, f"page_{spec.key}")
        assert not problems, problems
        assert "Traceback" not in server.log(), server.log()[-3000:]


def test_direct_page_urls_on_a_fresh_server_need_log_in(fresh_demo_copy, playwright):
    """Every registered page URL, opened without log-in, shows the log-in form and no data."""
    pages = [p for p in nav.PAGES if p.exists()]
    # the riskiest first: the very first request of a fresh server runs a pages/ file without app.py
    pages.sort(key=lambda p: p.key != "data_management")
    with served_browser(fresh_demo_copy, playwright) as (server, browser):
        try:
            for i, spec in enumerate(pages):
                context = browser.new_context(
                    viewport={"width": 1280, "height": 800}, locale="zh-CN"
                )
                page = context.new_page()
                page.goto(f"{server.url}/{spec.url_path}")
                wait_for_text(page, "用户名")
                wait_for_idle(page)
                body = page.locator('[data-testid="stMain"]').inner_text()
                assert "密码" in body
                assert not _exceptions(page), (spec.key, _exceptions(page))
                assert page.locator('[data-testid="stMetric"]').count() == 0, spec.key
                assert "退出登录" not in page.inner_text("body"), spec.key
                assert "Traceback" not in body
                # only the log-in page: no navigation menu listing the other pages
                nav_links = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
                assert not nav_links, (spec.key, nav_links)
                if i == 0:
                    shot(page, f"direct_{spec.key}")
                page.close()
        finally:
            context.close()
        assert "Traceback" not in server.log(), server.log()[-3000:]
