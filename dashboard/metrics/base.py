"""The scoped building blocks of DESIGN.md §5, shared by every KPI and drill-down list.

Connections
    Every metric function takes ``con`` first: a DuckDB connection or cursor on a database that has the
    store's schema (``store.cursor()`` in the app; any ``duckdb.connect()`` with the schema in tests).
    A :class:`dashboard.store.Store` is accepted too (a fresh cursor is taken from it). Metrics only
    read; each call fetches its results fully before returning.

SQL
    One query = one file in ``dashboard/metrics/sql/`` named by its result. A query file that needs the
    scoped sets starts with ``WITH {{base}}`` (optionally followed by ``, more AS (...)``): the token is
    replaced by the CTEs of ``sql/base_scope.sql``, which define, for the scope's year Y and as-of date T:

    ``b_params``   one row: y, t, units, item, town, entry_limit, backfill_limit, base_day (Dec 31 of
                   Y−1), t_month ('YYYY-MM' of T), risk_system ('市场监管').
    ``b_tasks``    tasks with start_on in Y, start_on ≤ T, status ≠ voided, item filter (item_codes
                   contain the item); column ``in_units`` = the unit rule (lead or partner unit).
    ``b_insp``     inspections of b_tasks with inspected_on ≤ T, entity town filter; entered_on /
                   published_on after T are NULL; ``entry_deadline`` = workday_deadline(inspected_on,
                   $entry_limit); plus task columns and entity_name, town. NOT unit-filtered.
    ``y_insp``     "inspections of Y": b_insp rows whose task passes the unit rule.
    ``y_tasks``    "tasks of Y": b_tasks passing the unit rule (and, with a town filter, having an
                   inspection in b_insp, i.e. of an entity in that town).
    ``y_fu``       "follow-ups of Y": follow-ups of a b_insp row; unit rule = responsible_unit in the
                   units, or (responsible_unit empty) the task passes the unit rule. closed_on /
                   backfilled_on / revisit_on after T are NULL, due_on kept; ``unit_code`` =
                   coalesce(responsible_unit, task lead unit); ``backfill_deadline`` =
                   workday_deadline(closed_on, $backfill_limit).
    ``b_entities`` the directory under the town and item (tag) filters — never unit-filtered (§5).
    ``b_grade_now`` latest grade/score/period per entity of the system 市场监管 with period ≤ T's month.
    ``y_fu_missing`` the followup_missing KPI: y_insp rows entered by T with a code of the A family
                   (``$followup_codes`` = domain.codes.FOLLOWUP_CODES) and no follow-up row at all.
    ``b_soon``     the due-soon window (§5): one row, soon_start = T, soon_end = deadline(T,
                   ``$due_soon``), t_seq = T's workday_seq — joined, not a per-row macro.

    Parameters are bound by name (``$year``, ``$as_of``, ``$units`` …); :func:`run_df` passes exactly
    those a query text mentions. User values are never formatted into SQL text.

The unit list is ``scope.unit_filter`` (the chosen unit within the user's allowed units, or the allowed
units, or None = every unit), so access control is always applied. Working-day deadlines come only
from the ``calendar`` table via the macros ``workday_deadline`` / ``workdays_between``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from dashboard.config import DEFAULTS
from dashboard.domain.codes import FINDING_CODES, FOLLOWUP_CODES, RESULT_CODES, RISK_SYSTEM
from dashboard.metrics import cache as query_cache
from dashboard.scope import Scope
from dashboard.store import lookups
from dashboard.store.grades import latest_is_current

SQL_DIR = Path(__file__).parent / "sql"
BASE_TOKEN = "{{base}}"
REGISTERS_TOKEN = "{{registers}}"
_PARAM_RE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def cursor_of(con: Any) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection/cursor for ``con`` (a Store gives a fresh cursor)."""
    if isinstance(con, duckdb.DuckDBPyConnection):
        return con
    if hasattr(con, "cursor"):
        return con.cursor()
    raise TypeError("con 必须是 DuckDB 连接、游标或 Store")


@cache
def load_sql(name: str) -> str:
    """The text of ``sql/<name>.sql`` with ``{{base}}`` replaced by the base CTEs."""
    text = (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
    if BASE_TOKEN in text:
        base = (SQL_DIR / "base_scope.sql").read_text(encoding="utf-8")
        text = text.replace(BASE_TOKEN, _strip_comments(base))
    if (
        REGISTERS_TOKEN in text
    ):  # the work registers' CTEs (after {{base}}), sql/registers_scope.sql
        registers = (SQL_DIR / "registers_scope.sql").read_text(encoding="utf-8")
        text = text.replace(REGISTERS_TOKEN, _strip_comments(registers))
    return text


def _strip_comments(sql: str) -> str:
    return "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))


def settings(con: Any) -> dict[str, Any]:
    """Every setting: config.DEFAULTS overridden by the ``settings`` table of ``con``'s database."""
    cur = cursor_of(con)
    values = dict(DEFAULTS)
    for key, raw in cur.execute("SELECT key, value FROM settings").fetchall():
        if raw is not None:
            values[key] = json.loads(raw)
    return values


def setting(con: Any, key: str) -> Any:
    """One setting from the ``settings`` table of ``con``'s database, else its default."""
    return settings(con)[key]


def scope_params(con: Any, scope: Scope, **extra: Any) -> dict[str, Any]:
    """Every named parameter a metric query may use, for this scope (extra ones override)."""
    units = scope.unit_filter
    conf = settings(con)
    params: dict[str, Any] = {
        "year": int(scope.year),
        "as_of": scope.as_of,
        "units": list(units) if units is not None else None,
        "item": scope.item or None,
        "town": scope.town or None,
        "entry_limit": int(conf["entry_limit_workdays"]),
        "backfill_limit": int(conf["backfill_limit_workdays"]),
        "risk_system": RISK_SYSTEM,
        "finding_codes": sorted(FINDING_CODES),
        "followup_codes": sorted(FOLLOWUP_CODES),
        "due_soon": int(conf["due_soon_workdays"]),
        "lookback_days": int(conf["risk.uninspected_days"]),
        "year_start": date(scope.year, 1, 1),
        "year_end": date(scope.year, 12, 31),
        "grades_current": latest_is_current(cursor_of(con), RISK_SYSTEM, scope.as_of),
    }
    params.update(extra)
    return params


def bind(sql: str, params: dict[str, Any]) -> dict[str, Any]:
    """The subset of ``params`` that ``sql`` mentions (DuckDB refuses unused named parameters)."""
    names = set(_PARAM_RE.findall(sql))
    missing = names - params.keys()
    if missing:
        raise KeyError(f"查询缺少参数：{', '.join(sorted(missing))}")
    return {k: v for k, v in params.items() if k in names}


def run_df(con: Any, name: str, scope: Scope, **extra: Any) -> pd.DataFrame:
    """Run ``sql/<name>.sql`` for ``scope`` and return the whole result as a DataFrame.

    DATE columns come back as ``datetime.date`` objects (None for NULL), not pandas timestamps.
    Inside an app script run the result comes from `dashboard.metrics.cache` while the data are
    unchanged (a shallow copy: a caller's new or renamed columns do not reach the cache).
    """
    sql = load_sql(name)
    cur = cursor_of(con)
    params = bind(sql, scope_params(cur, scope, **extra))

    def run() -> pd.DataFrame:
        return _frame(cur.execute(sql, params))

    return query_cache.cached_query(name, params, run).copy(deep=False)


@dataclass(frozen=True)
class HeadRows:
    """A long list as a page shows it (issue 17): its first rows (`LIMIT` in SQL, the query's own
    order) and its row count (`count(*)` in SQL); `fetch_all()` runs the whole query — only when a
    download is clicked, never on a rerun."""

    first_rows: pd.DataFrame
    total: int
    fetch_all: Callable[[], pd.DataFrame]

    def map(self, fn: Callable[[pd.DataFrame], pd.DataFrame]) -> HeadRows:
        """The same list with `fn` (labels, headers) applied to its first rows now and to the whole
        list when it is fetched."""
        return HeadRows(fn(self.first_rows), self.total, lambda: fn(self.fetch_all()))


def _frame(result) -> pd.DataFrame:
    date_cols = [d[0] for d in result.description if str(d[1]) == "DATE"]
    df = result.df()
    for col in date_cols:  # DATE stays a date (no 00:00:00 on screen or in downloads); NULL → None
        df[col] = _dates(df[col])
    return df


def run_head(
    con: Any,
    name: str,
    scope: Scope,
    limit: int = 500,
    *,
    count_name: str | None = None,
    **extra: Any,
) -> HeadRows:
    """The first `limit` rows of ``sql/<name>.sql`` (its ORDER BY) and its row count, both cached
    like :func:`run_df`; the whole list is queried by `fetch_all()` (pass a Store as `con` when the
    call may come after the caller's cursor is closed, e.g. from a download button). `count_name`:
    a query of one value giving the same count more cheaply (without the joins only shown columns need)."""
    sql = load_sql(name)
    cur = cursor_of(con)
    params = bind(sql, scope_params(cur, scope, **extra))
    body = sql.rstrip().rstrip(";")

    def head() -> pd.DataFrame:
        return _frame(cur.execute(f"{body}\nLIMIT {int(limit)}", params))

    def count() -> int:
        if count_name is not None:
            count_sql = load_sql(count_name)
            return int(cur.execute(count_sql, bind(count_sql, params)).fetchone()[0])
        return int(cur.execute(f"SELECT count(*) FROM (\n{body}\n)", params).fetchone()[0])

    first = query_cache.cached_query(f"{name}#head{int(limit)}", params, head)
    total = query_cache.cached_query(count_name or f"{name}#count", params, count)

    def fetch_all() -> pd.DataFrame:
        if total <= len(first):
            return first.copy(deep=False)
        return _frame(cursor_of(con).execute(sql, params))

    return HeadRows(first.copy(deep=False), total, fetch_all)


def _dates(series: pd.Series) -> pd.Series:
    """A datetime64 column as datetime.date objects, NULL as None (vectorised, no per-cell Python)."""
    values = series.to_numpy(dtype="datetime64[D]")
    out = values.astype(object)
    out[pd.isna(values)] = None
    return pd.Series(out, index=series.index, dtype=object)


def run_row(con: Any, name: str, scope: Scope, **extra: Any) -> dict[str, Any]:
    """Run a one-row query and return it as a dict (column → Python value)."""
    sql = load_sql(name)
    cur = cursor_of(con)
    params = bind(sql, scope_params(cur, scope, **extra))

    def run() -> dict[str, Any]:
        result = cur.execute(sql, params)
        cols = [d[0] for d in result.description]
        row = result.fetchone()
        return dict(zip(cols, row, strict=True)) if row else dict.fromkeys(cols)

    return dict(query_cache.cached_query(name, params, run))


def unit_names(con: Any) -> dict[str, str]:
    """unit_code → unit_name (store.lookups, the one place names are read)."""
    return lookups.unit_names(cursor_of(con))


def scope_units_text(con: Any, scope: Scope) -> str:
    """The units a scoped figure covers, in words: 全部单位, or the unit names (the user's or the filter's)."""
    units = scope.unit_filter
    if units is None:
        return "全部单位"
    if not units:
        return "（无可查看的单位）"
    names = unit_names(con)
    return "、".join(names.get(u, u) for u in units)


def code_labels(codes: Any) -> str:
    """Result codes with their labels: 'A 发现问题待后续处理；2 违反本部门相关规定' (unknown codes as they are)."""
    if codes is None:
        return ""
    out = []
    for code in codes:
        known = RESULT_CODES.get(code)
        out.append(f"{code} {known.label}" if known else str(code))
    return "；".join(out)


def ratio(numerator: int | None, denominator: int | None) -> float | None:
    """numerator ÷ denominator, or None when the denominator is zero or missing (§5)."""
    if not denominator:
        return None
    return (numerator or 0) / denominator
