"""工作台账 figures (DESIGN.md §8) on a hand-built county, as of 2026-11-27; each value derived below."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from dashboard.metrics import registers as R
from dashboard.scope import Scope

T = date(2026, 11, 27)
S = Scope(2026, T)

# KCK: active P1, P2; CHK: active P4, P5 (P3 retired); SJJ is an external department (not a row).
# Trainings: PX1 (KCK, 业务培训, P1 + P4), PX2 (CHK, 系统使用培训, P4); PX3 after T and PX4 of 2025 do
#   not count, so P2 is untrained: KCK 1/2 trained, CHK 1/2 (P4 via KCK's training).
# Publicity: KCK 1 (XC2 is after T), CHK 1.
# Reports: KCK Q1 on time, Q2 late (07-14 > 07-10), Q3 never → due 3, on time 1, missing 1;
#   CHK Q3 submitted 11-30 (after T) → missing; CHK 2026-11 due 12-05 is not counted yet.
# Follow-ups (task TK of KCK): E1 measure 4 without a date (incomplete), E2 measure 6 complete;
#   E3 penalty of 09-29 published 10-14 = the 7th working day after 09-29 across National Day
#   (09-30, 10-08, 10-09, 10-10 Sat 调休, 10-12, 10-13, 10-14), on time, in the credit record;
#   E4 the same decision published 10-15, late, not in the credit record; E6 decided 11-20, deadline
#   12-01 > T (not late yet) but not in the credit record; E5 reported 1 未发现问题, its return visit
#   found 未到位 (a contradiction). Task TC of CHK: E7 measure 4 without the receiving body,
#   return visit 整改到位.
# Special inspections: KCK DC1 overdue (due 10-10), DC4 rectified; CHK DC2 found nothing, DC3 due
#   12-31 (not overdue).
FIXTURE = """
INSERT INTO units VALUES ('KCK', '矿产资源管理股', '股室', false), ('CHK', '测绘股', '股室', false),
    ('SJJ', '县市场监督管理局', '外部门', true);
INSERT INTO inspectors (inspector_code, name, unit_code, active) VALUES
    ('P1', '张一', 'KCK', true), ('P2', '张二', 'KCK', true), ('P3', '李三', 'CHK', false),
    ('P4', '李四', 'CHK', true), ('P5', '李五', 'CHK', true);
INSERT INTO trainings (training_code, held_on, unit_code, kind, topic, attendees) VALUES
    ('PX1', DATE '2026-03-10', 'KCK', '业务培训', '矿山检查', ['P1', 'P4']),
    ('PX2', DATE '2026-06-18', 'CHK', '系统使用培训', '系统', ['P4']),
    ('PX3', DATE '2026-12-05', 'KCK', '工作规范培训', '规范', ['P2']),
    ('PX4', DATE '2025-11-01', 'KCK', '业务培训', '去年', ['P2']);
INSERT INTO publicity (publicity_code, published_on, unit_code, channel, title) VALUES
    ('XC1', DATE '2026-04-20', 'KCK', '官方网站', '甲'), ('XC2', DATE '2026-12-01', 'KCK', '新媒体', '乙'),
    ('XC3', DATE '2026-05-01', 'CHK', '新闻媒体', '丙');
INSERT INTO liaisons VALUES ('KCK', '王芳', '0311-1', DATE '2026-01-05');
INSERT INTO submissions (unit_code, period, due_on, submitted_on) VALUES
    ('KCK', '2026Q1', DATE '2026-04-10', DATE '2026-04-09'),
    ('KCK', '2026Q2', DATE '2026-07-10', DATE '2026-07-14'),
    ('KCK', '2026Q3', DATE '2026-10-10', NULL),
    ('CHK', '2026Q3', DATE '2026-10-10', DATE '2026-11-30'),
    ('CHK', '2026-11', DATE '2026-12-05', NULL);
INSERT INTO items (item_code, item_name, owner_unit) VALUES ('I1', '矿山', 'KCK');
INSERT INTO entities (entity_code, name, tags) VALUES
    ('E1', '甲', ['I1']), ('E2', '乙', ['I1']), ('E3', '丙', ['I1']), ('E4', '丁', ['I1']),
    ('E5', '戊', ['I1']), ('E6', '己', ['I1']), ('E7', '庚', ['I1']);
INSERT INTO tasks (task_code, task_name, item_codes, lead_unit, start_on, status) VALUES
    ('TK', '矿山检查', ['I1'], 'KCK', DATE '2026-03-02', 'done'),
    ('TC', '测绘检查', ['I1'], 'CHK', DATE '2026-03-02', 'done');
INSERT INTO inspections (task_code, entity_code, inspectors, inspected_on, result_codes, entered_on) VALUES
    ('TK', 'E1', ['P1', 'P2'], DATE '2026-04-01', ['A', '3'], DATE '2026-04-02'),
    ('TK', 'E2', ['P1', 'P2'], DATE '2026-04-01', ['A'], DATE '2026-04-02'),
    ('TK', 'E3', ['P1', 'P2'], DATE '2026-04-01', ['A'], DATE '2026-04-02'),
    ('TK', 'E4', ['P1', 'P2'], DATE '2026-04-01', ['A'], DATE '2026-04-02'),
    ('TK', 'E5', ['P1', 'P2'], DATE '2026-04-01', ['1'], DATE '2026-04-02'),
    ('TK', 'E6', ['P1', 'P2'], DATE '2026-04-01', ['A'], DATE '2026-04-02'),
    ('TC', 'E7', ['P4', 'P5'], DATE '2026-04-01', ['A'], DATE '2026-04-02');
INSERT INTO followups (task_code, entity_code, measure_code, responsible_unit, closed_on, revisit_on,
        revisit_result, transferred_to, transferred_on, penalty_decided_on, penalty_published_on,
        credit_recorded_on) VALUES
    ('TK', 'E1', '4', 'KCK', NULL, NULL, NULL, '县公安局', NULL, NULL, NULL, NULL),
    ('TK', 'E2', '6', 'KCK', NULL, NULL, NULL, '县检察院', DATE '2026-06-01', NULL, NULL, NULL),
    ('TK', 'E3', '3', 'KCK', NULL, NULL, NULL, NULL, NULL, DATE '2026-09-29', DATE '2026-10-14',
        DATE '2026-10-20'),
    ('TK', 'E4', '3', 'KCK', NULL, NULL, NULL, NULL, NULL, DATE '2026-09-29', DATE '2026-10-15', NULL),
    ('TK', 'E5', '1', 'KCK', DATE '2026-05-01', DATE '2026-06-01', '未到位', NULL, NULL, NULL, NULL,
        NULL),
    ('TK', 'E6', '3', 'KCK', NULL, NULL, NULL, NULL, NULL, DATE '2026-11-20', NULL, NULL),
    ('TC', 'E7', '4', 'CHK', DATE '2026-07-01', DATE '2026-08-01', '整改到位', NULL,
        DATE '2026-07-01', NULL, NULL, NULL);
INSERT INTO supervisions VALUES
    ('DC1', DATE '2026-09-10', 'KCK', '录入及时性', '2 条超期', DATE '2026-10-10', NULL),
    ('DC2', DATE '2026-09-15', 'CHK', '抽取规范', '', NULL, NULL),
    ('DC3', DATE '2026-08-01', 'CHK', '公示', '1 条未公示', DATE '2026-12-31', NULL),
    ('DC4', DATE '2026-07-01', 'KCK', '回填', '1 条未回填', DATE '2026-08-01', DATE '2026-07-25');
"""


@pytest.fixture
def county(store):
    with store.transaction() as cur:
        cur.execute(FIXTURE)
    return store


def test_per_unit_numerators_and_denominators(county):
    raw = R.by_unit_raw(county.cursor(), S).set_index("unit_code")
    assert list(raw.index) == ["CHK", "KCK"]  # SJJ is external
    kck, chk = raw.loc["KCK"].to_dict(), raw.loc["CHK"].to_dict()
    assert kck["liaison_name"] == "王芳" and pd.isna(chk["liaison_name"])
    expected_kck = {
        "trainings_business": 1, "trainings_system": 0, "trainings_rules": 0, "trainings": 1,
        "inspectors_trained": 1, "inspectors_active": 2, "publicity": 1,
        "reports_on_time": 1, "reports_due": 3, "reports_late": 1, "reports_missing": 1,
        "transfers_incomplete": 1, "transfers": 2, "penalties_late": 1, "credit_missing": 2,
        "penalties": 3, "supervision_overdue": 1, "supervision_findings": 2,
        "revisit_contradictions": 1, "revisits": 1,
    }  # fmt: skip
    assert {k: kck[k] for k in expected_kck} == expected_kck
    expected_chk = {
        "trainings_system": 1, "trainings": 1, "inspectors_trained": 1, "inspectors_active": 2,
        "publicity": 1, "reports_on_time": 0, "reports_due": 1, "reports_missing": 1,
        "transfers_incomplete": 1, "transfers": 1, "penalties": 0, "supervision_overdue": 0,
        "supervision_findings": 1, "revisit_contradictions": 0, "revisits": 1,
    }  # fmt: skip
    assert {k: chk[k] for k in expected_chk} == expected_chk


def test_totals_with_ratios(county):
    f = R.figures(county.cursor(), S)
    got = {k: (v.value, v.numerator, v.denominator) for k, v in f.items()}
    assert got == {
        "trainings": (2, 2, None),
        "trained_share": (0.5, 2, 4),
        "publicity": (2, 2, None),
        "reports_on_time": (0.25, 1, 4),
        "reports_missing": (2, 2, 4),
        "transfers_incomplete": (2, 2, 3),
        "penalties_late": (1, 1, 3),
        "credit_missing": (2, 2, 3),
        "supervision_overdue": (1, 1, 3),
        "revisit_contradictions": (1, 1, 2),
    }


def test_unit_filter_and_as_of(county):
    chk = R.figures(county.cursor(), S.with_(unit="CHK"))
    assert (chk["trainings"].value, chk["reports_on_time"].denominator) == (1, 1)
    assert chk["penalties_late"].denominator == 0
    # a unit user of KCK sees only KCK
    own = R.figures(county.cursor(), S.with_(allowed_units=frozenset({"KCK"})))
    assert own["publicity"].value == 1 and own["trained_share"].denominator == 2
    # as of 12-06: PX3 (12-05) trains P2, XC2 is published, CHK's 2026-11 report is overdue, E6's
    # penalty is past its deadline 12-01 without publication
    later = R.figures(county.cursor(), S.with_(as_of=date(2026, 12, 6)))
    assert later["trained_share"].numerator == 3
    assert later["publicity"].value == 3
    assert (
        later["reports_missing"].value == 2
    )  # KCK Q3; CHK Q3 submitted 11-30; CHK 2026-11 missing
    assert later["penalties_late"].value == 2


def test_the_penalty_limit_is_a_setting_on_the_official_calendar(county):
    from dashboard.config import set_setting

    penalty = R.followup_problems(county.cursor(), S, "penalty")
    assert penalty[["主体编码", "公示期限"]].values.tolist() == [["E4", date(2026, 10, 14)]]
    set_setting(county, "register.penalty_publish_workdays", 8, "测试")
    assert R.followup_problems(county.cursor(), S, "penalty").empty  # deadline 10-15


def test_lists(county):
    cur = county.cursor()
    assert R.untrained_inspectors(cur, S)["人员编码"].tolist() == ["P5", "P2"]
    subs = R.submissions(cur, S)
    assert subs[["单位编码", "报送期", "状态"]].values.tolist() == [
        ["CHK", "2026Q3", "逾期未报送"],
        ["KCK", "2026Q3", "逾期未报送"],
        ["KCK", "2026Q2", "逾期报送"],
        ["KCK", "2026Q1", "按时报送"],
        ["CHK", "2026-11", "未到期"],
    ]
    assert subs.iloc[2]["逾期工作日"] == 2  # 07-13, 07-14
    liaisons = R.liaisons(cur, S)
    assert liaisons["单位编码"].tolist() == ["CHK", "KCK"]  # the unit without a liaison first
    assert pd.isna(liaisons.iloc[0]["信息联络员"]) and liaisons.iloc[1]["信息联络员"] == "王芳"
    transfer = R.followup_problems(cur, S, "transfer")
    assert transfer["主体编码"].tolist() == ["E7", "E1"]
    revisit = R.followup_problems(cur, S, "revisit")
    assert revisit[["主体编码", "检查单位", "检查人员"]].values.tolist() == [
        ["E5", "矿产资源管理股", "张一、张二"]
    ]
    assert revisit.iloc[0]["结果代码"] == "1 未发现问题"
    sv = R.supervisions(cur, S)
    assert sv[["督查编码", "状态"]].values.tolist()[0] == ["DC1", "整改逾期"]
    assert R.trainings(cur, S)["培训编码"].tolist() == ["PX2", "PX1"]


def test_cli_prints_the_figures_as_json(tmp_path, capsys):
    from dashboard.cli import main
    from dashboard.store import close_store, open_store

    path = tmp_path / "registers.duckdb"
    store = open_store(path)
    with store.transaction() as cur:
        cur.execute(FIXTURE)
    args = ["registers", "--year", "2026", "--as-of", "2026-11-27", "--db", str(path)]
    assert main([*args, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["figures"]["reports_on_time"] == {
        "label": "信息按时报送率",
        "value": 0.25,
        "numerator": 1,
        "denominator": 4,
    }
    assert report["trainings_by_kind"] == {
        "业务培训": 1,
        "系统使用培训": 1,
        "工作规范培训": 0,
        "其他": 0,
    }
    assert [u["unit_code"] for u in report["by_unit"]] == ["CHK", "KCK"]
    assert main([*args, "--unit", "CHK"]) == 0
    out = capsys.readouterr().out
    assert "信息按时报送率\t0.0%（0 / 1）" in out and "培训场次\t1" in out
    assert main([*args, "--unit", "NOPE"]) == 2
    close_store(path)


def test_the_demo_county_shows_exactly_its_planted_register_problems(demo_store):
    from dashboard.demo.planted import load_planted

    planted = load_planted(demo_store)["registers"]
    scope = Scope(2026, date(2026, 11, 27))
    cur = demo_store.cursor()
    raw = R.by_unit_raw(cur, scope).set_index("unit_code")
    # the unit that trained nobody: no session organised, none of its inspectors trained
    zbks = raw.loc[planted["untrained_unit"]]
    assert (zbks["trainings"], zbks["inspectors_trained"]) == (0, 0) and zbks[
        "inspectors_active"
    ] > 0
    subs = R.submissions(cur, scope)
    late = sorted(subs[subs["状态"] == "逾期报送"][["单位编码", "报送期"]].values.tolist())
    assert late == planted["late_reports"] and len(late) == 2
    never = subs[subs["状态"] == "逾期未报送"][["单位编码", "报送期"]].values.tolist()
    assert never == planted["missing_reports"] and len(never) == 1

    def pairs(problem):
        return R.followup_problems(cur, scope, problem)[["任务编码", "主体编码"]].values.tolist()

    assert pairs("penalty") == [planted["late_penalty"]]
    assert pairs("transfer") == [planted["transfer_without_date"]]
    assert pairs("revisit") == [planted["revisit_contradiction"]]
    assert pairs("credit") == []
    sv = R.supervisions(cur, scope)
    assert sv[sv["状态"] == "整改逾期"]["督查编码"].tolist() == planted["supervision_overdue"]
