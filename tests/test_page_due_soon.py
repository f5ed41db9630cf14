"""总览 / 时效监督 / 后续处理 / 工作报告 with AppTest on a private demo copy: the KPI 应后续处理未建记录 and
the 即将到期 lists, with rows placed by hand (the demo itself has none of them as of 2026-11-27).

As of Fri 2026-11-27 (due-soon window [11-27, Fri 12-04]):
- RW2026014 (CHK) / W1 [A, 2] entered 11-11, no follow-up row          -> followup_missing 1
- RW2026016 (ZFD) / W2 inspected Tue 11-03, not entered: deadline = the 20th working day after it,
  11-04..06 (1-3), 11-09..13 (4-8), 16..20 (9-13), 23..27 (14-18), Mon 11-30 (19), Tue 12-01 (20)
                                                                        -> entry due soon, 2 working days left
- RW2026014 (CHK) / W3 [A] with a follow-up due Wed 12-02, open         -> follow-up due soon, 3 left
"""

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
KCK_USER = User("kck", "矿产股", "unit", ("KCK",))
ZH = i18n.catalog("zh_CN")

SETUP = """
INSERT INTO entities (entity_code, name, town, tags) VALUES
    ('W1', '待处理对象甲', '赞皇镇', []), ('W2', '待录入对象乙', '赞皇镇', []), ('W3', '整改对象丙', '赞皇镇', []);
INSERT INTO inspections (task_code, entity_code, inspectors, inspected_on, result_codes, entered_on, published_on)
VALUES
    ('RW2026014', 'W1', ['CH01', 'CH02'], DATE '2026-11-10', ['A', '2'], DATE '2026-11-11', NULL),
    ('RW2026016', 'W2', ['ZF01', 'ZF02'], DATE '2026-11-03', [], NULL, NULL),
    ('RW2026014', 'W3', ['CH01', 'CH02'], DATE '2026-11-10', ['A'], DATE '2026-11-11', NULL);
INSERT INTO followups (task_code, entity_code, measure_code, responsible_unit, due_on) VALUES
    ('RW2026014', 'W3', '3', 'CHK', DATE '2026-12-02');
"""


@pytest.fixture(scope="module")
def placed(demo_copy):
    from dashboard.store import open_store

    store = open_store(demo_copy)
    with store.transaction() as cur:
        cur.execute(SETUP)
    return store


@pytest.fixture
def env(placed, demo_copy, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DB", str(demo_copy))
    return placed


def run_page(name: str, user: User = LEADER) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "pages" / f"{name}.py"), default_timeout=60)
    at.session_state["auth_user"] = user
    at.session_state["scope.year"] = DEMO_T.year
    at.session_state["scope.as_of"] = DEMO_T
    at.session_state["scope.as_of_year"] = DEMO_T.year
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def frames(at: AppTest) -> list[pd.DataFrame]:
    return [f.value for f in at.dataframe if isinstance(f.value, pd.DataFrame)]


def cells(at: AppTest) -> set[str]:
    return {str(v) for df in frames(at) for v in df.to_numpy().ravel()}


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_overview_card_and_due_soon_section(env):
    from dashboard.metrics.kpi import compute_kpis
    from dashboard.scope import Scope

    at = run_page("overview")
    label = ZH["metrics.kpi.followup_missing"]
    assert label == "应后续处理未建记录"
    assert metric(at, label) == "1"
    assert compute_kpis(env.cursor(), Scope(DEMO_T.year, DEMO_T))["followup_missing"].value == 1
    assert "即将到期" in [s.value for s in at.subheader]
    tabs = [tab.label for tab in at.tabs]
    assert "录入即将到期（1）" in tabs and "后续处理即将到期（1）" in tabs
    found = cells(at)
    assert {"W2", "W3"} <= found
    soon = next(df for df in frames(at) if "录入期限" in df.columns)
    assert soon.loc[soon["主体编码"] == "W2", "剩余工作日"].tolist() == [2]
    by_unit = next(df for df in frames(at) if "录入即将到期" in df.columns)
    assert by_unit.set_index("单位编码").loc["ZFD", "录入即将到期"] == 1
    assert by_unit.set_index("单位编码").loc["CHK", "后续处理即将到期"] == 1
    captions = " ".join(c.value for c in at.caption)
    assert "到期范围：2026-11-27（截至日期）至 2026-12-04（其后第 5 个工作日）" in captions


def test_timeliness_lists_entries_due_soon(env):
    at = run_page("timeliness")
    assert ZH["metrics.timeliness.due_soon"] in [tab.label for tab in at.tabs]
    soon = next(df for df in frames(at) if "录入期限" in df.columns and "剩余工作日" in df.columns)
    assert list(soon["主体编码"]) == ["W2"]
    assert str(soon.iloc[0]["录入期限"]) == "2026-12-01"


def test_followup_page_lists_missing_records_and_due_soon(env):
    at = run_page("followup")
    assert metric(at, "应后续处理未建记录") == "1"
    tabs = [tab.label for tab in at.tabs]
    assert "应后续处理未建记录（1）" in tabs and "后续处理即将到期（1）" in tabs
    missing = next(df for df in frames(at) if "结果代码" in df.columns and "录入日期" in df.columns)
    assert list(missing["主体编码"]) == ["W1"]
    row = missing.iloc[0]
    assert row["结果代码"] == "A 发现问题待后续处理；2 违反本部门相关规定"
    assert (row["单位编码"], row["任务编码"], row["检查日期"]) == ("CHK", "RW2026014", "2026-11-10")
    soon = next(df for df in frames(at) if "整改期限" in df.columns and "剩余工作日" in df.columns)
    assert "W3" in set(soon["主体编码"])
    downloads = {b.proto.label for b in at.get("download_button")}
    assert any("CSV" in d or "csv" in d.lower() for d in downloads)
    captions = " ".join(c.value for c in at.caption)
    assert "范围：2026 年度，截至 2026-11-27；全部单位" in captions
    assert "不分年度" in captions  # the work list says its own scope
    # the existing work list is still there
    assert any(m.label == "逾期未完结" for m in at.metric)


def test_unit_user_sees_only_own_units(env):
    at = run_page("followup", KCK_USER)
    assert metric(at, "应后续处理未建记录") == "0"  # W1 is CHK's
    assert "W1" not in cells(at)
    at = run_page("overview", KCK_USER)
    assert metric(at, "应后续处理未建记录") == "0"
    assert not {"W2", "W3"} & cells(at)


def test_report_page_has_the_kpi(env):
    at = run_page("report")
    kpis = next(df for df in frames(at) if "指标" in df.columns and "当前值" in df.columns)
    row = kpis[kpis["指标"] == "应后续处理未建记录"].iloc[0]
    assert str(row["当前值"]) == "1" and row["状态"] == "未达标"
    assert any("应后续处理未建记录1户" in m.value for m in at.markdown)


def test_glossary_defines_the_kpi_and_due_soon(env):
    at = run_page("glossary")
    text = " ".join(m.value for m in at.markdown)
    assert "应后续处理未建记录" in text and "followup_missing" not in text  # no keys (issue 12)
    assert ZH["metrics.def.followup_missing"] in text
    assert "其后第5个工作日之间（含两端）" in text
