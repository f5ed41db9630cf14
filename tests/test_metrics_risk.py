"""风险预警 on a hand-built county (as of Fri 2026-11-27; November 2026 has no holidays) and on the demo."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.metrics import risk
from dashboard.scope import Scope

T = date(2026, 11, 27)
S = Scope(2026, T)

FIXTURE = """
INSERT INTO units VALUES ('KCK', '矿产资源管理股', '股室', false), ('CHK', '测绘地理信息股', '股室', false);
INSERT INTO items (item_code, item_name, owner_unit) VALUES ('I1', '矿山检查', 'KCK'), ('I2', '测绘检查', 'CHK');
INSERT INTO entities (entity_code, name, entity_kind, town, tags, status, registered_on, closed_on) VALUES
    ('E1', '甲公司', '企业', '赞皇镇', ['I1'], '存续', NULL, NULL),
    ('E2', '乙公司', '企业', '赞皇镇', ['I1'], '存续', NULL, NULL),
    ('E3', '丙测绘', '企业', '院头镇', ['I2'], '存续', NULL, NULL),
    ('E4', '丁矿业', '企业', '院头镇', ['I1'], '存续', NULL, NULL),
    ('E5', '戊矿', '采矿权人', '赞皇镇', ['I1'], '存续', DATE '2016-12-20', NULL),
    ('E6', '己测绘', '测绘资质单位', '赞皇镇', ['I2'], '存续', DATE '2020-01-01', NULL),
    ('E7', '庚探矿', '探矿权人', '赞皇镇', ['I1'], '存续', DATE '2020-01-01', DATE '2026-11-01'),
    ('E8', '辛测绘', '企业', '赞皇镇', ['I2'], '存续', NULL, NULL);
INSERT INTO risk_grades (entity_code, period, grade, score, system) VALUES
    ('E1', '2026-08', 'B', 50, '市场监管'), ('E1', '2026-10', 'B', 55, '市场监管'),
    ('E1', '2026-11', 'D', 80, '市场监管'), ('E1', '2026-12', 'D', 85, '市场监管'),
    ('E2', '2026-08', 'C', 65, '市场监管'), ('E2', '2026-10', 'B', 50, '市场监管'),
    ('E2', '2026-11', 'B', 52, '市场监管'), ('E2', '2026-12', 'D', 95, '市场监管'),
    ('E3', '2026-08', 'A', 20, '市场监管'), ('E3', '2026-11', 'B', 30, '市场监管'),
    ('E3', '2026-11', 'D', 90, '公共信用'),
    ('E4', '2026-10', 'D', 84, '市场监管'), ('E4', '2026-11', 'D', 85, '市场监管');
INSERT INTO tasks (task_code, task_name, item_codes, lead_unit, start_on, end_on, status) VALUES
    ('T0', '2023矿山', ['I1'], 'KCK', DATE '2023-09-01', DATE '2023-12-31', 'done'),
    ('T5', '2025矿山', ['I1'], 'KCK', DATE '2025-06-01', DATE '2025-07-31', 'done'),
    ('T1', '2026矿山', ['I1'], 'KCK', DATE '2026-02-01', DATE '2026-04-30', 'done'),
    ('TV', '作废任务', ['I1'], 'KCK', DATE '2026-05-01', DATE '2026-05-31', 'voided'),
    ('T2', '2026测绘', ['I2'], 'CHK', DATE '2026-09-01', DATE '2026-10-31', 'done'),
    ('T3', '待检矿山', ['I1'], 'KCK', DATE '2026-12-01', DATE '2026-12-31', 'drawn'),
    ('T4', '在办测绘', ['I2'], 'CHK', DATE '2026-11-02', DATE '2026-12-31', 'in_progress');
INSERT INTO inspections (task_code, entity_code, inspected_on, result_codes, entered_on) VALUES
    ('T0', 'E4', DATE '2023-10-01', ['E'], DATE '2023-10-02'),
    ('T5', 'E4', DATE '2025-06-10', ['E'], DATE '2025-06-11'),
    ('T1', 'E4', DATE '2026-03-02', ['A', '2'], DATE '2026-03-03'),
    ('TV', 'E4', DATE '2026-05-06', ['A', '2'], DATE '2026-05-07'),
    ('T2', 'E8', DATE '2026-09-10', ['A', '2'], DATE '2026-09-11'),
    ('T2', 'E6', DATE '2026-09-10', ['A', '2'], DATE '2026-09-11'),
    ('T4', 'E3', DATE '2026-11-20', [], NULL);
INSERT INTO followups (task_code, entity_code, measure_code, responsible_unit, due_on, closed_on) VALUES
    ('T2', 'E8', '3', 'CHK', DATE '2026-11-16', NULL),
    ('T2', 'E6', '3', 'CHK', DATE '2026-11-16', DATE '2026-11-20');
INSERT INTO draws (draw_id, chain_pos, kind, task_code, draw_date, operator, public_value, pool_hash, seed,
        supersedes, reason, created_at, record_json, previous_hash, record_hash) VALUES
    ('D0', 1, 'task', 'T3', DATE '2026-11-25', 'op', '1', 'h', 's', NULL, NULL, 'x', '{}', 'p', 'r0'),
    ('D1', 2, 'task', 'T3', DATE '2026-11-26', 'op', '2', 'h', 's', 'D0', '重抽', 'x', '{}', 'r0', 'r1');
INSERT INTO draw_selections (draw_id, entity_code, stratum, key) VALUES
    ('D0', 'E4', 'D', 'k'), ('D1', 'E1', 'D', 'k');
"""


@pytest.fixture
def county(store):
    with store.transaction() as cur:
        cur.execute(FIXTURE)
    return store


def pairs(df):
    return sorted(zip(df["主体编码"], df["预警类型"], strict=True))


def test_grade_worsened_vs_previous_and_three_months(county):
    df = risk.grade_worsened(county.cursor(), S)
    # E1: 2026-11 D after B in 2026-10 and 2026-08. E3: no 2026-10 row, A (2026-08) -> B. E2's 2026-12 D
    # is after T's month; E3's 公共信用 D is another system; E4 stays D.
    assert list(df["主体编码"]) == ["E1", "E3"]
    assert df["预警原因"][0] == (
        "较上月（2026-10）B级上升为D级；较3个月前（2026-08）B级上升为D级（2026-11风险指数80.0）"
    )
    assert df["预警原因"][1] == "较3个月前（2026-08）A级上升为B级（2026-11风险指数30.0）"


def test_score_jump_threshold(county):
    df = risk.score_jumps(county.cursor(), S)
    # E1 55 -> 80 (+25 >= 15); E3 20 -> 30 (+10); E4 84 -> 85 (+1).
    assert list(df["主体编码"]) == ["E1"]
    assert (
        df["预警原因"][0]
        == "风险指数由55.0（2026-10）升至80.0（2026-11），上升25.0分，达到阈值15.0分"
    )
    with county.transaction() as cur:
        cur.execute("INSERT INTO settings (key, value) VALUES ('risk.score_jump', '10')")
    assert list(risk.score_jumps(county.cursor(), S)["主体编码"]) == ["E1", "E3"]


def test_all_warnings_with_context(county):
    df = risk.warnings(county.cursor(), S)
    assert pairs(df) == sorted(
        [
            ("E1", "等级上升"),
            ("E3", "等级上升"),
            ("E1", "风险指数跃升"),
            ("E1", "D级一年内未检查"),  # E4 is D but inspected 2026-03-02
            ("E7", "许可已过期"),  # closed_on 2026-11-01 while 存续
            ("E5", "许可即将到期"),  # 2016-12-20 + 10 years = 2026-12-20, 23 days after T
            (
                "E4",
                "多次发现问题",
            ),  # 2025-06-10 and 2026-03-02 (2023 is outside 1095 days, TV voided)
            ("E8", "整改逾期"),  # E6 closed on 11-20
        ]
    )
    by = {(r.主体编码, r.预警类型): r for r in df.itertuples(index=False)}
    e1 = by[("E1", "D级一年内未检查")]
    assert (e1.当前等级, e1.当前风险指数, e1.评级月份) == ("D", 80.0, "2026-11")
    assert (e1.已在任务中, e1.所在任务) == ("是", "T3")  # selected by D1 (T3 drawn)
    assert by[("E4", "多次发现问题")].已在任务中 == "否"  # D0 was superseded; T1 is done
    assert (by[("E3", "等级上升")].已在任务中, by[("E3", "等级上升")].所在任务) == ("是", "T4")
    assert by[("E7", "许可已过期")].预警原因 == (
        "探矿权人许可有效期至2026-11-01（按注销/到期日期），已过期26天，对象仍为存续状态"
    )
    assert by[("E5", "许可即将到期")].预警原因 == (
        "采矿权人许可有效期至2026-12-20（按成立日期及法定期限推算的换证日期），距到期还有23天（预警期90天）"
    )
    assert by[("E4", "多次发现问题")].预警原因 == (
        "近1095天内2次检查发现问题（2025-06-10 T5 代码E，2026-03-02 T1 代码A;2）"
    )
    # due Mon 11-16; working days in (11-16, 11-27] = 4 + 5.
    assert by[("E8", "整改逾期")].预警原因 == (
        "任务T2责令限期整改，期限2026-11-16已过9个工作日仍未完结（责任单位测绘地理信息股）"
    )
    # kinds come in the order of WARNING_KINDS
    order = [risk.WARNING_KINDS.index(k) for k in df["预警类型"]]
    assert order == sorted(order)


def test_unit_filter(county):
    chk = risk.warnings(county.cursor(), S.with_(unit="CHK"))
    assert pairs(chk) == [("E3", "等级上升"), ("E8", "整改逾期")]
    kck = risk.warnings(county.cursor(), S.with_(allowed_units=frozenset({"KCK"})))
    assert {e for e, _ in pairs(kck)} == {"E1", "E4", "E5", "E7"}
    none = risk.warnings(county.cursor(), S.with_(allowed_units=frozenset({"KCK"}), unit="CHK"))
    assert len(none) == 0 and list(none.columns) == risk.COLUMNS


def test_counts_and_history(county):
    counts = risk.warning_counts(county.cursor(), S).set_index("预警类型")
    assert counts.loc["等级上升", "预警数"] == 2
    assert counts.loc["等级上升", "其中未在任务中"] == 0
    assert counts.loc["许可即将到期", "其中未在任务中"] == 1
    assert counts["预警数"].sum() == 8
    hist = risk.score_history(county.cursor(), "E1", S)
    assert [tuple(r) for r in hist.itertuples(index=False)] == [
        ("2026-08", "B", 50.0),
        ("2026-10", "B", 55.0),
        ("2026-11", "D", 80.0),
    ]


def test_demo_planted_risks(demo_store):
    from dashboard.demo.planted import load_planted

    m = load_planted(demo_store)
    s = Scope(2026, date(2026, 11, 27))
    df = risk.warnings(demo_store.cursor(), s)
    d_uninspected = sorted(df.loc[df["预警类型"] == "D级一年内未检查", "主体编码"])
    assert d_uninspected == m["high_risk_uninspected"]
    assert set(m["high_risk_uninspected_planted"]) <= set(d_uninspected)
    worsened = set(df.loc[df["预警类型"] == "等级上升", "主体编码"])
    assert {w["entity_code"] for w in m["risk_worsened"]} <= worsened
