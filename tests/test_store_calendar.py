"""dashboard.store.calendar: the `calendar` table records its inputs and is rebuilt when they change."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta

import pyarrow as pa

from dashboard.domain import workdays
from dashboard.store import Store
from dashboard.store import calendar as store_calendar

D = date


def _sql_deadline(store: Store, day: date, n: int) -> date:
    return store.scalar("SELECT workday_deadline(?, ?)", [day, n])


def test_inputs_recorded_on_open(store):
    recorded = store_calendar.recorded_inputs(store)
    assert recorded == store_calendar.calendar_inputs({})
    assert recorded["rule"] == workdays.CALENDAR_RULE_VERSION
    assert recorded["chinesecalendar"] and recorded["lunar_python"]
    assert recorded["start"] == "2020-01-01" and recorded["end"] == "2030-12-31"
    assert json.loads(store.meta(store_calendar.INPUTS_KEY)) == recorded
    assert store_calendar.ensure_calendar(store) is False  # current: nothing to do


def test_manual_day_changes_the_digest_and_the_recorded_inputs(store):
    empty = store_calendar.overrides_digest({})
    one = store_calendar.overrides_digest({D(2027, 2, 20): True})
    assert one != empty
    assert store_calendar.overrides_digest({D(2027, 2, 20): False}) != one
    # order-independent, notes do not count
    both = {D(2027, 2, 20): True, D(2027, 2, 11): False}
    assert store_calendar.overrides_digest(both) == store_calendar.overrides_digest(
        dict(reversed(list(both.items())))
    )
    store_calendar.set_calendar_override(store, D(2027, 2, 20), True, "调休上班", actor="admin")
    assert store_calendar.recorded_inputs(store)["manual"] == one
    store_calendar.set_calendar_override(store, D(2027, 2, 20), True, "另一个说明", actor="admin")
    assert store_calendar.recorded_inputs(store)["manual"] == one
    store_calendar.delete_calendar_override(store, D(2027, 2, 20), actor="admin")
    assert store_calendar.recorded_inputs(store)["manual"] == empty


def test_stale_inputs_are_rebuilt_on_open(tmp_path):
    path = tmp_path / "cal.duckdb"
    s = Store(path)
    try:
        # an old build: another rule version recorded, and a wrong row in the table
        with s.transaction() as cur:
            s.set_meta(cur, store_calendar.INPUTS_KEY, json.dumps({"rule": "monday-friday"}))
            cur.execute("UPDATE calendar SET is_workday = true WHERE day = DATE '2027-02-09'")
        assert s.scalar("SELECT is_workday FROM calendar WHERE day = DATE '2027-02-09'") is True
    finally:
        s.close()
    s = Store(path)
    try:
        assert s.scalar("SELECT is_workday FROM calendar WHERE day = DATE '2027-02-09'") is False
        assert store_calendar.recorded_inputs(s) == store_calendar.calendar_inputs({})
    finally:
        s.close()


def test_store_without_recorded_inputs_is_rebuilt_on_open(tmp_path):
    # a store built before the inputs were recorded: Monday–Friday in 2027
    path = tmp_path / "old.duckdb"
    s = Store(path)
    try:
        with s.transaction() as cur:
            cur.execute(f"DELETE FROM store_meta WHERE key = '{store_calendar.INPUTS_KEY}'")
            cur.execute("UPDATE calendar SET is_workday = true WHERE day = DATE '2027-01-01'")
    finally:
        s.close()
    s = Store(path)
    try:
        assert s.scalar("SELECT is_workday FROM calendar WHERE day = DATE '2027-01-01'") is False
        assert store_calendar.recorded_inputs(s) is not None
    finally:
        s.close()


def test_manual_day_written_behind_the_tables_back_is_applied_on_open(tmp_path):
    path = tmp_path / "manual.duckdb"
    s = Store(path)
    try:
        with s.transaction() as cur:  # not through admin: the calendar table is not rebuilt
            cur.execute(
                "INSERT INTO calendar_overrides VALUES (DATE '2027-02-20', true, '调休上班')"
            )
        assert s.scalar("SELECT is_workday FROM calendar WHERE day = DATE '2027-02-20'") is False
    finally:
        s.close()
    s = Store(path)
    try:
        assert s.rows("SELECT is_workday, source FROM calendar WHERE day = DATE '2027-02-20'") == [
            (True, "manual")
        ]
        assert store_calendar.recorded_inputs(s)["manual"] == store_calendar.overrides_digest(
            {D(2027, 2, 20): True}
        )
    finally:
        s.close()


def test_new_rule_version_rebuilds_on_open(tmp_path, monkeypatch):
    path = tmp_path / "rule.duckdb"
    Store(path).close()
    monkeypatch.setattr(workdays, "CALENDAR_RULE_VERSION", "2025-statutory-test")
    s = Store(path)
    try:
        assert store_calendar.recorded_inputs(s)["rule"] == "2025-statutory-test"
    finally:
        s.close()


def test_override_and_rebuild_are_one_transaction(store, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(store_calendar.workdays, "calendar_rows", broken)
    try:
        store_calendar.set_calendar_override(store, D(2027, 2, 20), True, None, actor="admin")
    except RuntimeError:
        pass
    else:  # pragma: no cover
        raise AssertionError("the rebuild should have failed")
    assert store_calendar.load_overrides(store) == {}
    assert store.scalar("SELECT count(*) FROM audit_log") == 0


def test_sql_deadline_agrees_with_python_in_2027(store):
    # every start day from 2026-12-01 to 2028-01-31 with the product's limits and random others
    rng = random.Random(2027)
    starts, ns, ends = [], [], []
    day = D(2026, 12, 1)
    while day <= D(2028, 1, 31):
        for n in (1, 2, 5, 20, rng.randint(1, 40)):
            starts.append(day)
            ns.append(n)
            ends.append(day + timedelta(days=rng.randint(-60, 60)))
        day += timedelta(days=1)
    cases = pa.table({"i": list(range(len(starts))), "d": starts, "n": ns, "e": ends})
    cur = store.cursor()
    try:
        cur.register("cases", cases)
        got = cur.execute(
            "SELECT i, workday_deadline(d, n), workdays_between(d, e) FROM cases ORDER BY i"
        ).fetchall()
    finally:
        cur.close()
    assert len(got) == len(starts)
    for i, sql_deadline, sql_between in got:
        assert sql_deadline == workdays.deadline(starts[i], ns[i]), (starts[i], ns[i])
        assert sql_between == workdays.workdays_between(starts[i], ends[i]), (starts[i], ends[i])
    # the hand-checked ones
    assert _sql_deadline(store, D(2027, 2, 4), 1) == D(2027, 2, 11)
    assert _sql_deadline(store, D(2027, 10, 2), 20) == D(2027, 11, 2)
    assert store.scalar("SELECT source FROM calendar WHERE day = DATE '2027-02-09'") == "fallback"


def test_sql_deadline_follows_a_manual_day_in_2027(store):
    store_calendar.set_calendar_override(store, D(2027, 2, 11), False, "通知：放假", actor="admin")
    store_calendar.set_calendar_override(
        store, D(2027, 2, 20), True, "通知：调休上班", actor="admin"
    )
    overrides = store_calendar.load_overrides(store)
    for start in (D(2027, 2, 4), D(2027, 2, 12), D(2027, 2, 19)):
        for n in (1, 2, 5, 6, 20):
            assert _sql_deadline(store, start, n) == workdays.deadline(start, n, overrides)
    assert _sql_deadline(store, D(2027, 2, 4), 1) == D(2027, 2, 12)
