"""结果录入 / 后续处理 / 回访 with AppTest on a private copy of the demo store: fill and submit each form
and see the KPI on 时效监督 change accordingly; refusals and rule messages on screen."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.config import PROJECT_ROOT
from dashboard.entry import service
from dashboard.store import close_store, open_store
from tests.browser_util import copy_demo_store, login_as
from tests.test_entry_support import chk_task, make_pending

PAGES = PROJECT_ROOT / "pages"
TODAY = date.today()


@pytest.fixture(scope="module")
def entry_db(demo_store, demo_db_path, tmp_path_factory):
    path = copy_demo_store(demo_store, demo_db_path, tmp_path_factory.mktemp("pentry") / "p.duckdb")
    s = open_store(path)
    make_pending(s, chk_task(s), 3, before=TODAY)  # targets waiting for entry in chk's first task
    yield path
    close_store(path)


@pytest.fixture
def store(entry_db, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DB", str(entry_db))
    return open_store(entry_db)


def _page(store, name: str, username: str = "admin") -> AppTest:
    at = AppTest.from_file(str(PAGES / f"{name}.py"), default_timeout=60)
    login_as(at, username, store)
    return at.run()


def _kpi(store, label: str) -> int:
    at = _page(store, "timeliness")
    assert not at.exception, at.exception
    return int(next(m.value for m in at.metric if m.label == label))


def test_unit_user_records_one_result_and_moves_to_the_next_target(store):
    at = _page(store, "entry", "chk")
    assert not at.exception, at.exception
    task = at.selectbox(key="entry_task").value
    entity = at.selectbox(key="entry_target").value
    assert service.stored_inspection(store, task, entity)["entered_on"] is None
    labels = [m.label for m in at.metric]
    assert "剩余工作日" in labels and any(label.startswith("录入和公示期限") for label in labels)
    at.multiselect(key="entry_methods").set_value(["实地核查"])
    at.multiselect(key="entry_codes").set_value(["1"])
    at.button(key="entry_submit").click().run()
    assert not at.exception, at.exception
    row = service.stored_inspection(store, task, entity)
    assert row["entered_on"] == TODAY and row["result_codes"] == ["1"]
    assert row["methods"] == ["实地核查"] and row["entered_by"] == "chk"
    assert any(f"已保存 {entity} 的检查结果" in s.value for s in at.success)
    assert at.selectbox(key="entry_target").value != entity  # the next target waiting for entry
    audit = store.scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'inspection.update' AND record_key = ?",
        [f"{task}/{entity}"],
    )
    assert audit == 1


def test_rule_violation_is_shown_in_chinese_and_nothing_is_written(store):
    at = _page(store, "entry", "chk")
    task = at.selectbox(key="entry_task").value
    entity = at.selectbox(key="entry_target").value
    assert service.stored_inspection(store, task, entity)["entered_on"] is None
    before = store.scalar("SELECT count(*) FROM audit_log")
    at.multiselect(key="entry_codes").set_value(["1", "B"])
    at.button(key="entry_submit").click().run()
    assert not at.exception, at.exception
    texts = [e.value for e in at.error]
    assert any("不能与发现问题的代码（B）同时选择" in x for x in texts), texts
    # the form carries the follow-up section: an A-class code needs its measure filled in
    assert any("登记后续处理时请选择处置措施" in x for x in texts), texts
    assert service.stored_inspection(store, task, entity)["entered_on"] is None
    assert store.scalar("SELECT count(*) FROM audit_log") == before


def test_entering_an_overdue_result_lowers_entry_overdue_on_the_timeliness_page(store):
    task, entity = store.rows(
        "SELECT i.task_code, i.entity_code FROM inspections AS i JOIN tasks AS t USING (task_code)"
        " WHERE year(t.start_on) = ? AND t.status <> 'voided' AND i.entered_on IS NULL"
        " AND workday_deadline(i.inspected_on, 20) < ? ORDER BY 1, 2 LIMIT 1",
        [TODAY.year, TODAY],
    )[0]
    before = _kpi(store, "超期未录入")
    at = _page(store, "entry", "admin")
    at.selectbox(key="entry_task").set_value(task).run()
    at.selectbox(key="entry_target").set_value(entity).run()
    assert any("已超期" in m.value for m in at.metric)
    at.multiselect(key="entry_codes").set_value(["1"])
    at.button(key="entry_submit").click().run()
    assert not at.exception, at.exception
    assert any("将计为逾期" in w.value for w in at.warning)
    assert service.stored_inspection(store, task, entity)["entered_on"] == TODAY
    assert _kpi(store, "超期未录入") == before - 1


def test_closing_an_overdue_follow_up_lowers_followup_overdue(store):
    task, entity = store.rows(
        "SELECT f.task_code, f.entity_code FROM followups AS f JOIN tasks AS t USING (task_code)"
        " WHERE year(t.start_on) = ? AND f.closed_on IS NULL AND f.due_on < ? ORDER BY 1, 2 LIMIT 1",
        [TODAY.year, TODAY],
    )[0]
    before = _kpi(store, "后续处理逾期未完结")
    at = _page(store, "followup", "admin")
    assert not at.exception, at.exception
    assert int(next(m.value for m in at.metric if m.label == "逾期未完结")) >= 1
    at.selectbox(key="fu_pick").set_value(f"{task}/{entity}").run()
    at.selectbox(key="fu_measure").set_value("3")
    at.date_input(key="fu_closed").set_value(TODAY)
    at.date_input(key="fu_backfilled").set_value(TODAY)
    at.button(key="fu_submit").click().run()
    assert not at.exception, at.exception
    stored = service.stored_followup(store, task, entity)
    assert stored["closed_on"] == TODAY and stored["backfilled_on"] == TODAY
    assert _kpi(store, "后续处理逾期未完结") == before - 1


def test_return_visit_draw_and_outcome_change_the_rate(store):
    at = _page(store, "revisit", "admin")
    assert not at.exception, at.exception
    label = f"{TODAY.year} 年回访率"
    revisited = int(next(m.value for m in at.metric if m.label == "已回访（含导入的回访记录）"))
    at.text_input(key="rv_batch").set_value("HF-APPTEST")
    at.text_input(key="rv_ratio").set_value("1")
    at.button(key="rv_preview").click().run()
    assert not at.exception, at.exception
    at.text_input(key="rv_public").set_value("07 12 33")
    at.button(key="rv_run").click().run()
    assert not at.exception, at.exception
    assert any("已完成回访抽取" in s.value for s in at.success)
    draw_id = at.selectbox(key="rv_draw").value
    targets = service.revisit_targets(store, draw_id)
    this_year = targets[targets["closed_on"].dt.year == TODAY.year]
    pick = f"{this_year.iloc[0].task_code}/{this_year.iloc[0].entity_code}"
    at.selectbox(key="rv_pick").set_value(pick)
    at.radio(key="rv_outcome").set_value("整改到位")
    at.button(key="rv_submit").click().run()
    assert not at.exception, at.exception
    assert (
        int(next(m.value for m in at.metric if m.label == "已回访（含导入的回访记录）"))
        == revisited + 1
    )
    rate = service.revisit_rate(store, TODAY.year)
    assert next(m.value for m in at.metric if m.label == label) == f"{rate['rate']:.1%}"
    task, entity = pick.split("/", 1)
    assert service.stored_followup(store, task, entity)["revisit_result"] == "整改到位"


def test_bulk_upload_dry_run_shows_rule_problems(store):
    task, entity, team, inspected = store.rows(
        "SELECT task_code, entity_code, inspectors, inspected_on FROM inspections"
        " WHERE task_code = ? AND entered_on IS NULL ORDER BY entity_code LIMIT 1",
        [chk_task(store)],
    )[0]
    csv = (
        "task_code,entity_code,inspectors,inspected_on,result_codes,entered_on\n"
        f"{task},{entity},{';'.join(team)},{inspected},1;C,{TODAY}\n"
    ).encode()
    at = _page(store, "entry", "chk")
    at.file_uploader(key="entry_bulk_file").set_value([("inspections.csv", csv, "text/csv")]).run()
    assert not at.exception, at.exception
    assert any("未写入任何数据" in e.value for e in at.error)
    assert not any(b.key == "entry_bulk_confirm" for b in at.button)
    assert service.stored_inspection(store, task, entity)["entered_on"] is None


def test_leader_and_readonly_cannot_enter(store):
    for name in ("leader", "viewer"):
        at = _page(store, "entry", name)
        assert not at.exception, at.exception
        assert any("只能查看" in i.value for i in at.info)
        assert [b.key for b in at.main.button] == []  # no form, only the sidebar's log-out
        # the entry status is shown read-only (issue 12): only the task to look at is chosen
        assert [s.key for s in at.main.selectbox] == ["entry_task"]
        assert not at.get("form") and not at.get("file_uploader")
    at = _page(store, "followup", "leader")  # the leader sees the list but has no form
    assert not at.exception, at.exception
    assert any("只能查看" in i.value for i in at.info)
    assert not any(b.key == "fu_submit" for b in at.main.button)
