"""AppTest runs of the 总览 / 覆盖率 / 联合抽查 / 时效监督 / 指标说明 pages on the demo store."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.auth import User
from dashboard.config import PROJECT_ROOT
from dashboard.ui import i18n

DEMO_T = date(2026, 11, 27)
LEADER = User("leader", "领导", "leader", ())


@pytest.fixture
def demo_env(demo_store, demo_db_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DB", str(demo_db_path))
    from dashboard.demo.planted import load_planted

    return load_planted(demo_store)


def run_page(name: str, user: User = LEADER, **state) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "pages" / f"{name}.py"), default_timeout=60)
    at.session_state["auth_user"] = user
    at.session_state["scope.year"] = DEMO_T.year
    at.session_state["scope.as_of"] = DEMO_T
    at.session_state["scope.as_of_year"] = DEMO_T.year
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def all_cells(at: AppTest) -> set[str]:
    cells: set[str] = set()
    for frame in at.dataframe:
        df = frame.value
        if isinstance(df, pd.DataFrame):
            cells.update(str(v) for v in df.to_numpy().ravel())
    return cells


def test_overview_shows_all_kpis_and_urgent_items(demo_env):
    at = run_page("overview")
    labels = {m.label for m in at.metric}
    zh = i18n.catalog("zh_CN")
    for key in ("coverage", "entry_overdue", "high_risk_uninspected", "problem_rate"):
        assert zh[f"metrics.kpi.{key}"] in labels
    values = {m.label: m.value for m in at.metric}
    exp = demo_env["by_year"][str(DEMO_T.year)]
    assert values[zh["metrics.kpi.entry_overdue"]] == str(len(exp["entry_overdue"]))
    # the five most urgent items are planted overdue pairs or follow-ups
    cells = all_cells(at)
    overdue_entities = {e for _, e in exp["entry_overdue"] + exp["followup_overdue"]}
    overdue_entities |= {e for _, e in exp["publish_overdue"] + exp["backfill_missing"]}
    assert cells & overdue_entities


def test_timeliness_lists_planted_problems(demo_env):
    at = run_page("timeliness")
    exp = demo_env["by_year"][str(DEMO_T.year)]
    cells = all_cells(at)
    for key in ("late_entries", "entry_overdue", "followup_overdue", "backfill_late"):
        for _task, entity in exp[key]:
            assert entity in cells, (key, entity)


def test_coverage_page_lists_high_risk_and_below_coverage_unit(demo_env):
    at = run_page("coverage")
    cells = all_cells(at)
    for entity in demo_env["high_risk_uninspected"]:
        assert entity in cells
    assert any("土地储备中心" in c for c in cells)  # TCZX, the planted unit below 5 %


def test_joint_page_lists_non_joint_tasks(demo_env):
    at = run_page("joint")
    cells = all_cells(at)
    exp = demo_env["by_year"][str(DEMO_T.year)]
    for task in exp["non_joint_tasks"] + exp["non_risk_graded_tasks"]:
        assert task in cells


def test_unit_user_sees_only_own_units(demo_env):
    at = run_page("timeliness", User("kck", "矿产资源管理股", "unit", ("KCK",)))
    frames = [f.value for f in at.dataframe if "单位编码" in getattr(f.value, "columns", [])]
    by_unit = [df for df in frames if "按时录入率" in df.columns]
    assert by_unit and set(by_unit[0]["单位编码"]) == {"KCK"}


def test_glossary_lists_every_definition(demo_env):
    at = run_page("glossary")
    text = " ".join(m.value for m in at.markdown)
    zh = i18n.catalog("zh_CN")
    assert "20个工作日" in text
    for key in ("coverage", "backfill_late", "high_risk_uninspected"):
        assert zh[f"metrics.kpi.{key}"] in text


def test_catalog_matches_the_metric_module():
    from dashboard.metrics.kpi import EXPLANATIONS_ZH, KPI_KEYS, LABELS_ZH

    zh = i18n.catalog("zh_CN")
    en = i18n.catalog("en")
    for key in KPI_KEYS:
        assert zh[f"metrics.kpi.{key}"] == LABELS_ZH[key]
        assert zh[f"metrics.def.{key}"] == EXPLANATIONS_ZH[key]
        assert f"metrics.def.{key}" in en
