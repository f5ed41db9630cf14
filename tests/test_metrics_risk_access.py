"""风险预警 under access control: a unit user sees warnings about its entities, never other units' tasks.

The hand-built county of test_metrics_risk plus facts from a CHK task about KCK's entities: CHK's task T2
also found a problem at E4 (3rd finding in the window) and ordered a rectification KCK is responsible for;
CHK's open task T4 inspects E1 too.
"""

from __future__ import annotations

import pytest

from dashboard.metrics import risk
from tests.test_metrics_risk import FIXTURE, S

MORE = """
INSERT INTO inspections (task_code, entity_code, inspected_on, result_codes, entered_on) VALUES
    ('T2', 'E4', DATE '2026-09-12', ['E'], DATE '2026-09-13'),
    ('T4', 'E1', DATE '2026-11-21', [], NULL);
INSERT INTO followups (task_code, entity_code, measure_code, responsible_unit, due_on, closed_on) VALUES
    ('T2', 'E4', '3', 'KCK', DATE '2026-11-16', NULL);
"""

KCK = S.with_(allowed_units=frozenset({"KCK"}), role="unit", username="kck")


@pytest.fixture
def county(store):
    with store.transaction() as cur:
        cur.execute(FIXTURE)
        cur.execute(MORE)
    return store


def by_key(df):
    return {(r.主体编码, r.预警类型): r for r in df.itertuples(index=False)}


def test_admin_sees_every_task(county):
    rows = by_key(risk.warnings(county.cursor(), S))
    assert rows[("E4", "多次发现问题")].预警原因 == (
        "近1095天内3次检查发现问题（2025-06-10 T5 代码E，2026-03-02 T1 代码A;2，2026-09-12 T2 代码E）"
    )
    assert rows[("E4", "整改逾期")].预警原因 == (
        "任务T2责令限期整改，期限2026-11-16已过9个工作日仍未完结（责任单位矿产资源管理股）"
    )
    assert rows[("E1", "等级上升")].所在任务 == "T3、T4"


def test_unit_user_sees_the_warnings_but_not_other_units_tasks(county):
    admin = risk.warnings(county.cursor(), S)
    df = risk.warnings(county.cursor(), KCK)
    rows = by_key(df)
    # the same warnings about KCK's entities fire (counts included) …
    assert set(rows) == {
        k for k in by_key(admin) if k[0] in {"E1", "E4", "E5", "E7"} and k[1] != "整改逾期"
    } | {("E4", "整改逾期")}
    # … but CHK's tasks T2/T4 and T2's finding at E4 are never named
    assert rows[("E4", "多次发现问题")].预警原因 == (
        "近1095天内3次检查发现问题（2025-06-10 T5 代码E，2026-03-02 T1 代码A;2，其他单位任务1次）"
    )
    assert rows[("E4", "整改逾期")].预警原因 == (
        "其他单位任务责令限期整改，期限2026-11-16已过9个工作日仍未完结（责任单位矿产资源管理股）"
    )
    e1 = rows[("E1", "等级上升")]
    assert (e1.已在任务中, e1.所在任务) == ("是", f"T3、{risk.OTHER_TASK}")
    text = " ".join(str(v) for v in df.to_numpy().ravel())
    assert "T2" not in text and "T4" not in text
    counts = risk.warning_counts(county.cursor(), KCK, df).set_index("预警类型")
    assert counts.loc["多次发现问题", "预警数"] == 1


def test_only_other_units_tasks_in_the_reason(county):
    # in a 100-day window only CHK's finding at E4 (2026-09-12) remains
    with county.transaction() as cur:
        cur.execute("INSERT INTO settings (key, value) VALUES ('risk.repeated_findings', '1')")
        cur.execute("INSERT INTO settings (key, value) VALUES ('risk.repeated_window_days', '100')")
    rows = by_key(risk.warnings(county.cursor(), KCK))
    assert rows[("E4", "多次发现问题")].预警原因 == "近100天内1次检查发现问题（其他单位任务1次）"


def test_tasks_of_every_allowed_unit_are_named(county):
    both = S.with_(allowed_units=frozenset({"KCK", "CHK"}), role="unit", unit="KCK")
    rows = by_key(risk.warnings(county.cursor(), both))
    assert "T2 代码E" in rows[("E4", "多次发现问题")].预警原因
    assert rows[("E1", "等级上升")].所在任务 == "T3、T4"
    # an administrator choosing a unit in the sidebar is not masked either
    admin_kck = by_key(risk.warnings(county.cursor(), S.with_(unit="KCK")))
    assert admin_kck[("E4", "整改逾期")].预警原因.startswith("任务T2")


def test_a_partner_units_task_is_named(county):
    with county.transaction() as cur:
        cur.execute("UPDATE tasks SET partner_units = ['KCK'] WHERE task_code = 'T2'")
    rows = by_key(risk.warnings(county.cursor(), KCK))
    assert rows[("E4", "整改逾期")].预警原因.startswith("任务T2")
    assert "2026-09-12 T2 代码E" in rows[("E4", "多次发现问题")].预警原因
