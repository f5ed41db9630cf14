"""单位排名 on two hand-built units (as of 2026-11-27); scores derived by hand below."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from dashboard.metrics import scorecard as sc
from dashboard.scope import Scope

T = date(2026, 11, 27)
S = Scope(2026, T)

# KCK: plan 10 × 0.2 = 2 targets, 2 inspections entered and published on time, task not joint but
#      risk-graded, no follow-ups (不适用). CHK: plan 10 × 0.4 = 4, 2 inspections (one entered and
#      published 05-20, past the 20-working-day deadline 04-08 of 03-10), cross-joint with SJJ (external,
#      not scored), not risk-graded, follow-ups 1 closed of 2.
FIXTURE = """
INSERT INTO units VALUES ('KCK', '矿产资源管理股', '股室', false), ('CHK', '=1+1测绘股', '股室', false),
    ('SJJ', '县市场监督管理局', '外部门', true), ('ZFD', '执法大队', '事业单位', false);
INSERT INTO items (item_code, item_name, owner_unit) VALUES ('I1', '矿山检查', 'KCK'), ('I2', '测绘检查', 'CHK');
INSERT INTO entities (entity_code, name, tags) VALUES
    ('E1', '甲', ['I1']), ('E2', '乙', ['I1']), ('E3', '丙', ['I2']), ('E4', '丁', ['I2']);
INSERT INTO plans (plan_code, year, item_code, unit_code, base_count, ratio, status) VALUES
    ('P1', 2026, 'I1', 'KCK', 10, '0.2', '已发布'), ('P2', 2026, 'I2', 'CHK', 10, '0.4', '已发布');
INSERT INTO tasks (task_code, plan_code, task_name, item_codes, lead_unit, partner_units, joint_kind,
        uses_risk_grades, start_on, end_on, status) VALUES
    ('TK', 'P1', '矿山', ['I1'], 'KCK', [], 'none', true, DATE '2026-03-02', DATE '2026-04-30', 'done'),
    ('TC', 'P2', '测绘', ['I2'], 'CHK', ['SJJ'], 'cross', false, DATE '2026-03-02', DATE '2026-04-30', 'done');
INSERT INTO inspections (task_code, entity_code, inspected_on, result_codes, entered_on, published_on) VALUES
    ('TK', 'E1', DATE '2026-03-10', ['1'], DATE '2026-03-12', DATE '2026-03-12'),
    ('TK', 'E2', DATE '2026-03-10', ['1'], DATE '2026-03-12', DATE '2026-03-12'),
    ('TC', 'E3', DATE '2026-03-10', ['A'], DATE '2026-03-12', DATE '2026-03-12'),
    ('TC', 'E4', DATE '2026-03-10', ['A'], DATE '2026-05-20', DATE '2026-05-20');
INSERT INTO followups (task_code, entity_code, measure_code, responsible_unit, due_on, closed_on) VALUES
    ('TC', 'E3', '3', 'CHK', DATE '2026-04-30', NULL),
    ('TC', 'E4', '3', 'CHK', DATE '2026-06-30', DATE '2026-06-20');
"""


@pytest.fixture
def county(store):
    with store.transaction() as cur:
        cur.execute(FIXTURE)
    return store


REGISTERS_NONE = dict.fromkeys(sc.REGISTER_INDICATORS)


def plain(row) -> dict:
    return {k: (None if pd.isna(v) else v) for k, v in row.drop("单位名称").items()}


def test_indicators(county):
    ind = sc.unit_indicators(county.cursor(), S).set_index("单位编码")
    assert list(ind.index) == ["CHK", "KCK"]  # SJJ is external, ZFD has nothing in 2026
    assert plain(ind.loc["KCK"]) == {
        "plan_completion": 1.0,
        "entry_on_time": 1.0,
        "publish_on_time": 1.0,
        "followup_closed": None,
        "joint_share": 0.0,
        "risk_graded_share": 1.0,
        "data_quality": 1.0,
        **REGISTERS_NONE,
        "followup_missing": 0,  # not scored; no A-family result
    }
    assert plain(ind.loc["CHK"]) == {
        "plan_completion": 0.5,
        "entry_on_time": 0.5,
        "publish_on_time": 0.5,
        "followup_closed": 0.5,
        "joint_share": 1.0,
        "risk_graded_share": 0.0,
        "data_quality": 1.0,
        **REGISTERS_NONE,
        "followup_missing": 0,  # TC/E3 and TC/E4 [A] both have a follow-up record
    }


def test_default_scorecard(county):
    board = sc.scorecard(county, S)
    assert list(board["单位编码"]) == ["KCK", "CHK"]
    kck, chk = board.iloc[0], board.iloc[1]
    # KCK: follow-ups 不适用, applicable weights 85, Σ w·v = 25 + 15 + 15 + 0 + 10 + 10 = 75.
    assert kck["总分"] == pytest.approx(round(100 * 75 / 85, 2))
    assert kck["联合抽查占比扣分"] == pytest.approx(100 * 10 / 85)
    assert pd.isna(kck["后续处理完结率扣分"])
    # the register indicators have no data in this county (no inspectors, reports, penalties …)
    assert kck["不适用指标"] == "、".join(
        ["后续处理完结率", *(sc.LABELS[k] for k in sc.REGISTER_INDICATORS)]
    )
    # CHK: 12.5 + 7.5 + 7.5 + 7.5 + 10 + 0 + 10 = 55.
    assert chk["总分"] == pytest.approx(55.0)
    lost = [chk[f"{sc.LABELS[k]}扣分"] for k in list(sc.INDICATORS)[:7]]
    assert lost == pytest.approx([12.5, 7.5, 7.5, 7.5, 0.0, 10.0, 0.0])
    assert sum(lost) == pytest.approx(100 - chk["总分"])
    assert list(board["排名"]) == [1, 2]
    assert list(board["重新抽取次数"]) == [0, 0]  # a Store: redraws from the ledger (none here)
    assert sc.scorecard(county.cursor(), S)["重新抽取次数"].isna().all()  # a bare cursor: unknown


def test_custom_weights_and_ties(county):
    weights = dict.fromkeys(sc.INDICATORS, 0)
    weights.update(joint_share=1, risk_graded_share=1)
    board = sc.scorecard(county, S, weights)
    # KCK 0 × 50 + 1 × 50; CHK 1 × 50 + 0 × 50: a tie shares rank 1.
    assert list(board["总分"]) == [50.0, 50.0]
    assert list(board["排名"]) == [1, 1]
    assert list(board["单位编码"]) == ["CHK", "KCK"]
    # the default weights add up to 130 (100 for the seven KPI indicators, 6 × 5 for the registers)
    assert sc.normalise_weights({"joint_share": 30})["joint_share"] == pytest.approx(30 * 100 / 150)
    with pytest.raises(sc.WeightError, match="负数"):
        sc.normalise_weights({"joint_share": -1})
    with pytest.raises(sc.WeightError, match="大于0"):
        sc.normalise_weights(dict.fromkeys(sc.INDICATORS, 0))


def test_unit_scope(county):
    board = sc.scorecard(county, S.with_(allowed_units=frozenset({"CHK"})))
    assert list(board["单位编码"]) == ["CHK"]
    assert board["总分"][0] == pytest.approx(55.0)


def test_register_indicators_and_weights_from_the_settings(store):
    """The work registers' fixture (tests/test_metrics_registers.py): KCK trained 1 of 2, reports on
    time 1 of 3, penalties late 1 of 3, transfers incomplete 1 of 2, credit missing 2 of 3,
    supervision overdue 1 of 2; CHK trained 1 of 2, reports 0 of 1, transfers 1 of 1 incomplete,
    no penalty, supervision 0 of 1 overdue."""
    from dashboard.config import set_setting
    from tests.test_metrics_registers import FIXTURE as REGISTERS

    with store.transaction() as cur:
        cur.execute(REGISTERS)
    ind = sc.unit_indicators(store.cursor(), S).set_index("单位编码")
    got = {u: {k: ind.loc[u, k] for k in sc.REGISTER_INDICATORS} for u in ("KCK", "CHK")}
    assert got["KCK"] == pytest.approx(
        {
            "trained_share": 0.5,
            "reports_on_time": 1 / 3,
            "penalties_on_time": 2 / 3,
            "transfers_complete": 0.5,
            "credit_recorded": 1 / 3,
            "supervision_on_time": 0.5,
        }
    )
    assert got["CHK"]["reports_on_time"] == 0.0 and got["CHK"]["transfers_complete"] == 0.0
    assert pd.isna(got["CHK"]["penalties_on_time"]) and got["CHK"]["supervision_on_time"] == 1.0
    # only the trained share counts: weights from the settings, the rest set to 0
    for key in sc.INDICATORS:
        set_setting(store, f"weight.{key}", 0.0, "测试")
    set_setting(store, "weight.trained_share", 10.0, "测试")
    board = sc.scorecard(store, S).set_index("单位编码")
    assert board.loc["KCK", "总分"] == pytest.approx(50.0)
    assert board.loc["CHK", "总分"] == pytest.approx(50.0)


# Beside FIXTURE: a joint task TJ led by KCK with CHK as partner, whose three inspections were entered on
# one day by one team with one note (a bulk group of 3 for both units), and one TK inspection published
# before it was entered (KCK only).
FLAGS = """
INSERT INTO entities (entity_code, name, tags) VALUES ('E5', '戊', ['I1']), ('E6', '己', ['I1']),
    ('E7', '庚', ['I1']), ('E8', '辛', ['I1']);
INSERT INTO tasks (task_code, plan_code, task_name, item_codes, lead_unit, partner_units, joint_kind,
        uses_risk_grades, start_on, end_on, status) VALUES
    ('TJ', 'P1', '联合', ['I1'], 'KCK', ['CHK'], 'internal', false, DATE '2026-06-01', DATE '2026-06-30',
     'done');
INSERT INTO inspections (task_code, entity_code, inspectors, inspected_on, result_codes, entered_on,
        published_on, note) VALUES
    ('TJ', 'E5', ['Y2', 'Y1'], DATE '2026-06-10', ['1'], DATE '2026-06-12', DATE '2026-06-12', ' 未发现问题 '),
    ('TJ', 'E6', ['Y1', 'Y2'], DATE '2026-06-10', ['1'], DATE '2026-06-12', DATE '2026-06-12', '未发现问题'),
    ('TJ', 'E7', ['Y1', 'Y2'], DATE '2026-06-11', ['1'], DATE '2026-06-12', DATE '2026-06-13', '未发现问题'),
    ('TK', 'E8', ['Y3'], DATE '2026-03-11', ['1'], DATE '2026-03-20', DATE '2026-03-13', '未发现问题');
"""


def test_quality_flags_of_every_unit_in_one_query(county):
    """Issue 17: the 数据质量 counts of every unit at once, by hand and as the two lists per unit."""
    from dashboard import config
    from dashboard.metrics import quality

    with county.transaction() as cur:
        cur.execute(FLAGS)
    config.set_setting(county, "quality.bulk_identical_notes", 3, actor="test")
    cur = county.cursor()
    flags = sc.quality_flags_by_unit(cur, S)
    # KCK: the TJ group (3) and E8 published before entry (1); CHK: the TJ group as partner (3)
    assert {u: flags.get(u, 0) for u in ("KCK", "CHK", "ZFD")} == {"KCK": 4, "CHK": 3, "ZFD": 0}
    for unit in ("KCK", "CHK", "SJJ", "ZFD"):
        s = S.with_(unit=unit)
        n = len(quality.published_before_entry(cur, s))
        n += int(quality.bulk_identical_notes(cur, s)["条数"].sum())
        assert flags.get(unit, 0) == n, unit
    # under an item filter the I2 task TC drops out, the I1 tasks stay
    assert sc.quality_flags_by_unit(cur, S.with_(item="I2")).get("KCK", 0) == 0
    ind = sc.unit_indicators(county, S).set_index("单位编码")
    assert ind.loc["KCK", "data_quality"] == pytest.approx(
        1 - 4 / 6
    )  # 6 inspections of KCK's tasks
