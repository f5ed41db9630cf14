"""KPIs of DESIGN.md §5 on a small hand-built county (tests/fixtures/metrics_small/data.sql).

Every expected number below is derived by hand from the fixture; the comments show the derivation.
Working days: 2025 National Day break Oct 1–8; Sun 2025-09-28 and Sat 2025-10-11 were working days;
Dragon Boat May 31–Jun 2; Qingming Apr 4–6.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from dashboard.cli import main
from dashboard.metrics.kpi import KPI_KEYS, compute_kpis, kpi_status
from dashboard.scope import Scope
from dashboard.store import close_store, open_store

FIXTURE = Path(__file__).parent / "fixtures" / "metrics_small" / "data.sql"
T = date(2025, 11, 20)


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


def nd(kpis) -> dict[str, tuple]:
    return {k: (v.numerator, v.denominator) for k, v in kpis.items()}


def test_deadlines_cross_national_day_and_make_up_weekends(small):
    rows = small.rows(
        "SELECT workday_deadline(DATE '2025-09-26', 20), workday_deadline(DATE '2025-10-04', 20),"
        " workday_deadline(DATE '2025-09-26', 5), workday_deadline(DATE '2025-06-02', 20),"
        " workday_deadline(DATE '2025-10-31', 5), workday_deadline(DATE '2025-11-03', 5)"
    )[0]
    # Fri 09-26: Sun 09-28(1) 29(2) 30(3) | holiday 10-01..08 | 10-09(4) 10(5) Sat 11(6) 13..17(7-11)
    # 20..24(12-16) 27..30(17-20) -> 2025-10-30; the 5th is Fri 10-10.
    # Sat 10-04 (day itself never counts): 10-09(1) 10(2) 11(3) ... 11-03(19) 11-04(20).
    # Mon 06-02 is a holiday: 06-03..06(4) ... 06-23..27(19) 06-30(20).
    assert rows == (
        date(2025, 10, 30),
        date(2025, 11, 4),
        date(2025, 10, 10),
        date(2025, 6, 30),
        date(2025, 11, 7),
        date(2025, 11, 10),
    )


def test_all_kpis_unfiltered(small):
    k = compute_kpis(small.cursor(), Scope(2025, T))
    assert list(k) == list(KPI_KEYS)
    assert nd(k) == {
        # inspected by T in non-voided tasks of 2025: E01 E08 E04 E05 E02 (E04 registered in 2025 counts;
        # E07 only by voided T4; E01 by T2 on 11-25 is after T). Base: registered <= 2024-12-31 and not
        # closed by then: 14 minus E03 (closed 2024-06) and E04 (registered 2025) = 12.
        "coverage": (5, 12),
        # tasks of 2025 by T: T1 T2 T3 T7 (T4 voided, T5 starts 12-01, T6 is 2024); joint: T2, T3.
        "joint_task_share": (2, 4),
        # pairs: T1:E01,E08  T2:E04,E05,E02  T3:E02,E05 = 7; joint ones T2+T3 = 5.
        "joint_household_share": (5, 7),
        "risk_graded_share": (2, 4),  # T1, T2
        # entered by T: T1/E01 (06-30 = deadline, on time), T1/E08 (04-08 = deadline), T2/E04 (10-31 >
        # 10-30 late), T3/E02; not entered with deadline < T: T2/E05 (11-04), T3/E05 (entered 11-25 > T
        # counts as empty; deadline 11-17). T2/E02 (inspected 11-10) is not yet due.
        "entry_on_time": (3, 6),
        # published: T1/E01 07-01 late, T1/E08, T3/E02 on time; due and unpublished: T2/E04, T2/E05, T3/E05.
        "publish_on_time": (2, 6),
        "entry_overdue": (2, None),  # T2/E05, T3/E05
        # F(T1,E08) closed; F(T3,E02) closed 12-01 > T = open; F(T2,E04), F(T2,E05) closed; F(T1,E01) open.
        "followup_closed": (3, 5),
        "followup_overdue": (1, None),  # F(T3,E02) due 08-01; F(T1,E01) due 11-30 not yet
        # F(T2,E04) closed Fri 10-31, deadline 11-07 < T, not backfilled; F(T2,E05) closed 11-03,
        # deadline 11-10, backfilled 11-12. F(T1,E08) closed 09-26, backfilled 10-10 = deadline: on time.
        "backfill_late": (2, None),
        # entered with codes: E01[1], E08[A,2], E04[E], T3/E02[1]; T2/E02[B] is not entered.
        "problem_rate": (2, 4),
        # D and uninspected in (2024-11-20, 2025-11-20]: E06; E07 (only a voided task); E13 (2024-11-15
        # is outside). Not: E08 (inspected), E09 (closed 10-01), E10 (latest <= 2025-11 is C), E11
        # (公共信用 only), E12 (latest B), E14 (inspected 2024-11-25).
        "high_risk_uninspected": (3, None),
        # the one A-family result entered, T1/E08 [A, 2], has F(T1,E08); T2/E02 [B] is not entered.
        "followup_missing": (0, None),
    }
    assert k["coverage"].value == pytest.approx(5 / 12)
    assert k["publish_on_time"].value == pytest.approx(1 / 3)
    assert k["entry_overdue"].value == 2
    assert k["coverage"].status == "达标"
    assert k["joint_task_share"].status == "未达标"
    assert k["entry_overdue"].status == "未达标"
    assert k["high_risk_uninspected"].target == 0
    assert k["problem_rate"].target is None and k["problem_rate"].status is None
    assert k["problem_rate"].value == pytest.approx(0.5)
    assert k["coverage"].kind == "ratio" and k["backfill_late"].kind == "count"
    assert "20个工作日" in k["entry_on_time"].explanation_zh


def test_earlier_as_of_ignores_later_dates(small):
    k = compute_kpis(small.cursor(), Scope(2025, date(2025, 7, 15)))
    assert nd(k) == {
        "coverage": (3, 12),  # E01 E08 E02
        "joint_task_share": (1, 2),  # T1, T3 (T2 starts 09-01)
        "joint_household_share": (1, 3),
        "risk_graded_share": (1, 2),
        "entry_on_time": (3, 3),
        "publish_on_time": (2, 3),  # T1/E01 published 07-01 after its 06-30 deadline
        "entry_overdue": (0, None),
        # F(T1,E08) closes 09-26 > T: open and due 05-30 -> overdue; F(T3,E02), F(T1,E01) not due.
        "followup_closed": (0, 3),
        "followup_overdue": (1, None),
        "backfill_late": (0, None),
        "problem_rate": (1, 3),
        # latest grade <= 2025-07: E06 D; E12 D (its B is 2025-09); E14 D but inspected 2024-11-25 > 2024-07-15.
        "high_risk_uninspected": (2, None),
        "followup_missing": (0, None),
    }
    assert k["followup_closed"].value == 0.0


def test_zero_denominators_give_none(small):
    k = compute_kpis(small.cursor(), Scope(2023, date(2023, 12, 31)))
    for key in (
        "joint_task_share",
        "joint_household_share",
        "risk_graded_share",
        "entry_on_time",
        "publish_on_time",
        "followup_closed",
        "problem_rate",
    ):
        assert k[key].value is None and k[key].denominator == 0 and k[key].status is None, key
    # base at 2022-12-31: all but E04 (registered 2025); E03 closed only in 2024.
    assert (k["coverage"].value, k["coverage"].numerator, k["coverage"].denominator) == (0.0, 0, 13)
    assert k["coverage"].status == "未达标"
    assert k["entry_overdue"].value == 0 and k["entry_overdue"].status == "达标"


def test_unit_filter(small):
    k = compute_kpis(small.cursor(), Scope(2025, T, unit="KCK"))
    assert nd(k) == {
        "coverage": (
            4,
            12,
        ),  # T1: E01 E08, T3 (KCK partner): E02 E05; base stays the whole directory
        "joint_task_share": (1, 2),
        "joint_household_share": (2, 4),
        "risk_graded_share": (1, 2),
        "entry_on_time": (3, 4),
        "publish_on_time": (2, 4),
        "entry_overdue": (1, None),
        # responsible KCK: F(T1,E08), F(T1,E01); F(T3,E02) has none -> its task's units include KCK.
        "followup_closed": (1, 3),
        "followup_overdue": (1, None),
        "backfill_late": (0, None),
        "problem_rate": (1, 3),
        "high_risk_uninspected": (2, None),  # E06, E07 tagged I1 (owner KCK); E13 is I2
        "followup_missing": (0, None),
    }


def test_allowed_units_are_always_applied(small):
    scope = Scope(2025, T, allowed_units=frozenset({"CHK"}), role="unit")
    k = compute_kpis(small.cursor(), scope)
    assert nd(k)["joint_household_share"] == (3, 3)  # T2: E04 E05 E02
    assert nd(k)["entry_on_time"] == (0, 2)
    assert nd(k)["followup_closed"] == (1, 1)  # F(T2,E04) only; F(T2,E05) belongs to SJJ
    assert nd(k)["backfill_late"] == (1, None)
    assert nd(k)["high_risk_uninspected"] == (1, None)  # E13
    # a unit outside the allowed ones sees nothing
    k = compute_kpis(small.cursor(), scope.with_(unit="KCK"))
    assert k["joint_task_share"].value is None
    assert nd(k)["coverage"] == (0, 12)
    assert nd(k)["followup_closed"] == (0, 0)


def test_town_and_item_filters(small):
    k = compute_kpis(small.cursor(), Scope(2025, T, town="院头镇"))
    assert nd(k)["coverage"] == (2, 2)  # E02, E05 of 院头镇, both in its base
    assert nd(k)["joint_task_share"] == (2, 2)  # T2, T3 inspected there
    k = compute_kpis(small.cursor(), Scope(2025, T, item="I2"))
    assert nd(k)["coverage"] == (3, 3)  # T2: E04 E05 E02; base tagged I2: E05 E13 E14
    assert nd(k)["joint_task_share"] == (1, 2)  # T2, T7


def test_settings_change_limits(fresh):
    with fresh.transaction() as cur:
        cur.execute("INSERT INTO settings (key, value) VALUES ('entry_limit_workdays', '21')")
    k = compute_kpis(fresh.cursor(), Scope(2025, T))
    # with 21 days T2/E04 (deadline 10-31) is on time
    assert nd(k)["entry_on_time"] == (4, 6)


@pytest.mark.parametrize(
    ("kind", "value", "target", "expected"),
    [
        ("ratio", 1.0, 1.0, "达标"),
        ("ratio", 0.96, 1.0, "预警"),
        ("ratio", 0.95, 1.0, "预警"),
        ("ratio", 0.94, 1.0, "未达标"),
        ("ratio", 0.05, 0.05, "达标"),
        ("ratio", 0.048, 0.05, "预警"),  # the band is relative: 0.05 × 0.95 = 0.0475
        ("ratio", 0.047, 0.05, "未达标"),
        ("ratio", 0.0, 0.05, "未达标"),
        ("ratio", None, 1.0, None),
        ("ratio", 0.3, None, None),
        ("count", 0, 0, "达标"),
        ("count", 1, 0, "未达标"),
    ],
)
def test_status_rule(kind, value, target, expected):
    assert kpi_status(kind, value, target, 0.05) == expected


@pytest.fixture
def small_db(tmp_path):
    path = tmp_path / "small.duckdb"
    load_small(open_store(path))
    yield path
    close_store(path)


def test_cli_json(small_db, capsys):
    code = main(["kpi", "--db", str(small_db), "--year", "2025", "--as-of", "2025-11-20", "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data) == list(KPI_KEYS)
    for value in data.values():
        assert set(value) == {"value", "numerator", "denominator", "target"}
    assert data["coverage"] == {"value": 5 / 12, "numerator": 5, "denominator": 12, "target": 0.05}
    assert data["entry_overdue"] == {"value": 2, "numerator": 2, "denominator": None, "target": 0}
    assert data["problem_rate"]["target"] is None
    assert data["followup_missing"] == {
        "value": 0,
        "numerator": 0,
        "denominator": None,
        "target": 0,
    }


def test_cli_unit_and_table(small_db, capsys):
    assert (
        main(
            [
                "kpi",
                "--db",
                str(small_db),
                "--year",
                "2025",
                "--as-of",
                "2025-11-20",
                "--unit",
                "KCK",
                "--json",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)["coverage"]["numerator"] == 4
    assert main(["kpi", "--db", str(small_db), "--year", "2025", "--as-of", "2025-11-20"]) == 0
    out = capsys.readouterr().out
    assert "抽查覆盖率" in out and "41.7%" in out and "未达标" in out


def test_cli_errors(small_db, tmp_path, capsys):
    missing = tmp_path / "missing.duckdb"
    assert main(["kpi", "--db", str(missing), "--year", "2025", "--json"]) == 2
    assert "不存在" in capsys.readouterr().err and not missing.exists()
    assert main(["kpi", "--db", str(small_db), "--year", "2025", "--unit", "NOPE"]) == 2
    assert "NOPE" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["kpi", "--db", str(small_db), "--year", "2025", "--as-of", "2025-13-01"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["kpi", "--db", str(small_db)])
    assert exc.value.code == 2


# -- the demo county: every planted problem is found exactly -------------------------------------

DEMO_T = date(2026, 11, 27)


def _pairs(df) -> list[list[str]]:
    return sorted([t, e] for t, e in zip(df["任务编码"], df["主体编码"], strict=True))


@pytest.fixture(scope="module")
def planted(demo_store):
    from dashboard.demo.planted import load_planted

    manifest = load_planted(demo_store)
    assert manifest is not None and manifest["as_of"] == DEMO_T.isoformat()
    return manifest


def test_demo_planted_problems_found_exactly(demo_store, planted):
    from dashboard.metrics import coverage, followup, joint, timeliness

    cur = demo_store.cursor()
    assert planted["years"]
    for year in planted["years"]:
        exp = planted["by_year"][str(year)]
        scope = Scope(year, DEMO_T)
        k = compute_kpis(cur, scope)
        assert _pairs(timeliness.late_entries(cur, scope)) == exp["late_entries"], year
        assert _pairs(timeliness.entries_overdue(cur, scope)) == exp["entry_overdue"], year
        pubs = timeliness.late_publications(cur, scope)
        assert _pairs(pubs[pubs["情况"] == "逾期公示"]) == exp["late_publications"], year
        assert _pairs(pubs[pubs["情况"] == "超期未公示"]) == exp["publish_overdue"], year
        assert _pairs(followup.overdue_followups(cur, scope)) == exp["followup_overdue"], year
        bf = followup.backfill_problems(cur, scope)
        assert _pairs(bf) == exp["backfill_late"], year
        assert _pairs(bf[bf["情况"] == "超期未回填"]) == exp["backfill_missing"], year
        assert sorted(joint.non_joint_tasks(cur, scope)["任务编码"]) == exp["non_joint_tasks"]
        assert k["entry_overdue"].value == len(exp["entry_overdue"])
        assert k["followup_overdue"].value == len(exp["followup_overdue"])
        assert k["backfill_late"].value == len(exp["backfill_late"])
        assert k["joint_task_share"].denominator == exp["tasks"]
        assert k["joint_task_share"].numerator == exp["tasks"] - len(exp["non_joint_tasks"])
        assert k["risk_graded_share"].numerator == exp["tasks"] - len(exp["non_risk_graded_tasks"])
        # entered late + entered on time + overdue = the entry denominator
        assert k["entry_on_time"].denominator - k["entry_on_time"].numerator == len(
            exp["late_entries"]
        ) + len(exp["entry_overdue"])
        assert k["publish_on_time"].denominator - k["publish_on_time"].numerator == len(
            exp["late_publications"]
        ) + len(exp["publish_overdue"])
        assert (k["coverage"].numerator, k["coverage"].denominator) == (
            exp["coverage"]["inspected"],
            exp["coverage"]["base"],
        )
        by_unit = coverage.coverage_by_unit(cur, scope)
        found = {u: n for u, n in zip(by_unit["单位编码"], by_unit["检查对象数"], strict=True) if n}
        assert found == exp["coverage"]["by_unit"], year
        internal_below = by_unit[
            (by_unit["任务数"] > 0)
            & (by_unit["覆盖率"] < 0.05)
            & ~by_unit["单位编码"].isin(["SJJ", "YJJ", "STJ"])
        ]
        assert sorted(internal_below["单位编码"]) == exp["units_below_coverage"], year
    scope = Scope(planted["years"][-1], DEMO_T)
    hr = coverage.high_risk_uninspected(cur, scope)
    assert sorted(hr["主体编码"]) == planted["high_risk_uninspected"]
    assert compute_kpis(cur, scope)["high_risk_uninspected"].value == len(
        planted["high_risk_uninspected"]
    )


def test_demo_national_day_late_entries_are_late(demo_store, planted):
    from dashboard.metrics import timeliness

    exp = planted["by_year"][str(DEMO_T.year)]
    df = timeliness.late_entries(demo_store.cursor(), Scope(DEMO_T.year, DEMO_T))
    late = {(t, e) for t, e in zip(df["任务编码"], df["主体编码"], strict=True)}
    for t, e in (
        exp["late_entries_across_national_day"] + exp["late_entries_across_spring_festival"]
    ):
        assert (t, e) in late


def test_demo_kpis_are_fast(demo_store):
    import time

    cur = demo_store.cursor()
    for scope in (Scope(2026, DEMO_T), Scope(2026, DEMO_T, unit="KCK"), Scope(2025, DEMO_T)):
        start = time.perf_counter()
        compute_kpis(cur, scope)
        assert time.perf_counter() - start < 1.0
