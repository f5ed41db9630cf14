"""Working days on the official calendar (DOMAIN.md §7) — the one implementation of the rule.

`chinesecalendar` carries the State Council's holidays and 调休 working weekends for the years it
covers. For a later year the law still fixes most of the calendar: the statutory days of
《全国年节及纪念日放假办法》 (2025 revision) are off, and each one that falls on a Saturday or Sunday is
made up (补假) on the next working day not already off. Lunar dates and the 清明 solar term come from
`lunar_python`. Only the 调休 swaps are unknown until the notice, so such a year is provisional (暂定,
`is_official` is False). Days the office entered by hand (`calendar_overrides`) win over both.

This module is pure: no store, no SQL. `dashboard.store.calendar` writes the `calendar` table from
`calendar_rows` and records what it was built from (`CALENDAR_RULE_VERSION`, the package versions).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from functools import cache

import chinese_calendar
from lunar_python import Lunar, Solar

CALENDAR_START = date(2020, 1, 1)
CALENDAR_END = date(2030, 12, 31)

# Change this whenever the fallback rule below changes: the stored `calendar` table is rebuilt.
CALENDAR_RULE_VERSION = "2025-statutory-1"
# The 2025 revision of 《全国年节及纪念日放假办法》 took effect on 2025-01-01; before that year the
# fallback is Monday–Friday only (chinesecalendar covers 2004 onwards anyway).
STATUTORY_RULE_SINCE = 2025

Overrides = Mapping[date, bool]


# -- the statutory fallback ----------------------------------------------------------------------
def _solar(lunar: Lunar) -> date:
    s = lunar.getSolar()
    return date(s.getYear(), s.getMonth(), s.getDay())


def _qingming(year: int) -> date:
    """The day of the 清明 solar term in `year` (always early April)."""
    term = Solar.fromYmd(year, 4, 15).getLunar().getJieQiTable()["清明"]
    day = date(term.getYear(), term.getMonth(), term.getDay())
    if day.year != year or day.month != 4:  # pragma: no cover - a library change we want to hear of
        raise RuntimeError(f"lunar_python 给出的 {year} 年清明为 {day}，不在当年四月")
    return day


@cache
def statutory_holidays(year: int) -> tuple[tuple[date, str], ...]:
    """The statutory days off of `year` (2025 revision), in date order, without 补假."""
    new_year = _solar(Lunar.fromYmd(year, 1, 1))  # 正月初一
    days = [
        (date(year, 1, 1), "元旦"),
        # 除夕 is the last day of lunar month 12 (the 29th or the 30th): the day before 初一.
        (new_year - timedelta(days=1), "春节（除夕）"),
        (new_year, "春节（正月初一）"),
        (new_year + timedelta(days=1), "春节（正月初二）"),
        (new_year + timedelta(days=2), "春节（正月初三）"),
        (_qingming(year), "清明节"),
        (date(year, 5, 1), "劳动节"),
        (date(year, 5, 2), "劳动节"),
        (_solar(Lunar.fromYmd(year, 5, 5)), "端午节"),
        (_solar(Lunar.fromYmd(year, 8, 15)), "中秋节"),
        (date(year, 10, 1), "国庆节"),
        (date(year, 10, 2), "国庆节"),
        (date(year, 10, 3), "国庆节"),
    ]
    return tuple(sorted(days))


@cache
def statutory_days_off(year: int) -> dict[date, str]:
    """Every day off of `year` by the law alone: the statutory days and their 补假, name per day.

    A statutory day on a Saturday or Sunday is made up on the next Monday–Friday not already off,
    taking the statutory days in date order. Two holidays on the same date (中秋 on 10-03, say) are one
    day off: the law makes up weekends, not coincidences. Empty before `STATUTORY_RULE_SINCE`.
    """
    if year < STATUTORY_RULE_SINCE:
        return {}
    off: dict[date, str] = {}
    for day, name in statutory_holidays(year):
        if day not in off:
            off[day] = name
        elif name not in off[day]:
            off[day] = f"{off[day]}、{name}"
    for day in sorted(off):
        if day.weekday() < 5:
            continue
        makeup = day + timedelta(days=1)
        while makeup.weekday() >= 5 or makeup in off:
            makeup += timedelta(days=1)
        off[makeup] = f"{off[day]}补假"
    return dict(sorted(off.items()))


def fallback_is_workday(d: date) -> bool:
    """The rule for a year chinesecalendar does not cover: Monday–Friday minus the statutory days off."""
    return d.weekday() < 5 and d not in statutory_days_off(d.year)


# -- the calendar --------------------------------------------------------------------------------
def is_official(d: date) -> bool:
    """True if chinesecalendar covers d's year (so holidays and 调休 are known, not provisional)."""
    try:
        chinese_calendar.is_workday(d)
    except NotImplementedError:
        return False
    return True


def fallback_years(first: int, last: int) -> list[int]:
    """Years in [first, last] chinesecalendar does not cover: provisional (暂定), the UI says so."""
    return [y for y in range(first, last + 1) if not is_official(date(y, 6, 1))]


def is_workday(d: date, overrides: Overrides | None = None) -> bool:
    if overrides and d in overrides:
        return bool(overrides[d])
    try:
        return bool(chinese_calendar.is_workday(d))
    except NotImplementedError:
        return fallback_is_workday(d)


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


def workdays_from(a: date, days, overrides: Overrides | None = None) -> dict[date, int]:
    """{d: workdays_between(a, d)} for every d of `days` (None skipped), counted in one pass over the
    span: a list's working days left for hundreds of rows cost one walk, not one each."""
    wanted = {d for d in days if d is not None}
    if not wanted:
        return {}
    first, last = min(wanted | {a}), max(wanted | {a})
    cum, count, day = {first: 0}, 0, first  # cum[d] = working days in (first, d]
    while day < last:
        day += timedelta(days=1)
        if is_workday(day, overrides):
            count += 1
        cum[day] = count
    return {d: cum[d] - cum[a] for d in wanted}


def calendar_rows(
    start: date = CALENDAR_START, end: date = CALENDAR_END, overrides: Overrides | None = None
) -> list[tuple[date, bool, int, str]]:
    """(day, is_workday, workday_seq, source) for every day; workday_seq counts working days to day.

    source: 'manual' (an override), 'official' (chinesecalendar), 'fallback' (the statutory rule)."""
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
