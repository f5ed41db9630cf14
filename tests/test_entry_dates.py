"""Issue 12 point 8: an inspection end date before the task's start date or before the date of the
task's current draw is warned about before saving (the 结果录入 form and the bulk preview) and listed
on 基础与质量 (one rule: dashboard.entry.rules.inspection_before_start; one query:
quality_dated_before_inspection.sql with $which = 'started').

Rows added to a private demo copy (as of the demo date 2026-11-27; the demo has no draw record and no
inspection before its task's start):
- TQSTART (KCK lead, start 2026-09-01): draw QS1 on 2026-09-03, superseded by QS2 on 2026-09-10
  - S1 inspected 08-25: before the start and the draw   -> 16 days before 09-10 (the later of the two)
  - S2 inspected 09-05: after the start, before QS2      -> 5 days (QS1's 09-03 no longer counts)
  - S3 inspected 09-10: the draw's own day               -> not listed
- TQNODRAW (DHK lead, start 2026-10-01, no draw record): S4 inspected 09-28 -> 3 days before the start
"""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.auth import User, get_user
from dashboard.config import PROJECT_ROOT
from dashboard.entry import bulk, rules, service
from dashboard.entry.rules import InspectionContext, InspectionInput
from dashboard.metrics import quality
from dashboard.scope import Scope
from dashboard.store import close_store, open_store
from tests.browser_util import copy_demo_store, login_as

DEMO_T = date(2026, 11, 27)
S = Scope(2026, DEMO_T)
TODAY = date.today()

SETUP = """
INSERT INTO entities (entity_code, name, town, tags)
    SELECT 'S' || i, '日期核对对象' || i, '赞皇镇', [] FROM range(1, 5) AS r(i);
INSERT INTO tasks (task_code, task_name, item_codes, lead_unit, partner_units, joint_kind, source,
        uses_risk_grades, start_on, end_on, status)
VALUES
    ('TQSTART', '开始日期核对任务', ['ZR-003'], 'KCK', [], 'none', 'plan', true,
        DATE '2026-09-01', DATE '2026-12-31', 'drawn'),
    ('TQNODRAW', '无抽取记录任务', ['ZR-003'], 'DHK', [], 'none', 'dispatched', false,
        DATE '2026-10-01', DATE '2026-12-31', 'in_progress');
INSERT INTO inspections (task_code, entity_code, inspectors, inspected_on, result_codes, entered_on)
VALUES
    ('TQSTART', 'S1', ['KCK01', 'KCK02'], DATE '2026-08-25', ['1'], DATE '2026-09-12'),
    ('TQSTART', 'S2', ['KCK01', 'KCK02'], DATE '2026-09-05', ['1'], DATE '2026-09-12'),
    ('TQSTART', 'S3', ['KCK01', 'KCK02'], DATE '2026-09-10', ['1'], DATE '2026-09-12'),
    ('TQNODRAW', 'S4', ['DHK01', 'DHK02'], DATE '2026-09-28', ['1'], DATE '2026-10-09');
INSERT INTO draws (draw_id, chain_pos, kind, task_code, draw_date, operator, public_value, pool_hash, seed,
        supersedes, reason, created_at, record_json, previous_hash, record_hash)
VALUES
    ('QS1', 910001, 'task', 'TQSTART', DATE '2026-09-03', 'admin', '1', 'h', 's', NULL, NULL,
        '2026-09-03T09:00:00', '{}', 'p1', 'rs1'),
    ('QS2', 910002, 'task', 'TQSTART', DATE '2026-09-10', 'admin', '2', 'h', 's', 'QS1', '重新抽取',
        '2026-09-10T09:00:00', '{}', 'rs1', 'rs2');
INSERT INTO draw_selections (draw_id, entity_code, stratum, key, inspector_codes) VALUES
    ('QS1', 'S1', 'all', 'k', ['KCK01', 'KCK02']), ('QS1', 'S2', 'all', 'k', ['KCK01', 'KCK02']),
    ('QS2', 'S1', 'all', 'k', ['KCK01', 'KCK02']), ('QS2', 'S2', 'all', 'k', ['KCK01', 'KCK02']),
    ('QS2', 'S3', 'all', 'k', ['KCK01', 'KCK02']);
"""


@pytest.fixture(scope="module")
def dates_db(demo_store, demo_db_path, tmp_path_factory):
    path = copy_demo_store(demo_store, demo_db_path, tmp_path_factory.mktemp("pdates") / "d.duckdb")
    s = open_store(path)
    with s.transaction() as cur:
        cur.execute(SETUP)
    yield path
    close_store(path)


@pytest.fixture
def store(dates_db, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DB", str(dates_db))
    return open_store(dates_db)


# -- the rule ---------------------------------------------------------------------------------------


def test_the_rule_names_each_date_the_inspection_precedes():
    start, drawn = date(2026, 9, 1), date(2026, 9, 10)
    f = rules.inspection_before_start
    assert f(date(2026, 8, 25), start, drawn) == [("任务开始日期", start), ("抽取日期", drawn)]
    assert f(date(2026, 9, 5), start, drawn) == [("抽取日期", drawn)]
    assert f(date(2026, 9, 10), start, drawn) == []  # the draw's own day is fine
    assert f(date(2026, 9, 28), date(2026, 10, 1), None) == [("任务开始日期", date(2026, 10, 1))]
    assert f(None, start, drawn) == []
    [issue] = rules.check_inspection_start(date(2026, 8, 25), start, drawn)
    assert issue.severity == rules.WARNING and issue.field == "inspected_on"
    assert issue.message.startswith(
        "检查结束日期（2026-08-25）早于任务开始日期（2026-09-01）和抽取日期（2026-09-10）"
    )


def test_check_inspection_warns_and_an_import_keeps_it_a_warning():
    inp = InspectionInput("T", "E", date(2026, 8, 25), ("1",), ("A1", "A2"), date(2026, 9, 12))
    ctx = InspectionContext(
        task_status="drawn", task_start_on=date(2026, 9, 1), draw_date=date(2026, 9, 3)
    )
    for record in (False, True):
        found = rules.check_inspection(inp, ctx, date(2026, 11, 27), record=record)
        assert [(i.field, i.severity) for i in found] == [("inspected_on", rules.WARNING)]
    assert rules.check_inspection(inp, InspectionContext(task_status="drawn"), DEMO_T) == []


def test_the_batch_context_carries_the_start_and_the_current_draw_date(store):
    ctx = service.inspection_context(store, "TQSTART", "S2")
    assert (ctx.task_start_on, ctx.draw_date) == (date(2026, 9, 1), date(2026, 9, 10))
    ctx = service.inspection_context(store, "TQNODRAW", "S4")
    assert (ctx.task_start_on, ctx.draw_date) == (date(2026, 10, 1), None)


# -- the list on 基础与质量 ------------------------------------------------------------------------------


def test_the_list_of_inspections_before_their_task(store):
    cur = store.cursor()
    df = quality.inspected_before_start(cur, S)
    assert list(df.columns) == [
        "单位", "任务编码", "名称", "检查日期", "任务开始日期", "抽取日期", "提前天数", "主体编码",
        "单位编码", "录入日期", "任务名称", "检查人员",
    ]  # fmt: skip
    rows = list(zip(df["任务编码"], df["主体编码"], df["提前天数"], strict=True))
    assert rows == [("TQNODRAW", "S4", 3), ("TQSTART", "S1", 16), ("TQSTART", "S2", 5)]
    assert df.loc[df["主体编码"] == "S4", "抽取日期"].iloc[0] is None
    # the same scope rules as the other lists: the unit filter follows the task, the as-of date
    kck = quality.inspected_before_start(cur, S.with_(unit="KCK"))
    assert list(kck["主体编码"]) == ["S1", "S2"]
    assert quality.inspected_before_start(cur, S.with_(allowed_units=frozenset({"DHK"})))[
        "主体编码"
    ].tolist() == ["S4"]
    assert quality.inspected_before_start(cur, Scope(2026, date(2026, 9, 4)))[
        "主体编码"
    ].tolist() == ["S1"]  # by 09-04 only S1 has happened (S2 on 09-05)
    # the other two lists of the same query are unchanged by it
    assert "任务开始日期" not in quality.entered_before_inspection(cur, S).columns
    assert "inspected_before_start" in quality.rule_breaches(cur, S)


def _quality_page(store, user: User) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "pages" / "quality.py"), default_timeout=60)
    at.session_state["auth_user"] = user
    at.session_state["scope.year"] = DEMO_T.year
    at.session_state["scope.as_of"] = DEMO_T
    at.session_state["scope.as_of_year"] = DEMO_T.year
    return at.run()


def test_quality_page_counts_and_lists_them(store):
    at = _quality_page(store, User("leader", "领导", "leader", ()))
    assert not at.exception, [e.value for e in at.exception]
    values = {m.label: m.value for m in at.metric}
    assert values["检查早于开始或抽取"] == "3"
    frames = [f.value for f in at.dataframe if isinstance(f.value, pd.DataFrame)]
    listed = next(
        df for df in frames if {"任务开始日期", "抽取日期", "主体编码"} <= set(df.columns)
    )
    assert sorted(listed["主体编码"]) == ["S1", "S2", "S4"]
    # a unit user sees its own units' share only
    at = _quality_page(store, User("kck", "kck", "unit", ("KCK",)))
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["检查早于开始或抽取"] == "2"


# -- warned before saving ---------------------------------------------------------------------------


def _entry(store, username: str) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "pages" / "entry.py"), default_timeout=60)
    login_as(at, username, store)
    return at.run()


def test_the_form_warns_before_saving_and_saves_on_the_second_click(store):
    with store.transaction() as cur:  # S3 waits for entry again
        cur.execute(
            "UPDATE inspections SET entered_on = NULL, result_codes = []"
            " WHERE task_code = 'TQSTART' AND entity_code = 'S3'"
        )
    at = _entry(store, "kck")
    at.selectbox(key="entry_task").set_value("TQSTART").run()
    at.selectbox(key="entry_target").set_value("S3").run()
    assert not at.exception, at.exception
    at.date_input(key="entry_inspected_on").set_value(date(2026, 9, 8))
    at.multiselect(key="entry_codes").set_value(["1"])
    at.button(key="entry_submit").click().run()
    assert not at.exception, at.exception
    warned = [w.value for w in at.warning]
    assert any(
        "检查结束日期（2026-09-08）早于抽取日期（2026-09-10）" in w and "再点一次" in w
        for w in warned
    ), warned
    assert service.stored_inspection(store, "TQSTART", "S3")["entered_on"] is None  # not saved
    at.button(key="entry_submit").click().run()  # the official confirms the date
    assert not at.exception, at.exception
    row = service.stored_inspection(store, "TQSTART", "S3")
    assert row["inspected_on"] == date(2026, 9, 8) and row["entered_on"] == TODAY


def test_the_bulk_preview_warns_before_the_confirmation(store):
    sheet = pd.DataFrame(
        [
            {
                "task_code": "TQNODRAW",
                "entity_code": "S4",
                "inspectors": "DHK01;DHK02",
                "inspected_on": "2026-09-25",
                "result_codes": "1",
                "entered_on": "2026-10-09",
            }
        ]
    )
    data = sheet.to_csv(index=False).encode()
    prev = bulk.preview(store, get_user(store, "admin"), [("inspections.csv", data)], today=TODAY)
    assert prev.ok
    assert [(p.row, p.column) for p in prev.date_warnings] == [(2, "inspected_on")]
    assert "早于任务开始日期（2026-10-01）" in prev.date_warnings[0].message
    at = _entry(store, "admin")
    at.selectbox(key="entry_task").set_value("TQNODRAW").run()
    uploader = next(u for u in at.get("file_uploader") if u.key == "entry_bulk_file")
    uploader.set_value(("inspections.csv", io.BytesIO(data).getvalue(), "text/csv")).run()
    assert not at.exception, at.exception
    assert any("有 1 条结果的检查结束日期早于任务开始日期或抽取日期" in w.value for w in at.warning)
    assert any(b.key == "entry_bulk_confirm" for b in at.button)  # a warning, not a refusal
