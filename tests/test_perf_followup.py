"""后续处理 work list reads (issue 17): one query for the list, one for the tasks' units — the same
answers as the per-row lookups they replace, at a fixed number of queries whatever the list's length."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.auth import get_user
from dashboard.domain import workdays
from dashboard.entry import rules, service
from dashboard.store import Store

TODAY = date(2026, 11, 27)


def test_working_days_from_today_match_the_per_row_count():
    # 2026-11-27 is a Friday: (11-27, 11-30] holds Monday 11-30 only; (11-20, 11-27] five working days
    got = workdays.workdays_from(TODAY, {date(2026, 11, 30), date(2026, 11, 20), TODAY, None}, None)
    assert got == {date(2026, 11, 30): 1, date(2026, 11, 20): -5, TODAY: 0}
    # across holidays and a year boundary: the same count as the domain's own day-by-day rule
    for d in (date(2026, 10, 9), date(2026, 10, 12), date(2027, 1, 4), date(2026, 1, 2)):
        assert workdays.workdays_from(TODAY, {d}, None) == {d: workdays.workdays_between(TODAY, d)}


@pytest.mark.parametrize("username", ["admin", "kck", "chk"])
def test_followups_for_equals_the_per_row_rules(demo_store, username):
    user = get_user(demo_store, username)
    df = service.followups_for(demo_store, user, TODAY)
    assert len(df) > 0
    limit = service.limits(demo_store)["backfill_limit"]
    ov = service.overrides(demo_store)
    for r in df.itertuples():
        due, closed = service._date(r.due_on), service._date(r.closed_on)
        if closed is None:
            assert r.workdays_left == workdays.workdays_between(TODAY, due, ov)
            assert r.state == ("逾期未完结" if due < TODAY else "整改中")
        else:
            bdl = rules.backfill_deadline(closed, limit, ov)
            assert r.backfill_deadline == bdl
            assert r.state == ("完结未回填（已逾期）" if bdl < TODAY else "完结待回填")


@pytest.mark.parametrize("username", ["admin", "kck", "chk"])
def test_writable_followups_equal_the_per_row_permission(demo_store, username):
    user = get_user(demo_store, username)
    df = service.followups_for(demo_store, user, TODAY)
    expected = [
        (r.task_code, r.entity_code, service.entity_name(demo_store, r.entity_code) or "")
        for r in df.itertuples()
        if service.can_write_task(
            user, service.followup_units(demo_store, r.task_code, r.responsible_unit)
        )
    ]
    assert service.writable_followups(demo_store, user, df) == expected
    assert service.writable_followups(demo_store, user, df.iloc[0:0]) == []


def test_the_work_list_takes_a_fixed_number_of_queries(demo_store, monkeypatch):
    calls = []
    for name in ("rows", "df"):
        original = getattr(Store, name)

        def counting(self, *a, _original=original, **k):
            calls.append(a[0] if a else "")
            return _original(self, *a, **k)

        monkeypatch.setattr(Store, name, counting)
    admin = get_user(demo_store, "admin")
    calls.clear()
    df = service.followups_for(demo_store, admin, TODAY)
    service.writable_followups(demo_store, admin, df)
    assert len(df) == 12  # the county's open follow-ups: 12 rows, a fixed number of queries
    # the list, the backfill limit setting, the calendar's manual days, the tasks' units: not per row
    assert len(calls) <= 6, calls
