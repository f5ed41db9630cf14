"""Issue 13 points 1 and 8: destructive commands take the store's lock first; backups and restores.

`dashboard demo --force` used to unlink a store another process had open (its writes were lost); now it
is refused with the "store in use" sentence, a store that is not a demo store needs --confirm NAME and is
backed up first, and a restore keeps the current state as a backup and gives back an identical export.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from dashboard.cli import main
from dashboard.store import StoreError, StoreLockedError, close_store, open_store
from dashboard.store import backup as B
from tests.browser_util import copy_demo_store


def _hold(db: Path) -> subprocess.Popen:
    """Another program with the store open (as the running app would have it)."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,time; c=duckdb.connect({str(db)!r}); print('ok', flush=True);"
            " time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "ok"
    return holder


def _export(db: Path, out: Path) -> dict[str, bytes]:
    assert main(["export", str(out), "--db", str(db)]) == 0
    close_store(db)
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def _office_store(path: Path) -> Path:
    """A store that is not a demo store: `init` and one administrator."""
    from dashboard.auth import create_user

    assert main(["init", "--db", str(path)]) == 0
    create_user(open_store(path), "chief", "主任", "admin", [], "Chief@2026x", actor="test")
    close_store(path)
    return path


def test_demo_force_is_refused_while_another_program_has_the_store_open(tmp_path, capsys):
    db = _office_store(tmp_path / "office.duckdb")
    before = db.read_bytes()
    holder = _hold(db)
    try:
        code = main(
            ["demo", "--db", str(db), "--force", "--confirm", db.name, "--as-of", "2026-11-27"]
        )
    finally:
        holder.kill()
        holder.wait()
    err = capsys.readouterr().err
    assert code == 2
    assert "占用" in err and len(err.strip().splitlines()) == 1
    assert db.read_bytes() == before  # not unlinked, not replaced
    assert B.list_backups(db) == []


def test_demo_force_over_an_office_store_needs_confirmation_and_keeps_a_backup(tmp_path, capsys):
    db = _office_store(tmp_path / "office.duckdb")
    before = db.read_bytes()
    assert main(["demo", "--db", str(db), "--force", "--as-of", "2026-11-27"]) == 2
    err = capsys.readouterr().err
    assert "不是演示库" in err and f"--confirm {db.name}" in err
    assert db.read_bytes() == before
    # a wrong name is no confirmation
    assert main(["demo", "--db", str(db), "--force", "--confirm", "x.duckdb"]) == 2
    capsys.readouterr()
    assert db.read_bytes() == before

    assert (
        main(["demo", "--db", str(db), "--force", "--confirm", db.name, "--as-of", "2026-11-27"])
        == 0
    )
    store = open_store(db)
    assert (
        store.is_demo and store.scalar("SELECT count(*) FROM users WHERE username = 'chief'") == 0
    )
    close_store(db)
    (saved,) = B.list_backups(db)
    assert saved.reason == "before-demo"
    kept = open_store(saved.path)
    assert kept.scalar("SELECT display_name FROM users WHERE username = 'chief'") == "主任"
    close_store(saved.path)


def test_demo_force_over_a_demo_store_needs_no_confirmation(demo_store, demo_db_path, tmp_path):
    db = copy_demo_store(demo_store, demo_db_path, tmp_path / "d.duckdb")
    assert main(["demo", "--db", str(db), "--force", "--seed", "7", "--as-of", "2026-11-27"]) == 0
    assert open_store(db).meta("demo_seed") == "7"
    close_store(db)


def test_backup_then_restore_gives_an_identical_export_and_keeps_the_state_before(
    demo_store, demo_db_path, tmp_path, capsys
):
    from dashboard.auth import create_user

    db = copy_demo_store(demo_store, demo_db_path, tmp_path / "s" / "store.duckdb")
    original = _export(db, tmp_path / "e0")

    assert main(["backup", "--db", str(db)]) == 0
    assert "已备份到" in capsys.readouterr().out
    (first,) = B.list_backups(db)
    assert first.path.parent == db.parent / "backups" and first.sha256

    # a mistaken change after the backup: an entity renamed, an account added
    store = open_store(db)
    with store.transaction() as cur:
        cur.execute(
            "UPDATE entities SET name = '改错的名称' WHERE entity_code = (SELECT min(entity_code) FROM entities)"
        )
    create_user(store, "later", "后来", "leader", [], "Later@2026x", actor="test")
    close_store(db)
    changed = _export(db, tmp_path / "e1")
    assert changed != original

    holder = _hold(db)  # refused while the store is in use
    try:
        assert main(["restore", str(first.path), "--db", str(db)]) == 2
        assert "占用" in capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait()

    assert main(["restore", "latest", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "恢复前的状态已备份为" in out
    assert _export(db, tmp_path / "e2") == original
    assert open_store(db).scalar("SELECT count(*) FROM users WHERE username = 'later'") == 0
    close_store(db)

    before = [b for b in B.list_backups(db) if b.reason == "before-restore"]
    assert len(before) == 1
    assert _export(before[0].path, tmp_path / "e3") == changed


def test_restore_refuses_a_damaged_backup_and_leaves_the_store(demo_store, demo_db_path, tmp_path):
    db = copy_demo_store(demo_store, demo_db_path, tmp_path / "store.duckdb")
    made = B.make_backup(db, "manual")
    data = bytearray(made.read_bytes())
    data[len(data) // 2] ^= 0xFF
    made.write_bytes(bytes(data))
    before = db.read_bytes()
    with pytest.raises(StoreError, match="校验值"):
        B.restore_backup(made, db)
    assert db.read_bytes() == before
    not_a_store = tmp_path / "x.duckdb"
    not_a_store.write_bytes(b"not a database")
    with pytest.raises(StoreError):
        B.restore_backup(not_a_store, db)
    assert db.read_bytes() == before


def test_running_app_backs_up_on_schedule_under_the_lock_and_keeps_n(
    demo_store, demo_db_path, tmp_path
):
    from dashboard import config

    db = copy_demo_store(demo_store, demo_db_path, tmp_path / "app.duckdb")
    store = open_store(db)  # the app's open store: backups go through its write lock
    config.set_setting(store, "backup_keep", 3, "test")
    t0 = datetime(2026, 11, 27, 8, 0)
    assert B.backup_due(store, 24, t0)
    made = B.scheduled_backup(store, now=t0)
    assert made is not None and made.exists()
    assert B.scheduled_backup(store, now=t0 + timedelta(hours=23)) is None  # not due yet
    for day in range(1, 5):
        assert B.scheduled_backup(store, now=t0 + timedelta(days=day)) is not None
    found = B.list_backups(db)
    assert [b.created_at for b in found] == [t0 + timedelta(days=d) for d in (4, 3, 2)]
    # a backup made while the app runs is a complete store with every committed write
    with store.transaction() as cur:
        store.audit(cur, "test", "marker", detail="after the scheduled backups")
    manual = B.make_backup(store, "manual", now=t0 + timedelta(days=5))
    copy = open_store(manual)
    assert copy.scalar("SELECT count(*) FROM audit_log WHERE action = 'marker'") == 1
    close_store(manual)
    config.set_setting(store, "backup_interval_hours", 0, "test")
    assert not B.backup_due(store, 0, t0 + timedelta(days=30))
    close_store(db)


def test_exclusive_refuses_a_store_in_use(tmp_path):
    db = _office_store(tmp_path / "office.duckdb")
    holder = _hold(db)
    try:
        with pytest.raises(StoreLockedError, match="占用"):
            B.make_backup(db)
    finally:
        holder.kill()
        holder.wait()
