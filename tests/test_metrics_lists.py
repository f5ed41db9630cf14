"""Drill-down lists on the hand-built county of tests/fixtures/metrics_small (as of 2025-11-20).

Working days late = working days in (deadline, date]; 2025 holidays as in test_metrics_kpi.py.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from dashboard.metrics import coverage, followup, joint, timeliness, trend
from dashboard.metrics.kpi import compute_kpis
from dashboard.scope import Scope
from dashboard.store import open_store

FIXTURE = Path(__file__).parent / "fixtures" / "metrics_small" / "data.sql"
T = date(2025, 11, 20)
S = Scope(2025, T)


def load_small(store) -> None:
    with store.transaction() as cur:
        cur.execute(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def small():
    """The small county, built once per module (tests that write use `fresh` instead)."""
    s = open_store(":memory:")
    load_small(s)
    yield s
    s.close()


@pytest.fixture
def fresh(store):
    load_small(store)
    return store


def records(df, *cols):
    return [tuple(r) for r in df[list(cols)].itertuples(index=False)]


def test_late_entries(small):
    df = timeliness.late_entries(small.cursor(), S)
    # T2/E04 inspected Fri 09-26, deadline Thu 10-30 (across National Day), entered Fri 10-31.
    assert records(
        df, "单位编码", "任务编码", "主体编码", "录入期限", "超期工作日", "检查人员"
    ) == [("CHK", "T2", "E04", date(2025, 10, 30), 1, "王五、赵六")]


def test_entries_overdue(small):
    df = timeliness.entries_overdue(small.cursor(), S)
    # T2/E05: deadline 11-04, (11-04, 11-20] = 3 + 5 + 4 = 12; T3/E05 (entered 11-25 > T): 11-17 -> 3.
    assert records(df, "单位编码", "任务编码", "主体编码", "录入期限", "超期工作日") == [
        ("CHK", "T2", "E05", date(2025, 11, 4), 12),
        ("ZFD", "T3", "E05", date(2025, 11, 17), 3),
    ]
    assert len(df) == compute_kpis(small.cursor(), S)["entry_overdue"].value


def test_late_publications(small):
    df = timeliness.late_publications(small.cursor(), S)
    assert records(df, "任务编码", "主体编码", "情况", "超期工作日") == [
        ("T2", "E04", "超期未公示", 15),  # (10-30, 11-20]: 10-31, 11-03..07, 10..14, 17..20
        ("T2", "E05", "超期未公示", 12),
        ("T3", "E05", "超期未公示", 3),
        ("T1", "E01", "逾期公示", 1),  # deadline 06-30, published 07-01
    ]


def test_followup_lists(small):
    df = followup.overdue_followups(small.cursor(), S)
    # due Fri 08-01: Aug 20 + Sep 23 (incl. Sun 09-28) + Oct 18 (incl. Sat 10-11) + Nov 14 = 75
    assert records(df, "单位编码", "任务编码", "主体编码", "处置措施", "逾期工作日") == [
        ("ZFD", "T3", "E02", "责令限期整改", 75)
    ]
    df = followup.backfill_problems(small.cursor(), S)
    assert records(df, "单位编码", "主体编码", "回填期限", "情况", "超期工作日") == [
        ("CHK", "E04", date(2025, 11, 7), "超期未回填", 9),
        ("SJJ", "E05", date(2025, 11, 10), "回填超期", 2),
    ]


def test_per_unit_rows_equal_the_unit_filtered_kpis(small):
    cur = small.cursor()
    tb = timeliness.timeliness_by_unit(cur, S).set_index("单位编码")
    jb = joint.joint_by_unit(cur, S).set_index("单位编码")
    cb = coverage.coverage_by_unit(cur, S).set_index("单位编码")
    assert set(tb.index) == {"KCK", "CHK", "ZFD", "SJJ"}
    for unit in tb.index:
        k = compute_kpis(cur, S.with_(unit=unit))
        assert tb.loc[unit, "按时录入"] == k["entry_on_time"].numerator
        assert tb.loc[unit, "超期未录入"] == k["entry_overdue"].value
        assert tb.loc[unit, "按时公示"] == k["publish_on_time"].numerator
        assert tb.loc[unit, "后续处理件数"] == k["followup_closed"].denominator
        assert tb.loc[unit, "逾期未完结"] == k["followup_overdue"].value
        assert tb.loc[unit, "回填超期"] == k["backfill_late"].value
        assert jb.loc[unit, "联合任务数"] == k["joint_task_share"].numerator
        assert jb.loc[unit, "任务数"] == k["joint_task_share"].denominator
        assert jb.loc[unit, "联合检查户数"] == k["joint_household_share"].numerator
        assert cb.loc[unit, "检查对象数"] == k["coverage"].numerator
    assert tuple(
        jb.loc["KCK", ["任务数", "牵头任务数", "联合任务数", "检查户数", "联合检查户数"]]
    ) == (
        2,
        1,
        1,
        4,
        2,
    )
    # a unit user sees only its own rows
    only = timeliness.timeliness_by_unit(cur, Scope(2025, T, allowed_units=frozenset({"KCK"})))
    assert list(only["单位编码"]) == ["KCK"]


def test_coverage_lists(small):
    cur = small.cursor()
    town = coverage.coverage_by_town(cur, S)
    assert records(town, "乡镇", "名录基数", "已检查对象数") == [
        ("赞皇镇", 10, 3),
        ("院头镇", 2, 2),
    ]
    grade = coverage.coverage_by_grade(cur, S)
    # base grades at 2025-11: D = E06 E07 E08 E09 E13 E14, C = E10, B = E12, U = E01 E02 E05 E11
    assert records(grade, "风险等级", "名录对象数", "已检查对象数") == [
        ("B", 1, 0),
        ("C", 1, 0),
        ("D", 6, 1),
        ("U", 4, 4),
    ]
    assert grade["名录占比"].sum() == pytest.approx(1.0)
    item = coverage.coverage_by_item(cur, S)
    assert records(item, "事项编码", "名录基数", "已检查对象数") == [("I1", 9, 4), ("I2", 3, 3)]


def test_never_inspected(small):
    df = coverage.never_inspected(small.cursor(), S)
    # not closed at T, no inspection of a non-voided task in the last 3 years; D first.
    assert list(df["主体编码"]) == ["E06", "E07", "E10", "E12", "E11"]
    df = coverage.never_inspected(small.cursor(), S, years=1)
    assert "E13" in set(df["主体编码"])  # last inspected 2024-11-15, more than a year before T
    df = coverage.never_inspected(small.cursor(), S.with_(unit="CHK"))
    assert list(df["主体编码"]) == []  # CHK's item I2: E13, E14 inspected within 3 years


def test_over_inspected(fresh):
    with fresh.transaction() as cur:
        cur.execute(
            "INSERT INTO inspections (task_code, entity_code, inspected_on, result_codes) VALUES"
            " ('T1', 'E11', DATE '2025-04-01', ['1']), ('T3', 'E11', DATE '2025-07-10', ['1']),"
            " ('T1', 'E12', DATE '2025-04-01', ['1']), ('T3', 'E12', DATE '2025-07-10', ['E']),"
            " ('T1', 'E06', DATE '2025-04-01', ['1']), ('T3', 'E06', DATE '2025-07-10', ['1'])"
        )
    df = coverage.over_inspected(fresh.cursor(), S)
    # E11 (ungraded, twice for I1, no finding) only: E12 had a finding, E06 is grade D.
    assert records(df, "主体编码", "事项编码", "检查次数", "检查日期") == [
        ("E11", "I1", 2, "2025-04-01;2025-07-10")
    ]
    assert coverage.over_inspected(fresh.cursor(), S.with_(unit="CHK")).empty


def test_joint_lists(small):
    cur = small.cursor()
    kinds = joint.joint_by_kind(cur, S)
    assert records(kinds, "联合类型", "任务数", "检查户数") == [
        ("部门内部联合", 1, 2),
        ("跨部门联合", 1, 3),
        ("非联合", 2, 2),
    ]
    tasks = joint.non_joint_tasks(cur, S)
    assert records(tasks, "任务编码", "来源", "状态", "检查户数") == [
        ("T7", "临时任务", "已抽取", 0),
        ("T1", "计划任务", "已完成", 2),
    ]
    partners = joint.partner_departments(cur, S)
    assert records(partners, "单位编码", "联合任务数", "牵头单位", "检查户数") == [
        ("SJJ", 1, "测绘地理信息股", 3)
    ]


def test_trend_and_urgent(small):
    cur = small.cursor()
    df = trend.monthly_trend(cur, S)
    assert list(df["月份"]) == [f"2025-{m:02d}" for m in range(1, 12)]
    assert df["检查户数"].sum() == 7
    assert df["按时录入户数"].sum() == 3
    assert dict(zip(df["月份"], df["发现问题户数"], strict=True))["2025-03"] == 1  # E08 [A, 2]
    assert df["发现问题户数"].sum() == 2  # E08, E04 (T2/E02's finding is not entered)
    urgent = trend.most_urgent(cur, S)
    assert len(urgent) == 5
    assert records(urgent.head(2), "问题", "单位编码", "主体编码", "超期工作日") == [
        ("后续处理逾期未完结", "ZFD", "E02", 75),
        ("超期未公示", "CHK", "E04", 15),
    ]
