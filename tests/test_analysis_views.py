"""Analysis views: contents and derived flags on the hand-made fixture, unit scoping, restricted columns."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from test_analysis_support import load_fixture, scope_for

from dashboard.analysis.console import EXAMPLE_QUERIES, SqlConsole
from dashboard.analysis.views import VIEW_DOCS, analysis_views
from dashboard.store import open_store


@pytest.fixture(scope="module")
def loaded():
    store = open_store(":memory:")
    load_fixture(store)
    yield store
    store.close()


def frame(views, name):
    return views[name].table.to_pandas()


def keyed(df, *cols):
    return {tuple(r[c] for c in cols[:-1]): r[cols[-1]] for _, r in df.iterrows()}


def test_inspection_view_flags_by_hand(loaded):
    df = frame(analysis_views(loaded, scope_for()), "v_inspections")
    assert len(df) == 5
    entry = keyed(df, "task_code", "entity_code", "entry_on_time")
    assert entry == {
        ("T1", "E1"): True,
        ("T1", "E2"): False,
        ("T2", "E3"): True,
        ("T2", "E4"): False,
        ("T3", "E1"): True,
    }
    publish = keyed(df, "task_code", "entity_code", "publish_on_time")
    assert publish == {
        ("T1", "E1"): True,
        ("T1", "E2"): False,
        ("T2", "E3"): True,
        ("T2", "E4"): False,
        ("T3", "E1"): True,
    }
    finding = keyed(df, "task_code", "entity_code", "has_finding")
    assert [k for k, v in finding.items() if v] == [("T1", "E1"), ("T3", "E1")]
    # grade at the inspection month (市场监管): E1 in 2026-04 → B (2026-01), E2 in 2026-04 → C
    grade = keyed(df, "task_code", "entity_code", "grade")
    assert grade[("T1", "E1")] == "B" and grade[("T1", "E2")] == "C"
    assert pd.isna(grade[("T3", "E1")]) and pd.isna(grade[("T2", "E3")])
    row = df[(df.task_code == "T2") & (df.entity_code == "E3")].iloc[0]
    assert row.is_joint and row.joint_kind_label == "跨部门联合"
    assert row.inspected_quarter == "2026Q2" and row.inspected_month == "2026-05"
    assert row.lead_unit_name == "测绘地理信息股" and row.item_name == "对测绘资质的巡查"


def test_pending_entry_is_not_late_before_its_deadline(loaded):
    # As of the day after the inspection, T2/E4 (not entered) is not yet late: flag unknown.
    df = frame(analysis_views(loaded, scope_for(as_of=date(2026, 5, 7))), "v_inspections")
    row = df[(df.task_code == "T2") & (df.entity_code == "E4")].iloc[0]
    assert row.entry_on_time is None and row.publish_on_time is None


def test_entities_and_inspectors_views(loaded):
    views = analysis_views(loaded, scope_for())
    ent = frame(views, "v_entities").set_index("entity_code")
    assert ent.loc["E1", "grade"] == "D" and ent.loc["E1", "grade_period"] == "2026-05"
    assert ent.loc["E1", "inspection_count"] == 2 and ent.loc["E1", "finding_count"] == 2
    assert ent.loc["E5", "inspection_count"] == 0
    insp = frame(views, "v_inspectors").set_index("inspector_code")
    assert insp["inspection_count"].to_dict() == {"P1": 3, "P2": 2, "P3": 2, "P4": 2, "P5": 1}
    assert insp["finding_count"].to_dict() == {"P1": 2, "P2": 1, "P3": 0, "P4": 0, "P5": 1}
    tasks = frame(views, "v_tasks").set_index("task_code")
    assert tasks["inspection_count"].to_dict() == {"T1": 2, "T2": 2, "T3": 1}
    assert tasks["finding_count"].to_dict() == {"T1": 1, "T2": 0, "T3": 1}
    fu = frame(views, "v_followups")
    assert fu[["is_closed", "is_overdue", "backfill_on_time"]].iloc[0].tolist() == [
        True,
        False,
        True,
    ]


def test_unit_user_sees_only_its_units(loaded):
    views = analysis_views(loaded, scope_for(units={"KCK"}, role="unit", username="kck"))
    insp = frame(views, "v_inspections")
    # T1 (lead KCK) and T3 (partner KCK); never T2
    assert sorted(zip(insp.task_code, insp.entity_code, strict=True)) == [
        ("T1", "E1"),
        ("T1", "E2"),
        ("T3", "E1"),
    ]
    assert sorted(frame(views, "v_tasks").task_code) == ["T1", "T3"]
    # inspected in its tasks (E1, E2) or tagged with its items (I1: E1, E2, E5)
    assert sorted(frame(views, "v_entities").entity_code) == ["E1", "E2", "E5"]
    assert frame(views, "v_units").unit_code.tolist() == ["KCK"]
    assert frame(views, "v_inspectors").inspector_code.tolist() == ["P1", "P2"]
    assert frame(views, "v_followups").entity_code.tolist() == ["E1"]
    assert frame(views, "v_scope").units.iloc[0].tolist() == ["KCK"]
    # inspector counts only from visible tasks
    assert frame(views, "v_inspectors").set_index("inspector_code").inspection_count.to_dict() == {
        "P1": 3,
        "P2": 2,
    }


def test_partner_unit_and_other_unit(loaded):
    sjj = analysis_views(loaded, scope_for(units={"SJJ"}, role="unit"))
    assert sorted(frame(sjj, "v_inspections").entity_code) == ["E3", "E4"]
    assert frame(sjj, "v_followups").empty
    chk = analysis_views(loaded, scope_for(units={"CHK"}, role="unit"))
    assert sorted(frame(chk, "v_entities").entity_code) == ["E3", "E4"]


def test_sidebar_unit_and_town_filters(loaded):
    views = analysis_views(loaded, scope_for(unit="DHK", town="赞皇镇"))
    assert frame(views, "v_inspections")[["task_code", "entity_code"]].values.tolist() == [
        ["T3", "E1"]
    ]
    # a chosen unit outside the allowed ones gives nothing, not everything
    none = analysis_views(loaded, scope_for(units={"KCK"}, unit="CHK", role="unit"))
    assert frame(none, "v_inspections").empty and frame(none, "v_units").empty


def test_unit_scoping_holds_in_the_console(loaded):
    console = SqlConsole.for_scope(loaded, scope_for(units={"CHK"}, role="unit"))
    try:
        df = console.run("SELECT DISTINCT lead_unit FROM v_inspections").df
        assert df.lead_unit.tolist() == ["CHK"]
        assert console.run("SELECT count(*) AS n FROM v_tasks").df.n[0] == 1
    finally:
        console.close()


def test_restricted_columns_and_docs(loaded):
    unit_views = analysis_views(loaded, scope_for(units={"KCK"}, role="unit"))
    assert "cert_no" not in unit_views["v_inspectors"].table.column_names
    admin_views = analysis_views(loaded, scope_for())
    assert "cert_no" in admin_views["v_inspectors"].table.column_names
    for name, view in admin_views.items():
        assert view.description == VIEW_DOCS[name][0]
        # every column has a Chinese description
        assert set(view.columns) == set(view.table.column_names)
        for column, text in view.columns.items():
            assert text != column and any("\u4e00" <= ch <= "\u9fff" for ch in text), (name, column)


def test_example_queries_by_hand(loaded):
    # as of 2026-07-15 the previous quarter is 2026-04..06: mine inspections with findings → T1/E1
    console = SqlConsole.for_scope(loaded, scope_for(as_of=date(2026, 7, 15)))
    try:
        towns = console.run(dict(EXAMPLE_QUERIES)["上季度矿山类检查发现问题的乡镇"]).df
        assert towns.values.tolist() == [["赞皇镇", 1, 1]]
        never = console.run(dict(EXAMPLE_QUERIES)["从未发现问题的检查人员"]).df
        assert sorted(never["姓名"]) == ["王三", "赵四"]
        for _, sql in EXAMPLE_QUERIES:
            console.run(sql)
    finally:
        console.close()


def test_the_register_views_follow_the_unit_scope(tmp_path):
    """The work registers in the analysis views (issue 14): a unit user sees its own units' rows."""
    from datetime import date

    from dashboard.analysis.views import analysis_views
    from dashboard.scope import Scope
    from dashboard.store import open_store
    from tests.test_metrics_registers import FIXTURE

    store = open_store(tmp_path / "reg.duckdb")
    with store.transaction() as cur:
        cur.execute(FIXTURE)
    scope = Scope(2026, date(2026, 11, 27), allowed_units=frozenset({"CHK"}), role="unit")
    views = analysis_views(store, scope)
    trainings = views["v_trainings"].table.to_pylist()
    assert [r["training_code"] for r in trainings] == ["PX2"]
    subs = views["v_submissions"].table.to_pylist()
    assert [(r["period"], r["on_time"]) for r in subs] == [("2026Q3", False), ("2026-11", None)]
    supervisions = views["v_supervisions"].table.to_pylist()
    assert [r["supervision_code"] for r in supervisions] == ["DC3", "DC2"]  # by date
    assert views["v_liaisons"].table.num_rows == 0
    fu = views["v_followups"].table.to_pylist()
    assert [(r["entity_code"], r["transferred_on"]) for r in fu] == [("E7", date(2026, 7, 1))]
