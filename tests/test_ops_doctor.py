"""`dashboard doctor` (issue 15): one screen in Chinese on the store, backups, imports, provisional
calendar years, disk space and whether the app runs, with what to do about each problem."""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
from collections import namedtuple
from datetime import date

from dashboard.cli import main
from dashboard.config import PROJECT_ROOT
from dashboard.domain import workdays
from dashboard.ops import doctor
from dashboard.store import LATEST_SCHEMA_VERSION
from dashboard.store.backup import make_backup
from tests.browser_util import free_port

FIXTURE = PROJECT_ROOT / "tests" / "fixtures" / "releases" / "0.1.0" / "store.duckdb.gz"


def _old_store(tmp_path):
    db = tmp_path / "supervision.duckdb"
    with gzip.open(FIXTURE, "rb") as src, db.open("wb") as out:
        shutil.copyfileobj(src, out)
    return db


def _nobody(port=None) -> str:
    return f"http://127.0.0.1:{port or free_port()}/_stcore/health"


def _line(checks, label):
    (found,) = [c for c in checks if c.label == label]
    return found


def test_a_missing_store_is_a_problem_with_the_commands_to_fix_it(tmp_path, capsys):
    db = tmp_path / "none.duckdb"
    assert main(["doctor", "--db", str(db), "--port", str(free_port())]) == 1
    out = capsys.readouterr().out
    assert "[问题] 数据库文件" in out and "不存在" in out
    assert "dashboard init" in out and "user add" in out
    assert "[注意] 驾驶舱运行状态" in out and "未运行" in out and "systemctl start dashboard" in out
    assert "结论：1 项有问题" in out
    assert len(out.splitlines()) < 40  # one screen


def test_an_old_store_shows_its_version_last_import_and_calendar(tmp_path):
    db = _old_store(tmp_path)
    checks = doctor.run_checks(db, health=_nobody(), today=date(2026, 12, 1))
    assert _line(checks, "数据库文件").status == doctor.OK
    schema = _line(checks, "表结构版本")
    if LATEST_SCHEMA_VERSION > 10:
        assert schema.status == doctor.NOTE and schema.value.startswith("10（本程序为")
        assert "先备份、再自动升级" in schema.advice[0]
    last = _line(checks, "最近导入")
    assert last.status == doctor.OK and "release-fixture" in last.value
    backup = _line(checks, "最近备份")
    assert backup.status == doctor.NOTE and backup.value == "没有找到备份"
    calendar = _line(checks, "工作日日历")
    provisional = workdays.fallback_years(2025, workdays.CALENDAR_END.year)
    if provisional:
        assert f"{provisional[0]} 年" in calendar.value and "暂定" in calendar.value
        assert "2027 年已补录 1 天" in calendar.value  # the fixture's manual day
    if 2027 in provisional:  # entered by hand in the fixture: nothing more to do this year
        assert calendar.status == doctor.OK and calendar.advice == []
    assert _line(checks, "磁盘空间").status == doctor.OK
    # doctor reads without migrating or backing up
    from dashboard.ops import read_schema_version

    assert read_schema_version(db) == 10
    assert not (tmp_path / "backups").exists()


def test_the_last_backup_is_found(tmp_path):
    db = _old_store(tmp_path)
    path = make_backup(db, "manual")
    backup = _line(doctor.run_checks(db, health=_nobody()), "最近备份")
    assert backup.status == doctor.OK and path.name in backup.value and "共 1 份" in backup.value


def test_little_disk_space_is_a_problem(tmp_path, monkeypatch):
    db = _old_store(tmp_path)
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(
        doctor.shutil, "disk_usage", lambda _p: usage(10 * 1024**3, 0, 200 * 1024**2)
    )
    disk = _line(doctor.run_checks(db, health=_nobody()), "磁盘空间")
    assert disk.status == doctor.PROBLEM and "剩余 200.0 MB" in disk.value
    assert "清理旧日志和多余的备份" in disk.advice[0]


def test_a_store_held_by_a_process_that_does_not_answer(tmp_path):
    db = _old_store(tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb,sys,time; c=duckdb.connect({str(db)!r}); "
         "print('held', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True, env=dict(os.environ),
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        checks = doctor.run_checks(db, health=_nobody())
    finally:
        holder.kill()
        holder.wait()
    running = _line(checks, "驾驶舱运行状态")
    assert running.status == doctor.PROBLEM
    assert f"数据库被进程 {holder.pid} 占用" in running.value and "没有应答" in running.value
    assert "systemctl restart dashboard" in running.advice[1]
    # the store's figures still come, from a read-only copy of the file
    assert "只读副本" in _line(checks, "表结构版本").value
    assert "release-fixture" in _line(checks, "最近导入").value


def test_next_years_provisional_calendar_says_how_to_enter_the_notice(tmp_path):
    from dashboard.store import close_store, open_store

    db = tmp_path / "new.duckdb"
    open_store(db)
    close_store(db)
    calendar = _line(doctor.run_checks(db, health=_nobody(), today=date(2026, 12, 1)), "工作日日历")
    if 2027 in workdays.fallback_years(2027, 2027):
        assert calendar.status == doctor.NOTE
        assert "国务院公布 2027 年放假安排后" in calendar.advice[0]
        assert "系统设置 → 工作日手工补录" in calendar.advice[0]
