"""dashboard.domain.workdays and the SQL macros that read its `calendar` table (DOMAIN.md §7)."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pyarrow as pa
import pytest

from dashboard.domain import workdays
from dashboard.domain.workdays import deadline, is_official, is_workday, workdays_between

D = date


# -- the official calendar -----------------------------------------------------------------------


def test_design_example_saturday_plus_20():
    # DESIGN.md §5: from Saturday 2025-10-04 the 20th working day is 2025-11-04.
    # 10-05..08 off; 09 (1) 10 (2) Sat 11 (3, 调休); 13-17 (4-8); 20-24 (9-13); 27-31 (14-18); 11-03 (19)
    assert deadline(D(2025, 10, 4), 20) == D(2025, 11, 4)


def test_national_day_2025_days():
    for day in range(1, 9):
        assert not is_workday(D(2025, 10, day)), day
    assert is_workday(D(2025, 9, 28))  # Sunday, 调休 working day
    assert is_workday(D(2025, 10, 11))  # Saturday, 调休 working day
    assert not is_workday(D(2025, 9, 27))  # an ordinary Saturday
    assert not is_workday(D(2025, 10, 12))  # an ordinary Sunday
    assert is_workday(D(2025, 10, 9))


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # Fri 09-26: Sat 27 off, Sun 28 works (1), Mon 29 (2), Tue 30 (3)
        (D(2025, 9, 26), 1, D(2025, 9, 28)),
        (D(2025, 9, 26), 3, D(2025, 9, 30)),
        # then 10-01..08 off: Thu 10-09 (4), Fri 10-10 (5), Sat 10-11 (6, 调休)
        (D(2025, 9, 26), 5, D(2025, 10, 10)),
        (D(2025, 9, 26), 6, D(2025, 10, 11)),
        (D(2025, 9, 26), 7, D(2025, 10, 13)),
        # from inside the break: the first working day after it counts 1
        (D(2025, 10, 1), 1, D(2025, 10, 9)),
        (D(2025, 10, 8), 2, D(2025, 10, 10)),
        # Tue 09-30 + 20: 10-09 (1) 10 (2) 11 (3); 13-17 (4-8); 20-24 (9-13); 27-31 (14-18); 11-03 (19) 04 (20)
        (D(2025, 9, 30), 20, D(2025, 11, 4)),
        # an ordinary week: Mon 2025-11-10 + 5 = Mon 11-17
        (D(2025, 11, 10), 5, D(2025, 11, 17)),
        # a working Sunday as the start does not count itself: Sun 09-28 + 1 = Mon 09-29
        (D(2025, 9, 28), 1, D(2025, 9, 29)),
    ],
)
def test_deadlines_around_national_day_2025(start, n, expected):
    assert deadline(start, n) == expected


def test_spring_festival_2026_days():
    # chinesecalendar 1.11: 02-15..23 off (9 days), Sat 02-14 and Sat 02-28 are working days.
    for day in range(15, 24):
        assert not is_workday(D(2026, 2, day)), day
    assert is_workday(D(2026, 2, 14))
    assert is_workday(D(2026, 2, 28))
    assert is_workday(D(2026, 2, 24))
    assert not is_workday(D(2026, 3, 1))  # an ordinary Sunday


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # Fri 02-13: Sat 14 (1); 15..23 off; Tue 24 (2) 25 (3) 26 (4) 27 (5)
        (D(2026, 2, 13), 5, D(2026, 2, 27)),
        # ... Sat 02-28 (6), Mon 03-02 (7) 03 (8) 04 (9) 05 (10)
        (D(2026, 2, 13), 6, D(2026, 2, 28)),
        (D(2026, 2, 13), 10, D(2026, 3, 5)),
        # Tue 02-10: 11 (1) 12 (2) 13 (3) 14 (4) 24 (5) 25 (6) 26 (7) 27 (8) 28 (9) 03-02 (10) 03 (11)
        #            04 (12) 05 (13) 06 (14) 09 (15) 10 (16) 11 (17) 12 (18) 13 (19) 16 (20)
        (D(2026, 2, 10), 20, D(2026, 3, 16)),
        # from the first day off, Sun 02-15: Tue 02-24 is the first working day
        (D(2026, 2, 15), 1, D(2026, 2, 24)),
        # the confirmation limit (2 working days) from Thu 02-12: Fri 13 (1), Sat 14 (2)
        (D(2026, 2, 12), 2, D(2026, 2, 14)),
    ],
)
def test_deadlines_across_spring_festival_2026(start, n, expected):
    assert deadline(start, n) == expected


def test_makeup_weekends_count_and_find_workday_pitfall_avoided():
    import chinese_calendar

    # chinese_calendar.find_workday moves a non-working start forward first, landing one day late.
    assert chinese_calendar.find_workday(20, D(2025, 10, 4)) == D(2025, 11, 5)
    assert deadline(D(2025, 10, 4), 20) == D(2025, 11, 4)
    # the 调休 Saturday 2025-10-11 is counted: (10-10, 10-13] holds 10-11 and 10-13
    assert workdays_between(D(2025, 10, 10), D(2025, 10, 13)) == 2
    # an ordinary weekend is not: (2025-10-17, 2025-10-20] holds only Mon 10-20
    assert workdays_between(D(2025, 10, 17), D(2025, 10, 20)) == 1


def test_deadline_rejects_non_positive_n():
    with pytest.raises(ValueError):
        deadline(D(2025, 10, 4), 0)
    with pytest.raises(ValueError):
        deadline(D(2025, 10, 4), -3)


# -- years chinesecalendar does not cover: the statutory fallback (provisional) ------------------

# DOMAIN.md §7, 2027: the statutory days of the 2025 revision and their 补假 (lunar dates from lunar_python)
STATUTORY_2027 = {
    D(2027, 1, 1): "元旦",  # Fri
    D(2027, 2, 5): "春节（除夕）",  # Fri, the 29th of lunar month 12 (a short month)
    D(2027, 2, 6): "春节（正月初一）",  # Sat
    D(2027, 2, 7): "春节（正月初二）",  # Sun
    D(2027, 2, 8): "春节（正月初三）",  # Mon
    D(2027, 2, 9): "春节（正月初一）补假",  # Tue
    D(2027, 2, 10): "春节（正月初二）补假",  # Wed
    D(2027, 4, 5): "清明节",  # Mon
    D(2027, 5, 1): "劳动节",  # Sat
    D(2027, 5, 2): "劳动节",  # Sun
    D(2027, 5, 3): "劳动节补假",  # Mon
    D(2027, 5, 4): "劳动节补假",  # Tue
    D(2027, 6, 9): "端午节",  # Wed
    D(2027, 9, 15): "中秋节",  # Wed
    D(2027, 10, 1): "国庆节",  # Fri
    D(2027, 10, 2): "国庆节",  # Sat
    D(2027, 10, 3): "国庆节",  # Sun
    D(2027, 10, 4): "国庆节补假",  # Mon
    D(2027, 10, 5): "国庆节补假",  # Tue
}


def test_2027_is_provisional():
    assert is_official(D(2026, 12, 31))
    assert not is_official(D(2027, 1, 1))
    assert workdays.fallback_years(2025, 2028) == [2027, 2028]
    assert workdays.fallback_years(2024, 2026) == []


def test_statutory_days_off_2027():
    assert workdays.statutory_days_off(2027) == STATUTORY_2027
    for day in STATUTORY_2027:
        assert not is_workday(day), day


def test_lunar_days_and_qingming_2027_hand_checked():
    holidays = dict((name, day) for day, name in workdays.statutory_holidays(2027))
    assert holidays["春节（除夕）"] == D(2027, 2, 5)
    assert holidays["春节（正月初一）"] == D(2027, 2, 6)
    assert holidays["清明节"] == D(2027, 4, 5)  # a Monday
    assert holidays["端午节"] == D(2027, 6, 9)  # a Wednesday
    assert holidays["中秋节"] == D(2027, 9, 15)  # a Wednesday
    assert [d.weekday() for d in (D(2027, 4, 5), D(2027, 6, 9), D(2027, 9, 15))] == [0, 2, 2]
    # 除夕 is the last day of lunar month 12: the 29th in 2027 (and 2026-02-16), the 30th when the month
    # is long (2024-02-09, 腊月三十 of 癸卯)
    assert workdays.statutory_holidays(2024)[1] == (D(2024, 2, 9), "春节（除夕）")


def test_2027_ordinary_days_stay_monday_to_friday():
    assert is_workday(D(2027, 1, 4))  # Mon
    assert not is_workday(D(2027, 1, 2)) and not is_workday(D(2027, 1, 3))  # a weekend
    assert is_workday(D(2027, 2, 11))  # Thu after the Spring Festival break and its 补假
    assert not is_workday(D(2027, 2, 13))  # an ordinary Saturday (调休 unknown until the notice)
    assert all(is_workday(D(2027, 3, d)) == (D(2027, 3, d).weekday() < 5) for d in range(1, 32))


def test_fallback_2027_deadlines():
    # Wed 2026-12-30: Thu 12-31 (1), 2027-01-01 off, Mon 01-04 (2), Tue 01-05 (3)
    assert deadline(D(2026, 12, 30), 3) == D(2027, 1, 5)
    # Thu 2027-02-04: 02-05..02-10 off (除夕, 初一–初三, two 补假): Thu 02-11 is the first working day
    assert deadline(D(2027, 2, 4), 1) == D(2027, 2, 11)
    # Mon 2027-03-01 + 20 = 4 full weeks = Mon 2027-03-29 (no holiday in March)
    assert deadline(D(2027, 3, 1), 20) == D(2027, 3, 29)
    # Fri 2027-04-02: Mon 04-05 清明 off, Tue 04-06 (1)
    assert deadline(D(2027, 4, 2), 1) == D(2027, 4, 6)
    # Fri 2027-04-30 + 1: 05-01..05-04 off → Wed 05-05
    assert deadline(D(2027, 4, 30), 1) == D(2027, 5, 5)
    # Sat 2027-10-02 + 20: 10-03..05 off; Wed 10-06 (1) 07 (2) 08 (3); 11-15 (4-8); 18-22 (9-13);
    # 25-29 (14-18); Mon 11-01 (19), Tue 11-02 (20)
    assert deadline(D(2027, 10, 2), 20) == D(2027, 11, 2)
    assert workdays_between(D(2027, 10, 2), D(2027, 11, 2)) == 20


def test_fallback_agrees_with_chinesecalendar_where_it_is_known():
    import chinese_calendar

    names = {
        "元旦": chinese_calendar.Holiday.new_years_day,
        "春节": chinese_calendar.Holiday.spring_festival,
        "清明节": chinese_calendar.Holiday.tomb_sweeping_day,
        "劳动节": chinese_calendar.Holiday.labour_day,
        "端午节": chinese_calendar.Holiday.dragon_boat_festival,
        "中秋节": chinese_calendar.Holiday.mid_autumn_festival,
        "国庆节": chinese_calendar.Holiday.national_day,
    }
    # 2025 and 2026 follow the 2025 revision and chinesecalendar covers them: every day the rule
    # gives off (statutory or 补假) is off there too, for the same holiday (调休 only adds to it)
    for year in (2025, 2026):
        off = workdays.statutory_days_off(year)
        assert len([n for n in off.values() if not n.endswith("补假")]) == 13, year
        for day, name in off.items():
            assert not chinese_calendar.is_workday(day), (day, name)
            is_holiday, holiday = chinese_calendar.get_holiday_detail(day)
            assert is_holiday, (day, name)
            expected = next(v for k, v in names.items() if name.startswith(k))
            assert holiday == expected.value, (day, name, holiday)


def test_statutory_rule_edge_cases():
    # 2028: 中秋 falls on 10-03, a 国庆 day: one day off, no 补假 for the coincidence
    off_2028 = workdays.statutory_days_off(2028)
    assert off_2028[D(2028, 10, 3)] == "中秋节、国庆节"
    # 国庆 10-01 is a Sunday: made up on Wed 10-04 (Mon 10-02 and Tue 10-03 are already off)
    assert off_2028[D(2028, 10, 4)] == "国庆节补假"
    assert D(2028, 10, 5) not in off_2028
    # before the 2025 revision the fallback has no statutory days
    assert workdays.statutory_days_off(2024) == {}


def test_overrides_win():
    # the notice of 2027 (hypothetical): Thu 02-11 off, Sat 02-20 a 调休 working day, 10-05 worked
    overrides = {D(2027, 2, 11): False, D(2027, 2, 20): True, D(2027, 10, 5): True}
    assert not is_workday(D(2027, 2, 11), overrides)
    assert is_workday(D(2027, 2, 20), overrides)
    assert deadline(D(2027, 2, 4), 1) == D(2027, 2, 11)
    assert deadline(D(2027, 2, 4), 1, overrides) == D(2027, 2, 12)
    # Fri 02-12: Mon 02-15 .. Fri 02-19 are 1..5, Sat 02-20 is 6
    assert deadline(D(2027, 2, 12), 6, overrides) == D(2027, 2, 20)
    assert deadline(D(2027, 2, 12), 6) == D(2027, 2, 22)
    # an override also turns a statutory 补假 into a working day
    assert deadline(D(2027, 10, 1), 1, overrides) == D(2027, 10, 5)
    assert deadline(D(2027, 10, 1), 1) == D(2027, 10, 6)
    # and cancels an official working day
    assert deadline(D(2025, 10, 10), 1, {D(2025, 10, 11): False}) == D(2025, 10, 13)


# -- workdays_between is the inverse of deadline --------------------------------------------


def test_workdays_between_basics():
    assert workdays_between(D(2025, 10, 4), D(2025, 11, 4)) == 20
    assert workdays_between(D(2025, 11, 4), D(2025, 10, 4)) == -20
    assert workdays_between(D(2025, 10, 1), D(2025, 10, 1)) == 0
    assert workdays_between(D(2025, 10, 1), D(2025, 10, 8)) == 0  # the whole break
    assert workdays_between(D(2026, 2, 13), D(2026, 2, 24)) == 2  # Sat 14 and Tue 24


def test_workdays_between_inverts_deadline_on_random_dates():
    rng = random.Random(20251004)
    for _ in range(300):
        start = D(2024, 1, 1) + timedelta(days=rng.randrange(0, 365 * 4))
        n = rng.randint(1, 40)
        end = deadline(start, n)
        assert is_workday(end)
        assert workdays_between(start, end) == n
        # the day before the deadline is still short of n
        assert workdays_between(start, end - timedelta(days=1)) == n - 1
        # and a working day x > start is the deadline of its own count
        x = start + timedelta(days=rng.randint(1, 60))
        if is_workday(x):
            assert deadline(start, workdays_between(start, x)) == x


# -- the calendar table and the SQL macros ----------------------------------------------------


def test_calendar_table_filled_on_open(store):
    first, last, n = store.rows("SELECT min(day), max(day), count(*) FROM calendar")[0]
    assert first == workdays.CALENDAR_START and last == workdays.CALENDAR_END
    assert n == (workdays.CALENDAR_END - workdays.CALENDAR_START).days + 1
    sources = dict(store.rows("SELECT year(day), min(source) FROM calendar GROUP BY 1"))
    assert sources[2026] == "official"
    assert sources[2027] == "fallback"
    assert store.scalar("SELECT is_workday FROM calendar WHERE day = DATE '2025-10-11'") is True
    assert store.scalar("SELECT is_workday FROM calendar WHERE day = DATE '2025-10-06'") is False


def test_sql_macros_agree_with_python(store):
    rng = random.Random(7)
    starts, ns, ends = [], [], []
    for _ in range(400):
        # 2020..2029 (official and fallback years), clear of the calendar's end so deadlines exist
        start = D(2020, 1, 1) + timedelta(days=rng.randrange(0, 365 * 10))
        starts.append(start)
        ns.append(rng.choice([1, 2, 5, 20, rng.randint(1, 60)]))
        ends.append(start + timedelta(days=rng.randint(-100, 100)))
    cases = pa.table({"i": list(range(len(starts))), "d": starts, "n": ns, "e": ends})
    cur = store.cursor()
    try:
        cur.register("cases", cases)
        got = cur.execute(
            "SELECT i, workday_deadline(d, n), workdays_between(d, e) FROM cases ORDER BY i"
        ).fetchall()
    finally:
        cur.close()
    for i, sql_deadline, sql_between in got:
        assert sql_deadline == deadline(starts[i], ns[i]), (starts[i], ns[i])
        assert sql_between == workdays_between(starts[i], ends[i]), (starts[i], ends[i])


def test_sql_design_example(store):
    assert store.scalar("SELECT workday_deadline(DATE '2025-10-04', 20)") == D(2025, 11, 4)
    assert store.scalar("SELECT workday_deadline(DATE '2026-02-13', 5)") == D(2026, 2, 27)
    assert store.scalar("SELECT workdays_between(DATE '2025-10-04', DATE '2025-11-04')") == 20
    assert store.scalar("SELECT workdays_between(DATE '2025-11-04', DATE '2025-10-04')") == -20


def test_refresh_calendar_applies_overrides(store):
    from dashboard.store import calendar

    # Wed 2026-12-30: Thu 12-31 (1), 2027-01-01 元旦 off, Mon 01-04 (2), Tue 01-05 (3)
    assert store.scalar("SELECT workday_deadline(DATE '2026-12-30', 3)") == D(2027, 1, 5)
    with store.transaction() as cur:
        cur.execute(
            "INSERT INTO calendar_overrides VALUES (DATE '2027-01-04', false, '调休'),"
            " (DATE '2027-01-09', true, '调休上班')"
        )
    assert calendar.load_overrides(store) == {D(2027, 1, 4): False, D(2027, 1, 9): True}
    rows = calendar.refresh_calendar(store)
    assert rows == (workdays.CALENDAR_END - workdays.CALENDAR_START).days + 1
    assert store.scalar("SELECT count(*) FROM calendar") == rows
    assert store.rows(
        "SELECT day, is_workday, source FROM calendar WHERE source = 'manual' ORDER BY day"
    ) == [(D(2027, 1, 4), False, "manual"), (D(2027, 1, 9), True, "manual")]
    # Thu 12-31 (1), Tue 01-05 (2), Wed 01-06 (3)
    assert store.scalar("SELECT workday_deadline(DATE '2026-12-30', 3)") == D(2027, 1, 6)
    # Fri 2027-01-01: Tue 01-05 (1) .. Fri 01-08 (4), Sat 01-09 (5)
    assert store.scalar("SELECT workday_deadline(DATE '2027-01-01', 5)") == D(2027, 1, 9)
    # sequence numbers stay consistent after the rewrite: (2027-01-01, 2027-01-31] = 20 − 01-04 + 01-09
    assert store.scalar("SELECT workdays_between(DATE '2027-01-01', DATE '2027-01-31')") == 20
    # an unaffected official year is unchanged
    assert store.scalar("SELECT workday_deadline(DATE '2025-10-04', 20)") == D(2025, 11, 4)
