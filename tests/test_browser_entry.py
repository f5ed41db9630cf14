"""结果录入 in headless Chromium: a unit user logs in, records one result, and the store has it.
Starts its own `streamlit run app.py` against a copy of the demo store; screenshots to /tmp/shots."""

from __future__ import annotations

from datetime import date

from dashboard.auth import get_user
from dashboard.entry import service
from dashboard.store import close_store, open_store
from tests.browser_util import (
    BROWSER_MARKS,
    app_page,
    log_in,
    open_page,
    shot,
    wait_for_idle,
    wait_for_text,
)
from tests.test_entry_support import chk_task, make_pending

pytestmark = BROWSER_MARKS


def test_unit_user_records_one_result_in_the_browser(fresh_demo_copy):
    db = fresh_demo_copy
    # what the form opens first for chk: its newest task, the first target waiting for entry
    check = open_store(db)
    task = chk_task(check)
    assert service.writable_tasks(check, get_user(check, "chk"))["task_code"][0] == task
    make_pending(check, task, 2, before=date.today())
    targets = service.task_targets(check, task)
    entity = targets[targets["state"] == "待录入"]["entity_code"].iloc[0]
    close_store(db)

    with app_page(db, "chk", "Unit@2026") as (server, page):
        main = open_page(page, "结果录入", "录入和公示期限")
        shot(page, "entry_form_empty")
        shown = [
            box.input_value() for box in main.locator('[data-testid="stSelectbox"] input').all()
        ] + main.locator('[data-testid="stSelectbox"]').all_inner_texts()
        assert any(entity in text for text in shown), shown  # the target the form opened

        for label, option in (("结果代码", "1 未发现问题"), ("检查方式", "实地核查")):
            box = page.locator('[data-testid="stMultiSelect"]').filter(has_text=label)
            box.locator("input").fill(option)
            page.get_by_role("option", name=option).first.wait_for()
            page.keyboard.press("Enter")
            page.keyboard.press("Escape")
            page.wait_for_timeout(300)
        shot(page, "entry_form_filled")
        page.get_by_role("button", name="保存").click()
        wait_for_text(page, f"已保存 {entity} 的检查结果")
        wait_for_idle(page)
        assert not page.locator('[data-testid="stException"]').count()
        shot(page, "entry_saved")
        sidebar = page.locator('[data-testid="stSidebar"]')
        for title, text, name in (
            ("后续处理", "登记进展", "entry_followup"),
            ("回访", "回访率", "entry_revisit"),
        ):
            open_page(page, title, text)
            assert not page.locator('[data-testid="stException"]').count(), title
            shot(page, name)
        # the office: a return-visit draw previewed on the 回访 page
        page.get_by_role("button", name="退出登录").click()
        page.get_by_role("button", name="退出登录").wait_for(state="detached")
        log_in(page, "admin", "Admin@2026")
        sidebar.get_by_role("link", name="回访", exact=True).click()
        wait_for_text(page, "回访率")
        page.get_by_text("回访抽取（办公室）").click()
        page.get_by_role("button", name="预览名单").click()
        wait_for_text(page, "名录哈希")
        wait_for_idle(page)
        assert not page.locator('[data-testid="stException"]').count()
        shot(page, "entry_revisit_admin")
        assert "Traceback" not in server.log(), server.log()[-3000:]

    store = open_store(db)
    try:
        row = store.rows(
            "SELECT entered_on, result_codes, methods, entered_by FROM inspections"
            " WHERE task_code = ? AND entity_code = ?",
            [task, entity],
        )[0]
        assert row == (date.today(), ["1"], ["实地核查"], "chk")
        assert (
            store.scalar(
                "SELECT count(*) FROM audit_log WHERE actor = 'chk' AND action = 'inspection.update'"
                " AND record_key = ?",
                [f"{task}/{entity}"],
            )
            == 1
        )
    finally:
        close_store(db)
