"""AppTest of the 自助分析 page: demo store (read only) and a small hand-made store (saves)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_analysis_support import load_fixture

from dashboard.auth import User
from dashboard.config import PROJECT_ROOT
from dashboard.domain.codes import FINDING_CODES
from dashboard.store import close_store, open_store
from dashboard.ui.session import USER_KEY

PAGE = str(PROJECT_ROOT / "pages" / "analysis.py")
ADMIN = User("admin", "管理员", "admin", ())
KCK = User("kck", "矿产股用户", "unit", ("KCK",))
VIEWER = User("viewer", "只读用户", "readonly", ("DHK",))


def open_page(monkeypatch, db_path, user) -> AppTest:
    monkeypatch.setenv("DASHBOARD_DB", str(db_path))
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state[USER_KEY] = user
    at.run()
    assert not at.exception, at.exception
    return at


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


@pytest.fixture
def small_db(tmp_path):
    path = tmp_path / "small.duckdb"
    store = open_store(path)
    load_fixture(store)
    # the session re-reads its account from the store on every run, so the test users must exist there
    from dashboard.auth import create_user

    for user, password in ((ADMIN, "Admin1234"), (VIEWER, "Viewer1234")):
        create_user(
            store,
            user.username,
            user.display_name,
            user.role,
            list(user.unit_codes),
            password,
            actor="test",
        )
    store.rows(
        "DROP TRIGGER audit_log_no_delete ON audit_log"
    )  # append-only (issue 13): test reset
    store.rows("DELETE FROM audit_log")
    yield path
    close_store(path)


def test_page_on_demo_store(monkeypatch, demo_store, demo_db_path):
    at = open_page(monkeypatch, demo_db_path, ADMIN)
    assert [t.label for t in at.tabs] == ["透视分析", "SQL 查询", "已保存"]
    # default pivot: inspections of the scope's year by lead unit; the 合计 row counts them all
    year = at.session_state["an_p_year_v_inspections"]
    expected = demo_store.scalar(
        "SELECT count(*) FROM inspections JOIN tasks USING (task_code) WHERE year(start_on) = ?",
        [year[0]],
    )
    table = at.dataframe[0].value
    assert table.columns.tolist() == ["牵头单位名称", "记录数"]
    assert table.iloc[-1].tolist() == ["合计", expected]
    # rows by town: one row per town plus 合计, and the counts add up
    at.multiselect(key="an_p_rows_v_inspections").set_value(["town"]).run()
    assert not at.exception
    table = at.dataframe[0].value
    assert table["乡镇"].iloc[-1] == "合计"
    assert table["记录数"].iloc[:-1].sum() == table["记录数"].iloc[-1] == expected
    # a heatmap by town × quarter
    at.multiselect(key="an_p_cols_v_inspections").set_value(["inspected_quarter"]).run()
    at.radio(key="an_p_kind").set_value("heatmap").run()
    assert not at.exception
    # a rate shown as a percentage: the 合计 cell is the overall ratio of the year's inspections
    at.selectbox(key="an_p_measure_v_inspections").set_value("problem_rate").run()
    assert not at.exception
    found, entered = demo_store.rows(
        "SELECT count(*) FILTER (WHERE list_has_any(result_codes, ?::VARCHAR[])),"
        " count(*) FILTER (WHERE len(result_codes) > 0)"
        " FROM inspections JOIN tasks USING (task_code) WHERE year(start_on) = ?",
        [sorted(FINDING_CODES), year[0]],
    )[0]
    assert at.dataframe[0].value["合计"].iloc[-1] == pytest.approx(found / entered)
    # SQL console: schema browser lists every view; refusal and truncation messages
    labels = [e.label for e in at.expander]
    for view in ("v_inspections", "v_followups", "v_entities", "v_inspectors", "v_scope"):
        assert any(label.startswith(f"{view} · ") for label in labels), view
    at.text_area(key="an_sql").set_value("DELETE FROM v_inspections").run()
    at.button(key="an_sql_run").click().run()
    assert "只允许 SELECT" in texts(at.error)
    at.text_area(key="an_sql").set_value("SELECT * FROM range(3000000)").run()
    at.button(key="an_sql_run").click().run()
    assert "结果已截断" in texts(at.warning)
    # examples load into the editor and run
    at.selectbox(key="an_sql_example").set_value("从未发现问题的检查人员").run()
    at.button(key="an_sql_use_example").click().run()
    assert "v_inspectors" in at.text_area(key="an_sql").value
    at.button(key="an_sql_run").click().run()
    assert not at.exception and not at.error
    assert demo_store.scalar("SELECT count(*) FROM saved_queries") == 0


def test_unit_user_sees_only_its_units(monkeypatch, demo_db_path):
    at = open_page(monkeypatch, demo_db_path, KCK)
    at.text_area(key="an_sql").set_value("SELECT unit_code FROM v_units").run()
    at.button(key="an_sql_run").click().run()
    frames = [d.value for d in at.dataframe if "unit_code" in d.value.columns]
    assert frames and frames[-1]["unit_code"].tolist() == ["KCK"]


def test_save_reopen_and_delete_on_hand_made_store(monkeypatch, small_db):
    at = open_page(monkeypatch, small_db, ADMIN)
    at.multiselect(key="an_p_year_v_inspections").set_value([]).run()
    at.multiselect(key="an_p_rows_v_inspections").set_value(["town"]).run()
    at.multiselect(key="an_p_cols_v_inspections").set_value(["year"]).run()
    table = at.dataframe[0].value
    assert table.set_index("乡镇")["2026"].to_dict() == {"赞皇镇": 2, "院头镇": 2, "合计": 4}
    at.text_input[0].set_value("乡镇年度检查")
    at.button(key="FormSubmitter:an_p_save_form-保存").click().run()
    assert not at.exception
    assert "已保存" in texts(at.success)
    store = open_store(small_db)
    assert store.rows("SELECT name, kind, owner FROM saved_queries") == [
        ("乡镇年度检查", "pivot", "admin")
    ]
    # reopen: the saved tab lists it and recomputes it
    at = open_page(monkeypatch, small_db, ADMIN)
    at.button(key="an_saved_open").click().run()
    assert not at.exception
    reopened = [d.value for d in at.dataframe if "乡镇" in d.value.columns][-1]
    assert reopened.set_index("乡镇")["2025"].to_dict() == {"赞皇镇": 1, "院头镇": 0, "合计": 1}
    # load into the pivot editor: widgets take the saved choices
    at.button(key="an_saved_edit").click().run()
    assert not at.exception
    assert at.session_state["an_p_rows_v_inspections"] == ["town"]
    assert at.session_state["an_p_cols_v_inspections"] == ["year"]
    assert at.dataframe[0].value.set_index("乡镇")["2025"].to_dict() == {
        "赞皇镇": 1,
        "院头镇": 0,
        "合计": 1,
    }
    at.button(key="an_saved_delete").click().run()
    assert store.scalar("SELECT count(*) FROM saved_queries") == 0
    assert store.rows("SELECT action FROM audit_log ORDER BY audit_id") == [
        ("analysis.save",),
        ("analysis.delete",),
    ]


def test_readonly_user_cannot_save(monkeypatch, small_db):
    at = open_page(monkeypatch, small_db, VIEWER)
    assert "只读账号不能保存分析" in texts(at.caption)
    # the viewer's unit DHK leads T3 only
    at.multiselect(key="an_p_year_v_inspections").set_value([]).run()
    assert at.dataframe[0].value.values.tolist() == [["地质环境股", 1], ["合计", 1]]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.browser
@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian chromium is not installed")
def test_browser_screenshots(demo_db_path, tmp_path):
    """Log in as the demo admin, open 自助分析, and check what a person sees (screenshots kept in tmp)."""
    from playwright.sync_api import sync_playwright

    db = tmp_path / "demo_copy.duckdb"  # the session's demo store is open (locked) in this process
    shutil.copy(demo_db_path, db)
    wal = Path(str(demo_db_path) + ".wal")
    if wal.exists():
        shutil.copy(wal, Path(str(db) + ".wal"))
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ],
        cwd=PROJECT_ROOT,
        env=dict(os.environ, DASHBOARD_DB=str(db)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=shutil.which("chromium"), args=["--no-sandbox"]
            )
            page = browser.new_page(viewport={"width": 1400, "height": 1600})
            deadline = time.monotonic() + 60
            while True:
                try:
                    page.goto(f"http://127.0.0.1:{port}/", timeout=3000)
                    break
                except Exception:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.5)
            page.get_by_label("用户名").fill("admin")
            page.get_by_label("密码").fill("Admin@2026")
            page.get_by_role("button", name="登录").click()
            page.get_by_role("link", name="自助分析").click()
            page.get_by_role("tab", name="透视分析").wait_for(timeout=30_000)
            chart = page.locator(".js-plotly-plot").first
            chart.wait_for(timeout=30_000)
            assert chart.bounding_box()["height"] > 200
            assert page.get_by_text("下载图表（HTML）").is_visible()
            page.screenshot(path=tmp_path / "analysis_pivot.png")
            page.get_by_role("tab", name="SQL 查询").click()
            page.get_by_role("button", name="运行查询").click()
            page.get_by_text("用时").first.wait_for(timeout=30_000)
            assert page.get_by_text("v_inspections · 检查结果").is_visible()
            page.screenshot(path=tmp_path / "analysis_sql.png")
            editor = page.get_by_label("SQL 语句")
            editor.fill("SELECT * FROM read_text('/etc/passwd')")
            editor.press("Control+Enter")
            page.get_by_role("button", name="运行查询").click()
            page.get_by_text("不能读取或写入文件").wait_for(timeout=30_000)
            page.screenshot(path=tmp_path / "analysis_refused.png")
            browser.close()
        for name in ("analysis_pivot", "analysis_sql", "analysis_refused"):
            assert (tmp_path / f"{name}.png").stat().st_size > 50_000
    finally:
        server.terminate()
        server.wait(10)
