"""Working days on the official calendar (DOMAIN.md §7) — the one implementation of the rule.

`chinesecalendar` carries the State Council's holidays and 调休 working weekends for the years it
covers; for other years we fall back to Monday–Friday and say so (`is_official`). Days the office
entered by hand (`calendar_overrides`) win over both. SQL never recomputes this: `refresh_calendar`
writes the `calendar` table with a running working-day number per day.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import TYPE_CHECKING

import chinese_calendar

if TYPE_CHECKING:
    from dashboard.store import Store

CALENDAR_START = date(2020, 1, 1)
CALENDAR_END = date(2030, 12, 31)

Overrides = Mapping[date, bool]


def is_official(d: date) -> bool:
    """True if chinesecalendar covers d's year (so holidays and 调休 are known)."""
    try:
        chinese_calendar.is_workday(d)
    except NotImplementedError:
        return False
    return True


def fallback_years(first: int, last: int) -> list[int]:
    """Years in [first, last] where working days are only Monday–Friday (the UI warns about them)."""
    return [y for y in range(first, last + 1) if not is_official(date(y, 6, 1))]


def is_workday(d: date, overrides: Overrides | None = None) -> bool:
    if overrides and d in overrides:
        return bool(overrides[d])
    try:
        return bool(chinese_calendar.is_workday(d))
    except NotImplementedError:
        return d.weekday() < 5


def deadline(d: date, n: int, overrides: Overrides | None = None) -> date:
    """The n-th working day strictly after d (d itself never counts, working day or not)."""
    if n < 1:
        raise ValueError("n 必须是正整数")
    day, counted = d, 0
    while counted < n:
        day += timedelta(days=1)
        if is_workday(day, overrides):
            counted += 1
    return day


def workdays_between(a: date, b: date, overrides: Overrides | None = None) -> int:
    """Working days in (a, b]; negative when b < a. So workdays_between(d, deadline(d, n)) == n."""
    if b < a:
        return -workdays_between(b, a, overrides)
    count, day = 0, a
    while day < b:
        day += timedelta(days=1)
        if is_workday(day, overrides):
            count += 1
    return count


def calendar_rows(
    start: date = CALENDAR_START, end: date = CALENDAR_END, overrides: Overrides | None = None
) -> list[tuple[date, bool, int, str]]:
    """(day, is_workday, workday_seq, source) for every day; workday_seq counts working days to day."""
    rows = []
    seq = 0
    day = start
    while day <= end:
        work = is_workday(day, overrides)
        if overrides and day in overrides:
            source = "manual"
        elif is_official(day):
            source = "official"
        else:
            source = "fallback"
        seq += int(work)
        rows.append((day, work, seq, source))
        day += timedelta(days=1)
    return rows


def load_overrides(store: Store) -> dict[date, bool]:
    return {d: bool(w) for d, w in store.rows("SELECT day, is_workday FROM calendar_overrides")}


def refresh_calendar(store: Store) -> int:
    """Rewrite the `calendar` table from chinesecalendar, the fallback and the manual overrides."""
    import pyarrow as pa

    rows = calendar_rows(overrides=load_overrides(store))
    table = pa.table(
        {
            "day": [r[0] for r in rows],
            "is_workday": [r[1] for r in rows],
            "workday_seq": pa.array([r[2] for r in rows], pa.int32()),
            "source": [r[3] for r in rows],
        }
    )
    with store.transaction() as cur:
        cur.register("calendar_in", table)
        cur.execute("DELETE FROM calendar")
        cur.execute(
            "INSERT INTO calendar SELECT day, is_workday, workday_seq, source FROM calendar_in"
        )
        cur.unregister("calendar_in")
    return len(rows)
