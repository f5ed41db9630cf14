"""The SQL `calendar` table (DOMAIN.md §7): written from dashboard.domain.workdays, never recomputed in SQL.

The table records what it was built from in `store_meta` (key `calendar.inputs`, JSON): the versions of
chinesecalendar and lunar_python, the fallback rule's version, the calendar's range and a digest of the
manual days. `ensure_calendar` (run on every Store open) rebuilds it when it is empty or when those inputs
differ from the current ones, and every change of a manual day rebuilds it at once, so the SQL macros
(`workday_deadline`, `workdays_between`) and Python `workdays.deadline` never disagree.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date
from functools import cache
from importlib import metadata
from typing import TYPE_CHECKING, Any

from dashboard.domain import workdays

if TYPE_CHECKING:
    import duckdb

    from dashboard.store import Store

INPUTS_KEY = "calendar.inputs"


@cache
def _version(distribution: str, module: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:  # pragma: no cover - a vendored copy without metadata
        import importlib

        return str(getattr(importlib.import_module(module), "__version__", "unknown"))


def load_overrides(store: Store) -> dict[date, bool]:
    """The days the office entered by hand (`calendar_overrides`): day → is a working day."""
    return {d: bool(w) for d, w in store.rows("SELECT day, is_workday FROM calendar_overrides")}


def overrides_digest(overrides: Mapping[date, bool]) -> str:
    """SHA-256 of the manual days (`YYYY-MM-DD=1|0` lines in date order); notes do not count."""
    text = "".join(f"{d.isoformat()}={int(bool(w))}\n" for d, w in sorted(overrides.items()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def calendar_inputs(overrides: Mapping[date, bool]) -> dict[str, Any]:
    """Everything the `calendar` table depends on, as recorded in `store_meta`."""
    return {
        "rule": workdays.CALENDAR_RULE_VERSION,
        "chinesecalendar": _version("chinesecalendar", "chinese_calendar"),
        "lunar_python": _version("lunar-python", "lunar_python"),
        "start": workdays.CALENDAR_START.isoformat(),
        "end": workdays.CALENDAR_END.isoformat(),
        "manual": overrides_digest(overrides),
    }


def recorded_inputs(store: Store) -> dict[str, Any] | None:
    """The inputs the stored table was built from (None if never recorded or unreadable)."""
    raw = store.meta(INPUTS_KEY)
    if raw is None:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def load_overrides_in(cur: duckdb.DuckDBPyConnection) -> dict[date, bool]:
    """`load_overrides` as seen inside the transaction of `cur`."""
    rows = cur.execute("SELECT day, is_workday FROM calendar_overrides").fetchall()
    return {d: bool(w) for d, w in rows}


def write_calendar(
    store: Store, cur: duckdb.DuckDBPyConnection, overrides: Mapping[date, bool]
) -> int:
    """Rewrite the `calendar` table and its recorded inputs inside the caller's transaction."""
    import pyarrow as pa

    rows = workdays.calendar_rows(overrides=overrides)
    table = pa.table(
        {
            "day": [r[0] for r in rows],
            "is_workday": [r[1] for r in rows],
            "workday_seq": pa.array([r[2] for r in rows], pa.int32()),
            "source": [r[3] for r in rows],
        }
    )
    cur.register("calendar_in", table)
    try:
        cur.execute("DELETE FROM calendar")
        cur.execute(
            "INSERT INTO calendar SELECT day, is_workday, workday_seq, source FROM calendar_in"
        )
    finally:
        cur.unregister("calendar_in")
    store.set_meta(cur, INPUTS_KEY, json.dumps(calendar_inputs(overrides), sort_keys=True))
    return len(rows)


def refresh_calendar(store: Store, overrides: Mapping[date, bool] | None = None) -> int:
    """Rewrite the `calendar` table from the rule and the manual days, and record its inputs."""
    with store.transaction() as cur:
        return write_calendar(
            store, cur, load_overrides_in(cur) if overrides is None else overrides
        )


def ensure_calendar(store: Store) -> bool:
    """Rebuild the table if it is empty or was built from other inputs; True if it was rebuilt."""
    overrides = load_overrides(store)
    empty = store.scalar("SELECT count(*) FROM calendar") == 0
    if not empty and recorded_inputs(store) == calendar_inputs(overrides):
        return False
    refresh_calendar(store, overrides)
    return True


# -- manual days, written from 系统设置 -----------------------------------------------------------
def calendar_overrides(store: Store):
    """The manual working days, by day (a DataFrame)."""
    return store.df("SELECT day, is_workday, note FROM calendar_overrides ORDER BY day")


def set_calendar_override(
    store: Store, day: date, is_workday: bool, note: str | None, *, actor: str
) -> None:
    """Add or change a manual working-day entry and rebuild the calendar table, in one transaction."""
    old = store.rows("SELECT is_workday, note FROM calendar_overrides WHERE day = ?", [day])
    with store.transaction() as cur:
        cur.execute(
            "INSERT INTO calendar_overrides (day, is_workday, note) VALUES (?, ?, ?)"
            " ON CONFLICT (day) DO UPDATE SET is_workday = excluded.is_workday, note = excluded.note",
            [day, bool(is_workday), note or None],
        )
        store.audit(
            cur,
            actor,
            "calendar.override",
            table_name="calendar_overrides",
            record_key=day.isoformat(),
            old_value={"is_workday": old[0][0], "note": old[0][1]} if old else None,
            new_value={"is_workday": bool(is_workday), "note": note or None},
        )
        write_calendar(store, cur, load_overrides_in(cur))


def delete_calendar_override(store: Store, day: date, *, actor: str) -> bool:
    old = store.rows("SELECT is_workday, note FROM calendar_overrides WHERE day = ?", [day])
    if not old:
        return False
    with store.transaction() as cur:
        cur.execute("DELETE FROM calendar_overrides WHERE day = ?", [day])
        store.audit(
            cur,
            actor,
            "calendar.override_delete",
            table_name="calendar_overrides",
            record_key=day.isoformat(),
            old_value={"is_workday": old[0][0], "note": old[0][1]},
        )
        write_calendar(store, cur, load_overrides_in(cur))
    return True
