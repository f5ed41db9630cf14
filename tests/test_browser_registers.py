"""工作台账 in headless Chromium: kck adds a training for its own unit and sees it counted; admin sees
every unit. Screenshots go to /tmp/shots."""

from __future__ import annotations

from datetime import date

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


def _count(page) -> int:
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="培训场次").first
    return int(metric.locator('[data-testid="stMetricValue"]').inner_text().replace(",", ""))


def test_kck_adds_a_training_and_sees_it_counted(fresh_demo_copy):
    db = fresh_demo_copy
    with app_page(db, "kck", "Unit@2026") as (server, page):
        main = open_page(page, "工作台账", "执法人员参训率")
        before = _count(page)
        shot(page, "registers_kck")
        main.get_by_text("新增或修改一条记录").first.click()
        form = main.locator('[data-testid="stForm"]').first
        form.get_by_label("培训编码 *").fill("PX-BROWSER-1")
        form.get_by_label("主题 *").fill("“双随机、一公开”工作规范培训")
        day = date.today().replace(day=1)
        for part, text in (("year", f"{day:%Y}"), ("month", f"{day:%m}"), ("day", f"{day:%d}")):
            form.get_by_role("spinbutton", name=f"{part}, 培训日期").click()
            page.keyboard.type(text)
        form.get_by_role("button", name="保存").click()
        wait_for_text(page, "已新增一条记录")
        wait_for_idle(page)
        assert not page.locator('[data-testid="stException"]').count()
        assert _count(page) == before + 1
        shot(page, "registers_kck_saved")
        assert "Traceback" not in server.log(), server.log()[-3000:]
    store = open_store(db)
    try:
        assert store.rows(
            "SELECT unit_code, topic FROM trainings WHERE training_code = 'PX-BROWSER-1'"
        ) == [("KCK", "“双随机、一公开”工作规范培训")]
    finally:
        close_store(db)


def test_admin_sees_every_unit(fresh_demo_copy):
    with app_page(fresh_demo_copy, "admin", "Admin@2026") as (server, page):
        main = open_page(page, "工作台账", "执法人员参训率")
        assert not page.locator('[data-testid="stException"]').count()
        assert main.get_by_text("矿山综合整治专班").count() >= 1  # the unit that trained nobody
        shot(page, "registers_admin")
