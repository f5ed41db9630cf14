"""The latest grade kept beside risk_grades (issue 17): equal to the arg_max over the history after
every writer (the demo builds, the import), and the metrics give the same figures through it as through
the history, which they still read for an as-of month before the newest grade."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from dashboard.ingest import run_import
from dashboard.metrics.base import run_df, run_row
from dashboard.scope import Scope
from dashboard.store.grades import latest_is_current

FIXTURE = Path(__file__).parent / "fixtures" / "interchange_small"
FROM_HISTORY = """
SELECT system, entity_code, latest.period, latest.grade, latest.score
FROM (SELECT system, entity_code,
        arg_max({'period': period, 'grade': grade, 'score': score}, period) AS latest
    FROM risk_grades GROUP BY ALL)
"""
KEPT = "SELECT system, entity_code, period, grade, score FROM risk_grade_latest"


def _differences(store) -> int:
    return store.scalar(
        f"SELECT count(*) FROM (({FROM_HISTORY}) EXCEPT ALL ({KEPT})"
        f" UNION ALL (({KEPT}) EXCEPT ALL ({FROM_HISTORY})))"
    )


def test_demo_store_keeps_the_latest_grade_of_every_entity(demo_store):
    n = demo_store.scalar("SELECT count(*) FROM risk_grade_latest")
    assert n == demo_store.scalar("SELECT count(DISTINCT (system, entity_code)) FROM risk_grades")
    assert n > 1000 and _differences(demo_store) == 0
    assert demo_store.rows("SELECT * FROM risk_grade_systems ORDER BY system") == demo_store.rows(
        "SELECT system, max(period) FROM risk_grades GROUP BY system ORDER BY system"
    )


def test_import_refreshes_it_in_the_same_transaction(store, tmp_path):
    src = tmp_path / "src"
    shutil.copytree(FIXTURE, src)
    assert run_import(store, src, actor="测试").written
    assert store.scalar("SELECT count(*) FROM risk_grade_latest") == store.scalar(
        "SELECT count(DISTINCT (system, entity_code)) FROM risk_grades"
    )
    assert _differences(store) == 0
    entity, system, period = store.rows(
        "SELECT entity_code, system, max(period) FROM risk_grades GROUP BY ALL ORDER BY ALL LIMIT 1"
    )[0]
    newer = f"{int(period[:4]) + 1}-01"
    (src / "risk_grades.csv").write_text(
        f"entity_code,period,grade,score,system\n{entity},{newer},D,95,{system}\n", encoding="utf-8"
    )
    assert run_import(store, src / "risk_grades.csv", actor="测试").written
    assert store.rows(
        "SELECT period, grade FROM risk_grade_latest WHERE entity_code = ? AND system = ?",
        [entity, system],
    ) == [(newer, "D")]
    assert _differences(store) == 0
    cur = store.cursor()
    assert latest_is_current(cur, system, date(int(newer[:4]), 1, 31))
    assert not latest_is_current(cur, system, date(int(period[:4]), 12, 31))
    assert not latest_is_current(cur, "没有的体系", date(2030, 1, 1))


QUERIES = ["kpi_values", "coverage_by_grade", "risk_grade_worsened", "risk_score_jump"]


@pytest.mark.parametrize("name", QUERIES)
def test_metrics_are_the_same_through_the_kept_table_and_the_history(demo_store, name):
    as_of = date.fromisoformat(demo_store.meta("demo_as_of"))
    scope = Scope(year=as_of.year, as_of=as_of)
    cur = demo_store.cursor()
    assert latest_is_current(cur, "市场监管", as_of)
    extra = {"score_jump": 10.0} if name == "risk_score_jump" else {}
    if name == "kpi_values":
        kept = run_row(cur, name, scope, grades_current=True)
        history = run_row(cur, name, scope, grades_current=False)
    else:
        kept = run_df(cur, name, scope, grades_current=True, **extra)
        history = run_df(cur, name, scope, grades_current=False, **extra)
        assert len(kept) > 0
        kept, history = kept.to_dict("records"), history.to_dict("records")
    assert kept == history


def test_an_earlier_as_of_month_reads_the_history(demo_store):
    """Before the newest grade the kept table is not that month's grade: the history is read."""
    cur = demo_store.cursor()
    latest = demo_store.scalar("SELECT max(period) FROM risk_grades WHERE system = '市场监管'")
    earlier = date(int(latest[:4]) - 1, 6, 30)
    assert not latest_is_current(cur, "市场监管", earlier)
    scope = Scope(year=earlier.year, as_of=earlier)
    by_grade = run_df(cur, "coverage_by_grade", scope).to_dict("records")
    assert by_grade == run_df(cur, "coverage_by_grade", scope, grades_current=False).to_dict(
        "records"
    )
    # and the gate matters: the kept (newest) grades would give another mix for that month
    kept = run_df(cur, "coverage_by_grade", scope, grades_current=True).to_dict("records")
    assert by_grade and kept != by_grade


def test_an_upgraded_store_fills_the_kept_grades_when_opened(tmp_path):
    """Migration 032 creates the tables empty; opening a store whose grades were never summarised
    (written before 032, or by SQL outside a writer) fills them from its grades."""
    from dashboard.store import Store

    path = tmp_path / "old.duckdb"
    store = Store(path)
    with store.transaction() as cur:
        cur.execute("INSERT INTO entities (entity_code, name) VALUES ('E1', '甲'), ('E2', '乙')")
        cur.execute(
            "INSERT INTO risk_grades (entity_code, period, grade, score) VALUES"
            " ('E1', '2026-09', 'B', 50), ('E1', '2026-10', 'D', 90), ('E2', '2026-08', 'A', 10)"
        )
    assert store.scalar("SELECT count(*) FROM risk_grade_latest") == 0
    store.close()
    store = Store(path)
    try:
        assert store.rows(KEPT + " ORDER BY entity_code") == [
            ("市场监管", "E1", "2026-10", "D", 90.0),
            ("市场监管", "E2", "2026-08", "A", 10.0),
        ]
        assert store.rows("SELECT * FROM risk_grade_systems") == [("市场监管", "2026-10")]
    finally:
        store.close()
