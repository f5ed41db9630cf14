"""`dashboard import` / `dashboard export` / `dashboard templates`: output and exit codes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.cli import main
from dashboard.store import Store, close_store, open_store

FIXTURE = Path(__file__).parent / "fixtures" / "interchange_small"


@pytest.fixture(scope="module")
def empty_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("empty") / "empty.duckdb"
    Store(path).close()
    return path


@pytest.fixture
def db(empty_db, tmp_path):
    path = tmp_path / "cli.duckdb"
    shutil.copy(empty_db, path)
    yield path
    close_store(path)


def count(db: Path, table: str) -> int:
    return open_store(db).scalar(f"SELECT count(*) FROM {table}")


def test_import_prints_counts_and_exits_0(db, capsys):
    assert main(["import", str(FIXTURE), "--db", str(db)]) == 0
    out, err = capsys.readouterr()
    assert "表\t新增\t更新\t未变" in out
    assert "tasks\t3\t0\t0" in out
    assert "导入完成（2 个警告）" in out  # two short-staffed results of the fixture (entry rules)
    assert "100%] 导入完成" in err  # progress goes to stderr
    assert count(db, "tasks") == 3
    # the same again: everything unchanged
    assert main(["import", str(FIXTURE), "--db", str(db)]) == 0
    assert "tasks\t0\t0\t3" in capsys.readouterr().out


def test_dry_run_writes_nothing(db, capsys):
    assert main(["import", str(FIXTURE), "--db", str(db), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "units\t4\t0\t0" in out and "未写入数据" in out
    assert count(db, "units") == 0


def test_errors_are_printed_with_their_place_and_exit_1(db, tmp_path, capsys):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "items.csv").write_text(
        "item_code,item_name,owner_unit\nI1,事项一,GHK\n", encoding="utf-8"
    )
    assert main(["import", str(tmp_path / "in"), "--db", str(db)]) == 1
    out = capsys.readouterr().out
    assert (
        "错误\titems.csv\t2\towner_unit\tGHK\t"
        "责任单位（owner_unit）中的“GHK”在单位表中不存在，请先在 units.csv 中添加，或改正编码。"
    ) in out
    assert "发现 1 个错误、0 个警告：未写入任何数据" in out
    assert count(db, "items") == 0


def test_warnings_exit_0(db, tmp_path, capsys):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "entities.csv").write_text(
        "entity_code,name\n91130129MA0A1B2C3X,试点企业\n", encoding="utf-8"
    )
    assert main(["import", str(tmp_path / "in"), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert out.count("警告\tentities.csv\t2\t") == 2  # check character and no tags
    assert count(db, "entities") == 1


def test_missing_path_exits_2(db, tmp_path, capsys):
    assert main(["import", str(tmp_path / "nope"), "--db", str(db)]) == 2
    assert "找不到" in capsys.readouterr().err


def test_export_creates_the_directory(db, tmp_path, capsys):
    assert main(["import", str(FIXTURE), "--db", str(db)]) == 0
    out_dir = tmp_path / "x" / "y"
    assert main(["export", str(out_dir), "--db", str(db)]) == 0
    assert len(list(out_dir.glob("*.csv"))) == 17
    assert "已导出 17 个文件" in capsys.readouterr().out


def test_templates_command(tmp_path):
    assert main(["templates", str(tmp_path / "t")]) == 0
    assert (tmp_path / "t" / "templates.xlsx").exists()
    assert len(list((tmp_path / "t").glob("*.csv"))) == 17


def test_locked_store_exits_2_with_one_sentence(db, capsys):
    close_store(db)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('ready', flush=True);"
            " time.sleep(60)",
            str(db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        assert main(["import", str(FIXTURE), "--db", str(db)]) == 2
        err = capsys.readouterr().err.strip()
        assert "正被另一个程序" in err and "\n" not in err and "Traceback" not in err
    finally:
        holder.kill()
        holder.wait()
