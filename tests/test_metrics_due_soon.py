"""即将到期 (DESIGN.md §5): entries and follow-ups due within the next N working days of T, on the
official 2026 calendar. The window is [T, deadline(T, N)] (dashboard.metrics.due_soon).

2026 around the dates used: Mid-Autumn Fri 09-25 and National Day 10-01..10-07 off; Sun 09-20 and
Sat 10-10 are make-up working days. Working days after Tue 09-29: 09-30(1) 10-08(2) 10-09(3) Sat 10-10(4)
10-12..16(5-9) 10-19..23(10-14) 10-26..30(15-19) Mon 11-02(20). So the 20-working-day entry deadline is
  inspected Mon 09-28 -> Fri 10-30,   Tue 09-29 -> Mon 11-02,   Sun 10-11 -> Fri 11-06 (Sat 10-10 counts),
  Mon 10-12 -> Mon 11-09,             Tue 10-13 -> Tue 11-10.
Windows (N = 5): T = Mon 11-02 -> [11-02, 11-09] (11-03..06 are 1-4, Mon 11-09 is 5);
T = Sat 10-31 -> [10-31, 11-06] (the rest day itself never counts); T = Wed 09-30 -> [09-30, 10-13]
(10-08, 10-09, Sat 10-10, 10-12, 10-13).

Tasks: TA (KCK lead, ZFD partner), TB (CHK), both from 2026-09-01.
"""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.metrics import due_soon, timeliness
from dashboard.metrics.kpi import compute_kpis
from dashboard.scope import Scope

T = date(2026, 11, 2)
S = Scope(2026, T)

FIXTURE = """
INSERT INTO units VALUES ('KCK', '矿产资源管理股', '股室', false), ('CHK', '测绘地理信息股', '股室', false),
    ('ZFD', '自然资源执法监察大队', '事业单位', false);
INSERT INTO items (item_code, item_name, owner_unit) VALUES ('I1', '矿山检查', 'KCK'), ('I2', '测绘检查', 'CHK');
INSERT INTO entities (entity_code, name, tags)
    SELECT 'E' || i, '对象' || i, ['I1'] FROM range(1, 18) AS r(i);
INSERT INTO tasks (task_code, task_name, item_codes, lead_unit, partner_units, joint_kind, start_on, end_on, status)
VALUES
    ('TA', '矿山检查', ['I1'], 'KCK', ['ZFD'], 'internal', DATE '2026-09-01', DATE '2026-12-31', 'in_progress'),
    ('TB', '测绘检查', ['I2'], 'CHK', [], 'none', DATE '2026-09-01', DATE '2026-12-31', 'in_progress');
INSERT INTO inspections (task_code, entity_code, inspectors, inspected_on, result_codes, entered_on) VALUES
    ('TA', 'E1', ['P1', 'P2'], DATE '2026-09-29', [], NULL),
    ('TA', 'E2', ['P1', 'P2'], DATE '2026-09-28', [], NULL),
    ('TA', 'E3', ['P1', 'P2'], DATE '2026-10-11', [], NULL),
    ('TB', 'E4', ['P3', 'P4'], DATE '2026-10-12', [], NULL),
    ('TB', 'E5', ['P3', 'P4'], DATE '2026-10-13', [], NULL),
    ('TB', 'E6', ['P3', 'P4'], DATE '2026-10-12', ['1'], DATE '2026-10-20'),
    ('TB', 'E7', ['P3', 'P4'], DATE '2026-10-12', ['1'], DATE '2026-11-05'),
    ('TA', 'E8', ['P1', 'P2'], DATE '2026-10-12', ['A'], DATE '2026-10-13'),
    ('TA', 'E9', ['P1', 'P2'], DATE '2026-10-12', ['A'], DATE '2026-10-13'),
    ('TB', 'E10', ['P3', 'P4'], DATE '2026-10-12', ['A'], DATE '2026-10-13'),
    ('TB', 'E11', ['P3', 'P4'], DATE '2026-10-12', ['A'], DATE '2026-10-13'),
    ('TB', 'E12', ['P3', 'P4'], DATE '2026-10-12', ['A'], DATE '2026-10-13'),
    ('TB', 'E13', ['P3', 'P4'], DATE '2026-10-12', ['A'], DATE '2026-10-13'),
    ('TB', 'E14', ['P3', 'P4'], DATE '2026-10-12', ['A'], DATE '2026-10-13'),
    ('TB', 'E15', ['P3', 'P4'], DATE '2026-09-24', ['A'], DATE '2026-09-24'),
    ('TB', 'E16', ['P3', 'P4'], DATE '2026-09-24', ['A'], DATE '2026-09-24'),
    ('TB', 'E17', ['P3', 'P4'], DATE '2026-09-24', ['A'], DATE '2026-09-24');
INSERT INTO followups (task_code, entity_code, measure_code, responsible_unit, due_on, closed_on) VALUES
    ('TA', 'E8', '3', 'CHK', DATE '2026-11-02', NULL),
    ('TA', 'E9', '3', NULL, DATE '2026-11-07', NULL),
    ('TB', 'E10', '3', 'CHK', DATE '2026-11-09', NULL),
    ('TB', 'E11', '3', 'CHK', DATE '2026-11-10', NULL),
    ('TB', 'E12', '3', 'CHK', DATE '2026-10-30', NULL),
    ('TB', 'E13', '3', 'CHK', DATE '2026-11-05', DATE '2026-10-30'),
    ('TB', 'E14', '3', 'CHK', DATE '2026-11-05', DATE '2026-11-04'),
    ('TB', 'E15', '3', 'CHK', DATE '2026-10-05', NULL),
    ('TB', 'E16', '3', 'CHK', DATE '2026-10-13', NULL),
    ('TB', 'E17', '3', 'CHK', DATE '2026-10-14', NULL);
"""


@pytest.fixture(scope="module")
def county():
    from dashboard.store import open_store

    s = open_store(":memory:")
    with s.transaction() as cur:
        cur.execute(FIXTURE)
    yield s
    s.close()


def rows(df, date_col: str) -> list[tuple]:
    return list(
        zip(df["任务编码"], df["主体编码"], df[date_col], df["剩余工作日"].astype(int), strict=True)
    )


def test_window_on_the_official_calendar(county):
    cur = county.cursor()
    assert due_soon.window(cur, S) == due_soon.Window(T, date(2026, 11, 9), 5)
    assert due_soon.window(cur, Scope(2026, date(2026, 10, 31))).end == date(2026, 11, 6)
    assert due_soon.window(cur, Scope(2026, date(2026, 9, 30))).end == date(2026, 10, 13)
    assert due_soon.window(cur, Scope(2040, date(2040, 6, 1))).end is None  # outside the calendar


def test_entries_due_soon(county):
    df = due_soon.entries_due_soon(county.cursor(), S)
    assert list(df.columns) == [
        "单位编码",
        "单位",
        "任务编码",
        "主体编码",
        "名称",
        "录入期限",
        "剩余工作日",
        "检查日期",
        "任务名称",
        "检查人员",
    ]
    # E1 due on T itself (0 left); E3 from a Sunday; E4 on the window's last day; E7 entered 11-05 > T
    # counts as not entered. Not: E2 (10-30 < T: overdue), E5 (11-10), E6 (entered).
    assert rows(df, "录入期限") == [
        ("TA", "E1", date(2026, 11, 2), 0),
        ("TA", "E3", date(2026, 11, 6), 4),
        ("TB", "E4", date(2026, 11, 9), 5),
        ("TB", "E7", date(2026, 11, 9), 5),
    ]
    assert list(df["单位"]) == [
        "矿产资源管理股",
        "矿产资源管理股",
        "测绘地理信息股",
        "测绘地理信息股",
    ]
    # disjoint from the overdue KPI and its list
    overdue = timeliness.entries_overdue(county.cursor(), S)
    assert list(overdue["主体编码"]) == ["E2"]
    assert compute_kpis(county.cursor(), S)["entry_overdue"].value == 1


def test_followups_due_soon(county):
    df = due_soon.followups_due_soon(county.cursor(), S)
    assert "责任单位" in df.columns and df["处置措施"].iloc[0] == "责令限期整改"
    # E8 due on T; E14 closed only on 11-04 > T (open as of T); E9 due on Saturday 11-07 (4 working
    # days: 11-03..11-06); E10 on the last day. Not: E11 (11-10), E12/E15/E16/E17 (overdue), E13 (closed).
    assert rows(df, "整改期限") == [
        ("TA", "E8", date(2026, 11, 2), 0),
        ("TB", "E14", date(2026, 11, 5), 3),
        ("TA", "E9", date(2026, 11, 7), 4),
        ("TB", "E10", date(2026, 11, 9), 5),
    ]
    assert list(df["单位编码"]) == ["CHK", "CHK", "KCK", "CHK"]  # E9: no responsible unit -> lead
    assert compute_kpis(county.cursor(), S)["followup_overdue"].value == 4  # E12 E15 E16 E17


def test_unit_scope(county):
    kck = S.with_(unit="KCK")
    assert list(due_soon.entries_due_soon(county.cursor(), kck)["主体编码"]) == ["E1", "E3"]
    assert list(due_soon.followups_due_soon(county.cursor(), kck)["主体编码"]) == ["E9"]
    zfd = S.with_(unit="ZFD")  # TA's partner
    assert list(due_soon.entries_due_soon(county.cursor(), zfd)["主体编码"]) == ["E1", "E3"]
    assert list(due_soon.followups_due_soon(county.cursor(), zfd)["主体编码"]) == ["E9"]
    chk = S.with_(allowed_units=frozenset({"CHK"}), role="unit")
    assert list(due_soon.entries_due_soon(county.cursor(), chk)["主体编码"]) == ["E4", "E7"]
    assert list(due_soon.followups_due_soon(county.cursor(), chk)["主体编码"]) == [
        "E8",  # TA's follow-up with CHK responsible
        "E14",
        "E10",
    ]
    by_unit = due_soon.due_soon_by_unit(county.cursor(), S)
    assert by_unit.values.tolist() == [
        ["CHK", "测绘地理信息股", 2, 3],
        ["KCK", "矿产资源管理股", 2, 1],
        ["ZFD", "自然资源执法监察大队", 2, 1],
    ]
    assert list(by_unit.columns) == ["单位编码", "单位", "录入即将到期", "后续处理即将到期"]
    assert due_soon.due_soon_by_unit(county.cursor(), chk).values.tolist() == [
        ["CHK", "测绘地理信息股", 2, 3]
    ]


def test_as_of_a_rest_day_and_before_national_day(county):
    sat = Scope(2026, date(2026, 10, 31))
    assert rows(due_soon.entries_due_soon(county.cursor(), sat), "录入期限") == [
        ("TA", "E1", date(2026, 11, 2), 1),
        ("TA", "E3", date(2026, 11, 6), 5),
    ]
    # E13 closed 10-30 <= T; E14 closes only 11-04; E9 (11-07) is past 11-06.
    assert rows(due_soon.followups_due_soon(county.cursor(), sat), "整改期限") == [
        ("TA", "E8", date(2026, 11, 2), 1),
        ("TB", "E14", date(2026, 11, 5), 4),
    ]
    before = Scope(2026, date(2026, 9, 30))
    # E15 due in the holiday (10-05: no working day left), E16 on the 5th working day 10-13; E17 after.
    assert rows(due_soon.followups_due_soon(county.cursor(), before), "整改期限") == [
        ("TB", "E15", date(2026, 10, 5), 0),
        ("TB", "E16", date(2026, 10, 13), 5),
    ]
    assert due_soon.entries_due_soon(county.cursor(), before).empty  # E1, E2 were inspected before


def test_setting_changes_the_window(store):
    with store.transaction() as cur:
        cur.execute(FIXTURE)
        cur.execute("INSERT INTO settings (key, value) VALUES ('due_soon_workdays', '1')")
    assert due_soon.window(store.cursor(), S).end == date(2026, 11, 3)
    assert list(due_soon.entries_due_soon(store.cursor(), S)["主体编码"]) == ["E1"]
    assert list(due_soon.followups_due_soon(store.cursor(), S)["主体编码"]) == ["E8"]


def test_demo_due_soon_and_overdue_are_disjoint(demo_store):
    cur = demo_store.cursor()
    for t in (date(2026, 3, 2), date(2026, 6, 15), date(2026, 10, 15), date(2026, 11, 27)):
        scope = Scope(2026, t)
        win = due_soon.window(cur, scope)
        soon = due_soon.entries_due_soon(cur, scope)
        overdue = timeliness.entries_overdue(cur, scope)
        keys = set(zip(soon["任务编码"], soon["主体编码"], strict=True))
        assert not keys & set(zip(overdue["任务编码"], overdue["主体编码"], strict=True)), t
        assert all(win.start <= d <= win.end for d in soon["录入期限"]), t
        fus = due_soon.followups_due_soon(cur, scope)
        assert all(win.start <= d <= win.end for d in fus["整改期限"]), t
        # the by-unit table adds up, unit by unit, to the lists under that unit as the filter
        by_unit = due_soon.due_soon_by_unit(cur, scope)
        for code, n_entries, n_fus in zip(
            by_unit["单位编码"], by_unit["录入即将到期"], by_unit["后续处理即将到期"], strict=True
        ):
            unit = scope.with_(unit=code)
            assert n_entries == len(due_soon.entries_due_soon(cur, unit)), (t, code)
            assert n_fus == len(due_soon.followups_due_soon(cur, unit)), (t, code)
    assert len(due_soon.entries_due_soon(cur, Scope(2026, date(2026, 10, 15)))) == 1
