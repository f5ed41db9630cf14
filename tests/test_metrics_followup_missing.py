"""The KPI followup_missing (DESIGN.md §5) and its list, on the small county of test_metrics_kpi plus a
few hand-placed results; every expected number is derived in the comments.

Extra rows (as of T = 2025-11-20 unless noted; the small county's own A-family result T1/E08 has its
follow-up F(T1,E08)):
- T1/E06 (KCK, not joint) [B] inspected 08-01, entered 08-05, no follow-up            -> missing (KCK)
- T2/E08 (CHK lead, SJJ partner) [5] inspected 10-10, entered 10-13, no follow-up     -> missing (CHK, SJJ)
- T2/E09 [2, B] entered 10-20; its follow-up (SJJ responsible) is due and closed after T: a row exists
                                                                                          -> not missing
- T3/E06 (ZFD lead, KCK partner) [E]: a finding, but not of the A family              -> not counted
- T3/E07 [8]: a finding outside the A family                                           -> not counted
- T7/E13 (CHK) [A] inspected 11-18, entered 11-25 > T: not entered as of T             -> counted from 11-25
- T4/E09 (voided task) [A] entered, no follow-up                                       -> never counted
- T6/E12 (a 2024 task) [A] inspected 2024-11-20, entered 11-21                        -> counted in 2024 only
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from dashboard.cli import main
from dashboard.metrics import followup
from dashboard.metrics.kpi import compute_kpis
from dashboard.scope import Scope
from dashboard.store import close_store, open_store
from tests.test_metrics_kpi import load_small

T = date(2025, 11, 20)

EXTRA = """
INSERT INTO inspections (task_code, entity_code, inspectors, inspected_on, result_codes, entered_on, published_on) VALUES
    ('T1', 'E06', ['P1', 'P2'], DATE '2025-08-01', ['B'], DATE '2025-08-05', DATE '2025-08-05'),
    ('T2', 'E08', ['P3', 'P4'], DATE '2025-10-10', ['5'], DATE '2025-10-13', NULL),
    ('T2', 'E09', ['P3', 'P4'], DATE '2025-10-10', ['2', 'B'], DATE '2025-10-20', NULL),
    ('T3', 'E06', ['P1', 'P2'], DATE '2025-07-01', ['E'], DATE '2025-07-02', NULL),
    ('T3', 'E07', ['P1', 'P2'], DATE '2025-07-01', ['8'], DATE '2025-07-02', NULL),
    ('T7', 'E13', ['P3'], DATE '2025-11-18', ['A'], DATE '2025-11-25', NULL),
    ('T4', 'E09', ['P1', 'P2'], DATE '2025-05-10', ['A'], DATE '2025-05-12', NULL),
    ('T6', 'E12', ['P3'], DATE '2024-11-20', ['A'], DATE '2024-11-21', NULL);
INSERT INTO followups (task_code, entity_code, measure_code, responsible_unit, due_on, closed_on) VALUES
    ('T2', 'E09', '5', 'SJJ', DATE '2026-01-31', DATE '2026-01-10');
"""


def load(store) -> None:
    load_small(store)
    with store.transaction() as cur:
        cur.execute(EXTRA)


@pytest.fixture(scope="module")
def county():
    s = open_store(":memory:")
    load(s)
    yield s
    s.close()


def missing(county, scope) -> int:
    return compute_kpis(county.cursor(), scope)["followup_missing"].value


def pairs(df) -> list[tuple[str, str]]:
    return list(zip(df["任务编码"], df["主体编码"], strict=True))


def test_kpi_counts_a_family_results_without_any_follow_up_row(county):
    k = compute_kpis(county.cursor(), Scope(2025, T))["followup_missing"]
    assert (k.value, k.numerator, k.denominator, k.target) == (2, 2, None, 0)  # T1/E06, T2/E08
    assert k.kind == "count" and k.status == "未达标" and k.label_zh == "应后续处理未建记录"
    assert "没有任何后续处理记录" in k.explanation_zh


def test_unit_scope_follows_the_task(county):
    assert missing(county, Scope(2025, T, unit="KCK")) == 1  # T1/E06 (T3/E06 is [E])
    assert missing(county, Scope(2025, T, unit="CHK")) == 1  # T2/E08; T2/E09 has SJJ's follow-up
    assert missing(county, Scope(2025, T, unit="SJJ")) == 1  # T2/E08: SJJ partners T2
    assert missing(county, Scope(2025, T, unit="ZFD")) == 0
    unit_user = Scope(2025, T, allowed_units=frozenset({"CHK"}), role="unit")
    assert missing(county, unit_user) == 1
    assert missing(county, unit_user.with_(unit="KCK")) == 0  # not one of the user's units
    assert missing(county, Scope(2025, T, town="院头镇")) == 0  # E06, E08 are in 赞皇镇
    assert missing(county, Scope(2025, T, item="I1")) == 1  # T1 (I1); T2 is I2


def test_as_of_and_year(county):
    assert missing(county, Scope(2025, date(2025, 8, 4))) == 0  # T1/E06 entered only on 08-05
    assert missing(county, Scope(2025, date(2025, 8, 5))) == 1
    assert missing(county, Scope(2025, date(2025, 11, 25))) == 3  # + T7/E13 entered 11-25
    assert missing(county, Scope(2024, date(2024, 12, 31))) == 1  # T6/E12
    # a follow-up row recorded for T2/E08 ends the count, whatever its dates
    s = open_store(":memory:")
    load(s)
    with s.transaction() as cur:
        cur.execute(
            "INSERT INTO followups (task_code, entity_code, due_on) VALUES ('T2', 'E08', DATE '2027-01-01')"
        )
    assert missing(s, Scope(2025, T)) == 1
    s.close()


def test_list_is_the_kpi(county):
    scope = Scope(2025, T)
    df = followup.missing_followups(county.cursor(), scope)
    assert list(df.columns) == [
        "单位编码",
        "单位",
        "任务编码",
        "主体编码",
        "名称",
        "结果代码",
        "检查日期",
        "录入日期",
        "任务名称",
        "检查人员",
    ]
    assert pairs(df) == [("T2", "E08"), ("T1", "E06")]  # by lead unit: CHK, KCK
    first = df.iloc[0]
    assert (first["单位"], first["名称"], first["检查日期"], first["录入日期"]) == (
        "测绘地理信息股",
        "辛矿业公司",
        date(2025, 10, 10),
        date(2025, 10, 13),
    )
    assert first["结果代码"] == "5 违反其他部门相关规定（其他）"
    assert first["检查人员"] == "王五、赵六"
    assert df.iloc[1]["结果代码"] == "B 未按规定公示应当公示的信息"
    for unit in ("KCK", "CHK", "SJJ", "ZFD"):
        s = scope.with_(unit=unit)
        assert len(followup.missing_followups(county.cursor(), s)) == missing(county, s), unit


@pytest.fixture
def county_db(tmp_path):
    path = tmp_path / "fm.duckdb"
    load(open_store(path))
    yield path
    close_store(path)


def test_cli_json_carries_the_kpi(county_db, capsys):
    args = ["kpi", "--db", str(county_db), "--year", "2025", "--as-of", "2025-11-20", "--json"]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert list(data)[-1] == "followup_missing"
    assert data["followup_missing"] == {
        "value": 2,
        "numerator": 2,
        "denominator": None,
        "target": 0,
    }
    assert main([*args, "--unit", "ZFD"]) == 0
    assert json.loads(capsys.readouterr().out)["followup_missing"]["value"] == 0
    assert main(args[:-1]) == 0  # the readable table
    out = capsys.readouterr().out
    assert "应后续处理未建记录" in out


def test_scorecard_and_reports_show_the_kpi_per_scope(county):
    import io

    import openpyxl

    from dashboard.metrics import scorecard
    from dashboard.reports import monthly, notice

    scope = Scope(2025, T)
    board = scorecard.scorecard(county, scope)
    by_unit = dict(zip(board["单位编码"], board["应后续处理未建记录"], strict=True))
    assert by_unit == {"KCK": 1, "CHK": 1, "ZFD": 0}  # SJJ is external, not scored
    wb = openpyxl.load_workbook(io.BytesIO(notice.notice_xlsx(board, scope)))
    headers = [c.value for c in wb["单位排名"][4]]
    assert headers[-1] == "应后续处理未建记录"
    data = monthly.report_data(county.cursor(), scope)
    row = data.kpis[data.kpis["指标"] == "应后续处理未建记录"].iloc[0]
    assert (row["当前值"], row["目标"], row["分子"], row["状态"]) == ("2", "0", 2, "未达标")
    assert pairs(data.missing) == [("T2", "E08"), ("T1", "E06")]
    assert any("应后续处理未建记录2户" in line for line in data.summary)
    wb = openpyxl.load_workbook(io.BytesIO(monthly.monthly_xlsx(county.cursor(), scope)))
    sheet = wb["应后续处理未建记录"]
    assert [r[2] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["T2", "T1"]
    kck = monthly.report_data(county.cursor(), scope.with_(unit="KCK"))
    assert pairs(kck.missing) == [("T1", "E06")]
