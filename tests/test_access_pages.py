"""Access control, page by page: each demo role on every registered page (AppTest, demo store copy).

A unit user must never see a task of another unit in any table; pages outside a role show the refusal.
"""

from __future__ import annotations

import io
import re
from contextlib import contextmanager

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.config import PROJECT_ROOT
from dashboard.store import close_store, open_store
from dashboard.ui.nav import PAGES
from tests.browser_util import copy_demo_store, login_as

REFUSAL = "您的角色无权查看本页面"
EXISTING = [p for p in PAGES if p.exists()]


def _run(spec, store, username):
    at = AppTest.from_file(str(PROJECT_ROOT / spec.path), default_timeout=90)
    login_as(at, username, store)
    return at.run()


def _own_tasks(store, units):
    rows = store.rows(
        "SELECT task_code FROM tasks WHERE list_contains(?, lead_unit)"
        " OR len(list_intersect(coalesce(partner_units, []), ?)) > 0",
        [list(units), list(units)],
    )
    return {r[0] for r in rows}


def _cells(df: pd.DataFrame, own: set[str] | None = None) -> set[str]:
    """Every code-like token in the frame's text cells (cells like 'RW1;RW2' are split).

    With `own`, a multi-task cell that names one of the user's own tasks is context (a repeated inspection
    of the same entity across tasks) and its other parts are skipped.
    """
    out: set[str] = set()
    for col in df.columns:
        for v in df[col].tolist():
            if isinstance(v, str):
                parts = {part.strip() for part in v.replace(",", ";").split(";")}
                if own is not None and len(parts) > 1 and parts & own:
                    parts &= own
                out |= parts
    return out


def _foreign_tasks(at, all_tasks, own) -> set[str]:
    found: set[str] = set()
    for frame in at.dataframe:
        if isinstance(frame.value, pd.DataFrame):
            found |= (_cells(frame.value, own) & all_tasks) - own
    return found


@pytest.mark.parametrize("username,units", [("kck", ("KCK",)), ("viewer", ("DHK",))])
def test_unit_and_readonly_users_see_only_their_units_tasks(app_store, username, units):
    all_tasks = {r[0] for r in app_store.rows("SELECT task_code FROM tasks")}
    own = _own_tasks(app_store, units)
    assert own and all_tasks - own  # the check can fail: other units' tasks exist
    role = "unit" if username == "kck" else "readonly"
    # units a row may name: own units and the lead/partner units of the user's own (joint) tasks
    partners = set(units) | {
        u
        for lead, others in app_store.rows(
            "SELECT lead_unit, partner_units FROM tasks WHERE list_contains(?, task_code)",
            [sorted(own)],
        )
        for u in [lead, *(others or [])]
    }
    leaks = {}
    seen_own: set[str] = set()
    for spec in EXISTING:
        at = _run(spec, app_store, username)
        assert not at.exception, (spec.key, at.exception)
        if not spec.allows(role):
            assert any(REFUSAL in e.value for e in at.error), spec.key
            assert len(at.dataframe) == 0, spec.key
            continue
        for frame in at.dataframe:
            df = frame.value
            if isinstance(df, pd.DataFrame):
                seen_own |= _cells(df) & own
                foreign = (_cells(df, own) & all_tasks) - own
                if foreign:
                    leaks[spec.key] = sorted(foreign)[:5]
                if "单位编码" in df.columns:
                    other = set(map(str, df["单位编码"])) - partners
                    if other:
                        leaks[f"{spec.key}:单位编码"] = sorted(other)
    assert leaks == {}
    assert seen_own  # the pages did show this user's own tasks, so the sweep looked at real tables


@pytest.mark.parametrize("username", ["leader", "kck", "chk", "viewer"])
def test_admin_only_pages_refuse_other_roles(app_store, username):
    for spec in EXISTING:
        if (
            spec.roles == frozenset({"admin"})
            or username != "leader"
            and "leader" in spec.roles
            and "unit" not in spec.roles
        ):
            at = _run(spec, app_store, username)
            assert not at.exception, (spec.key, at.exception)
            assert any(REFUSAL in e.value for e in at.error), (spec.key, username)
            assert len(at.dataframe) == 0


def test_not_logged_in_sees_only_the_login_prompt(app_store):
    for key in ("overview", "analysis", "users"):
        at = AppTest.from_file(str(PROJECT_ROOT / "pages" / f"{key}.py"), default_timeout=60).run()
        assert not at.exception
        assert len(at.dataframe) == 0, key
        assert any("请先登录" in i.value for i in at.info) or at.text_input, key


def test_risk_page_shows_no_other_units_tasks(app_store):
    """风险预警 for a unit user: warnings about its entities, but other units' tasks and findings masked.

    KCK's entities are inspected by the 专班 ZBKS too (task RW2026015): that task is listed as 其他单位任务
    in 所在任务 and counted, not named, in 多次发现问题.
    """
    from dashboard.metrics.risk import OTHER_TASK

    all_tasks = {r[0] for r in app_store.rows("SELECT task_code FROM tasks")}
    own = _own_tasks(app_store, ("KCK",))
    at = _run(next(p for p in EXISTING if p.key == "risk"), app_store, "kck")
    assert not at.exception
    texts = set()
    for frame in at.dataframe:
        for v in frame.value.astype(str).to_numpy().ravel():
            texts |= _tokens(str(v))
    assert texts & own  # own tasks are still named
    assert (texts & all_tasks) - own == set()
    table = next(f.value for f in at.dataframe if "所在任务" in f.value.columns)
    assert table["所在任务"].astype(str).str.contains(OTHER_TASK).any()
    assert table["预警原因"].astype(str).str.contains(OTHER_TASK).any()


_SEPARATORS = re.compile(r"[\s,;，；、（）()：:]+")


def _tokens(text: str) -> set[str]:
    """Every word of a free text (sentences such as 预警原因 name task codes inside them)."""
    return {w for w in _SEPARATORS.split(text) if w}


@contextmanager
def capture_downloads():
    """Collect (file name, bytes) of every st.download_button payload, as Streamlit stores it.

    A download built on click (a callable `data`, registered with the media file manager as deferred)
    is built here at once, as a click would, so its bytes are checked like the others."""
    from streamlit.runtime.media_file_manager import MediaFileManager
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    captured: list[tuple[str, bytes]] = []
    original = MemoryMediaFileStorage.load_and_get_id
    original_deferred = MediaFileManager.add_deferred

    def capture(self, path_or_data, mimetype, kind, filename=None):
        if isinstance(path_or_data, bytes):
            captured.append((str(filename or mimetype), path_or_data))
        return original(self, path_or_data, mimetype, kind, filename)

    def capture_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        data = data_callable()
        if isinstance(data, str):
            data = data.encode("utf-8")
        captured.append((str(file_name or mimetype), data))
        return original_deferred(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(MemoryMediaFileStorage, "load_and_get_id", capture)
        mp.setattr(MediaFileManager, "add_deferred", capture_deferred)
        yield captured


def payload_frames(name: str, data: bytes) -> list[pd.DataFrame]:
    """A download as frames of text cells: a CSV as one frame, an XLSX as one frame per sheet."""
    if name.endswith(".csv"):
        text = data.decode("utf-8-sig", errors="replace")
        return [pd.DataFrame({"v": [c for line in text.splitlines() for c in line.split(",")]})]
    if name.endswith(".xlsx"):
        sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, header=None, engine="calamine")
        return [sheet.astype(str) for sheet in sheets.values()]
    return []


@pytest.fixture(scope="module")
def kck_downloads(demo_store, demo_db_path, tmp_path_factory) -> dict[str, list[tuple[str, bytes]]]:
    """Every page a unit user (kck) may open, run once: page key → the downloads it offered.

    On its own demo copy with two draws (one of a KCK task, one of another unit's) so the draw page offers
    its documents (派单表 …); the 工作报告 page is asked to generate its Word/Excel files.
    """
    from dashboard.draw import service as draws

    path = copy_demo_store(
        demo_store, demo_db_path, tmp_path_factory.mktemp("accdl") / "accdl.duckdb"
    )
    out: dict[str, list[tuple[str, bytes]]] = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DASHBOARD_DB", str(path))
        store = open_store(path)
        with store.transaction() as cur:  # the demo has no planned KCK task: add one to draw
            cur.execute(
                "INSERT INTO tasks SELECT * REPLACE ('RW2026099' AS task_code, 'planned' AS status)"
                " FROM tasks WHERE task_code = (SELECT max(task_code) FROM tasks"
                " WHERE lead_unit = 'KCK' AND year(start_on) = 2026)"
            )
        own = _own_tasks(store, ("KCK",))
        planned = [
            r[0]
            for r in store.rows("SELECT task_code FROM tasks WHERE status = 'planned' ORDER BY 1")
        ]
        other = [t for t in planned if t not in own][:1]
        assert other and "RW2026099" in own
        for task in [*other, "RW2026099"]:  # kck's draw last: the draw page reviews the latest one
            draws.run_draw(store, task, "20261127", operator="admin", draw_date="2026-11-27")
        for spec in EXISTING:
            if not spec.allows("unit"):
                continue
            with capture_downloads() as captured:
                at = _run(spec, store, "kck")
                assert not at.exception, (spec.key, at.exception)
                if spec.key == "report":
                    at.button(key="report_generate").click().run()
                    assert not at.exception, (spec.key, at.exception)
                out[spec.key] = list(captured)
    yield out
    close_store(path)


def _download_leaks(store, downloads, suffix: str) -> tuple[int, dict[str, list[str]]]:
    """(files of that kind, {page:file → foreign task codes or unit codes}) for kck's downloads."""
    all_tasks = {r[0] for r in store.rows("SELECT task_code FROM tasks")}
    own = _own_tasks(store, ("KCK",))
    partners = {"KCK"} | {
        u
        for lead, others in store.rows(
            "SELECT lead_unit, partner_units FROM tasks WHERE list_contains(?, task_code)",
            [sorted(own)],
        )
        for u in [lead, *(others or [])]
    }
    files, leaks = 0, {}
    for page, payloads in downloads.items():
        for name, data in payloads:
            if not name.endswith(suffix):
                continue
            files += 1
            for frame in payload_frames(name, data):
                foreign = (_cells(frame, own) & all_tasks) - own
                if suffix == ".xlsx":  # sentences too: a cell may name a task inside its text
                    for v in frame.to_numpy().ravel():
                        words = _tokens(str(v))
                        if not words & own:  # same context rule as _cells
                            foreign |= (words & all_tasks) - own
                    header = frame.iloc[0].tolist() if len(frame) else []
                    if "单位编码" in header:
                        col = frame.iloc[1:, header.index("单位编码")]
                        other = {u for u in col if u not in ("nan", "None", "")} - partners
                        if other:
                            leaks[f"{page}:{name}:单位编码"] = sorted(other)
                if foreign:
                    leaks[f"{page}:{name}"] = sorted(foreign)[:5]
    return files, leaks


def test_download_payloads_of_a_unit_user_hold_only_own_tasks(app_store, kck_downloads):
    """Every CSV a unit user can download (captured as Streamlit stores it) names only own-unit tasks."""
    csvs, leaks = _download_leaks(app_store, kck_downloads, ".csv")
    assert csvs > 5  # the pages did offer CSV downloads
    assert leaks == {}


def test_xlsx_downloads_of_a_unit_user_hold_only_own_tasks_and_units(app_store, kck_downloads):
    """Every XLSX a unit user can download is opened (every sheet, every cell): only own tasks and units."""
    xlsx, leaks = _download_leaks(app_store, kck_downloads, ".xlsx")
    assert xlsx > 5  # the pages did offer XLSX downloads (data tables, 通报, monthly report …)
    assert {
        p for p, files in kck_downloads.items() if any(n.endswith(".xlsx") for n, _ in files)
    } >= {"risk", "report", "ranking", "draw", "entry"}
    assert leaks == {}
