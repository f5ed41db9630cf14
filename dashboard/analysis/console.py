"""The ad-hoc SQL console: one SELECT at a time on a private, locked-down, in-memory DuckDB.

The console never touches the store connection (DESIGN.md §3). Each session gets its own in-memory
database holding copies of the analysis views (already filtered to the user's units, see views.py); the
connection has external access off (no files, no ATTACH/COPY/INSTALL/LOAD), no temp directory, no Python
replacement scans, a memory limit and `max_execution_time`, and then its configuration is locked. A query
must be exactly one SELECT statement; it runs in a worker thread that is interrupted at the time limit,
and at most `row_cap` rows are fetched.
"""

from __future__ import annotations

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
    """A private in-memory DuckDB with the analysis views as tables, for one user session."""

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
        con = duckdb.connect(
            ":memory:",
            config={
                "autoload_known_extensions": False,
                "autoinstall_known_extensions": False,
                "python_enable_replacements": False,
            },
        )
        for name, view in views.items():
            con.register("__analysis_src", view.table)
            con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM __analysis_src')
            con.unregister("__analysis_src")
            con.execute(f"COMMENT ON TABLE \"{name}\" IS '{_quote(view.description)}'")
            for column, text in view.columns.items():
                con.execute(f'COMMENT ON COLUMN "{name}"."{column}" IS \'{_quote(text)}\'')
        for statement in (
            "SET temp_directory = ''",
            "SET allowed_directories = []",
            "SET allowed_paths = []",
            f"SET memory_limit = '{memory_limit}'",
            f"SET threads = {int(threads)}",
            f"SET GLOBAL max_execution_time = {self.time_limit_ms}",
            "SET enable_external_access = false",
            "SET lock_configuration = true",
        ):
            con.execute(statement)
        self._con = con

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
        """Run one SELECT; at most row_cap rows, interrupted at the time limit; ConsoleError if refused."""
        check_sql(sql)
        with self._lock:
            cur = self._con.cursor()
            box: dict = {}

            def work() -> None:
                try:
                    cur.execute(sql)
                    chunks, count = [], 0
                    while count <= self.row_cap:
                        chunk = cur.fetch_df_chunk(1, date_as_object=True)
                        if chunk is None or len(chunk) == 0:
                            break
                        chunks.append(chunk)
                        count += len(chunk)
                    if chunks:
                        box["df"] = pd.concat(chunks, ignore_index=True)
                    else:
                        box["df"] = pd.DataFrame(columns=[d[0] for d in (cur.description or [])])
                except BaseException as exc:  # handed to the caller's thread
                    box["error"] = exc

            started = time.monotonic()
            worker = threading.Thread(target=work, name="sql-console", daemon=True)
            worker.start()
            worker.join(self.time_limit_ms / 1000 + 0.25)
            if worker.is_alive():
                cur.interrupt()
                worker.join(5)
                box.setdefault("error", duckdb.InterruptException("interrupted"))
            elapsed_ms = int((time.monotonic() - started) * 1000)
            try:
                cur.close()
            except duckdb.Error:
                pass
        if "error" in box:
            exc = box["error"]
            if isinstance(exc, duckdb.Error):
                raise ConsoleError(_explain(exc, self.time_limit_ms)) from exc
            raise ConsoleError(f"查询执行出错：{_first_line(exc)}") from exc
        df = box["df"]
        truncated = len(df) > self.row_cap
        if truncated:
            df = df.iloc[: self.row_cap].reset_index(drop=True)
        return QueryResult(df=df, truncated=truncated, elapsed_ms=elapsed_ms, row_cap=self.row_cap)

    def close(self) -> None:
        self._con.close()


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
