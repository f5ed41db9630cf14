"""dashboard.domain.codes: the DOMAIN.md §3–§4 dictionaries, and that they agree with the schema."""

from __future__ import annotations

import duckdb
import pytest

from dashboard.domain import codes
from dashboard.domain.codes import (
    FINDING,
    FINDING_CODES,
    FOLLOWUP_CODES,
    NO_FINDING,
    RESULT_CODES,
    STATUS,
    STATUS_CODES,
    code_class,
    has_finding,
)


def test_result_code_classes():
    assert set(RESULT_CODES) == {
        "1", "E", "A", "2", "B", "C", "6", "D", "3", "4", "G", "5", "8",
        "F", "7", "9", "10", "11", "12",
    }  # fmt: skip
    assert FINDING_CODES == {"E", "A", "2", "B", "C", "6", "D", "3", "4", "G", "5", "8"}
    assert STATUS_CODES == {"F", "7", "9", "10", "11", "12"}
    assert code_class("1") == NO_FINDING
    assert code_class("E") == FINDING
    assert code_class("F") == STATUS
    assert not FINDING_CODES & STATUS_CODES
    assert "1" not in FINDING_CODES | STATUS_CODES


def test_tree_and_followup_codes():
    # A ├ 2 ├ B/C/6/D ; A ├ 3/4/G/5 (DOMAIN.md §3)
    assert RESULT_CODES["2"].parent == "A"
    for c in "BC6D":
        assert RESULT_CODES[c].parent == "2"
        assert RESULT_CODES[c].depth == 2
    for c in "34G5":
        assert RESULT_CODES[c].parent == "A"
        assert RESULT_CODES[c].depth == 1
    assert RESULT_CODES["A"].depth == 0
    assert FOLLOWUP_CODES == {"A", "2", "B", "C", "6", "D", "3", "4", "G", "5"}
    # E was corrected on the spot, 8 is its own finding: neither needs a follow-up record
    assert "E" not in FOLLOWUP_CODES and "8" not in FOLLOWUP_CODES


def test_labels():
    assert RESULT_CODES["1"].label == "未发现问题"
    assert RESULT_CODES["A"].label == "发现问题待后续处理"
    assert RESULT_CODES["6"].label == "通过登记的住所（经营场所）无法联系"
    assert RESULT_CODES["F"].label == "未发现开展本次抽查涉及的经营活动"
    assert codes.FOLLOWUP_MEASURES["4"] == "发现案件线索，移送办案机构"
    assert codes.GRADES == {"A": "低风险", "B": "一般风险", "C": "较高风险", "D": "高风险"}
    assert sorted(codes.GRADE_ORDER, key=codes.GRADE_ORDER.get) == ["A", "B", "C", "D"]


def test_has_finding():
    assert not has_finding([])
    assert not has_finding(["1"])
    assert not has_finding(["F"])
    assert not has_finding(["9", "F"])
    assert has_finding(["1", "B"])
    assert has_finding(("E",))
    assert has_finding(["8"])
    assert has_finding(["F", "5"])


def test_status_codes_set_entity_status():
    implied = {c: RESULT_CODES[c].sets_status for c in STATUS_CODES}
    assert implied == {
        "F": None,
        "7": "停业清算",
        "9": "注销",
        "10": "吊销",
        "11": "撤销",
        "12": "迁出",
    }
    assert {s for s in implied.values() if s} <= set(codes.ENTITY_STATUSES)


# -- the dictionaries agree with the CHECK constraints of the schema ---------------------------


def _accepts(store, sql: str, params: list) -> bool:
    try:
        with store.transaction() as cur:
            cur.execute(sql, params)
    except duckdb.ConstraintException:
        return False
    return True


def _units(store):
    with store.transaction() as cur:
        cur.execute("INSERT INTO units VALUES ('KCK', '矿产资源管理股', '股室', false)")
        cur.execute("INSERT INTO items (item_code, item_name) VALUES ('I1', '事项')")


def test_entity_statuses_match_schema(store):
    for i, status in enumerate(codes.ENTITY_STATUSES):
        assert _accepts(
            store,
            "INSERT INTO entities (entity_code, name, status) VALUES (?, ?, ?)",
            [f"E{i}", "x", status],
        ), status
    assert not _accepts(
        store, "INSERT INTO entities (entity_code, name, status) VALUES ('EX', 'x', '歇业')", []
    )


def test_unit_kinds_match_schema(store):
    for i, kind in enumerate(codes.UNIT_KINDS):
        assert _accepts(store, "INSERT INTO units VALUES (?, 'x', ?, false)", [f"U{i}", kind]), kind
    assert not _accepts(store, "INSERT INTO units VALUES ('UX', 'x', '科室', false)", [])


def test_item_categories_match_schema(store):
    for i, cat in enumerate(codes.ITEM_CATEGORIES):
        assert _accepts(
            store,
            "INSERT INTO items (item_code, item_name, category) VALUES (?, 'x', ?)",
            [f"I{i}", cat],
        )
    assert not _accepts(
        store, "INSERT INTO items (item_code, item_name, category) VALUES ('IX', 'x', '特殊')", []
    )


def test_plan_and_task_enumerations_match_schema(store):
    _units(store)
    for i, status in enumerate(codes.PLAN_STATUSES):
        assert _accepts(
            store,
            "INSERT INTO plans (plan_code, year, item_code, unit_code, status) VALUES (?, 2026, 'I1', 'KCK', ?)",
            [f"P{i}", status],
        ), status
    n = 0
    for status in codes.TASK_STATUSES:
        for joint in codes.JOINT_KINDS:
            for source in codes.TASK_SOURCES:
                n += 1
                assert _accepts(
                    store,
                    "INSERT INTO tasks (task_code, task_name, lead_unit, joint_kind, source, status)"
                    " VALUES (?, 'x', 'KCK', ?, ?, ?)",
                    [f"T{n}", joint, source, status],
                ), (status, joint, source)
    assert not _accepts(
        store,
        "INSERT INTO tasks (task_code, task_name, lead_unit, status) VALUES ('TX', 'x', 'KCK', 'cancelled')",
        [],
    )


def test_followup_measures_and_revisit_results_match_schema(store):
    _units(store)
    with store.transaction() as cur:
        cur.execute("INSERT INTO tasks (task_code, task_name, lead_unit) VALUES ('T1', 'x', 'KCK')")
    codes_ = list(codes.FOLLOWUP_MEASURES)
    results = list(codes.REVISIT_RESULTS)
    for i, measure in enumerate(codes_):
        entity = f"E{i}"
        revisit = results[i % len(results)]
        with store.transaction() as cur:
            cur.execute("INSERT INTO entities (entity_code, name) VALUES (?, 'x')", [entity])
            cur.execute(
                "INSERT INTO inspections (task_code, entity_code) VALUES ('T1', ?)", [entity]
            )
        assert _accepts(
            store,
            "INSERT INTO followups (task_code, entity_code, measure_code, revisit_result)"
            " VALUES ('T1', ?, ?, ?)",
            [entity, measure, revisit],
        ), measure
    with store.transaction() as cur:
        cur.execute("INSERT INTO entities (entity_code, name) VALUES ('EX', 'x')")
        cur.execute("INSERT INTO inspections (task_code, entity_code) VALUES ('T1', 'EX')")
    assert not _accepts(
        store,
        "INSERT INTO followups (task_code, entity_code, measure_code) VALUES ('T1', 'EX', '7')",
        [],
    )


@pytest.mark.parametrize("grade", sorted(codes.GRADES))
def test_grades_match_schema(store, grade):
    with store.transaction() as cur:
        cur.execute("INSERT INTO entities (entity_code, name) VALUES ('E1', 'x')")
    assert _accepts(
        store,
        "INSERT INTO risk_grades (entity_code, period, grade) VALUES ('E1', '2026-05', ?)",
        [grade],
    )
    # the default system of the table is the one that drives strata
    assert store.scalar("SELECT system FROM risk_grades") == codes.RISK_SYSTEM
