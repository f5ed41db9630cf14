"""Saved analyses: round trip, sharing, owner/admin permissions, audit entries."""

from __future__ import annotations

import json

import pytest
from test_analysis_support import load_fixture, scope_for

from dashboard.analysis.console import SqlConsole
from dashboard.analysis.saved import (
    SavedAnalysisError,
    delete_analysis,
    list_analyses,
    load_analysis,
    save_analysis,
)

PIVOT = {
    "view": "v_inspections",
    "rows": ["town"],
    "columns": ["year"],
    "measure": "problem_rate",
    "filters": [{"column": "year", "op": "in", "value": [2026]}],
    "chart": "heatmap",
}


def audit(store):
    return store.rows("SELECT actor, action, record_key FROM audit_log ORDER BY audit_id")


def test_round_trip_and_audit(store):
    qid = save_analysis(
        store, owner="kck", name="  乡镇问题率  ", kind="pivot", spec=PIVOT, description="按乡镇"
    )
    got = load_analysis(store, qid, "kck")
    assert (got.name, got.description, got.kind, got.owner, got.shared) == (
        "乡镇问题率",
        "按乡镇",
        "pivot",
        "kck",
        False,
    )
    assert got.spec == {**PIVOT, "totals": False}
    sql_id = save_analysis(
        store,
        owner="kck",
        name="检查人员",
        kind="sql",
        spec={"sql": "SELECT * FROM v_inspectors"},
        shared=True,
    )
    assert load_analysis(store, sql_id, "kck").spec == {"sql": "SELECT * FROM v_inspectors"}
    assert audit(store) == [
        ("kck", "analysis.save", str(qid)),
        ("kck", "analysis.save", str(sql_id)),
    ]
    new = json.loads(
        store.scalar("SELECT new_value FROM audit_log WHERE record_key = ?", [str(qid)])
    )
    assert new["name"] == "乡镇问题率" and new["spec"]["measure"] == "problem_rate"


def test_sharing_and_visibility(store):
    private = save_analysis(store, owner="kck", name="私有", kind="sql", spec={"sql": "SELECT 1"})
    shared = save_analysis(
        store, owner="kck", name="共享", kind="sql", spec={"sql": "SELECT 2"}, shared=True
    )
    theirs = save_analysis(store, owner="chk", name="别人的", kind="sql", spec={"sql": "SELECT 3"})
    assert list_analyses(store, "kck").query_id.tolist() == [shared, private]
    assert list_analyses(store, "chk").query_id.tolist() == [shared, theirs]
    assert sorted(list_analyses(store, "admin", is_admin=True).query_id) == sorted(
        [private, shared, theirs]
    )
    assert load_analysis(store, shared, "chk").name == "共享"
    with pytest.raises(SavedAnalysisError, match="未共享"):
        load_analysis(store, private, "chk")
    assert load_analysis(store, private, "admin", is_admin=True).name == "私有"
    with pytest.raises(SavedAnalysisError, match="不存在"):
        load_analysis(store, 9999, "kck")


def test_only_owner_or_admin_may_delete_only_owner_may_update(store):
    qid = save_analysis(
        store, owner="kck", name="共享", kind="sql", spec={"sql": "SELECT 1"}, shared=True
    )
    with pytest.raises(SavedAnalysisError, match="只有创建者本人或管理员"):
        delete_analysis(store, qid, actor="chk")
    with pytest.raises(SavedAnalysisError, match="只有创建者本人可以修改"):
        save_analysis(
            store, owner="chk", name="改", kind="sql", spec={"sql": "SELECT 2"}, query_id=qid
        )
    assert load_analysis(store, qid, "kck").spec == {"sql": "SELECT 1"}
    save_analysis(
        store,
        owner="kck",
        name="改名",
        kind="sql",
        spec={"sql": "SELECT 2"},
        query_id=qid,
        shared=False,
    )
    got = load_analysis(store, qid, "kck")
    assert (got.name, got.spec, got.shared) == ("改名", {"sql": "SELECT 2"}, False)
    delete_analysis(store, qid, actor="admin", is_admin=True)
    assert store.scalar("SELECT count(*) FROM saved_queries") == 0
    assert [a[1] for a in audit(store)] == ["analysis.save", "analysis.update", "analysis.delete"]
    assert audit(store)[-1] == ("admin", "analysis.delete", str(qid))
    with pytest.raises(SavedAnalysisError, match="不存在"):
        delete_analysis(store, qid, actor="kck")


@pytest.mark.parametrize(
    ("kind", "spec", "name", "words"),
    [
        ("sql", {"sql": "DELETE FROM v_units"}, "x", "只允许 SELECT"),
        ("sql", {"sql": "SELECT 1; SELECT 2"}, "x", "一次只能"),
        ("pivot", {"view": "users", "measure": "count"}, "x", "数据集"),
        ("pivot", {"view": "v_inspections", "measure": "sum"}, "x", "指标"),
        ("sql", {"sql": "SELECT 1"}, "   ", "名称"),
        ("sql", {"sql": "SELECT 1"}, "长" * 101, "最长"),
        ("chart", {}, "x", "未知的分析类型"),
    ],
)
def test_invalid_saves_are_refused_and_nothing_written(store, kind, spec, name, words):
    with pytest.raises(SavedAnalysisError, match=words):
        save_analysis(store, owner="kck", name=name, kind=kind, spec=spec)
    assert store.scalar("SELECT count(*) FROM saved_queries") == 0
    assert store.scalar("SELECT count(*) FROM audit_log") == 0


def test_reopened_query_runs_with_the_current_scope(store):
    load_fixture(store)
    qid = save_analysis(
        store,
        owner="admin",
        name="全部检查",
        kind="sql",
        shared=True,
        spec={"sql": "SELECT task_code, entity_code FROM v_inspections ORDER BY 1, 2"},
    )
    sql = load_analysis(store, qid, "chk").spec["sql"]
    console = SqlConsole.for_scope(store, scope_for(units={"CHK"}, role="unit", username="chk"))
    try:
        assert console.run(sql).df.values.tolist() == [["T2", "E3"], ["T2", "E4"]]
    finally:
        console.close()
