"""Upgrades keep the data (issue 15): a store made by each earlier release opens in this one, is backed up
and migrated, and exports the same rows; `dashboard --version` and 数据管理 show both versions.

Each release adds its fixture with tools/make_release_fixture.py (run from that release's tree), under
tests/fixtures/releases/<version>/: store.duckdb.gz, export/ and release.json."""

from __future__ import annotations

import csv
import gzip
import json
import shutil
from collections import Counter
from pathlib import Path

import duckdb
import pytest

import dashboard.store as store_module
from dashboard.cli import main
from dashboard.config import PROJECT_ROOT, get_setting
from dashboard.ingest import export_store
from dashboard.ops import program_version, read_schema_version
from dashboard.store import LATEST_SCHEMA_VERSION, StoreError, close_store, open_store
from dashboard.store.backup import list_backups

RELEASES = PROJECT_ROOT / "tests" / "fixtures" / "releases"
FIXTURES = sorted(p for p in RELEASES.iterdir() if (p / "store.duckdb.gz").exists())


def _unpack(release: Path, dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    db = dest / "supervision.duckdb"
    with gzip.open(release / "store.duckdb.gz", "rb") as src, db.open("wb") as out:
        shutil.copyfileobj(src, out)
    return db


def _rows(path: Path) -> tuple[list[str], list[tuple[str, ...]]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        return header, [tuple(r) for r in reader]


def test_there_is_a_fixture_of_the_first_release():
    assert [p.name for p in FIXTURES][:1] == ["0.1.0"]
    info = json.loads((RELEASES / "0.1.0" / "release.json").read_text(encoding="utf-8"))
    assert info["schema_version"] == 10 and info["program_version"] == "0.1.0"


@pytest.mark.parametrize("release", FIXTURES, ids=[p.name for p in FIXTURES])
def test_a_store_of_an_earlier_release_migrates_and_exports_the_same_rows(release, tmp_path):
    info = json.loads((release / "release.json").read_text(encoding="utf-8"))
    db = _unpack(release, tmp_path / "store")
    assert read_schema_version(db) == info["schema_version"]

    store = open_store(db)
    try:
        assert store.schema_version == LATEST_SCHEMA_VERSION
        # a backup of the old file was made before the migration, and it is the old store
        backups = list_backups(db)
        if info["schema_version"] < LATEST_SCHEMA_VERSION:
            assert [b.reason for b in backups] == ["before-migrate"]
            assert read_schema_version(backups[0].path) == info["schema_version"]
        else:
            assert backups == []
        # what the export does not carry came through too
        users = [r[0] for r in store.rows("SELECT username FROM users ORDER BY username")]
        assert users == info["users"]
        for key, value in info["settings"].items():
            assert get_setting(store, key) == value
        days = {
            d.isoformat(): bool(w)
            for d, w in store.rows("SELECT day, is_workday FROM calendar_overrides")
        }
        assert days == info["calendar_overrides"]
        assert store.scalar("SELECT count(*) FROM audit_log") >= info["audit_rows"]
        export_store(store, tmp_path / "export")
    finally:
        close_store(db)

    expected_files = sorted(p.name for p in (release / "export").glob("*.csv"))
    assert expected_files  # the release exported something
    for name in expected_files:
        old_header, old_rows = _rows(release / "export" / name)
        new_header, new_rows = _rows(tmp_path / "export" / name)
        assert set(old_header) <= set(new_header), name  # columns may be added, never lost
        pick = [new_header.index(c) for c in old_header]
        projected = Counter(tuple(r[i] for i in pick) for r in new_rows)
        assert projected == Counter(old_rows), name
    # reopening the migrated store changes nothing and backs up nothing more
    before = len(list_backups(db))
    assert open_store(db).schema_version == LATEST_SCHEMA_VERSION
    close_store(db)
    assert len(list_backups(db)) == before


def _with_extra_migration(monkeypatch, tmp_path: Path, sql: str) -> int:
    """This release's migrations plus one more (numbered after the newest), as the next release."""
    folder = tmp_path / "migrations"
    shutil.copytree(store_module.MIGRATIONS_DIR, folder)
    version = LATEST_SCHEMA_VERSION + 1
    (folder / f"{version:03d}_next_release.sql").write_text(sql, encoding="utf-8")
    monkeypatch.setattr(store_module, "MIGRATIONS_DIR", folder)
    return version


def _current_store(tmp_path: Path) -> Path:
    db = tmp_path / "now" / "supervision.duckdb"
    db.parent.mkdir(parents=True)
    store = open_store(db)
    with store.transaction() as cur:
        cur.execute(
            "INSERT INTO units (unit_code, unit_name, unit_kind) VALUES ('U1', '测试股', '股室')"
        )
    close_store(db)
    return db


def test_the_next_release_backs_up_before_it_migrates(monkeypatch, tmp_path):
    db = _current_store(tmp_path)
    assert list_backups(db) == []  # a new store and an up-to-date one are not backed up
    version = _with_extra_migration(
        monkeypatch, tmp_path, "ALTER TABLE units ADD COLUMN next_release_note VARCHAR;"
    )
    store = open_store(db)
    try:
        assert store.schema_version == version
        assert store.scalar("SELECT count(*) FROM units WHERE unit_code = 'U1'") == 1
    finally:
        close_store(db)
    (backup,) = list_backups(db)
    assert backup.reason == "before-migrate" and backup.label == "升级表结构前自动备份"
    assert read_schema_version(backup.path) == LATEST_SCHEMA_VERSION
    con = duckdb.connect(str(backup.path), read_only=True)
    try:
        columns = [r[0] for r in con.execute("DESCRIBE units").fetchall()]
        assert "next_release_note" not in columns
        assert con.execute("SELECT unit_name FROM units").fetchall() == [("测试股",)]
    finally:
        con.close()


def test_no_backup_no_migration(monkeypatch, tmp_path):
    db = _current_store(tmp_path)
    _with_extra_migration(monkeypatch, tmp_path, "ALTER TABLE units ADD COLUMN x VARCHAR;")
    import dashboard.store.backup as backup_module

    def full_disk(*_a, **_k):
        raise StoreError("无法写入备份：磁盘空间不足，未写入任何数据。")

    monkeypatch.setattr(backup_module, "_write_backup", full_disk)
    with pytest.raises(StoreError) as exc:
        open_store(db)
    assert "升级表结构前未能备份数据库，未做升级" in str(exc.value)
    assert read_schema_version(db) == LATEST_SCHEMA_VERSION  # untouched


def test_version_names_the_program_and_the_stores_schema(tmp_path, monkeypatch, capsys):
    db = _unpack(FIXTURES[0], tmp_path)
    monkeypatch.setenv("DASHBOARD_DB", str(db))
    assert main(["--version"]) == 0
    out = capsys.readouterr().out
    assert f"双随机监管驾驶舱 {program_version()}（表结构版本 {LATEST_SCHEMA_VERSION}）" in out
    if LATEST_SCHEMA_VERSION > 10:
        assert "表结构版本 10，下次打开时先备份再升级" in out
    assert read_schema_version(db) == 10  # --version reads, it does not migrate
    assert list_backups(db) == []
    assert program_version() == "0.1.0" or program_version()[0].isdigit()


def test_data_management_page_shows_both_versions(app_store):
    from streamlit.testing.v1 import AppTest

    from tests.browser_util import login_as

    at = AppTest.from_file(str(PROJECT_ROOT / "pages" / "data_management.py"), default_timeout=60)
    login_as(at, "admin", app_store)
    at.run()
    assert not at.exception, at.exception
    captions = [c.value for c in at.caption]
    assert (
        f"程序版本 {program_version()}，数据库表结构版本 {app_store.schema_version}"
        f"（本程序为 {LATEST_SCHEMA_VERSION}）。"
    ) in captions
