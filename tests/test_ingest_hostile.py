"""Issue 16 point 7: hostile and huge files get one Chinese sentence, nothing is written, and the
process (the CLI, the Streamlit server) survives, each judged within 10 s and 1 GB of extra memory."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from dashboard.cli import main
from dashboard.ingest import run_import
from dashboard.ingest.problems import ERROR
from dashboard.store import open_store
from tests import hostile_files as H

FIXTURE = Path(__file__).parent / "fixtures" / "interchange_small"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def db(empty_db_copy):
    return empty_db_copy


class Peak:
    """This process's resident memory, sampled every 10 ms (growth over the start, in bytes)."""

    def __enter__(self):
        self.start = self.peak = self._now()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self.t0 = time.perf_counter()
        return self

    @staticmethod
    def _now() -> int:
        import resource

        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * resource.getpagesize()

    def _run(self):
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, self._now())

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.t0
        self._stop.set()
        self._thread.join()

    @property
    def growth(self) -> int:
        return self.peak - self.start


def judged(store, path: Path):
    """A dry run of an upload of `path` (as 数据管理 does), timed and measured."""
    with Peak() as peak:
        report = run_import(store, [(path.name, path.read_bytes())], actor="测试", dry_run=True)
    return report, peak


def one_error(report):
    errors = [p for p in report.problems if p.severity == ERROR]
    assert len(errors) == 1, errors
    assert errors[0].message.endswith("。") and "为保护服务器" in errors[0].message
    return errors[0]


def test_a_cell_at_xfd1048576_is_refused_and_the_cli_survives(db, tmp_path):
    path = H.far_cell(tmp_path / "far.xlsx")
    assert path.stat().st_size < 10_000
    # in a child process: the reader used to abort the whole process (512 GB allocation)
    done = subprocess.run(
        [sys.executable, "-m", "dashboard.cli", "import", str(path), "--db", str(db), "--dry-run"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 1, done.stderr
    assert "1,048,576 行 × 16,384 列" in done.stdout
    assert "Traceback" not in done.stderr
    report, peak = judged(open_store(db), path)
    assert "XFD" not in one_error(report).message and report.written is False
    assert peak.seconds < 10 and peak.growth < 2**30


def test_a_one_gib_string_in_a_one_mb_workbook_is_refused_quickly(db, tmp_path):
    path = H.giant_string(tmp_path / "giant.xlsx")
    assert path.stat().st_size < 2 * 2**20
    report, peak = judged(open_store(db), path)
    assert "解压后超过" in one_error(report).message
    assert peak.seconds < 10 and peak.growth < 2**30


def test_three_million_duplicate_rows_are_refused_in_seconds(db, tmp_path):
    path = H.duplicate_rows(tmp_path / "dup.xlsx", rows=3_000_000)
    report, peak = judged(open_store(db), path)
    assert "的单元格超过 2,000,000 个的上限" in one_error(report).message
    assert peak.seconds < 10 and peak.growth < 2**30


def test_duplicates_under_the_cell_limit_are_listed_up_to_the_problem_limit(db, tmp_path):
    store = open_store(db)
    path = H.duplicate_rows(tmp_path / "dup.xlsx", rows=20_000)
    report, peak = judged(store, path)
    # 19,999 rows repeat row 2's key; the first row has no tags (one warning)
    assert (report.error_count, report.warning_count) == (19_999, 1)
    frame = report.problems_frame()
    assert len(frame) == 10_001
    assert frame.iloc[-1]["问题"].startswith("……另有 10,000 条问题未列出（最多列出 10,000 条）")
    assert set(frame.iloc[:-1]["级别"]) == {"错误"}
    assert peak.seconds < 10
    # the download of the list builds (a sheet holds at most 1,048,576 rows)
    from dashboard.ui.components import to_xlsx_bytes

    assert to_xlsx_bytes(frame)[:2] == b"PK"


def test_the_problem_limit_and_the_cell_limit_are_settings(db, tmp_path):
    from dashboard.config import set_setting

    store = open_store(db)
    set_setting(store, "import.problem_limit", 100, "测试")
    report, _ = judged(store, H.duplicate_rows(tmp_path / "dup.xlsx", rows=500))
    assert report.error_count == 499 and len(report.problems_frame()) == 101
    set_setting(store, "import.max_cells", 500, "测试")
    report, _ = judged(store, H.duplicate_rows(tmp_path / "dup2.xlsx", rows=500))
    assert "的单元格超过 500 个的上限" in one_error(report).message


def test_an_unbalanced_quote_is_an_error_naming_its_row(db, tmp_path):
    store = open_store(db)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "units.csv").write_text(
        'unit_code,unit_name,unit_kind\nKCK,矿产股,股室\nCHK,"测绘股,股室\nZFD,执法大队,事业单位\n',
        encoding="utf-8",
    )
    report = run_import(store, folder, actor="测试")
    [p] = report.errors
    assert (p.file, p.row) == ("units.csv", 3)
    assert "引号没有成对" in p.message
    # closed rows later: the next rows were swallowed into one cell
    (folder / "units.csv").write_text(
        'unit_code,unit_name,unit_kind\nKCK,矿产股,股室\nCHK,"测绘股,股室\nZFD,执法大队,事业单位\n'
        'SJJ,市场局",外部门\n',
        encoding="utf-8",
    )
    report = run_import(store, folder, actor="测试")
    [p] = report.errors
    assert (p.file, p.row) == ("units.csv", 3) and "引号没有成对" in p.message
    assert store.scalar("SELECT count(*) FROM units") == 0
    # a legitimate line break inside a quoted note stays allowed
    (folder / "units.csv").write_text(
        'unit_code,unit_name,unit_kind\nKCK,"矿产资源\n管理股",股室\n', encoding="utf-8"
    )
    assert run_import(store, folder, actor="测试").written


def test_a_base_count_beyond_the_store_is_a_range_error_in_the_dry_run(db, tmp_path, capsys):
    store = open_store(db)
    assert run_import(store, FIXTURE, actor="测试").written
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "plans.csv").write_text(
        "plan_code,year,item_code,unit_code,joint_units,base_count\nJH9,2026,I1,KCK,,99999999999\n",
        encoding="utf-8",
    )
    assert main(["import", str(folder), "--db", str(db), "--dry-run"]) == 1
    out = capsys.readouterr().out
    assert "base_count" in out and "应为 0 到 2147483647 之间的整数" in out
    assert main(["import", str(folder), "--db", str(db)]) == 1  # the same sentence, no traceback
    out = capsys.readouterr().out
    assert "应为 0 到 2147483647 之间的整数" in out and "Traceback" not in out
    assert store.scalar("SELECT count(*) FROM plans WHERE plan_code = 'JH9'") == 0


def test_a_list_of_separators_only_and_a_task_without_items_are_errors(db, tmp_path):
    store = open_store(db)
    assert run_import(store, FIXTURE, actor="测试").written
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "tasks.csv").write_text(
        "task_code,plan_code,task_name,item_codes,lead_unit,partner_units\n"
        "T8,,检查,;,KCK,\n"  # row 2: only a separator
        "T9,,检查,,KCK,\n"  # row 3: no item at all
        "T7,,检查,I1,KCK,；\n",  # row 4: partner units of separators only
        encoding="utf-8",
    )
    report = run_import(store, folder, actor="测试", dry_run=True)
    assert {(p.row, p.column, p.value) for p in report.errors} == {
        (2, "item_codes", ";"),
        (3, "item_codes", ""),
        (4, "partner_units", "；"),
    }
    assert all("分隔符" in p.message or "至少要填写 1 个" in p.message for p in report.errors)
