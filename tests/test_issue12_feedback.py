"""Feedback while work runs (issue 12 point 5): the first start shows the demo-build progress bar in
Chinese before anything else, a page switch runs under a Chinese spinner, and 生成报告 builds its files
under one."""

from __future__ import annotations

import contextlib
import re
import sys
import time
from datetime import date

import pytest
import streamlit
from streamlit.testing.v1 import AppTest

from dashboard.config import PROJECT_ROOT
from tests.browser_util import login_as

APP = str(PROJECT_ROOT / "app.py")
DEMO_T = date(2026, 11, 27)
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def spinners(monkeypatch):
    """Record every st.spinner text, and which spinners are open at a moment (`active`)."""
    real = streamlit.spinner
    state = {"texts": [], "active": []}

    @contextlib.contextmanager
    def recording(text="", *args, **kwargs):
        state["texts"].append(text)
        state["active"].append(text)
        try:
            with real(text, *args, **kwargs):
                yield
        finally:
            state["active"].remove(text)

    monkeypatch.setattr(streamlit, "spinner", recording)
    return state


def test_first_start_shows_the_chinese_progress_bar_before_the_heavy_imports(tmp_path, monkeypatch):
    """app.py draws the bar before it imports the shell (pandas, DuckDB, Plotly: seconds when cold):
    with that import made to fail, the bar is already on screen."""
    monkeypatch.setenv("DASHBOARD_DB", str(tmp_path / "new" / "first.duckdb"))
    monkeypatch.setitem(sys.modules, "dashboard.ui.shell", None)  # `from … import run` fails
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert at.exception  # the import failed, as arranged
    bars = at.get("progress")
    assert len(bars) == 1
    assert bars[0].proto.text == "首次启动：正在生成演示数据库，请稍候……"
    assert bars[0].proto.value == 0


def test_first_start_bar_reports_the_build_steps_in_chinese(tmp_path, monkeypatch):
    import dashboard.ui.shell as shell

    def fake_build(progress=None):
        progress(0.4, "生成检查对象名录")
        streamlit.stop()  # leave the page as the user sees it mid-build

    monkeypatch.setattr(shell, "ensure_store", fake_build)
    monkeypatch.setenv("DASHBOARD_DB", str(tmp_path / "new" / "first.duckdb"))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, at.exception
    bars = at.get("progress")
    assert len(bars) == 1  # app.py's bar is the one the build drives, not a second one
    assert bars[0].proto.text == "正在生成演示数据：生成检查对象名录"
    assert bars[0].proto.value == 40
    assert not at.text_input  # nothing else (no log-in form) while the store is being built


def test_a_page_runs_under_a_chinese_spinner(app_store, spinners, monkeypatch):
    import dashboard.metrics.kpi as kpi

    real = kpi.compute_kpis
    seen = []

    def watched(con, scope):
        seen.append(list(spinners["active"]))
        return real(con, scope)

    monkeypatch.setattr(kpi, "compute_kpis", watched)
    at = AppTest.from_file(APP, default_timeout=120)
    login_as(at, "leader", app_store)
    at.session_state["scope.year"] = DEMO_T.year
    at.session_state["scope.as_of"] = DEMO_T
    at.session_state["scope.as_of_year"] = DEMO_T.year
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "总览" in [t.value for t in at.title]
    assert seen and all(active == ["正在打开页面，请稍候……"] for active in seen), seen


def test_generating_the_report_runs_under_a_chinese_spinner(app_store, spinners, monkeypatch):
    from dashboard.reports import monthly

    built = {}
    for name in ("monthly_docx", "monthly_xlsx"):
        real = getattr(monthly, name)

        def watched(con, scope, _real=real, _name=name):
            built[_name] = list(spinners["active"])
            return _real(con, scope)

        monkeypatch.setattr(monthly, name, watched)
    at = AppTest.from_file(str(PROJECT_ROOT / "pages" / "report.py"), default_timeout=120)
    login_as(at, "leader", app_store)
    at.session_state["scope.year"] = DEMO_T.year
    at.session_state["scope.as_of"] = DEMO_T
    at.session_state["scope.as_of_year"] = DEMO_T.year
    at.run()
    assert not at.exception
    assert not built  # nothing built before the click
    at.button(key="report_generate").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert set(built) == {"monthly_docx", "monthly_xlsx"}
    for active in built.values():
        assert len(active) == 1 and CJK.search(active[0]), active
        assert active[0] == "正在生成 Word 和 Excel 报告，请稍候……"
    assert {b.proto.label for b in at.get("download_button")} >= {
        "下载 Word 报告",
        "下载 Excel 报告",
    }


@pytest.mark.browser
def test_first_start_in_the_browser_shows_the_progress_bar_first(tmp_path):
    """A fresh `streamlit run app.py` with no store: the first thing the page shows is the Chinese
    progress bar of the demo build (no English file list), then the log-in form."""
    from tests.browser_util import CHROMIUM, StreamlitServer, launch_chromium

    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    from playwright.sync_api import sync_playwright

    db = tmp_path / "fresh" / "first.duckdb"
    with StreamlitServer(db, log_path=tmp_path / "server.log") as server, sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="zh-CN")
            page.goto(server.url, wait_until="commit")
            seen: list[str] = []
            stamps: list[float] = []
            start = time.monotonic()
            for _ in range(1800):  # every 50 ms until the log-in form (the build takes seconds)
                try:
                    seen.append(page.inner_text("body", timeout=1000).strip())
                    stamps.append(time.monotonic() - start)
                except Exception:  # noqa: BLE001 - the body is not there yet
                    continue
                if "用户名" in seen[-1]:
                    break
                page.wait_for_timeout(50)
        finally:
            browser.close()
    assert "用户名" in seen[-1], seen[-1][:300]
    skip = "Skip to main content"  # Streamlit's visually hidden skip link (issue 12 point 1)
    texts = [(t, s.replace(skip, "").strip()) for t, s in zip(stamps, seen, strict=True)]
    texts = [(t, s) for t, s in texts if s]
    bar_at = next(t for t, s in texts if "首次启动" in s or "正在生成演示数据" in s)
    first_at = texts[0][0]
    # the bar follows the first content at once: what comes before it is Streamlit's own pages/ menu
    # of `streamlit run`, hidden by app.py's first delta (dashboard serve never sends it)
    assert bar_at - first_at <= 0.5, texts[:10]
    after = [s for t, s in texts if t >= bar_at]
    english = [s for s in after if re.search(r"\b(overview|coverage|data management)\b", s)]
    assert english == [], english[0][:300]
    building = [s for s in after if "正在生成演示数据：" in s]
    assert len(set(building)) >= 3, building  # the steps of the build, in Chinese
