"""Backups of the store file (issue 13): consistent copies, N generations kept, and a restore that keeps
the current state as a backup first.

A backup is a copy of the store file made while nobody can write it: with an open `Store` the copy runs
under the process's write lock after a CHECKPOINT (the write-ahead log folded into the file, so the file
alone holds every committed write); given only a path, the file is opened first, which takes DuckDB's
file lock (refused with the usual "store in use" sentence while another program has it open) and
checkpoints it the same way, without migrating it. Backups live in `<store folder>/backups/` as
`<store name>-YYYYmmdd-HHMMSS-<reason>.duckdb`, each with a `.json` beside it (reason, time, schema
version, data version, size, SHA-256). `keep` (setting `backup_keep`) generations are kept: the oldest
beyond that are deleted after each new backup.

`exclusive(path)` holds a store file's lock while a caller replaces the file (`restore_backup`, the
demo build): the new file is renamed over the old one while the old one is still open and locked, so no
other program can slip in between and write to a file that is about to disappear.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from dashboard.store import (
    LATEST_SCHEMA_VERSION,
    Store,
    StoreError,
    StoreLockedError,
    _connect,
    _stores,
    _stores_lock,
)

BACKUPS_DIR_NAME = "backups"
DEFAULT_KEEP = 10

# reason code -> Chinese label (the code goes into the file name, the label into the sidecar)
REASONS = {
    "manual": "手动备份",
    "scheduled": "定时备份",
    "before-restore": "恢复前自动备份",
    "before-demo": "覆盖为演示数据前自动备份",
    "before-migrate": "升级表结构前自动备份",
}


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created_at: datetime
    reason: str
    label: str
    size: int
    schema_version: int | None = None
    data_version: int | None = None
    sha256: str | None = None


def backup_dir(store_path: str | Path) -> Path:
    return Path(store_path).resolve().parent / BACKUPS_DIR_NAME


def _slug(reason: str) -> str:
    return re.sub(r"[^A-Za-z0-9-]+", "-", reason).strip("-")[:40] or "manual"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _cached_store(path: Path) -> Store | None:
    with _stores_lock:
        return _stores.get(str(path.resolve()))


@contextmanager
def exclusive(path: str | Path) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """Hold the lock of the store file at `path` (None when the file does not exist) and checkpoint it.

    StoreLockedError (one Chinese sentence) when another program has it open; StoreError when this
    process has it open as its Store (close it first) or the file is not a DuckDB database."""
    path = Path(path)
    if not path.exists():
        yield None
        return
    if _cached_store(path) is not None:
        raise StoreLockedError(
            f"数据库 {path} 正被本程序使用（驾驶舱正在运行时请先停止驾驶舱），未做任何修改。"
        )
    con = _connect(path, 0)
    try:
        con.execute("CHECKPOINT")
        yield con
    finally:
        con.close()


def _copy_consistent(source: Path, target: Path) -> None:
    tmp = target.with_name(target.name + ".part")
    try:
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise StoreError(_os_sentence(exc, f"无法写入备份 {target}")) from exc


def _os_sentence(exc: OSError, what: str) -> str:
    import errno

    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return f"{what}：磁盘空间不足，未写入任何数据。"
    return f"{what}：{exc.strerror or exc}。"


def _target(store_path: Path, reason: str, now: datetime) -> Path:
    folder = backup_dir(store_path)
    folder.mkdir(parents=True, exist_ok=True)
    base = f"{store_path.stem}-{now:%Y%m%d-%H%M%S}-{_slug(reason)}"
    target, n = folder / f"{base}.duckdb", 2
    while target.exists():
        target, n = folder / f"{base}-{n}.duckdb", n + 1
    return target


def _meta(con, sql: str):
    try:
        row = con.execute(sql).fetchone()
    except duckdb.Error:
        return None
    return row[0] if row else None


def _write_backup(con, path: Path, reason: str, keep: int | None, now: datetime) -> Path:
    """Checkpoint through `con` (which holds the file or its write lock), copy, write the sidecar, prune."""
    target = _target(path, reason, now)
    try:
        con.execute("CHECKPOINT")
    except duckdb.Error as exc:
        raise StoreError(f"备份前无法整理数据库：{str(exc).splitlines()[0]}") from exc
    schema = _meta(con, "SELECT max(version) FROM schema_version")
    version = _meta(con, "SELECT coalesce(max(audit_id), 0) FROM audit_log")
    _copy_consistent(path, target)
    info = {
        "source": str(path),
        "reason": reason,
        "label": REASONS.get(reason, reason),
        "created_at": now.isoformat(timespec="seconds"),
        "schema_version": schema,
        "data_version": version,
        "size": target.stat().st_size,
        "sha256": _sha256(target),
    }
    try:
        target.with_suffix(".json").write_text(
            json.dumps(info, ensure_ascii=False, indent=2), encoding="utf-8"
        )
    except OSError as exc:
        target.unlink(missing_ok=True)
        raise StoreError(_os_sentence(exc, f"无法写入备份 {target}")) from exc
    prune(path, keep if keep is not None else DEFAULT_KEEP, protect=target)
    return target


def make_backup(
    store_or_path: Store | str | Path,
    reason: str = "manual",
    *,
    keep: int | None = None,
    now: datetime | None = None,
) -> Path:
    """A consistent copy of the store in its backups folder; returns the backup's path.

    With a Store: under its write lock after a CHECKPOINT (the running app). With a path: the file is
    opened (its lock taken, StoreLockedError while another program has it open), checkpointed and copied
    without being migrated; a path this process already has open as its Store is backed up through it."""
    now = now or datetime.now()
    if isinstance(store_or_path, Store):
        store, path = store_or_path, store_or_path.path
    else:
        path = Path(store_or_path)
        store = _cached_store(path) if str(path) != ":memory:" else None
    if str(path) == ":memory:":
        raise StoreError("内存数据库没有文件，不能备份。")
    path = path.resolve()
    if store is not None:
        with store._write_lock:
            cur = store.cursor()
            try:
                return _write_backup(cur, path, reason, keep, now)
            finally:
                cur.close()
    if not path.exists():
        raise StoreError(f"数据库 {path} 不存在，无法备份。")
    with exclusive(path) as con:
        return _write_backup(con, path, reason, keep, now)


def list_backups(store_path: str | Path) -> list[BackupInfo]:
    """The store's backups, newest first."""
    store_path = Path(store_path)
    folder = backup_dir(store_path)
    if not folder.is_dir():
        return []
    out = []
    for file in folder.glob(f"{store_path.stem}-*.duckdb"):
        meta: dict = {}
        side = file.with_suffix(".json")
        if side.exists():
            try:
                meta = json.loads(side.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                meta = {}
        try:
            created = datetime.fromisoformat(meta["created_at"])
        except (KeyError, TypeError, ValueError):
            created = datetime.fromtimestamp(file.stat().st_mtime)
        reason = meta.get("reason", "manual")
        out.append(
            BackupInfo(
                path=file,
                created_at=created,
                reason=reason,
                label=meta.get("label", REASONS.get(reason, reason)),
                size=file.stat().st_size,
                schema_version=meta.get("schema_version"),
                data_version=meta.get("data_version"),
                sha256=meta.get("sha256"),
            )
        )
    return sorted(out, key=lambda b: (b.created_at, b.path.name), reverse=True)


def prune(store_path: str | Path, keep: int, *, protect: Path | None = None) -> list[Path]:
    """Delete the oldest backups beyond `keep` (never `protect`); returns the deleted files."""
    keep = max(int(keep), 1)
    removed = []
    for info in list_backups(store_path)[keep:]:
        if protect is not None and info.path.resolve() == Path(protect).resolve():
            continue
        info.path.unlink(missing_ok=True)
        info.path.with_suffix(".json").unlink(missing_ok=True)
        removed.append(info.path)
    return removed


def _check_backup_file(backup: Path) -> int:
    """The schema version of a backup file, or StoreError if it is not a readable store."""
    if not backup.is_file():
        raise StoreError(f"备份文件 {backup} 不存在。")
    side = backup.with_suffix(".json")
    if side.exists():
        try:
            expected = json.loads(side.read_text(encoding="utf-8")).get("sha256")
        except (OSError, ValueError):
            expected = None
        if expected and expected != _sha256(backup):
            raise StoreError(
                f"备份文件 {backup} 与备份时记录的校验值不同（文件已损坏或被改动），未恢复。"
            )
    try:
        con = duckdb.connect(str(backup), read_only=True)
    except duckdb.Error as exc:
        raise StoreError(f"{backup} 不是可用的数据库备份：{str(exc).splitlines()[0]}") from exc
    try:
        version = _meta(con, "SELECT max(version) FROM schema_version")
    finally:
        con.close()
    if version is None:
        raise StoreError(f"{backup} 不是驾驶舱的数据库备份（没有表结构版本）。")
    if int(version) > LATEST_SCHEMA_VERSION:
        raise StoreError(
            f"备份 {backup} 的表结构版本 {version} 比本程序支持的 {LATEST_SCHEMA_VERSION} 新，"
            "请先升级程序再恢复。"
        )
    return int(version)


def restore_backup(
    backup: str | Path, store_path: str | Path, *, keep: int | None = None
) -> tuple[Path, Path | None]:
    """Replace the store file with `backup`; the current file is backed up first.

    Returns (restored file, backup of the state before). Refused (StoreLockedError) while any program
    has the store open; the replacement happens while the old file is still locked."""
    backup, store_path = Path(backup).resolve(), Path(store_path).resolve()
    _check_backup_file(backup)
    tmp = store_path.with_name(f"{store_path.name}.restoring-{os.getpid()}")
    before = None
    with exclusive(store_path) as held:
        if held is not None:
            before = _write_backup(held, store_path, "before-restore", keep, datetime.now())
        try:
            shutil.copyfile(backup, tmp)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise StoreError(_os_sentence(exc, f"无法恢复到 {store_path}")) from exc
        Path(str(store_path) + ".wal").unlink(missing_ok=True)
        os.replace(tmp, store_path)
    return store_path, before


# -- the running app's schedule -------------------------------------------------------------------


def backup_due(store: Store, interval_hours: float, now: datetime | None = None) -> bool:
    """True when the newest backup of the store is older than `interval_hours` (or there is none)."""
    if interval_hours <= 0 or str(store.path) == ":memory:":
        return False
    now = now or datetime.now()
    found = list_backups(store.path)
    return not found or (now - found[0].created_at).total_seconds() >= interval_hours * 3600


def scheduled_backup(store: Store, now: datetime | None = None) -> Path | None:
    """One scheduled backup if one is due under the store's settings (`backup_interval_hours`,
    `backup_keep`); the path, or None when not due."""
    from dashboard import config

    interval = float(config.get_setting(store, "backup_interval_hours"))
    if not backup_due(store, interval, now):
        return None
    keep = int(config.get_setting(store, "backup_keep"))
    return make_backup(store, "scheduled", keep=keep, now=now)


_scheduler_lock = threading.Lock()
_schedulers: dict[str, threading.Thread] = {}


def start_scheduler(
    get_store: Callable[[], Store], *, poll_seconds: float = 300.0, on_error=None
) -> threading.Thread:
    """A daemon thread (one per store file per process) that makes the scheduled backups of the
    running app: every `poll_seconds` it checks whether one is due."""
    store = get_store()
    key = str(store.path.resolve())
    with _scheduler_lock:
        thread = _schedulers.get(key)
        if thread is not None and thread.is_alive():
            return thread

        def loop() -> None:
            while True:
                try:
                    scheduled_backup(get_store())
                except Exception as exc:  # noqa: BLE001 - a failed backup must not stop the app
                    if on_error is not None:
                        on_error(exc)
                    else:
                        print(f"自动备份失败：{exc}", file=sys.stderr, flush=True)
                time.sleep(poll_seconds)

        thread = threading.Thread(target=loop, name="store-backup", daemon=True)
        _schedulers[key] = thread
        thread.start()
        return thread
