"""基础与质量: the breaches of the working rules imports store as warnings (DESIGN.md §4), on a private copy
of the demo store with hand-placed rows, and the page that counts and lists them.

The demo itself has none of them (every team is full, no task has a draw record, no voided task has
results, no date is out of order). Added here, as of the demo date 2026-11-27:
- RW2026002 (voided; DHK lead, ZFD partner): Q1 inspected 03-20                 -> result on a voided task
- RW2026011 (DHK lead, YJJ partner; item ZR-009 needs 3): Q2 with 2 inspectors  -> team below (2 < 3);
  Q3 with ['Y1', 'Y1', 'Y2', 'Y3'] (3 distinct)                                 -> full; Q11 inspected
  12-01 > T                                                                     -> not yet happened
- RW2026014 (CHK; ZR-007 needs 2): Q4 with 1 inspector, Q5 with none            -> teams below (1, 0)
- TQDRAW (KCK, new): draw QD1 selected Q6 Q7, redraw QD2 (supersedes QD1) selected Q6 Q8; results for
  Q6, Q7, Q8                                                                    -> Q7 not drawn
- RW2026009 (dispatched, no draw record): result for Q8                         -> never "not drawn"
- RW2026014: Q9 entered 11-05 before its inspection 11-10                       -> entered before
            Q10 published 11-09 before its inspection 11-10                     -> published before
The last two need the store without its date-order CHECKs (migration 009); they are skipped otherwise.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.auth import User
from dashboard.config import PROJECT_ROOT
from dashboard.metrics import quality
from dashboard.scope import Scope

DEMO_T = date(2026, 11, 27)
S = Scope(2026, DEMO_T)
TEAM = "['DH01', 'DH02']"

SETUP = f"""
INSERT INTO entities (entity_code, name, town, tags)
    SELECT 'Q' || i, '质检对象' || i, '赞皇镇', [] FROM range(1, 12) AS r(i);
INSERT INTO tasks (task_code, task_name, item_codes, lead_unit, partner_units, joint_kind, source,
        uses_risk_grades, start_on, end_on, status)
VALUES ('TQDRAW', '抽取核对任务', ['ZR-003'], 'KCK', [], 'none', 'plan', true,
        DATE '2026-08-03', DATE '2026-12-31', 'drawn');
INSERT INTO inspections (task_code, entity_code, inspectors, inspected_on, result_codes, entered_on, published_on)
VALUES
    ('RW2026002', 'Q1', {TEAM}, DATE '2026-03-20', ['1'], DATE '2026-03-25', DATE '2026-03-25'),
    ('RW2026011', 'Q2', ['DH01', 'DH02'], DATE '2026-09-10', ['1'], DATE '2026-09-11', NULL),
    ('RW2026011', 'Q3', ['Y1', 'Y1', 'Y2', 'Y3'], DATE '2026-09-10', ['1'], DATE '2026-09-11', NULL),
    ('RW2026011', 'Q11', ['DH01'], DATE '2026-12-01', [], NULL, NULL),
    ('RW2026014', 'Q4', ['CH01'], DATE '2026-10-20', ['1'], DATE '2026-10-21', NULL),
    ('RW2026014', 'Q5', [], DATE '2026-10-20', [], NULL, NULL),
    ('TQDRAW', 'Q6', {TEAM}, DATE '2026-09-01', ['1'], DATE '2026-09-02', NULL),
    ('TQDRAW', 'Q7', {TEAM}, DATE '2026-09-01', ['1'], DATE '2026-09-02', NULL),
    ('TQDRAW', 'Q8', {TEAM}, DATE '2026-09-01', ['1'], DATE '2026-09-02', NULL),
    ('RW2026009', 'Q8', {TEAM}, DATE '2026-09-01', ['1'], DATE '2026-09-02', NULL);
INSERT INTO draws (draw_id, chain_pos, kind, task_code, draw_date, operator, public_value, pool_hash, seed,
        supersedes, reason, created_at, record_json, previous_hash, record_hash)
VALUES
    ('QD1', 900001, 'task', 'TQDRAW', DATE '2026-08-10', 'admin', '1', 'h', 's', NULL, NULL,
        '2026-08-10T09:00:00', '{{}}', 'p1', 'r1'),
    ('QD2', 900002, 'task', 'TQDRAW', DATE '2026-08-12', 'admin', '2', 'h', 's', 'QD1', '重新抽取',
        '2026-08-12T09:00:00', '{{}}', 'r1', 'r2');
INSERT INTO draw_selections (draw_id, entity_code, stratum, key) VALUES
    ('QD1', 'Q6', 'all', 'k'), ('QD1', 'Q7', 'all', 'k'),
    ('QD2', 'Q6', 'all', 'k'), ('QD2', 'Q8', 'all', 'k');
"""

DATE_ORDER = """
INSERT INTO inspections (task_code, entity_code, inspectors, inspected_on, result_codes, entered_on, published_on)
VALUES
    ('RW2026014', 'Q9', ['CH01', 'CH02'], DATE '2026-11-10', ['1'], DATE '2026-11-05', NULL),
    ('RW2026014', 'Q10', ['CH01', 'CH02'], DATE '2026-11-10', ['1'], DATE '2026-11-12', DATE '2026-11-09');
"""
PENDING_009 = (
    "the store still has the date-order CHECKs (entered_on/published_on >= inspected_on): pending "
    "migration 009_no_date_order_checks"
)


@pytest.fixture(scope="module")
def breach_store(demo_copy):
    """The module's demo copy with the rows above; .date_order tells whether Q9/Q10 could be stored."""
    from dashboard.store import open_store

    store = open_store(demo_copy)
    with store.transaction() as cur:
        cur.execute(SETUP)
    try:
        with store.transaction() as cur:
            cur.execute(DATE_ORDER)
        date_order = True
    except duckdb.ConstraintException:
        date_order = False
    store.date_order = date_order
    return store


def pairs(df) -> list[tuple[str, str]]:
    return list(zip(df["任务编码"], df["主体编码"], strict=True))


def test_results_on_voided_tasks(breach_store):
    cur = breach_store.cursor()
    df = quality.voided_task_results(cur, S)
    assert pairs(df) == [("RW2026002", "Q1")]
    row = df.iloc[0]
    assert (row["单位编码"], row["牵头单位"], row["检查日期"], row["结果代码"]) == (
        "DHK",
        "地质环境股",
        date(2026, 3, 20),
        "1 未发现问题",
    )
    assert pairs(quality.voided_task_results(cur, S.with_(unit="ZFD"))) == [("RW2026002", "Q1")]
    assert quality.voided_task_results(cur, S.with_(unit="KCK")).empty
    assert quality.voided_task_results(
        cur, Scope(2026, date(2026, 3, 19))
    ).empty  # not yet inspected
    assert quality.voided_task_results(cur, Scope(2025, DEMO_T)).empty


def test_teams_below_the_minimum(breach_store):
    cur = breach_store.cursor()
    df = quality.team_below_minimum(cur, S)
    got = {
        (t, e): (n, need)
        for t, e, n, need in zip(
            df["任务编码"], df["主体编码"], df["检查人数"], df["应有人数"], strict=True
        )
    }
    # Q3 has 3 distinct inspectors; Q11 is inspected after T; the demo's own teams are all full.
    assert got == {
        ("RW2026011", "Q2"): (2, 3),
        ("RW2026014", "Q4"): (1, 2),
        ("RW2026014", "Q5"): (0, 2),
    }
    assert pairs(quality.team_below_minimum(cur, S.with_(unit="CHK"))) == [
        ("RW2026014", "Q4"),
        ("RW2026014", "Q5"),
    ]
    assert pairs(quality.team_below_minimum(cur, S.with_(unit="YJJ"))) == [("RW2026011", "Q2")]
    assert quality.team_below_minimum(cur, Scope(2026, date(2026, 9, 9))).empty


def test_targets_not_drawn(breach_store):
    cur = breach_store.cursor()
    df = quality.undrawn_targets(cur, S)
    assert pairs(df) == [("TQDRAW", "Q7")]  # Q7 was only on the superseded draw QD1
    row = df.iloc[0]
    assert (row["抽取编号"], row["抽取日期"], row["抽中对象数"]) == ("QD2", date(2026, 8, 12), 2)
    assert quality.undrawn_targets(cur, S.with_(unit="CHK")).empty
    assert pairs(quality.undrawn_targets(cur, S.with_(unit="KCK"))) == [("TQDRAW", "Q7")]


def test_dates_before_the_inspection(breach_store):
    if not breach_store.date_order:
        pytest.skip(PENDING_009)
    cur = breach_store.cursor()
    entered = quality.entered_before_inspection(cur, S)
    assert pairs(entered) == [("RW2026014", "Q9")]
    assert entered.iloc[0]["提前天数"] == 5
    published = quality.published_before_inspection(cur, S)
    assert pairs(published) == [("RW2026014", "Q10")]
    assert published.iloc[0]["提前天数"] == 1
    assert quality.entered_before_inspection(cur, S.with_(unit="KCK")).empty
    # as of 11-07 neither inspection has happened yet
    assert quality.entered_before_inspection(cur, Scope(2026, date(2026, 11, 7))).empty


def test_rule_breaches_are_the_lists(breach_store):
    found = quality.rule_breaches(breach_store.cursor(), S)
    assert list(found) == list(quality.RULE_BREACHES)
    counts = {k: len(v) for k, v in found.items()}
    n = 1 if breach_store.date_order else 0
    assert counts == {
        "entered_before_inspection": n,
        "published_before_inspection": n,
        "inspected_before_start": 0,
        "voided_task_results": 1,
        "team_below_minimum": 3,
        "undrawn_targets": 1,
    }


def test_quality_page_counts_and_lists_the_breaches(breach_store, demo_copy, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DB", str(demo_copy))
    at = AppTest.from_file(str(PROJECT_ROOT / "pages" / "quality.py"), default_timeout=60)
    at.session_state["auth_user"] = User("leader", "领导", "leader", ())
    at.session_state["scope.year"] = DEMO_T.year
    at.session_state["scope.as_of"] = DEMO_T
    at.session_state["scope.as_of_year"] = DEMO_T.year
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    values = {m.label: m.value for m in at.metric}
    n = "1" if breach_store.date_order else "0"
    assert values["作废任务的结果"] == "1"
    assert values["检查人员不足"] == "3"
    assert values["非抽中对象的结果"] == "1"
    assert values["录入早于检查"] == n and values["公示早于检查"] == n
    frames = [f.value for f in at.dataframe if isinstance(f.value, pd.DataFrame)]
    cells = {str(v) for df in frames for v in df.to_numpy().ravel()}
    assert {"Q1", "Q2", "Q4", "Q5", "Q7"} <= cells
    captions = " ".join(c.value for c in at.caption)
    assert "恒为" not in captions
    assert "范围：2026 年度，截至 2026-11-27；全部单位" in captions
    tabs = [tab.label for tab in at.tabs]
    assert "非抽中对象的结果" in tabs and "检查人员不足" in tabs
