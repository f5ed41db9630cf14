"""随机抽取 page with AppTest on a private copy of the demo store: preview, draw, confirm, ledger,
redraw (reason required), unit users without the draw button, publication list without grades."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import draw
from dashboard.auth import get_user
from dashboard.config import PROJECT_ROOT
from dashboard.domain import workdays
from dashboard.draw import review, tasks
from dashboard.store.calendar import load_overrides
from tests.browser_util import login_as

PAGE = str(PROJECT_ROOT / "pages" / "draw.py")
TASK = "RW2026017"  # the demo's one planned task (TCZX with GHK, plan JH2026-ZR-012)


def _page(store, username: str = "admin") -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    login_as(at, username, store)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _click(at: AppTest, label: str) -> AppTest:
    button = next(b for b in at.button if b.label == label)
    button.click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(elements) -> list[str]:
    return [e.value for e in elements]


def test_admin_previews_draws_confirms_and_sees_the_ledger(app_store):
    assert app_store.scalar("SELECT status FROM tasks WHERE task_code = ?", [TASK]) == "planned"
    at = _page(app_store)
    assert at.selectbox(key="draw_task").value == TASK
    prev = draw.preview(app_store, TASK, date.today())
    # the pool hash is shown before any public value is entered
    assert prev.pool_hash in _texts(at.code)
    strata = next(f.value for f in at.dataframe if "名录数 N" in f.value.columns)
    assert list(strata["分层"]) == [s["stratum"] for s in prev.strata]
    assert list(strata["抽取数 n"]) == [s["size"] for s in prev.strata]
    # drawing without the confirmation tick is refused, nothing is written
    at.text_input(key="draw_public_value").input("  2026112701  ")
    _click(at, "抽取")
    assert "请先勾选确认后再抽取。" in _texts(at.error)
    assert app_store.scalar("SELECT count(*) FROM draws WHERE task_code = ?", [TASK]) == 0
    at.checkbox(key="draw_agree").check()
    _click(at, "抽取")
    row = app_store.df("SELECT * FROM draws WHERE task_code = ?", [TASK])
    assert len(row) == 1
    draw_id = row["draw_id"][0]
    assert row["public_value"][0] == "2026112701"  # trimmed
    assert row["operator"][0] == get_user(app_store, "admin").display_name
    assert app_store.scalar("SELECT status FROM tasks WHERE task_code = ?", [TASK]) == "drawn"
    assert any(draw_id in s for s in _texts(at.success))
    targets = next(f.value for f in at.dataframe if "检查组" in f.value.columns)
    selected = app_store.df(
        "SELECT entity_code FROM draw_selections WHERE draw_id = ? ORDER BY entity_code", [draw_id]
    )
    assert sorted(targets["主体编码"]) == list(selected["entity_code"])
    assert len(targets) == prev.total_size
    assert prev.pool_hash in _texts(at.code)
    deadline = workdays.deadline(date.today(), 2, load_overrides(app_store))
    assert any(m.value == deadline.isoformat() for m in at.metric), [
        (m.label, m.value) for m in at.metric
    ]
    # the task is drawn now: it left the list of tasks waiting for a draw
    assert TASK not in list(tasks.planned_tasks(app_store)["task_code"])
    # confirm (the review of the fresh draw is shown twice: under step 4 and in the ledger tab)
    next(b for b in at.button if b.key == "draw_new_confirm").click().run()
    assert not at.exception
    conf = app_store.rows(
        "SELECT confirmed_by FROM draw_confirmations WHERE draw_id = ?", [draw_id]
    )
    assert conf == [("admin",)]
    ledger = next(f.value for f in at.dataframe if "抽取编号" in f.value.columns)
    assert ledger.loc[ledger["抽取编号"] == draw_id, "状态"].tolist() == ["已确认"]
    assert "2026112701" not in ledger.columns  # sanity: headers are Chinese
    # a second draw of the drawn task (double click) is refused by the engine, in Chinese
    with pytest.raises(draw.DrawError, match="该任务已抽取"):
        draw.run_draw(app_store, TASK, "x", operator="admin")


def test_publication_list_has_no_grades(app_store):
    draw_id = app_store.scalar("SELECT max(draw_id) FROM draws WHERE task_code = ?", [TASK])
    assert draw_id, "runs after the draw test"
    pub = draw.publication_list(app_store, draw_id)
    assert not pub.empty
    for col in pub.columns:
        assert not any(w in col for w in ("等级", "分层", "风险", "key", "stratum", "grade"))
    grades = {"A", "B", "C", "D", "U"}
    for col in pub.columns:
        assert not set(pub[col].astype(str)) & grades, col
    assert len(pub) == app_store.scalar(
        "SELECT count(*) FROM draw_selections WHERE draw_id = ?", [draw_id]
    )


def test_redraw_needs_a_reason_then_supersedes(app_store):
    at = _page(app_store)
    draw_id = app_store.scalar(
        "SELECT max(draw_id) FROM draws AS d WHERE task_code = ?"
        " AND NOT EXISTS (SELECT 1 FROM draws s WHERE s.supersedes = d.draw_id)",
        [TASK],
    )
    at.selectbox(key="draw_view_pick").set_value(draw_id).run()
    at.text_input(key="draw_re_value").input("777")
    _click(at, "重新抽取")
    assert "重新抽取必须说明原因，请填写原因后再试。" in _texts(at.error)
    assert app_store.scalar("SELECT count(*) FROM draws WHERE supersedes = ?", [draw_id]) == 0
    at.text_area(key="draw_re_reason").input("公开随机值来源当日未公布")
    _click(at, "重新抽取")
    new = app_store.rows("SELECT draw_id, reason FROM draws WHERE supersedes = ?", [draw_id])
    assert len(new) == 1 and new[0][1] == "公开随机值来源当日未公布"
    ledger = next(f.value for f in at.dataframe if "抽取编号" in f.value.columns)
    assert ledger.loc[ledger["抽取编号"] == draw_id, "状态"].tolist() == ["已被取代"]
    assert ledger.loc[ledger["抽取编号"] == new[0][0], "取代"].tolist() == [draw_id]
    assert at.selectbox(key="draw_view_pick").value == new[0][0]
    warnings = " ".join(_texts(at.warning))
    assert "土地储备中心（1 次）" in warnings
    # verification of all draws passes
    _click(at, "校验全部抽取")
    assert "通过：重新计算的结果与台账一致。" in _texts(at.success)
    # 总览 warns about the redraw; 单位排名 shows it in its 重新抽取次数 column
    overview = AppTest.from_file(str(PROJECT_ROOT / "pages" / "overview.py"), default_timeout=60)
    login_as(overview, "admin", app_store)
    overview.run()
    assert not overview.exception
    assert any("重新抽取提示：土地储备中心（1 次）" in w for w in _texts(overview.warning))
    ranking = AppTest.from_file(str(PROJECT_ROOT / "pages" / "ranking.py"), default_timeout=60)
    login_as(ranking, "admin", app_store)
    ranking.run()
    assert not ranking.exception
    board = next(f.value for f in ranking.dataframe if "重新抽取次数" in f.value.columns)
    assert board.loc[board["单位编码"] == "TCZX", "重新抽取次数"].tolist() == [1]


def test_unit_users_see_their_units_draws_but_no_draw_button(app_store):
    from dashboard.auth import create_user

    at = _page(app_store, "kck")
    labels = [b.label for b in at.button]
    assert "抽取" not in labels and "确认名单" not in labels and "重新抽取" not in labels
    # kck (KCK) is not a unit of the TCZX/GHK task: the ledger is empty for it
    assert not [f for f in at.dataframe if "抽取编号" in f.value.columns]
    assert "新建抽取" not in [tab.label for tab in at.tabs]
    create_user(app_store, "tczx", "储备中心用户", "unit", ["TCZX"], "Unit@2026", actor="admin")
    at = _page(app_store, "tczx")
    labels = [b.label for b in at.button]
    assert "抽取" not in labels and "重新抽取" not in labels and "确认名单" not in labels
    ledger = next(f.value for f in at.dataframe if "抽取编号" in f.value.columns)
    assert set(ledger["任务编码"]) == {TASK}
    assert "公示名单" in " ".join(m.value for m in at.markdown)


def test_adhoc_task_is_created_with_audit(app_store):
    code = tasks.create_adhoc_task(
        app_store,
        name="信访线索临时检查",
        item_codes=["ZR-012"],
        lead_unit="ZFD",
        partner_units=["SJJ"],
        start_on=date(2026, 12, 1),
        end_on=date(2026, 12, 20),
        actor="admin",
    )
    assert code == "LS2026001"
    row = app_store.rows(
        "SELECT source, status, joint_kind, partner_units FROM tasks WHERE task_code = ?", [code]
    )
    assert row == [("adhoc", "planned", "cross", ["SJJ"])]
    assert (
        app_store.scalar(
            "SELECT count(*) FROM audit_log WHERE action = 'task_create' AND record_key = ?", [code]
        )
        == 1
    )
    with pytest.raises(draw.DrawError, match="名称"):
        tasks.create_adhoc_task(
            app_store, name=" ", item_codes=["ZR-012"], lead_unit="ZFD", actor="a"
        )
    # an ad-hoc task needs ratios at the draw; a per-grade text is accepted
    prev = draw.preview(app_store, code, date.today(), review.ratio_args("0.05 D=30%"))
    assert prev.ready and prev.ratio_source == "operator"
    assert {s["stratum"]: s["ratio"] for s in prev.strata}.get("D") in (None, "0.3")
    assert isinstance(review.strata_frame(prev.strata), pd.DataFrame)


def test_adhoc_task_on_the_page_needs_ratios_then_draws(app_store):
    at = _page(app_store)
    at.radio(key="draw_mode").set_value("新建临时任务").run()
    at.text_input(key="draw_adhoc_name").input("举报线索核查")
    at.multiselect(key="draw_adhoc_items").set_value(["ZR-012"])
    at.selectbox(key="draw_adhoc_lead").set_value("ZFD")
    _click(at, "创建临时任务")
    code = at.selectbox(key="draw_task").value
    assert code.startswith("LS2026") and any(code in s for s in _texts(at.success))
    assert app_store.scalar("SELECT source FROM tasks WHERE task_code = ?", [code]) == "adhoc"
    # no ratio yet: every stratum is listed as missing, the draw is refused in Chinese
    assert any("还没有抽查比例" in w for w in _texts(at.warning))
    at.text_input(key="draw_public_value").input("42")
    at.checkbox(key="draw_agree").check()
    _click(at, "抽取")
    assert any("没有抽查比例" in e for e in _texts(at.error))
    assert app_store.scalar("SELECT count(*) FROM draws WHERE task_code = ?", [code]) == 0
    at.text_input(key=f"draw_ratio_{code}").input("1%").run()
    prev = draw.preview(app_store, code, date.today(), ["0.01"])
    strata = next(f.value for f in at.dataframe if "名录数 N" in f.value.columns)
    assert list(strata["比例 r"]) == ["0.01"] * len(prev.strata)
    assert list(strata["抽取数 n"]) == [s["size"] for s in prev.strata]
    at.text_input(key="draw_witnesses").input("张三，李四")
    _click(at, "抽取")
    row = app_store.rows("SELECT witnesses, public_value FROM draws WHERE task_code = ?", [code])
    assert row == [("张三；李四", "42")]
    assert (
        app_store.scalar(
            "SELECT count(*) FROM draw_selections d JOIN draws USING (draw_id) WHERE task_code = ?",
            [code],
        )
        == prev.total_size
    )


def test_pool_changed_after_the_operator_saw_it_refuses_the_draw(fresh_demo_copy, monkeypatch):
    """The hash on screen when 抽取 was clicked is the one the draw must have: a registry change
    between that render and the click shows the new preview and refuses, nothing is written."""
    from dashboard.store import close_store, open_store

    monkeypatch.setenv("DASHBOARD_DB", str(fresh_demo_copy))
    try:
        _changed_pool_flow(open_store(fresh_demo_copy))
    finally:
        close_store(fresh_demo_copy)


def _changed_pool_flow(app_store) -> None:
    at = _page(app_store)
    shown = draw.preview(app_store, TASK, date.today()).pool_hash
    assert shown in _texts(at.code)
    item = app_store.scalar("SELECT item_codes[1] FROM tasks WHERE task_code = ?", [TASK])
    with app_store.transaction() as cur:
        cur.execute(
            "INSERT INTO entities (entity_code, name, tags, status) VALUES ('91130129TEST00001X',"
            " '新登记企业', [?], '存续')",
            [item],
        )
        app_store.audit(
            cur, "admin", "import", table_name="entities", record_key="91130129TEST00001X"
        )
    at.text_input(key="draw_public_value").input("2026112701")
    at.checkbox(key="draw_agree").check()
    _click(at, "抽取")
    assert any("名录已发生变化" in e for e in _texts(at.error)), _texts(at.error)
    assert app_store.scalar("SELECT count(*) FROM draws WHERE task_code = ?", [TASK]) == 0
    fresh = draw.preview(app_store, TASK, date.today()).pool_hash
    assert fresh != shown and fresh in _texts(at.code)
    # the operator has now seen the new hash: the next click draws it
    _click(at, "抽取")
    assert app_store.scalar("SELECT pool_hash FROM draws WHERE task_code = ?", [TASK]) == fresh
