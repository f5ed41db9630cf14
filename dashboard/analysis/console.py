"""The ad-hoc SQL console: one SELECT at a time on a private, locked-down, in-memory DuckDB.

The console never touches the store connection (DESIGN.md §3). Each session gets its own in-memory
database holding copies of the analysis views (already filtered to the user's units, see views.py); the
connection has external access off (no files, no ATTACH/COPY/INSTALL/LOAD), no temp directory, no Python
replacement scans, a memory limit and `max_execution_time`, and then its configuration is locked. A query
must be exactly one SELECT statement and at most `row_cap` rows are fetched. The database runs in a worker
process (console_worker) with an address-space limit, killed at the deadline or past its memory bound
(issue 13: one expression such as repeat('x', 3000000000) used to run on past the limit and take GBs).
"""

from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass

import duckdb
import pandas as pd

from dashboard.config import get_setting
from dashboard.scope import Scope
from dashboard.store import Store

from .views import AnalysisView, analysis_views

# Table functions that read files or the network; refused before DuckDB sees them (external access is off
# as well, so this is the first of two locks).
_FILE_FUNCTIONS = re.compile(
    r"""(?ix) ["`]? \b(
        read_\w+ | glob | sniff_csv | parquet_\w+ | \w+_scan | csv_scan | iceberg_\w+ | delta_\w+ |
        json_\w*file\w* | load_\w+ | http\w* | s3\w* | getenv
    )\b ["`]? \s* \(""",
)


class ConsoleError(Exception):
    """A refused or failed query, explained in one Chinese sentence."""


@dataclass(frozen=True)
class QueryResult:
    df: pd.DataFrame
    truncated: bool
    elapsed_ms: int
    row_cap: int

    @property
    def message(self) -> str:
        if self.truncated:
            return f"结果已截断：只显示前 {self.row_cap} 行，请增加筛选条件或使用 LIMIT 缩小结果。"
        return f"共 {len(self.df)} 行，用时 {self.elapsed_ms} 毫秒。"


_REFUSED_TYPES = {
    "INSERT": "写入数据（INSERT）",
    "UPDATE": "修改数据（UPDATE）",
    "DELETE": "删除数据（DELETE）",
    "MERGE_INTO": "合并写入（MERGE）",
    "CREATE": "创建对象（CREATE）",
    "CREATE_FUNC": "创建函数或宏（CREATE）",
    "DROP": "删除对象（DROP）",
    "ALTER": "修改结构（ALTER）",
    "COPY": "导入导出文件（COPY）",
    "COPY_DATABASE": "复制数据库（COPY）",
    "EXPORT": "导出数据库（EXPORT）",
    "ATTACH": "挂接数据库（ATTACH）",
    "DETACH": "卸载数据库（DETACH）",
    "LOAD": "安装或加载扩展（INSTALL/LOAD）",
    "EXTENSION": "安装或加载扩展（INSTALL/LOAD）",
    "SET": "修改设置（SET/RESET）",
    "VARIABLE_SET": "设置变量（SET VARIABLE）",
    "PRAGMA": "执行 PRAGMA 指令",
    "CALL": "执行 CALL 调用",
    "TRANSACTION": "事务控制（BEGIN/COMMIT）",
    "VACUUM": "整理数据库（VACUUM/CHECKPOINT）",
    "ANALYZE": "统计分析（ANALYZE）",
    "PREPARE": "预编译语句（PREPARE）",
    "EXECUTE": "执行预编译语句（EXECUTE）",
    "EXPLAIN": "查看执行计划（EXPLAIN）",
    "MULTI": "多步语句（如 PIVOT 语句）",
}


def check_sql(sql: str) -> str:
    """The one SELECT statement in `sql`, or ConsoleError saying why it is refused."""
    if not sql or not sql.strip():
        raise ConsoleError("请输入一条 SELECT 查询语句。")
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise ConsoleError(f"SQL 语法错误，请检查语句：{_first_line(exc)}") from exc
    if len(statements) == 0:
        raise ConsoleError("请输入一条 SELECT 查询语句。")
    if len(statements) > 1:
        raise ConsoleError(
            f"一次只能执行一条 SELECT 语句，这里有 {len(statements)} 条，请删去多余的语句和分号。"
        )
    kind = statements[0].type.name
    if kind != "SELECT":
        what = _REFUSED_TYPES.get(kind, kind)
        raise ConsoleError(f"查询台只允许 SELECT 查询，不允许{what}；数据不会被修改。")
    match = _FILE_FUNCTIONS.search(_strip_literals(sql))
    if match:
        raise ConsoleError(
            f"查询台不能读取或写入文件和外部资源（{match.group(1)}），只能查询左侧列出的分析视图。"
        )
    return sql


def _strip_literals(sql: str) -> str:
    """The SQL with string literals and comments blanked, so names inside text do not match."""
    sql = re.sub(r"'(?:[^']|'')*'", "''", sql)
    sql = re.sub(r"--[^\n]*", " ", sql)
    return re.sub(r"/\*.*?\*/", " ", sql, flags=re.S)


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _explain(exc: BaseException, time_limit_ms: int) -> str:
    """One Chinese sentence for a DuckDB error raised while running a SELECT."""
    detail = _first_line(exc)
    if isinstance(exc, duckdb.InterruptException):
        return (
            f"查询超过 {time_limit_ms / 1000:g} 秒的时间限制，已被中止；"
            "请增加筛选条件或简化查询后再试。"
        )
    if isinstance(exc, duckdb.PermissionException):
        return "查询台不能读取或写入文件、挂接数据库或加载扩展，只能查询左侧列出的分析视图。"
    if isinstance(exc, duckdb.OutOfMemoryException):
        return "查询占用内存过多，已被中止；请增加筛选条件或减少连接的表。"
    if isinstance(exc, duckdb.CatalogException):
        return f"查询引用了不存在的表、列或函数，请在“数据表说明”中核对名称：{detail}"
    if isinstance(exc, duckdb.BinderException):
        return f"查询中的列名或类型有误，请核对：{detail}"
    if isinstance(exc, duckdb.ParserException):
        return f"SQL 语法错误，请检查语句：{detail}"
    if isinstance(exc, duckdb.InvalidInputException) and "lock" in detail.lower():
        return "查询台的设置已锁定，不能修改。"
    return f"查询执行出错：{detail}"


class SqlConsole:
    """A private in-memory DuckDB with the analysis views as tables, for one user session.

    The DuckDB runs in a worker process (dashboard.analysis.console_worker) with an address-space
    limit; the query is stopped at its time limit (by DuckDB itself, and failing that the worker is
    killed at the deadline), and the worker is also killed when its resident memory passes
    `rss_limit_bytes`. A new worker is started for the next query. The server's own memory never holds
    more than the capped result."""

    def __init__(
        self,
        views: dict[str, AnalysisView],
        *,
        row_cap: int = 10_000,
        time_limit_ms: int = 5_000,
        memory_limit: str = "1GB",
        threads: int = 2,
    ):
        self.views = views
        self.row_cap = int(row_cap)
        self.time_limit_ms = int(time_limit_ms)
        self._lock = threading.Lock()
        budget = _bytes(memory_limit)
        # RSS bound: DuckDB's own limit plus room for the views, Python and one capped result
        self.rss_limit_bytes = budget + 512 * 2**20 + _views_bytes(views) * 2
        self._memory_limit, self._threads = memory_limit, int(threads)
        self._address_space_extra = budget + 512 * 2**20
        self._proc = None
        self._conn = None
        self.worker_info: dict = {}
        self._start()

    # -- the worker ---------------------------------------------------------------------------
    def _payload(self) -> dict:
        """What a new worker is sent: the views as Arrow IPC and the limits. Built for each start and
        dropped once sent, so the server does not hold the views a second time (at 1 M entities
        several hundred MB) beside their Arrow tables."""
        return {
            "views": {
                name: (_ipc(view.table), view.description, dict(view.columns))
                for name, view in self.views.items()
            },
            "memory_limit": self._memory_limit,
            "threads": self._threads,
            "time_limit_ms": self.time_limit_ms,
            "row_cap": self.row_cap,
            "address_space_extra": self._address_space_extra,
        }

    def _start(self) -> None:
        """A new worker: `python -m dashboard.analysis.console_worker FD` on one end of a socket pair
        (a fresh interpreter, never a fork of the threaded server; multiprocessing's spawn would run
        the page script again, as Streamlit makes it __main__). The views are sent on a thread."""
        import socket
        import subprocess
        import sys
        from multiprocessing.connection import Connection

        ours, theirs = socket.socketpair()
        proc = subprocess.Popen(
            [sys.executable, "-m", "dashboard.analysis.console_worker", str(theirs.fileno())],
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
            close_fds=True,
        )
        theirs.close()
        conn = Connection(ours.detach())
        sender = threading.Thread(
            target=_send_quietly, args=(conn, self._payload), name="sql-console-load", daemon=True
        )
        sender.start()
        self._proc, self._conn, self.worker_info = proc, conn, {}

    def _alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def _ready(self) -> None:
        if not self._alive():
            self._stop()
            self._start()
        if self.worker_info:
            return
        if not self._conn.poll(60):
            self._stop()
            raise ConsoleError("查询台未能启动，请稍后再试。")
        try:
            kind, info = self._conn.recv()
        except (EOFError, OSError):
            self._stop()
            raise ConsoleError("查询台未能启动，请稍后再试。") from None
        self.worker_info = info

    def _stop(self) -> None:
        proc, conn = self._proc, self._conn
        self._proc = self._conn = None
        self.worker_info = {}
        if conn is not None:
            try:
                conn.close()
            except OSError:
                pass
        if proc is not None and proc.poll() is None:
            proc.kill()
            try:
                proc.wait(5)
            except Exception:  # noqa: BLE001 - the kernel reaps it later
                pass

    def _rss(self) -> int:
        try:
            with open(f"/proc/{self._proc.pid}/statm", encoding="ascii") as fh:
                return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError, AttributeError):
            return 0

    @classmethod
    def for_scope(cls, store: Store, scope: Scope) -> SqlConsole:
        return cls(
            analysis_views(store, scope),
            row_cap=int(get_setting(store, "sql_row_cap")),
            time_limit_ms=int(get_setting(store, "sql_time_limit_ms")),
        )

    def schema(self) -> pd.DataFrame:
        """One row per view column: 视图, 列名, 类型, 说明 (for the schema browser)."""
        rows = []
        for name, view in self.views.items():
            for field in view.table.schema:
                rows.append((name, field.name, str(field.type), view.columns.get(field.name, "")))
        return pd.DataFrame(rows, columns=["视图", "列名", "类型", "说明"])

    def run(self, sql: str) -> QueryResult:
        """Run one SELECT; at most row_cap rows, stopped at the time limit; ConsoleError if refused."""
        check_sql(sql)
        with self._lock:
            self._ready()
            started = time.monotonic()
            deadline = started + self.time_limit_ms / 1000 + 0.5
            self._conn.send(sql)
            reply, cause = None, None
            while reply is None:
                if self._conn.poll(0.05):
                    try:
                        reply = self._conn.recv()
                    except (EOFError, OSError):
                        cause = "died"
                        break
                    continue
                if self._rss() > self.rss_limit_bytes:
                    cause = "memory"
                    break
                if not self._alive():
                    cause = "died"
                    break
                if time.monotonic() > deadline:
                    cause = "time"
                    break
            elapsed_ms = int((time.monotonic() - started) * 1000)
            if cause is not None:
                self._stop()
                self._start()  # the next query's worker starts now
        if cause == "time":
            raise ConsoleError(
                f"查询超过 {self.time_limit_ms / 1000:g} 秒的时间限制，已被中止；"
                "请增加筛选条件或简化查询后再试。"
            )
        if cause is not None:
            raise ConsoleError("查询占用内存过多，已被中止；请增加筛选条件或减少连接的表。")
        if reply[0] == "error":
            raise ConsoleError(reply[1])
        _, df, truncated = reply
        return QueryResult(df=df, truncated=truncated, elapsed_ms=elapsed_ms, row_cap=self.row_cap)

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.send(None)
            except OSError:
                pass
        self._stop()

    def __del__(self) -> None:  # a session that ends takes its worker with it
        try:
            self._stop()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass


def _send_quietly(conn, make_payload) -> None:
    """Serialise the views and send them, on the sender thread: the page does not wait for the IPC
    bytes (≈ 0.3 s at 100,000 entities)."""
    try:
        conn.send(make_payload())
    except (OSError, TypeError):  # the worker was stopped (its pipe closed: handle None) first
        pass


def _ipc(table) -> bytes:
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _views_bytes(views: dict[str, AnalysisView]) -> int:
    return sum(int(v.table.nbytes) for v in views.values())


def _bytes(text: str) -> int:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)B?\s*", str(text).upper())
    if not match:
        return 2**30
    return int(float(match.group(1)) * 1024 ** "_KMGT".index(match.group(2) or "_"))


def _quote(text: str) -> str:
    return text.replace("'", "''")


EXAMPLE_QUERIES: list[tuple[str, str]] = [
    (
        "上季度矿山类检查发现问题的乡镇",
        """-- 截止日期所在季度的上一个季度；事项名称含“矿”的检查中发现问题的乡镇
SELECT town AS 乡镇, count(*) AS 发现问题户次, count(DISTINCT entity_code) AS 对象数
FROM v_inspections
WHERE has_finding
  AND (item_name LIKE '%矿%' OR entity_kind LIKE '%矿%')
  AND inspected_on >= date_trunc('quarter', (SELECT as_of FROM v_scope)) - INTERVAL 3 MONTH
  AND inspected_on <  date_trunc('quarter', (SELECT as_of FROM v_scope))
GROUP BY town
ORDER BY 发现问题户次 DESC""",
    ),
    (
        "从未发现问题的检查人员",
        """-- 参加过检查、但所有检查都未发现问题的执法人员
SELECT name AS 姓名, unit_name AS 单位, inspection_count AS 检查次数, last_inspected_on AS 最近检查
FROM v_inspectors
WHERE inspection_count > 0 AND finding_count = 0
ORDER BY inspection_count DESC, name""",
    ),
    (
        "各单位本年度按时录入率",
        """SELECT lead_unit_name AS 牵头单位,
       count(*) FILTER (WHERE entry_on_time) AS 按时录入,
       count(entry_on_time) AS 应录入,
       round(count(*) FILTER (WHERE entry_on_time) / nullif(count(entry_on_time), 0), 4) AS 按时录入率
FROM v_inspections
WHERE year = (SELECT year FROM v_scope)
GROUP BY lead_unit_name
ORDER BY 按时录入率""",
    ),
    (
        "逾期未完结的后续处理",
        """SELECT responsible_unit_name AS 责任单位, entity_name AS 对象, measure_label AS 处置措施,
       due_on AS 整改期限
FROM v_followups
WHERE is_overdue
ORDER BY due_on""",
    ),
    (
        "高风险（D 级）且一年内未检查的对象",
        """SELECT entity_code AS 编码, entity_name AS 名称, town AS 乡镇, last_inspected_on AS 最近检查
FROM v_entities
WHERE grade = 'D' AND status = '存续'
  AND (last_inspected_on IS NULL
       OR last_inspected_on <= (SELECT as_of FROM v_scope) - INTERVAL 365 DAY)
ORDER BY town, entity_name""",
    ),
]
