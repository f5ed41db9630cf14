"""One name, one number (DESIGN.md §5, issue 12 point 4): every figure shown under a KPI's name is that
KPI under the sidebar scope, so walking every page under one scope finds each KPI name with one value."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.auth import User, get_user
from dashboard.config import PROJECT_ROOT
from dashboard.metrics.kpi import KPI_KEYS, compute_kpis, format_value
from dashboard.scope import Scope
from dashboard.ui import i18n, nav

DEMO_T = date(2026, 11, 27)
ZH = i18n.catalog("zh_CN")
KPI_NAMES = {ZH[f"metrics.kpi.{k}"]: k for k in KPI_KEYS}


@pytest.fixture
def env(demo_store, demo_db_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DB", str(demo_db_path))
    return demo_store


def _run(name: str, user: User) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "pages" / f"{name}.py"), default_timeout=90)
    at.session_state["auth_user"] = user
    at.session_state["scope.year"] = DEMO_T.year
    at.session_state["scope.as_of"] = DEMO_T
    at.session_state["scope.as_of_year"] = DEMO_T.year
    at.run()
    assert not at.exception, (name, [e.value for e in at.exception])
    return at


@pytest.mark.parametrize("username", ["leader", "kck"])
def test_each_kpi_name_shows_one_value_on_every_page(env, username):
    user = get_user(env, username)
    role = user.role
    seen: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for spec in nav.visible_pages(role):
        if spec.key in ("users", "settings", "account", "audit", "analysis", "draw"):
            continue  # no KPI figures there
        at = _run(spec.key, user)
        for metric in at.metric:
            if metric.label in KPI_NAMES:
                seen[metric.label].add((metric.value, spec.key))
    expected = compute_kpis(
        env.cursor(), Scope.for_year(DEMO_T.year, DEMO_T, allowed_units=user.allowed_units)
    )
    problems = {}
    for label, shown in seen.items():
        values = {v for v, _ in shown}
        k = expected[KPI_NAMES[label]]
        want = format_value(k.kind, k.value)
        if values != {want}:
            problems[label] = (want, sorted(shown))
    assert seen, "no KPI figure found on any page"
    assert not problems, problems


@pytest.mark.parametrize("username", ["leader", "kck"])
def test_no_figure_name_shows_two_values(env, username):
    """Not only KPIs: a card's name means one count wherever it stands (a count over another scope
    carries its own name, e.g. 库内检查对象（全部记录） on 数据管理 and 名录中未注销的检查对象 on 基础与质量)."""
    user = get_user(env, username)
    seen: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for spec in nav.visible_pages(user.role):
        if spec.key in ("users", "settings", "account", "audit", "analysis"):
            continue
        at = _run(spec.key, user)
        for metric in at.metric:
            seen[metric.label].add((metric.value, spec.key))
    clashes = {k: sorted(v) for k, v in seen.items() if len({x for x, _ in v}) > 1}
    assert not clashes, clashes
