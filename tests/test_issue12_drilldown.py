"""Drill-down (issue 12 point 6): 查看明细 on a KPI card of 总览 opens the KPI's page on the list behind
that number (?list=<id>), under the same scope; the list's rows add up to the card's number."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.auth import get_user
from dashboard.config import PROJECT_ROOT
from dashboard.metrics.kpi import KPI_KEYS, KPI_PAGES, compute_kpis
from dashboard.scope import Scope
from dashboard.ui.kpi_view import KPI_LISTS, LIST_PARAM
from tests.browser_util import login_as

DEMO_T = date(2026, 11, 27)
APP = str(PROJECT_ROOT / "app.py")


@pytest.fixture
def env(demo_store, demo_db_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DB", str(demo_db_path))
    return demo_store


def _scope_state(at: AppTest) -> None:
    at.session_state["scope.year"] = DEMO_T.year
    at.session_state["scope.as_of"] = DEMO_T
    at.session_state["scope.as_of_year"] = DEMO_T.year


def overview_links(store, username: str) -> dict[str, tuple[str, dict[str, str]]]:
    """总览 through app.py's navigation: list id → (page of the link, its query parameters)."""
    at = AppTest.from_file(APP, default_timeout=120)
    login_as(at, username, store)
    _scope_state(at)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    out = {}
    for link in at.get("page_link"):
        query = {k: v[0] for k, v in parse_qs(link.proto.query_string).items()}
        if LIST_PARAM in query:
            out[query[LIST_PARAM]] = (link.proto.page, query)
    return out


def opened_list(store, username: str, page: str, query: dict[str, str]):
    """Run `page` with `query` in the URL: (selected tab's label, its frames, first tab's label)."""
    at = AppTest.from_file(str(PROJECT_ROOT / page), default_timeout=120)
    login_as(at, username, store)
    _scope_state(at)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    containers = [b for b in _blocks(at._tree) if getattr(b, "type", None) == "tab_container"]
    assert containers, "no tabs on the page"
    for box in containers:  # the first tab container whose selected tab is not its first
        index = box.proto.tab_container.default_tab_index
        tabs = list(box.children.values())
        if index:
            break
    else:
        box, index, tabs = containers[0], 0, list(containers[0].children.values())
    chosen = tabs[index]
    frames = [
        n.value
        for n in _blocks(chosen)
        if getattr(n, "type", None) == "dataframe" and isinstance(n.value, pd.DataFrame)
    ]
    return chosen.label, frames, at


def _blocks(node):
    for child in getattr(node, "children", {}).values():
        yield child
        yield from _blocks(child)


def _rows(frames: list[pd.DataFrame]) -> int:
    return len(frames[0]) if frames else 0


@pytest.mark.parametrize("username", ["leader", "kck"])
def test_each_kpi_card_opens_the_list_behind_its_number(env, username):
    user = get_user(env, username)
    kpis = compute_kpis(
        env.cursor(), Scope.for_year(DEMO_T.year, DEMO_T, allowed_units=user.allowed_units)
    )
    links = overview_links(env, username)
    # every KPI card of 总览 links with its own list
    assert set(links) == {KPI_LISTS[k] for k in KPI_KEYS}
    expected_tab = {
        "coverage": "按乡镇",
        "high_risk_uninspected": "高风险未检查",
        "joint_task_share": "非联合任务",
        "joint_household_share": "按联合类型",
        "risk_graded_share": "未运用信用风险分类的任务",
        "entry_on_time": "逾期录入",
        "publish_on_time": "公示超期",
        "entry_overdue": "超期未录入",
        "followup_closed": "按单位",
        "followup_overdue": "后续处理逾期",
        "backfill_late": "回填超期",
        "problem_rate": "发现问题的检查",
        "followup_missing": "应后续处理未建记录",
    }
    for key in KPI_KEYS:
        page, query = links[KPI_LISTS[key]]
        assert page.endswith(KPI_PAGES[key].removeprefix("pages/").removesuffix(".py")), (key, page)
        label, frames, _at = opened_list(env, username, KPI_PAGES[key], query)
        k = kpis[key]
        assert label.startswith(expected_tab[key]), (key, label)
        if k.kind == "count":  # one row per counted item
            assert _rows(frames) == k.value, (key, _rows(frames), k.value)
        elif key == "problem_rate":  # the inspections of its numerator
            assert _rows(frames) == k.numerator, (key, _rows(frames), k.numerator)
        elif key == "coverage":
            df = frames[0]
            assert (df["已检查对象数"].sum(), df["名录基数"].sum()) == (k.numerator, k.denominator)
        elif key == "joint_household_share":
            df = frames[0]
            joint = df[df["联合类型"] != "非联合"]["检查户数"].sum()
            assert (joint, df["检查户数"].sum()) == (k.numerator, k.denominator)
        elif key == "followup_closed":
            df = frames[0]
            assert (df["已完结"].sum(), df["后续处理件数"].sum()) == (k.numerator, k.denominator)
        elif key == "entry_on_time":  # late entries + the entry_overdue list = the shortfall
            assert _rows(frames) + kpis["entry_overdue"].value == k.denominator - k.numerator
        else:  # tasks not joint / not risk-graded, publications late: what keeps it below 100%
            assert _rows(frames) == k.denominator - k.numerator, (key, _rows(frames))


def test_list_query_keeps_the_scope_and_unknown_lists_open_the_first_tab(env, monkeypatch):
    at = AppTest.from_file(str(PROJECT_ROOT / "pages" / "timeliness.py"), default_timeout=120)
    login_as(at, "leader", env)
    _scope_state(at)
    at.query_params[LIST_PARAM] = "no_such_list"
    at.run()
    assert not at.exception
    box = next(b for b in _blocks(at._tree) if getattr(b, "type", None) == "tab_container")
    assert box.proto.tab_container.default_tab_index == 0
    # the link of a card carries the sidebar scope the URL has, plus the list
    at2 = AppTest.from_file(APP, default_timeout=120)
    login_as(at2, "leader", env)
    _scope_state(at2)
    at2.session_state["scope.unit"] = "KCK"
    at2.run()
    assert not at2.exception
    queries = [parse_qs(link.proto.query_string) for link in at2.get("page_link")]
    entry = next(q for q in queries if q.get(LIST_PARAM) == ["entry_overdue"])
    assert entry["year"] == ["2026"] and entry["asof"] == ["2026-11-27"], entry
    assert entry["unit"] == ["KCK"], entry


# -- empty states (issue 12 point 7): what empty means, and 暂无数据 for a ratio over nothing ----------
TIME_KEYS = (
    "entry_on_time",
    "publish_on_time",
    "entry_overdue",
    "followup_closed",
    "followup_overdue",
    "backfill_late",
)


def _run_page(store, page: str, username: str = "leader", unit: str | None = None) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "pages" / f"{page}.py"), default_timeout=120)
    login_as(at, username, store)
    _scope_state(at)
    if unit:
        at.session_state["scope.unit"] = unit
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _status_texts(at: AppTest) -> list[str]:
    """The status line of each KPI card (the coloured box above its value)."""
    return [m.value for m in at.markdown if "border-left:6px" in m.value]


def test_empty_lists_say_what_empty_means_and_zero_over_zero_reads_no_data(env):
    # 不动产登记中心 (BGS) in the demo: no result overdue, no follow-up at all (0/0 closure rate)
    scope = Scope.for_year(DEMO_T.year, DEMO_T, unit="BGS")
    kpis = compute_kpis(env.cursor(), scope)
    assert kpis["entry_overdue"].value == 0 and kpis["followup_overdue"].value == 0
    assert kpis["followup_closed"].denominator == 0 and kpis["followup_closed"].value is None
    at = _run_page(env, "timeliness", unit="BGS")
    good = [s.value for s in at.success]
    assert "没有超期未录入的检查结果，做得好。" in good
    assert "没有逾期未完结的后续处理，做得好。" in good
    assert "没有回填超期的后续处理，做得好。" in good
    assert "没有符合条件的记录。" not in [i.value for i in at.info]
    statuses = _status_texts(at)
    no_data = [k for k in TIME_KEYS if kpis[k].value is None]
    assert "followup_closed" in no_data
    assert sum("暂无数据" in s for s in statuses) == len(no_data)
    assert not any("不考核" in s for s in statuses)  # every KPI here has a target


def test_a_kpi_without_target_still_reads_not_assessed(env):
    at = _run_page(env, "overview")
    statuses = _status_texts(at)
    assert len(statuses) == len(KPI_KEYS)
    # 问题发现率 has no target (kpi_targets): 不考核; every other KPI has a value under this scope
    assert sum("不考核" in s for s in statuses) == 1
    assert not any("暂无数据" in s for s in statuses)


def test_followup_missing_empty_list_says_every_record_exists(env):
    scope = Scope.for_year(DEMO_T.year, DEMO_T)
    assert compute_kpis(env.cursor(), scope)["followup_missing"].value == 0
    at = _run_page(env, "followup")
    assert "发现问题的检查结果都已建立后续处理记录，做得好。" in [s.value for s in at.success]


@pytest.mark.browser
def test_browser_card_link_opens_the_list_tab(fresh_demo_copy):
    """In Chromium: 查看明细 on 总览's 超期未录入 card opens 时效监督 with that tab selected."""
    from tests.browser_util import CHROMIUM, app_page, wait_for_idle, wait_for_text

    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    from playwright.sync_api import sync_playwright

    with (
        sync_playwright() as p,
        app_page(fresh_demo_copy, "admin", "Admin@2026", playwright=p) as (
            _server,
            page,
        ),
    ):
        wait_for_text(page, "考核指标")
        card = page.locator(".st-key-kpi_entry_overdue")
        card.get_by_role("link", name="查看明细").click()
        wait_for_text(page, "时效监督")
        wait_for_idle(page)
        assert "list=entry_overdue" in page.url, page.url
        selected = page.locator('[role="tab"][aria-selected="true"]').all_inner_texts()
        assert selected and selected[0].strip() == "超期未录入", selected


def test_quality_lists_say_what_empty_means(env):
    """基础与质量 (issue 12 point 7): an empty rule-breach list says no record breaks that rule, and
    none of its lists falls back to the generic sentence."""
    from dashboard.metrics import quality

    scope = Scope.for_year(DEMO_T.year, DEMO_T)
    breaches = quality.rule_breaches(env.cursor(), scope)
    empty = [k for k, df in breaches.items() if df.empty]
    assert empty  # e.g. no result dated before its task's start in the demo
    at = _run_page(env, "quality")
    good = [s.value for s in at.success]
    assert good.count("没有这类违反工作规则的记录，做得好。") == len(empty)
    assert "没有符合条件的记录。" not in [i.value for i in at.info]
