"""随机抽取 in headless Chromium: the administrator previews the planned task, enters the public value,
draws and confirms; the store has the draw. Own `streamlit run app.py` on a copy of the demo store;
screenshots to /tmp/shots."""

from __future__ import annotations

from dashboard import draw
from dashboard.store import close_store, open_store
from tests.browser_util import (
    BROWSER_MARKS,
    app_page,
    open_page,
    shot,
    wait_for_idle,
    wait_for_text,
)

pytestmark = BROWSER_MARKS

TASK = "RW2026017"


def test_admin_draws_and_confirms_in_the_browser(fresh_demo_copy):
    db = fresh_demo_copy
    check = open_store(db)
    pool_hash = draw.preview(check, TASK).pool_hash
    close_store(db)

    with app_page(db, "admin", "Admin@2026") as (_server, page):
        main = open_page(page, "随机抽取", "第二步：名录预览")
        assert pool_hash in main.inner_text()
        shot(page, "draw_preview")
        main.get_by_role("textbox", name="公开随机值", exact=True).first.fill("2026112701")
        main.get_by_text("我已核对名录哈希与公开随机值，确认进行抽取").click()
        main.get_by_role("button", name="抽取", exact=True).click()
        wait_for_text(page, "抽取完成，抽取编号")
        wait_for_idle(page)
        assert not page.locator('[data-testid="stException"]').count()
        shot(page, "draw_done")
        main.get_by_role("button", name="确认名单").first.click()
        wait_for_text(page, "名单已由 admin")
        wait_for_idle(page)
        shot(page, "draw_confirmed")
        main.get_by_role("tab", name="抽取台账与证书").click()
        wait_for_idle(page)
        shot(page, "draw_ledger")
        form = main.locator('[data-testid="stForm"]').filter(has_text="重新抽取原因")
        form.get_by_role("textbox", name="公开随机值", exact=True).fill("2026112702")
        form.get_by_role("textbox", name="重新抽取原因（必填）").fill("见证人未到场")
        form.get_by_role("button", name="重新抽取").click()
        wait_for_text(page, "已重新抽取，新的抽取编号 DR-000002")
        wait_for_idle(page)
        main.get_by_role("button", name="校验全部抽取").click()
        wait_for_text(page, "通过：重新计算的结果与台账一致。")
        wait_for_idle(page)
        page.get_by_text("重新抽取", exact=True).first.scroll_into_view_if_needed()
        shot(page, "draw_redrawn")
        assert not page.locator('[data-testid="stException"]').count()

    store = open_store(db)
    try:
        rows = store.rows(
            "SELECT d.public_value, c.confirmed_by FROM draws AS d"
            " JOIN draw_confirmations AS c USING (draw_id) WHERE d.task_code = ?",
            [TASK],
        )
        assert rows == [("2026112701", "admin")]
        assert store.rows("SELECT draw_id, reason FROM draws WHERE supersedes = 'DR-000001'") == [
            ("DR-000002", "见证人未到场")
        ]
        assert store.scalar("SELECT status FROM tasks WHERE task_code = ?", [TASK]) == "drawn"
    finally:
        close_store(db)
