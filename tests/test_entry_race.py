"""Issue 13 point 2: result entry re-reads and re-checks under the write lock, inside the transaction.

The race of the review: a form saved without a reason while another save published the same record.
The rule "editing a published record needs a reason" was checked before the lock, so the first save
silently un-published the record, and its history recorded stale old values (a gap in the history).
Here the publication is made to land exactly between the first save's check and its write.
"""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from datetime import date

import pytest

from dashboard.auth import get_user
from dashboard.entry import bulk, rules, service
from dashboard.entry.rules import InspectionInput
from dashboard.store import close_store, open_store
from tests.browser_util import copy_demo_store
from tests.test_entry_support import chk_task, make_pending

TODAY = date(2026, 11, 27)


@pytest.fixture(scope="module")
def env(demo_store, demo_db_path, tmp_path_factory):
    path = copy_demo_store(demo_store, demo_db_path, tmp_path_factory.mktemp("race") / "r.duckdb")
    s = open_store(path)
    task = chk_task(s)
    pending = make_pending(s, task, 3, before=TODAY)
    yield s, task, pending
    close_store(path)


def _inp(store, task, entity, **kw) -> InspectionInput:
    row = service.stored_inspection(store, task, entity)
    base = dict(
        task_code=task,
        entity_code=entity,
        inspected_on=row["inspected_on"],
        result_codes=("1",),
        inspectors=tuple(row["inspectors"]),
        entered_on=TODAY,
        methods=("实地核查",),
    )
    base.update(kw)
    return InspectionInput(**base)


def _history_is_continuous(store, task, entity) -> None:
    """Each history row's old value is the previous row's new value: nothing replaced unseen, and no
    published record un-published without a reason."""
    hist = service.history(store, task, entity)
    previous = None
    for old, new, reason in zip(hist["old_value"], hist["new_value"], hist["reason"], strict=True):
        old = json.loads(old) if isinstance(old, str) else None
        new = json.loads(new)
        if previous is not None:
            assert old == previous, "history records a stale old value"
        if old and old.get("published_on") and not new.get("published_on"):
            assert reason, "a publication was removed without a reason"
        previous = new


def test_a_publication_landing_between_check_and_write_is_seen(env, monkeypatch):
    store, task, pending = env
    entity = pending[0]
    chk = get_user(store, "chk")
    service.save_inspection(store, chk, _inp(store, task, entity), today=TODAY)  # entered
    form = _inp(store, task, entity, note="只改备注，没写原因")  # filled in while unpublished
    publish = _inp(store, task, entity, published_on=TODAY)

    real_check = rules.check_inspection
    fired = threading.Event()
    other: dict = {}

    def check_then_race(inp, *args, **kwargs):
        if not fired.is_set() and inp.note == form.note:
            fired.set()

            def publisher():
                try:
                    service.save_inspection(store, chk, publish, today=TODAY)
                    other["ok"] = True
                except Exception as exc:  # noqa: BLE001
                    other["error"] = exc

            worker = threading.Thread(target=publisher)
            worker.start()
            # checked outside the write lock (the old code): the publication commits right here;
            # under the lock it must wait until this save has committed
            if not store._write_lock._is_owned():
                worker.join(30)
            other["thread"] = worker
        return real_check(inp, *args, **kwargs)

    monkeypatch.setattr(rules, "check_inspection", check_then_race)
    try:
        service.save_inspection(store, chk, form, today=TODAY)
    except service.EntryError as exc:  # acceptable: the publication was seen, a reason is needed
        assert "公示" in str(exc)
    other["thread"].join(30)
    assert other.get("ok"), other.get("error")
    row = service.stored_inspection(store, task, entity)
    assert row["published_on"] is not None, "the publication was silently removed"
    _history_is_continuous(store, task, entity)
    # audit rows say what they replaced: the last one's old values match the history
    audit = store.df(
        "SELECT old_value FROM audit_log WHERE action = 'inspection.update' AND record_key = ?"
        " ORDER BY audit_id",
        [f"{task}/{entity}"],
    )
    hist = service.history(store, task, entity)
    last_old = json.loads(hist["old_value"].iloc[-1])
    for column, value in json.loads(audit["old_value"].iloc[-1]).items():
        assert last_old[column] == value


def test_editing_a_published_record_without_reason_is_refused_even_if_the_form_was_older(env):
    store, task, pending = env
    entity = pending[1]
    chk = get_user(store, "chk")
    service.save_inspection(store, chk, _inp(store, task, entity), today=TODAY)
    stale_form = _inp(store, task, entity, note="旧表单")
    service.save_inspection(
        store, chk, replace(stale_form, note=None, published_on=TODAY), today=TODAY
    )
    with pytest.raises(service.EntryError, match="公示"):
        service.save_inspection(store, chk, stale_form, today=TODAY)
    assert service.stored_inspection(store, task, entity)["published_on"] is not None
    _history_is_continuous(store, task, entity)


def test_bulk_commit_refuses_a_preview_whose_rows_changed_since(env):
    store, task, pending = env
    entity = pending[2]
    chk = get_user(store, "chk")
    sheet = service.task_sheet(store, task)
    sheet = sheet[sheet["entity_code"] == entity].copy()
    sheet["result_codes"] = "1"
    sheet["entered_on"] = TODAY.isoformat()
    data = sheet.to_csv(index=False).encode("utf-8")
    prev = bulk.preview(store, chk, [("inspections.csv", data)], today=TODAY)
    assert prev.ok, prev.problems_frame()
    # meanwhile the record is saved from the form (and published)
    service.save_inspection(store, chk, _inp(store, task, entity, published_on=TODAY), today=TODAY)
    before = service.history(store, task, entity)
    with pytest.raises(service.EntryError, match="已被修改"):
        bulk.commit(store, chk, prev)
    assert len(service.history(store, task, entity)) == len(before)
    assert service.stored_inspection(store, task, entity)["published_on"] is not None
