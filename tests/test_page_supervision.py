"""AppTest runs of 风险预警 / 计划执行 / 单位排名 / 基础与质量 / 工作报告 on the demo store."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.auth import User
from dashboard.config import PROJECT_ROOT

DEMO_T = date(2026, 11, 27)
LEADER = User("leader", "领导", "leader", ())
KCK_USER = User("kck", "矿产股", "unit", ("KCK",))


@pytest.fixture
def demo_env(demo_store, demo_db_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DB", str(demo_db_path))
    from dashboard.demo.planted import load_planted

    return load_planted(demo_store)


def run_page(name: str, user: User = LEADER, year: int = DEMO_T.year) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "pages" / f"{name}.py"), default_timeout=60)
    at.session_state["auth_user"] = user
    at.session_state["scope.year"] = year
    at.session_state["scope.as_of"] = DEMO_T
    at.session_state["scope.as_of_year"] = year
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def frames(at: AppTest) -> list[pd.DataFrame]:
    return [f.value for f in at.dataframe if isinstance(f.value, pd.DataFrame)]


def cells(at: AppTest) -> set[str]:
    out: set[str] = set()
    for df in frames(at):
        out.update(str(v) for v in df.to_numpy().ravel())
    return out


def test_risk_page_lists_planted_entities_and_history(demo_env):
    at = run_page("risk")
    found = cells(at)
    for code in demo_env["high_risk_uninspected"]:
        assert code in found
    assert at.selectbox(key="risk_pick").value is not None
    assert len(at.get("plotly_chart")) == 2  # counts and the score history
    at.checkbox(key="risk_only_open").check().run()
    assert not at.exception
    listed = next(df for df in frames(at) if "已在任务中" in df.columns)
    assert set(listed["已在任务中"]) == {"否"}


def test_plans_page_shows_planted_problems(demo_env):
    at = run_page("plans")
    found = cells(at)
    assert set(demo_env["tasks_past_end_without_results"]) <= found
    assert "JH2026-ZR-012" in found and "JH2026-ZR-007" in found  # adjustments not republished
    at2 = run_page("plans", year=2025)
    assert set(demo_env["voided_plans"]) <= cells(at2)


def test_plans_page_tab_widgets_filter_their_table(demo_env):
    at = run_page("plans")
    assert [tab.label for tab in at.tabs] == [
        "按单位",
        "按月份",
        "计划调整",
        "作废计划",
        "作废任务",
        "超期无结果任务",
    ]
    adjust = next(df for df in frames(at) if "已重新公开" in df.columns)
    assert set(adjust["已重新公开"]) == {"是", "否"}
    assert at.get("download_button")  # every table has its CSV/XLSX downloads
    at.checkbox(key="plans_only_pending").check().run()
    assert not at.exception
    adjust = next(df for df in frames(at) if "已重新公开" in df.columns)
    assert set(adjust["已重新公开"]) == {"否"}


def test_ranking_page_recomputes_with_weights(demo_env):
    at = run_page("ranking")
    board = next(df for df in frames(at) if "总分" in df.columns)
    assert board["排名"].iloc[0] == 1
    from dashboard.metrics.scorecard import INDICATORS

    for key in INDICATORS:  # every weight but the risk-graded share's, the registers' too
        if key != "risk_graded_share":
            at.number_input(key=f"rank_w_{key}").set_value(0.0)
    at.run()
    assert not at.exception
    board = next(df for df in frames(at) if "总分" in df.columns)
    # only the risk-graded share counts now: a unit's score is that share × 100
    expected = (board["信用分类运用占比"] * 100).round(2)
    assert list(board["总分"]) == pytest.approx(list(expected))


def test_quality_page_flags_planted_inspector(demo_env):
    at = run_page("quality")
    found = cells(at)
    assert demo_env["inspector_low_findings"]["inspector_code"] in found
    for code in demo_env["entity_codes"]["untagged"]:
        assert code in found
    rates = next(df for df in frames(at) if "p值" in df.columns)
    assert demo_env["inspector_low_findings"]["inspector_code"] in set(rates["人员编码"])
    assert not any("条数" in df.columns for df in frames(at))  # none at the default of 5
    at.number_input(key="q_bulk_min").set_value(2).run()  # the tab's own input filters its table
    assert not at.exception
    bulk = next(df for df in frames(at) if "条数" in df.columns)
    assert len(bulk) and (bulk["条数"] >= 2).all()


def test_report_page_generates_files(demo_env):
    at = run_page("report", user=KCK_USER)
    units = next(df for df in frames(at) if "计划完成率" in df.columns)
    assert set(units["单位编码"]) == {"KCK"}
    at.button(key="report_generate").click().run()
    assert not at.exception
    files = at.session_state["report_files"]
    assert files["docx"][:2] == b"PK" and files["xlsx"][:2] == b"PK"
