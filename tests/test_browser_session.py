"""Browser tests of the log-in that survives a reload and a new tab (issue 12 point 2): a signed,
expiring token in a cookie, revoked at 退出登录 in any tab; the 查看范围 choices in the URL."""

from __future__ import annotations

from datetime import datetime, timedelta

from dashboard.store import close_store, open_store
from tests.browser_util import (
    BROWSER_MARKS,
    log_in,
    served_browser,
    wait_for_idle,
    wait_for_text,
)

pytestmark = BROWSER_MARKS

COOKIE = "sjs_session"


def _logged_in(page) -> bool:
    return page.locator('[data-testid="stSidebar"]').get_by_text("退出登录").count() > 0


def _goto(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector('[data-testid="stApp"]', timeout=90_000)
    wait_for_idle(page)
    page.wait_for_timeout(500)
    wait_for_idle(page)


def _cookie(context) -> dict | None:
    return next((c for c in context.cookies() if c["name"] == COOKIE), None)


def _wait_for_cookie(context, page, timeout_s: float = 10) -> dict:
    for _ in range(int(timeout_s * 4)):
        found = _cookie(context)
        if found and found["value"]:
            return found
        page.wait_for_timeout(250)
    raise AssertionError(f"no session cookie: {context.cookies()}")


def test_reload_new_tab_logout_in_one_tab(fresh_demo_copy):
    with served_browser(fresh_demo_copy) as (server, browser):
        context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
        page = context.new_page()
        _goto(page, server.url)
        log_in(page, "kck", "Unit@2026")
        _wait_for_cookie(context, page)

        # a scope choice goes into the URL …
        page.locator('[data-testid="stSidebar"]').get_by_text("截至日期").first.wait_for()
        _goto(page, f"{server.url}/coverage?year=2026&asof=2026-10-31")
        assert _logged_in(page), "a typed URL (new page load) lost the log-in"
        assert "2026-10-31" in page.locator('[data-testid="stSidebar"]').inner_text() or (
            page.locator('[data-testid="stSidebar"] input[value="2026-10-31"]').count() == 1
        )
        assert "asof=2026-10-31" in page.url

        # F5 keeps the log-in and the scope
        page.reload()
        page.wait_for_selector('[data-testid="stApp"]')
        wait_for_idle(page)
        wait_for_text(page, "退出登录")
        assert page.locator('[data-testid="stSidebar"] input[value="2026-10-31"]').count() == 1

        # a new tab of the same browser is logged in too
        other = context.new_page()
        _goto(other, f"{server.url}/overview")
        wait_for_text(other, "退出登录")

        # 退出登录 in one tab ends the other at its next step
        page.locator('[data-testid="stSidebar"]').get_by_role("button", name="退出登录").click()
        wait_for_text(page, "用户名")
        wait_for_idle(page)
        other.bring_to_front()
        other.locator('[data-testid="stSidebar"]').get_by_role("link", name="覆盖率").click()
        wait_for_text(other, "用户名")
        wait_for_idle(other)
        assert not _logged_in(other)
        # and a reload after the log-out does not bring it back
        _goto(page, server.url)
        assert not _logged_in(page)
        assert "Traceback" not in server.log(), server.log()[-3000:]


def test_copied_token_after_expiry_and_after_password_change(fresh_demo_copy):
    with served_browser(fresh_demo_copy) as (server, browser):
        context = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
        page = context.new_page()
        _goto(page, server.url)
        log_in(page, "kck", "Unit@2026")
        token = _wait_for_cookie(context, page)
        context.close()

        # the same token in another browser works while it holds …
        def fresh_with(cookie):
            ctx = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
            ctx.add_cookies([{"name": COOKIE, "value": cookie["value"], "url": server.url + "/"}])
            p = ctx.new_page()
            _goto(p, server.url)
            return ctx, p

        ctx, p = fresh_with(token)
        wait_for_text(p, "退出登录")
        ctx.close()

    # … and not once it has expired: the server judges its row, so the copy is refused. (The running
    # app holds the store, so the row is aged between two servers.)
    store = open_store(fresh_demo_copy)
    try:
        with store.transaction() as cur:
            cur.execute(
                "UPDATE login_sessions SET expires_at = ? WHERE revoked_at IS NULL",
                [datetime.now() - timedelta(minutes=1)],
            )
    finally:
        close_store(fresh_demo_copy)
    with served_browser(fresh_demo_copy) as (server, browser):
        ctx = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
        ctx.add_cookies([{"name": COOKIE, "value": token["value"], "url": server.url + "/"}])
        p = ctx.new_page()
        _goto(p, server.url)
        wait_for_text(p, "用户名")
        assert not _logged_in(p)
        assert "登录已超过保持时长" in p.inner_text("body")
        ctx.close()


def test_unknown_url_and_phone_log_in(fresh_demo_copy):
    """Point 10: an unknown or bookmarked address lands on the log-in form with a Chinese note, never
    Streamlit's English "Page not found"; at 390 px the sidebar does not cover the form."""
    with served_browser(fresh_demo_copy) as (server, browser):
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
        page = context.new_page()
        seen: list[str] = []
        _goto(page, f"{server.url}/no-such-page")
        wait_for_text(page, "用户名")
        for _ in range(8):  # nothing English flashes while it loads
            seen.append(page.inner_text("body"))
            page.wait_for_timeout(150)
        assert not any("Page not found" in s or "does not seem to exist" in s for s in seen)
        assert "没有对应的页面" in page.inner_text("body")
        box = page.get_by_label("用户名").bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390
        centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        on_top = page.evaluate(
            "([x, y]) => document.elementFromPoint(x, y)?.tagName", [centre[0], centre[1]]
        )
        assert on_top == "INPUT", on_top  # the sidebar is not over the form
        page.get_by_label("用户名").fill("kck")
        page.get_by_label("密码").fill("Unit@2026")
        page.get_by_role("button", name="登录").click()
        _wait_for_cookie(context, page, timeout_s=60)
        wait_for_text(page, "考核指标")  # 总览, with the sidebar folded away on a phone
        sidebar = page.locator('[data-testid="stSidebar"]')
        assert sidebar.get_attribute("aria-expanded") != "true"

        # logged in: a bookmarked page opens that page; an unknown one the start page with the note
        _goto(page, f"{server.url}/timeliness")
        wait_for_text(page, "逾期录入")
        assert page.url.split("?")[0].endswith("/timeliness")
        _goto(page, f"{server.url}/old-bookmark")
        wait_for_text(page, "没有对应的页面")
        assert "Page not found" not in page.inner_text("body")
        assert "Traceback" not in server.log(), server.log()[-3000:]
