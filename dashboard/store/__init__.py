"""The DuckDB store: one connection per process, a cursor per query, one write lock (DESIGN.md §3)."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

# Tables of the interchange format, in dependency order (parents first).
INTERCHANGE_TABLES = (
    "units",
    "items",
    "entities",
    "risk_grades",
    "inspectors",
    "conflicts",
    "checklists",
    "plans",
    "plan_changes",
    "tasks",
    "inspections",
    "followups",
    # the office's work registers (DESIGN.md §8)
    "trainings",
    "publicity",
    "liaisons",
    "submissions",
    "supervisions",
)

LEDGER_TABLES = ("draws", "draw_pool", "draw_selections", "draw_confirmations")


# audit_log.table_name of audited writes that change no data a page or a draw reads (Store.data_version)
ACCOUNT_AUDIT_TABLES = ("users", "login_sessions")


class StoreError(Exception):
    """A store problem explained in one Chinese sentence (CLI exit code 2)."""


class StoreLockedError(StoreError):
    pass


class StoreWriteError(StoreError):
    """A write the store could not make for a cause outside the data (disk full, a value too large for
    the database, out of memory): one Chinese sentence per cause; the transaction was rolled back."""


def query_failure(
    exc: BaseException, memory_limit_mb: int | None = None, time_limit_ms: int = 60_000
) -> str | None:
    """The one-sentence cause of a page's query that the store stopped (its time limit, its memory
    limit), with what the user and the administrator can do; None for any other error, which is a
    defect and must surface as one."""
    if isinstance(exc, duckdb.InterruptException):
        return (
            f"这一页的查询超过了数据库的时间上限（{time_limit_ms // 1000} 秒），数据量很大时会这样："
            "请在左侧把查看范围缩小到"
            "一个单位、事项或乡镇后再试；若经常出现，请管理员在“系统设置”中提高“数据库内存上限”。"
        )
    if isinstance(exc, duckdb.OutOfMemoryException):
        limit = f"（当前 {memory_limit_mb} MB）" if memory_limit_mb else ""
        return (
            f"这一页的查询超出了数据库的内存上限{limit}：请在左侧把查看范围缩小到一个单位、事项或乡镇后"
            "再试，或请管理员在“系统设置”中提高“数据库内存上限”并重启驾驶舱。"
        )
    return None


def write_failure(exc: BaseException) -> str | None:
    """The one-sentence cause of a failed write, or None when the error is about the data itself
    (a constraint, a trigger, a type) and its own message says more."""
    text = str(exc)
    low = text.lower()
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    if any(
        k in low for k in ("no space left", "disk full", "disk quota", "file too large", "enospc")
    ):
        return "磁盘空间不足，未写入任何数据：请清理数据库所在磁盘（或换到空间更大的磁盘）后重试。"
    if isinstance(exc, duckdb.OutOfMemoryException) or any(
        k in low for k in ("out of memory", "failed to allocate", "could not allocate")
    ):
        return (
            "要写入的数据过大，服务器内存不足，未写入任何数据：请检查是否有内容过长的单元格，"
            "或把文件分成几批导入。"
        )
    if ("string" in low or "value" in low or "blob" in low) and any(
        k in low for k in ("too large", "too long", "exceeds", "maximum length", "out of range for")
    ):
        return "有一个单元格的内容超过数据库允许的长度，未写入任何数据：请缩短该单元格后重试。"
    if isinstance(exc, duckdb.IOException) or "could not write" in low or "could not read" in low:
        return f"数据库文件读写失败，未写入任何数据：{first}"
    if isinstance(exc, duckdb.TransactionException) and "failed to commit" in low:
        return f"数据库未能保存本次修改，未写入任何数据：{first}"
    return None


def _migrations() -> list[tuple[int, str, str]]:
    found = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        version = int(path.name.split("_", 1)[0])
        found.append((version, path.name, path.read_text(encoding="utf-8")))
    return found


LATEST_SCHEMA_VERSION = max(v for v, _, _ in _migrations())


def _connect(path: str | Path, max_execution_ms: int) -> duckdb.DuckDBPyConnection:
    config = {
        "autoload_known_extensions": False,
        "autoinstall_known_extensions": False,
    }
    try:
        con = duckdb.connect(str(path), config=config)
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" in text.lower():
            raise StoreLockedError(
                f"数据库 {path} 正被另一个程序（通常是正在运行的驾驶舱）占用，"
                "请先关闭该程序，或在驾驶舱的“数据管理”页面中操作。"
            ) from exc
        raise StoreError(f"无法打开数据库 {path}：{text}") from exc
    except duckdb.Error as exc:
        raise StoreError(f"无法打开数据库 {path}：{exc}") from exc
    return con


def _configure(
    con: duckdb.DuckDBPyConnection, *, in_memory: bool = False, memory_limit_mb: int | None = None
) -> None:
    """DuckDB's memory limit and threads from the settings `store.memory_limit_mb` / `store.threads`
    (issue 17), set before the configuration is locked; 0 threads = one per CPU core. An in-memory
    store (tests, benchmarks) cannot spill to disk: it keeps DuckDB's own limit unless one is stored.
    `memory_limit_mb` overrides the setting (a large demo build)."""
    from dashboard.config import DEFAULTS

    values = {k: DEFAULTS[k] for k in ("store.memory_limit_mb", "store.threads")}
    try:
        rows = con.execute(
            "SELECT key, value FROM settings WHERE key IN ('store.memory_limit_mb', 'store.threads')"
        ).fetchall()
    except duckdb.Error:  # a store without the settings table (an old file before migrating)
        rows = []
    stored = set()
    for key, raw in rows:
        try:
            values[key] = int(json.loads(raw))
            stored.add(key)
        except (TypeError, ValueError):
            pass  # an unreadable value: the default (the settings page refuses such values)
    if memory_limit_mb is not None:
        values["store.memory_limit_mb"], in_memory = memory_limit_mb, False
    if not in_memory or "store.memory_limit_mb" in stored:
        limit = max(64, int(values["store.memory_limit_mb"]))
        con.execute(f"SET GLOBAL memory_limit = '{limit}MB'")
    threads = int(values["store.threads"]) or (os.cpu_count() or 1)
    con.execute(f"SET GLOBAL threads = {max(1, threads)}")


def _lock_down(con: duckdb.DuckDBPyConnection, max_execution_ms: int) -> None:
    con.execute("SET GLOBAL allowed_directories = []")
    con.execute("SET GLOBAL enable_external_access = false")
    if max_execution_ms:
        # GLOBAL so that every cursor (a connection of its own) inherits the limit.
        con.execute(f"SET GLOBAL max_execution_time = {int(max_execution_ms)}")
    con.execute("SET GLOBAL lock_configuration = true")


def _apply_migrations(con: duckdb.DuckDBPyConnection) -> int:
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
        " applied_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp())"
    )
    applied = {v for (v,) in con.execute("SELECT version FROM schema_version").fetchall()}
    current = max(applied, default=0)
    for version, name, sql in _migrations():
        if version in applied:  # apply every missing one, even one numbered below the newest
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            con.execute("INSERT INTO schema_version (version, name) VALUES (?, ?)", [version, name])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        current = max(current, version)
    return current


def _pending_upgrade(con: duckdb.DuckDBPyConnection) -> bool:
    """True when an existing store (one with migrations applied) lacks some of this release's."""
    has_table = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchall()[0][0]
    if not has_table:
        return False
    applied = {v for (v,) in con.execute("SELECT version FROM schema_version").fetchall()}
    return bool(applied) and bool({v for v, _, _ in _migrations()} - applied)


def _backup_before_migrate(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Back the store file up before its schema is upgraded (issue 15); no backup, no migration.

    Through the connection being opened (checkpoint, then copy): make_backup(path) would take
    _stores_lock, which open_store holds while it builds this Store."""
    from datetime import datetime

    from dashboard.store.backup import _write_backup

    try:
        _write_backup(con, path.resolve(), "before-migrate", None, datetime.now())
    except StoreError as exc:
        raise StoreError(f"升级表结构前未能备份数据库，未做升级：{exc}") from exc


class Store:
    """A process-wide handle: read with `query`/`df`, write inside `transaction()`."""

    def __init__(
        self,
        path: str | Path,
        *,
        lock_down: bool = True,
        max_execution_ms: int = 60_000,
        memory_limit_mb: int | None = None,
    ):
        self.path = Path(path)
        self.max_execution_ms = max_execution_ms  # the statement time limit (0: none)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._con = _connect(path, max_execution_ms)
        if str(path) != ":memory:" and _pending_upgrade(self._con):
            try:
                _backup_before_migrate(self._con, self.path)
            except BaseException:
                self._con.close()
                raise
        self.schema_version = _apply_migrations(self._con)
        _configure(self._con, in_memory=str(path) == ":memory:", memory_limit_mb=memory_limit_mb)
        if lock_down:
            _lock_down(self._con, max_execution_ms)
        self._write_lock = threading.RLock()
        self.generation = 0  # committed transactions of this process (grows with every write)
        self._ensure_calendar()
        from dashboard.store import grades

        grades.ensure_latest_grades(self)  # an upgraded store's grades, summarised once

    # -- reading ---------------------------------------------------------------------------
    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A fresh cursor; use one per query so threads never share a result stream."""
        return self._con.cursor()

    def df(self, sql: str, params: list | dict | None = None) -> pd.DataFrame:
        cur = self.cursor()
        try:
            return cur.execute(sql, params or []).df()
        finally:
            cur.close()

    def rows(self, sql: str, params: list | dict | None = None) -> list[tuple]:
        cur = self.cursor()
        try:
            return cur.execute(sql, params or []).fetchall()
        finally:
            cur.close()

    def scalar(self, sql: str, params: list | dict | None = None) -> Any:
        result = self.rows(sql, params)
        return result[0][0] if result else None

    # -- writing ---------------------------------------------------------------------------
    @contextmanager
    def transaction(
        self, *, raise_as: type[Exception] | None = None, changes_data: bool = True
    ) -> Iterator[duckdb.DuckDBPyConnection]:
        """One write = one transaction under the process-wide write lock; rolled back on error.

        `changes_data=False` marks a write that changes no figure, list or draw pool (accounts,
        log-ins, a session's last-seen time): it leaves `generation` alone, so cached results stay
        valid. Without it, every signed-in browser's 20-second session touch emptied the cache.

        A failure whose cause is outside the data (disk full, a value too large, out of memory) is
        raised as StoreWriteError with one Chinese sentence (`write_failure`), or as `raise_as(sentence)`
        (a service's own error, e.g. DrawError, that its pages already show)."""
        with self._write_lock:
            cur = self.cursor()
            cur.execute("BEGIN TRANSACTION")
            try:
                yield cur
                cur.execute("COMMIT")
            except BaseException as exc:
                try:
                    cur.execute("ROLLBACK")
                except duckdb.Error:
                    pass  # a failed COMMIT has already ended the transaction
                cur.close()
                # disk full, an oversized value: say so, not "TransactionContext Error"
                sentence = write_failure(exc) if isinstance(exc, duckdb.Error) else None
                if sentence is not None:
                    raise (raise_as or StoreWriteError)(sentence) from exc
                raise
            cur.close()
            if changes_data:  # a key for cached results (metrics.cache)
                self.generation += 1

    def audit(
        self,
        cur: duckdb.DuckDBPyConnection,
        actor: str,
        action: str,
        *,
        table_name: str | None = None,
        record_key: str | None = None,
        old_value: Any = None,
        new_value: Any = None,
        detail: str | None = None,
    ) -> None:
        """Record a write in the audit log, inside the caller's transaction."""

        def as_text(value: Any) -> str | None:
            if value is None or isinstance(value, str):
                return value
            return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)

        from dashboard.store import audit_chain  # the log's hash chain (issue 13)

        row = {
            "audit_id": cur.execute("SELECT nextval('audit_seq')").fetchone()[0],
            "happened_at": datetime.now(),
            "actor": actor,
            "action": action,
            "table_name": table_name,
            "record_key": record_key,
            "old_value": as_text(old_value),
            "new_value": as_text(new_value),
            "detail": detail,
        }
        previous = audit_chain.head(cur)
        cur.execute(
            f"INSERT INTO audit_log ({', '.join(audit_chain.FIELDS)}, previous_hash, row_hash)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [*row.values(), previous, audit_chain.row_hash(previous, row)],
        )

    # -- meta ------------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        return self.scalar("SELECT value FROM store_meta WHERE key = ?", [key])

    def set_meta(self, cur: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
        cur.execute(
            "INSERT INTO store_meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )

    def data_version(self, cur: duckdb.DuckDBPyConnection | None = None) -> int:
        """Grows with every audited write of data (imports, draws, entries, settings): a key for cached
        results and for a draw preview's freshness. With `cur`, as seen inside that cursor's transaction.

        Audited account events (log-ins, failed log-ins, user changes: ACCOUNT_AUDIT_TABLES) are left
        out: they change no figure, and another clerk logging in must not make a draw preview stale."""
        sql = (
            "SELECT coalesce(max(audit_id), 0) FROM audit_log"
            f" WHERE table_name IS NULL OR table_name NOT IN {ACCOUNT_AUDIT_TABLES!r}"
        )
        return int(self.scalar(sql) if cur is None else cur.execute(sql).fetchall()[0][0])

    @property
    def is_demo(self) -> bool:
        return self.meta("demo") == "true"

    def _ensure_calendar(self) -> None:
        """Rebuild the `calendar` table when it is empty or its recorded inputs are stale (DOMAIN.md §7).

        Runs after the lock-down: the rebuild only writes through a registered Arrow table."""
        from dashboard.store import calendar

        calendar.ensure_calendar(self)

    def close(self) -> None:
        self._con.close()


_stores: dict[str, Store] = {}
_stores_lock = threading.Lock()


def open_store(path: str | Path, **kwargs: Any) -> Store:
    """The one Store of this process for `path` (created and migrated on first use)."""
    key = str(Path(path).resolve()) if str(path) != ":memory:" else ":memory:"
    with _stores_lock:
        store = _stores.get(key)
        if store is None or key == ":memory:":
            store = Store(path, **kwargs)
            if key != ":memory:":
                _stores[key] = store
        return store


def close_store(path: str | Path) -> None:
    key = str(Path(path).resolve())
    with _stores_lock:
        store = _stores.pop(key, None)
    if store is not None:
        store.close()
