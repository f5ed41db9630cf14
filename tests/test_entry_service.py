"""Entry writes on a private copy of the demo store: permission, history, audit, consequences
(entity status, follow-up), draw-assigned teams, follow-ups, return visits, the bulk path."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from dashboard import draw
from dashboard.auth import get_user
from dashboard.entry import bulk, service
from dashboard.entry.rules import FollowupInput, InspectionInput
from dashboard.ingest import export_store
from dashboard.metrics.kpi import compute_kpis
from dashboard.scope import Scope
from dashboard.store import close_store, open_store
from tests.browser_util import copy_demo_store
from tests.test_entry_support import chk_task, make_pending

TODAY = date(2026, 11, 27)
# A task led by CHK and its targets not entered yet, chosen from the demo data by the fixture.
TASK = ""
PENDING: list[str] = []


@pytest.fixture(scope="module")
def store(demo_store, demo_db_path, tmp_path_factory):
    global TASK
    path = copy_demo_store(demo_store, demo_db_path, tmp_path_factory.mktemp("entry") / "e.duckdb")
    s = open_store(path)
    TASK = chk_task(s)
    PENDING[:] = make_pending(s, TASK, 4, before=TODAY)
    yield s
    close_store(path)


def user(store, name):
    return get_user(store, name)


def _pending(store, entity, **kw) -> InspectionInput:
    row = service.stored_inspection(store, TASK, entity)
    base = dict(
        task_code=TASK,
        entity_code=entity,
        inspected_on=row["inspected_on"],
        result_codes=("1",),
        inspectors=tuple(row["inspectors"]),
        entered_on=TODAY,
        methods=("实地核查",),
        item_notes={"ZR-005": "资质条件符合"},
    )
    base.update(kw)
    return InspectionInput(**base)


def _audit(store, record_key):
    return store.df(
        "SELECT actor, action, old_value, new_value, detail FROM audit_log"
        " WHERE record_key = ? ORDER BY audit_id",
        [record_key],
    )


def test_unit_user_enters_a_result_with_history_and_audit(store):
    entity = PENDING[0]
    result = service.save_inspection(
        store, user(store, "chk"), _pending(store, entity), today=TODAY
    )
    assert result.action == "update" and result.warnings == [] and not result.followup_opened
    row = service.stored_inspection(store, TASK, entity)
    assert row["entered_on"] == TODAY and row["result_codes"] == ["1"]
    assert row["methods"] == ["实地核查"] and json.loads(row["item_notes"]) == {
        "ZR-005": "资质条件符合"
    }
    assert row["entered_by"] == "chk"
    hist = service.history(store, TASK, entity)
    assert list(hist["action"]) == ["update"] and list(hist["actor"]) == ["chk"]
    assert json.loads(hist["old_value"][0])["entered_on"] is None
    assert json.loads(hist["new_value"][0])["entered_on"] == "2026-11-27"
    audit = _audit(store, f"{TASK}/{entity}")
    assert list(audit["action"]) == ["inspection.update"]
    assert json.loads(audit["old_value"][0]) == {
        "entered_on": None,
        "item_notes": None,
        "methods": [],
        "result_codes": [],
    }
    assert json.loads(audit["new_value"][0])["result_codes"] == ["1"]
    # saving the same values again writes nothing
    again = service.save_inspection(store, user(store, "chk"), _pending(store, entity), today=TODAY)
    assert again.action == "unchanged"
    assert len(service.history(store, TASK, entity)) == 1


def test_only_the_tasks_units_and_admin_may_write(store):
    entity = PENDING[1]
    for name in ("kck", "leader", "viewer"):
        with pytest.raises(service.EntryError, match=f"没有为任务 {TASK} 录入的权限"):
            service.save_inspection(store, user(store, name), _pending(store, entity), today=TODAY)
    assert service.stored_inspection(store, TASK, entity)["entered_on"] is None
    assert TASK in set(service.writable_tasks(store, user(store, "chk"))["task_code"])
    assert TASK not in set(service.writable_tasks(store, user(store, "kck"))["task_code"])
    assert service.writable_tasks(store, user(store, "leader")).empty


def test_a_class_code_needs_a_follow_up_which_is_opened_with_the_result(store):
    entity = PENDING[1]
    chk = user(store, "chk")
    with pytest.raises(service.EntryError) as err:
        service.save_inspection(
            store, chk, _pending(store, entity, result_codes=("B",)), today=TODAY
        )
    assert [i.field for i in err.value.issues] == ["followup"]
    assert service.stored_inspection(store, TASK, entity)["entered_on"] is None  # nothing written
    fu = FollowupInput(
        TASK, entity, measure_code="3", responsible_unit="CHK", due_on=date(2026, 12, 31)
    )
    result = service.save_inspection(
        store, chk, _pending(store, entity, result_codes=("B",)), followup=fu, today=TODAY
    )
    assert result.followup_opened
    stored = service.stored_followup(store, TASK, entity)
    assert stored["measure_code"] == "3" and stored["due_on"] == date(2026, 12, 31)
    assert list(_audit(store, f"{TASK}/{entity}")["action"]) == [
        "inspection.update",
        "followup.insert",
    ]


def test_status_code_updates_the_entity_with_audit(store):
    entity = PENDING[2]
    assert store.scalar("SELECT status FROM entities WHERE entity_code = ?", [entity]) == "存续"
    result = service.save_inspection(
        store, user(store, "chk"), _pending(store, entity, result_codes=("9",)), today=TODAY
    )
    assert result.entity_status == ("存续", "注销")
    assert store.scalar("SELECT status FROM entities WHERE entity_code = ?", [entity]) == "注销"
    audit = _audit(store, entity)
    assert list(audit["action"]) == ["entity.status"]
    assert json.loads(audit["old_value"][0]) == {"status": "存续"}
    assert json.loads(audit["new_value"][0]) == {"status": "注销"}


def test_edit_after_publication_needs_a_reason_and_keeps_the_history(store):
    entity = PENDING[3]
    chk = user(store, "chk")
    service.save_inspection(store, chk, _pending(store, entity, published_on=TODAY), today=TODAY)
    # saving the same published values again is not an edit: no reason needed, nothing written
    same = service.save_inspection(
        store, chk, _pending(store, entity, published_on=TODAY), today=TODAY
    )
    assert same.action == "unchanged"
    changed = _pending(store, entity, published_on=TODAY, note="补充说明")
    with pytest.raises(service.EntryError, match="已于 2026-11-27 公示"):
        service.save_inspection(store, chk, changed, today=TODAY)
    service.save_inspection(store, chk, changed, reason="补充检查说明", today=TODAY)
    hist = service.history(store, TASK, entity)
    assert list(hist["after_publication"]) == [False, True]
    assert list(hist["reason"])[1] == "补充检查说明"
    assert json.loads(hist["old_value"][1])["note"] is None
    assert json.loads(hist["new_value"][1])["note"] == "补充说明"
    # the history is append-only
    with pytest.raises(Exception, match="只允许追加"):
        with store.transaction() as cur:
            cur.execute("DELETE FROM entry_history")


def test_late_entry_of_an_overdue_inspection_is_saved_with_a_warning_and_moves_the_kpi(store):
    task, entity = store.rows(  # an inspection of 2026 never entered, its deadline passed
        "SELECT i.task_code, i.entity_code FROM inspections AS i JOIN tasks AS t USING (task_code)"
        " WHERE year(t.start_on) = 2026 AND t.status <> 'voided' AND i.entered_on IS NULL"
        " AND workday_deadline(i.inspected_on, 20) < ? ORDER BY 1, 2 LIMIT 1",
        [TODAY],
    )[0]
    scope = Scope(year=2026, as_of=TODAY)
    before = compute_kpis(store.cursor(), scope)
    row = service.stored_inspection(store, task, entity)
    inp = InspectionInput(
        task, entity, row["inspected_on"], ("1",), tuple(row["inspectors"]), TODAY
    )
    result = service.save_inspection(store, user(store, "admin"), inp, today=TODAY)
    assert [w.field for w in result.warnings] == ["entered_on"]
    assert "将计为逾期" in result.warnings[0].message
    after = compute_kpis(store.cursor(), scope)
    assert after["entry_overdue"].value == before["entry_overdue"].value - 1
    assert after["entry_on_time"].denominator == before["entry_on_time"].denominator
    assert after["entry_on_time"].numerator == before["entry_on_time"].numerator


def test_draw_assigned_team_and_drawn_targets_are_enforced(store):
    planned = store.scalar(
        "SELECT task_code FROM tasks WHERE status = 'planned' AND plan_code IS NOT NULL"
        " ORDER BY start_on, task_code LIMIT 1"
    )
    rec = draw.run_draw(store, planned, "20261127-01", operator="admin", draw_date=TODAY)
    sel = rec["assignments"][0]
    entity, team = sel["entity_code"], tuple(sel["inspector_codes"])
    targets = service.task_targets(store, planned, TODAY)
    assert set(targets["entity_code"]) == {s["entity_code"] for s in rec["selections"]}
    assert set(targets["state"]) == {"待录入"}
    admin = user(store, "admin")
    base = InspectionInput(planned, entity, date(2026, 11, 26), ("1",), team, TODAY)
    other = store.scalar(
        "SELECT inspector_code FROM inspectors WHERE list_contains(?, unit_code)"
        " AND NOT list_contains(?, inspector_code) ORDER BY 1 LIMIT 1",
        [service.task_units(store, planned), list(team)],
    )
    changed = InspectionInput(
        planned, entity, date(2026, 11, 26), ("1",), (*team[:-1], other), TODAY
    )
    with pytest.raises(service.EntryError) as err:
        service.save_inspection(store, admin, changed, today=TODAY)
    # (the draw is dated today, after 11-26: the inspection-before-draw warning comes with it)
    assert [i.field for i in err.value.issues if i.is_error] == ["inspector_change_reason"]
    from dataclasses import replace

    service.save_inspection(
        store, admin, replace(changed, inspector_change_reason="原检查人员出差"), today=TODAY
    )
    assert service.stored_inspection(store, planned, entity)["inspector_change_reason"] == (
        "原检查人员出差"
    )
    not_drawn = store.scalar(
        "SELECT entity_code FROM entities WHERE NOT list_contains(?, entity_code) LIMIT 1",
        [list(targets["entity_code"])],
    )
    with pytest.raises(service.EntryError, match="不在本任务抽取的检查对象名单中"):
        service.save_inspection(store, admin, replace(base, entity_code=not_drawn), today=TODAY)


def test_follow_up_closure_and_late_backfill(store):
    task, entity = store.rows(  # a follow-up of 2026 past its due date, not closed
        "SELECT f.task_code, f.entity_code FROM followups AS f JOIN tasks AS t USING (task_code)"
        " WHERE year(t.start_on) = 2026 AND f.closed_on IS NULL AND f.due_on < ?"
        " AND f.responsible_unit <> 'CHK' ORDER BY 1, 2 LIMIT 1",
        [TODAY],
    )[0]
    inspected = service.stored_inspection(store, task, entity)["inspected_on"]
    assert inspected <= date(2026, 11, 2)
    admin = user(store, "admin")
    scope = Scope(year=2026, as_of=TODAY)
    before = compute_kpis(store.cursor(), scope)
    listed = service.followups_for(store, admin, TODAY)
    mine = listed[(listed["task_code"] == task) & (listed["entity_code"] == entity)]
    assert list(mine["state"]) == ["逾期未完结"] and int(mine["workdays_left"].iloc[0]) < 0
    old = service.stored_followup(store, task, entity)
    # closed 2026-11-02, backfilled 11-11: 2 working days after the deadline 11-09 → saved, flagged
    fu = service.followup_input(
        old, closed_on=date(2026, 11, 2), backfilled_on=date(2026, 11, 11), measure_note="已复垦"
    )
    result = service.save_followup(store, admin, fu, today=TODAY)
    assert result.action == "update"
    assert [w.field for w in result.warnings] == ["backfilled_on"]
    after = compute_kpis(store.cursor(), scope)
    assert after["followup_overdue"].value == before["followup_overdue"].value - 1
    assert after["backfill_late"].value == before["backfill_late"].value + 1
    assert after["followup_closed"].numerator == before["followup_closed"].numerator + 1
    with pytest.raises(service.EntryError, match="没有登记"):
        service.save_followup(store, user(store, "chk"), fu, today=TODAY)


def test_return_visit_draw_record_and_rate(store):
    admin = user(store, "admin")
    before = service.revisit_rate(store, 2026, ["KCK"])
    assert before["closed"] > before["revisited"]  # KCK has closed follow-ups not revisited
    rec = draw.run_revisit_draw(
        store, "HF-TEST-01", "88", operator="admin", draw_date=TODAY, ratios="1", units=["KCK"]
    )
    draws = service.revisit_draws(store)
    assert rec["draw_id"] in set(draws["draw_id"])
    targets = service.revisit_targets(store, rec["draw_id"])
    assert len(targets) == len(rec["selections"]) and set(targets["unit_code"]) == {"KCK"}
    row = targets[targets["closed_on"].dt.year == 2026].iloc[0]
    with pytest.raises(service.EntryError, match="没有登记"):
        service.record_revisit(
            store,
            user(store, "chk"),
            row.task_code,
            row.entity_code,
            TODAY,
            "整改到位",
            today=TODAY,
        )
    service.record_revisit(
        store, user(store, "kck"), row.task_code, row.entity_code, TODAY, "未到位", today=TODAY
    )
    after = service.revisit_rate(store, 2026, ["KCK"])
    assert after["closed"] == before["closed"]
    assert after["revisited"] == before["revisited"] + 1
    assert after["未到位"] == before["未到位"] + 1
    assert after["rate"] == pytest.approx(after["revisited"] / after["closed"])
    with pytest.raises(service.EntryError, match="回访结果"):
        service.record_revisit(
            store, admin, row.task_code, row.entity_code, TODAY, "差不多", today=TODAY
        )


def test_bulk_round_trip_of_the_demo_passes_unchanged(store, tmp_path):
    export_store(store, tmp_path)
    files = [(n, (tmp_path / n).read_bytes()) for n in ("inspections.csv", "followups.csv")]
    prev = bulk.preview(store, user(store, "admin"), files, today=TODAY)
    assert prev.errors == []
    n_insp = store.scalar("SELECT count(*) FROM inspections")
    n_fu = store.scalar("SELECT count(*) FROM followups")
    assert prev.counts == {
        "inspections": {"insert": 0, "update": 0, "unchanged": n_insp},
        "followups": {"insert": 0, "update": 0, "unchanged": n_fu},
    }
    assert prev.inspections == [] and prev.followups == []
    # the late entries of the demo are warnings (never errors)
    assert {p.severity for p in prev.problems} <= {"warning"}


def test_bulk_applies_the_same_rules_and_writes_with_history(store):
    header = (
        "task_code,entity_code,inspectors,inspected_on,result_codes,entered_on,published_on,note\n"
    )
    bulk_task = store.scalar(  # a task CHK has no part in, with at least two results to enter
        "SELECT i.task_code FROM inspections AS i JOIN tasks AS t USING (task_code)"
        " WHERE t.lead_unit <> 'CHK' AND NOT list_contains(t.partner_units, 'CHK')"
        " AND t.status <> 'voided' AND i.entered_on IS NULL"
        " GROUP BY 1 HAVING count(*) >= 2 ORDER BY 1 LIMIT 1"
    )
    pending = service.task_targets(store, bulk_task, TODAY)
    pending = pending[pending["state"] == "待录入"].reset_index(drop=True)
    assert len(pending) >= 2
    lines = []
    for i, r in enumerate(pending.itertuples()):
        codes = "1;B" if i == 0 else "1"
        team = ";".join(r.inspectors)
        day = r.inspected_on.date().isoformat()
        lines.append(f"{bulk_task},{r.entity_code},{team},{day},{codes},2026-11-27,,")
    data = (header + "\n".join(lines) + "\n").encode()
    zbks = user(store, "admin")
    prev = bulk.preview(store, zbks, [("inspections.csv", data)], today=TODAY)
    # "1" with B, and B without a follow-up (none in the store, none in the upload)
    assert [(p.row, p.column) for p in prev.errors] == [(2, "result_codes"), (2, "result_codes")]
    assert "必须同时登记后续处理" in prev.errors[1].message
    with pytest.raises(service.EntryError):
        bulk.commit(store, zbks, prev)
    good = (header + "\n".join(lines[1:]) + "\n").encode()
    prev = bulk.preview(store, zbks, [("检查结果.csv", good)], today=TODAY)
    assert prev.errors == [] and prev.counts["inspections"]["update"] == len(lines) - 1
    # a unit user outside the task is refused row by row
    refused = bulk.preview(store, user(store, "chk"), [("inspections.csv", good)], today=TODAY)
    assert {p.column for p in refused.errors} == {"task_code"}
    written = bulk.commit(store, zbks, prev)
    assert written["inspections"] == len(lines) - 1
    entity = pending["entity_code"][1]
    assert service.stored_inspection(store, bulk_task, entity)["entered_on"] == TODAY
    assert list(service.history(store, bulk_task, entity)["source"]) == ["bulk"]


def test_export_keeps_the_interchange_columns_only(store, tmp_path):
    export_store(store, tmp_path)
    header = (tmp_path / "inspections.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header == (
        "task_code,entity_code,inspectors,inspected_on,result_codes,entered_on,published_on,note"
    )
    header = (tmp_path / "followups.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert "measure_note" not in header


def _parsed(files):
    from dashboard.ingest.parse import read_source
    from dashboard.ingest.validate import parse_table

    problems = []
    raws, _, _ = read_source(files, problems)
    return {raw.table: parse_table(raw, problems) for raw in raws}


def test_import_hook_over_the_ingest_fixture_gives_only_warnings():
    """check_parsed is what dashboard.ingest's run_import should call after check_batch."""
    from pathlib import Path

    from dashboard.ingest import run_import

    mem = open_store(":memory:")
    fixture = Path(__file__).parent / "fixtures" / "interchange_small"
    assert run_import(mem, fixture, actor="t").ok
    files = [(n, (fixture / n).read_bytes()) for n in ("inspections.csv", "followups.csv")]
    found = bulk.check_parsed(mem, _parsed(files), TODAY)
    # T2's item needs 3 inspectors, its two results list 2: flagged, not refused
    assert [(p.row, p.column, p.severity) for p in found] == [
        (3, "inspectors", "warning"),
        (4, "inspectors", "warning"),
    ]
    # a result with "1" and a finding code, and B without a follow-up: refused like the form
    text = (fixture / "inspections.csv").read_text(encoding="utf-8").replace(",1,", ",1;B,")
    found = bulk.check_parsed(mem, _parsed([("inspections.csv", text.encode())]), TODAY)
    assert [(p.row, p.column) for p in found if p.severity == "error"] == [
        (3, "result_codes"),
        (3, "result_codes"),
    ]
    mem.close()


def test_an_error_the_import_already_reports_is_not_repeated(store):
    row = service.stored_inspection(store, TASK, PENDING[0])
    csv = (
        "task_code,entity_code,inspectors,inspected_on,result_codes,entered_on\n"
        f"{TASK},{PENDING[0]},{';'.join(row['inspectors'])},{row['inspected_on']},1,2020-01-02\n"
    ).encode()
    prev = bulk.preview(store, user(store, "chk"), [("inspections.csv", csv)], today=TODAY)
    assert [(p.row, p.column) for p in prev.errors] == [(2, "entered_on")]


def test_task_sheet_filled_in_a_workbook_goes_through_the_bulk_path(store):
    from dashboard.reports.safe import to_xlsx_bytes

    [entity] = make_pending(store, TASK, 1, before=TODAY)
    sheet = service.task_sheet(store, TASK)
    n_pending = int((service.task_targets(store, TASK)["state"] == "待录入").sum())
    assert list(sheet["entity_code"][:n_pending]).count(entity) == 1  # pending targets first
    assert list(sheet.columns) == [
        "task_code", "entity_code", "inspectors", "inspected_on", "result_codes", "entered_on",
        "published_on", "note",
    ]  # fmt: skip
    unchanged = bulk.preview(
        store, user(store, "chk"), [("t.xlsx", to_xlsx_bytes({"inspections": sheet}))], today=TODAY
    )
    assert unchanged.errors == [] and unchanged.inspections == []
    i = sheet.index[sheet["entity_code"] == entity][0]
    sheet.loc[i, ["result_codes", "entered_on"]] = ["1", TODAY.isoformat()]
    data = to_xlsx_bytes({"检查结果": sheet})
    prev = bulk.preview(store, user(store, "chk"), [("任务.xlsx", data)], today=TODAY)
    assert prev.errors == []
    assert prev.counts["inspections"]["update"] == 1
    assert prev.counts["inspections"]["unchanged"] == len(sheet) - 1
    assert bulk.commit(store, user(store, "chk"), prev)["inspections"] == 1
    row = service.stored_inspection(store, TASK, entity)
    assert row["entered_on"] == TODAY and row["result_codes"] == ["1"]


def test_without_a_draw_record_the_recorded_team_stands_for_the_draw(store):
    [entity] = make_pending(store, TASK, 1, before=TODAY)
    row = service.stored_inspection(store, TASK, entity)
    assert service.current_draw(store, TASK) is None  # the demo's draws ran outside the store
    ctx = service.inspection_context(store, TASK, entity)
    assert ctx.assigned == tuple(row["inspectors"]) and ctx.drawn_targets is None
    other = store.scalar(
        "SELECT inspector_code FROM inspectors WHERE unit_code = 'CHK'"
        " AND NOT list_contains(?, inspector_code) ORDER BY 1 LIMIT 1",
        [row["inspectors"]],
    )
    inp = _pending(store, entity, inspectors=(row["inspectors"][0], other))
    with pytest.raises(service.EntryError, match="人员变更原因"):
        service.save_inspection(store, user(store, "chk"), inp, today=TODAY)
    from dataclasses import replace

    inp = replace(inp, inspector_change_reason="原检查人员回避")
    assert service.save_inspection(store, user(store, "chk"), inp, today=TODAY).action == "update"


def test_followup_summary_per_unit():
    df = pd.DataFrame(
        {
            "responsible_unit": ["KCK", "KCK", "CHK", None],
            "state": ["逾期未完结", "整改中", "完结未回填（已逾期）", "整改中"],
        }
    )
    out = service.followup_summary(df, {"KCK": "矿产资源管理股", "CHK": "测绘地理信息股"})
    assert out.to_dict("records") == [
        {"unit_code": "KCK", "unit_name": "矿产资源管理股", "open": 2, "overdue": 1,
         "backfill_overdue": 0},
        {"unit_code": "", "unit_name": "", "open": 1, "overdue": 0, "backfill_overdue": 0},
        {"unit_code": "CHK", "unit_name": "测绘地理信息股", "open": 1, "overdue": 0,
         "backfill_overdue": 1},
    ]  # fmt: skip


def test_record_import_history_keeps_old_and_new_of_changed_rows_only():
    from pathlib import Path

    from dashboard.ingest import run_import
    from dashboard.ingest.validate import check_batch

    mem = open_store(":memory:")
    fixture = Path(__file__).parent / "fixtures" / "interchange_small"
    assert run_import(mem, fixture, actor="t").ok
    text = (fixture / "inspections.csv").read_text(encoding="utf-8").replace("A;2;D", "A;2")
    parsed = _parsed([("inspections.csv", text.encode())])
    problems = []
    cur = mem.cursor()
    check_batch(cur, parsed, problems)
    cur.close()
    # the entry rules over the general import: editing a published result needs a reason
    found = bulk.check_parsed(mem, parsed, TODAY, existing=problems)
    assert [(p.row, p.column) for p in found if p.severity == "error"] == [(2, None)]
    assert bulk.check_parsed(mem, parsed, TODAY, existing=problems, reason="数据导入") == [
        p for p in found if p.severity == "warning"
    ]
    with mem.transaction() as tx:
        assert bulk.record_import_history(tx, mem, "t", parsed, reason="数据导入") == 1
    # the first import recorded its new rows (3 results, 1 follow-up) through the same hook
    assert mem.scalar("SELECT count(*) FROM entry_history WHERE action = 'insert'") == 4
    hist = mem.df("SELECT * FROM entry_history WHERE action <> 'insert'")
    assert list(hist["action"]) == ["update"] and list(hist["after_publication"]) == [True]
    assert json.loads(hist["old_value"][0])["result_codes"] == ["A", "2", "D"]
    assert json.loads(hist["new_value"][0])["result_codes"] == ["A", "2"]
    assert list(hist["source"]) == ["bulk"] and list(hist["reason"]) == ["数据导入"]
    mem.close()
