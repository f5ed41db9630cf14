"""计划执行 on a hand-built county (as of Fri 2026-11-27; no holidays in November 2026) and on the demo."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.metrics import plans
from dashboard.scope import Scope

T = date(2026, 11, 27)
S = Scope(2026, T)

FIXTURE = """
INSERT INTO units VALUES ('KCK', '矿产资源管理股', '股室', false), ('CHK', '测绘地理信息股', '股室', false);
INSERT INTO items (item_code, item_name, owner_unit) VALUES ('I1', '矿山检查', 'KCK'), ('I2', '测绘检查', 'CHK');
INSERT INTO entities (entity_code, name, tags) VALUES
    ('E1', '甲', ['I1']), ('E2', '乙', ['I1']), ('E3', '丙', ['I1']), ('E4', '丁', ['I1']),
    ('E5', '戊', ['I2']), ('E6', '己', ['I2']), ('E7', '庚', ['I2']);
INSERT INTO plans (plan_code, year, item_code, unit_code, base_count, ratio, planned_start, joint_units,
        status, published_on) VALUES
    ('P1', 2026, 'I1', 'KCK', 50, '0.14', DATE '2026-03-01', [], '已发布', DATE '2026-01-10'),
    ('P2', 2026, 'I2', 'CHK', 10, '0.25', DATE '2026-05-10', ['KCK'], '已调整', DATE '2026-01-10'),
    ('P3', 2026, 'I1', 'KCK', 20, '0.5', DATE '2026-04-01', [], '已作废', DATE '2026-01-10'),
    ('P4', 2025, 'I1', 'KCK', 20, '0.5', DATE '2025-04-01', [], '已作废', DATE '2025-01-10');
INSERT INTO plan_changes (plan_code, changed_on, field, old_value, new_value, reason, republished_on) VALUES
    ('P2', DATE '2026-05-01', 'ratio', '0.2', '0.25', '提高比例', DATE '2026-05-06'),
    ('P3', DATE '2026-06-01', 'status', '已发布', '已作废', '重复下达', DATE '2026-06-03'),
    ('P2', DATE '2026-10-30', 'planned_end', '2026-10-31', '2026-12-31', '延期', NULL),
    ('P1', DATE '2026-11-20', 'ratio', '0.1', '0.14', '调整', DATE '2026-11-30'),
    ('P4', DATE '2025-05-01', 'status', '已发布', '已作废', '上级统一', NULL);
INSERT INTO tasks (task_code, plan_code, task_name, item_codes, lead_unit, partner_units, source,
        start_on, end_on, status) VALUES
    ('TA', 'P1', '矿山一批', ['I1'], 'KCK', [], 'plan', DATE '2026-03-05', DATE '2026-05-30', 'done'),
    ('TB', 'P2', '测绘一批', ['I2'], 'CHK', ['KCK'], 'plan', DATE '2026-06-01', DATE '2026-07-31', 'done'),
    ('TC', 'P1', '矿山二批', ['I1'], 'KCK', [], 'plan', DATE '2026-09-01', DATE '2026-10-31', 'drawn'),
    ('TD', NULL, '临时矿山', ['I1'], 'KCK', [], 'adhoc', DATE '2026-10-01', DATE '2026-12-31', 'in_progress'),
    ('TV', 'P3', '作废矿山', ['I1'], 'KCK', [], 'plan', DATE '2026-04-02', DATE '2026-04-30', 'voided'),
    ('TE', 'P1', '矿山三批', ['I1'], 'KCK', [], 'plan', DATE '2026-12-01', DATE '2026-12-20', 'planned'),
    ('TF', NULL, '临时测绘', ['I2'], 'CHK', [], 'adhoc', DATE '2026-10-01', DATE '2026-11-10', 'done');
INSERT INTO inspections (task_code, entity_code, inspected_on) VALUES
    ('TA', 'E1', DATE '2026-04-10'), ('TA', 'E2', DATE '2026-04-10'),
    ('TA', 'E3', DATE '2026-04-13'), ('TA', 'E4', DATE '2026-04-14'),
    ('TB', 'E5', DATE '2026-06-15'), ('TB', 'E6', DATE '2026-06-15'),
    ('TF', 'E7', DATE '2026-12-01');
"""


@pytest.fixture
def county(store):
    with store.transaction() as cur:
        cur.execute(FIXTURE)
    return store


def test_execution_by_unit(county):
    df = plans.execution_by_unit(county.cursor(), S).set_index("单位编码")
    cols = [
        "计划数",
        "作废计划数",
        "计划抽查户数",
        "计划任务数",
        "临时及下派任务数",
        "已完成任务数",
        "检查户次",
        "计划内检查户次",
    ]
    # P1: ceil(50 × 0.14) = 7 in decimal (binary floats give 8); P2: ceil(2.5) = 3. TE starts after T,
    # TV is voided, TF's inspection is after T.
    assert list(df.loc["KCK", cols]) == [1, 1, 7, 2, 1, 1, 4, 4]
    assert list(df.loc["CHK", cols]) == [1, 0, 3, 1, 1, 2, 2, 2]
    assert df.loc["KCK", "计划完成率"] == pytest.approx(4 / 7)
    assert df.loc["CHK", "计划完成率"] == pytest.approx(2 / 3)
    only = plans.execution_by_unit(county.cursor(), S.with_(unit="CHK"))
    assert list(only["单位编码"]) == ["CHK"]


def test_execution_by_month(county):
    df = plans.execution_by_month(county.cursor(), S)
    assert len(df) == 11 * 2  # January..November, KCK and CHK
    row = df[(df["月份"] == "2026-04") & (df["单位编码"] == "KCK")].iloc[0]
    # P3 (voided) and TV (voided) start in April and do not count; TA's 4 inspections do.
    assert (row["计划开始数"], row["任务开始数"], row["检查户次"]) == (0, 0, 4)
    assert (row["累计计划数"], row["累计任务数"], row["累计检查户次"]) == (1, 1, 4)
    nov = df[(df["月份"] == "2026-11") & (df["单位编码"] == "KCK")].iloc[0]
    assert (nov["累计计划数"], nov["累计任务数"], nov["累计检查户次"]) == (1, 3, 4)  # TA, TC, TD


def test_adjustments(county):
    df = plans.adjustments(county.cursor(), S)
    assert list(zip(df["计划编码"], df["调整内容"], df["已重新公开"], strict=True)) == [
        ("P2", "抽查比例", "是"),
        ("P3", "状态", "是"),
        ("P2", "计划结束日期", "否"),
        ("P1", "抽查比例", "否"),  # republished 11-30, after T
    ]
    # (10-30 Fri, 11-27] = 4 weeks of 5 working days; (11-20, 11-27] = 5.
    assert list(df["未公开工作日"][2:]) == [20, 5]
    assert df["重新公开日期"][3] is None
    pending = plans.adjustments(county.cursor(), S, only_not_republished=True)
    assert list(pending["计划编码"]) == ["P2", "P1"]


def test_voided(county):
    df = plans.voided_plans(county.cursor(), S)
    assert list(df["计划编码"]) == ["P3"]
    assert (df["作废日期"][0], df["作废原因"][0], df["关联任务数"][0]) == (
        date(2026, 6, 1),
        "重复下达",
        1,
    )
    assert list(plans.voided_plans(county.cursor(), Scope(2025, T))["计划编码"]) == ["P4"]
    vt = plans.voided_tasks(county.cursor(), S)
    assert list(vt["任务编码"]) == ["TV"] and vt["来源"][0] == "计划任务"


def test_tasks_past_end_without_results(county):
    df = plans.tasks_past_end_without_results(county.cursor(), S)
    # TC ended Sat 10-31: (10-31, 11-27] = 20 working days; TF ended Tue 11-10, its only inspection is
    # after T: (11-10, 11-27] = 3 + 5 + 5.
    assert list(zip(df["任务编码"], df["超过结束日工作日"], df["状态"], strict=True)) == [
        ("TC", 20, "已抽取"),
        ("TF", 13, "已完成"),
    ]


def test_demo_planted_plans(demo_store):
    from dashboard.demo.planted import load_planted

    m = load_planted(demo_store)
    cur = demo_store.cursor()
    voided, pending, past_end, voided_tasks = set(), set(), set(), set()
    for year in m["years"]:
        s = Scope(year, date(2026, 11, 27))
        voided |= set(plans.voided_plans(cur, s)["计划编码"])
        adj = plans.adjustments(cur, s, only_not_republished=True)
        pending |= {
            (p, d.isoformat(), f)
            for p, d, f in zip(adj["计划编码"], adj["调整日期"], adj["调整内容"], strict=True)
        }
        past_end |= set(plans.tasks_past_end_without_results(cur, s)["任务编码"])
        voided_tasks |= set(plans.voided_tasks(cur, s)["任务编码"])
    assert sorted(voided) == m["voided_plans"]
    labels = plans.PLAN_FIELD_LABELS
    assert sorted(pending) == sorted(
        (p, d, labels[f]) for p, d, f in m["plan_changes_not_republished"]
    )
    assert sorted(past_end) == m["tasks_past_end_without_results"]
    assert sorted(voided_tasks) == m["voided_tasks"]
