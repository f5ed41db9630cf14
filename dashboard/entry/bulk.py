"""The bulk path of issue #5: results and follow-ups by XLSX/CSV upload (interchange tables
`inspections` and `followups`), checked by the SAME rules as the forms (dashboard.entry.rules), with a
dry-run preview; the write goes through the same history + audit as a form save.

`check_parsed(store, parsed, today)` is also the hook for the general importer (dashboard.ingest): it
returns ingest `Problem`s for the entry rules over the parsed `inspections` / `followups` tables.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

import pandas as pd

from dashboard.entry import rules, service
from dashboard.entry.rules import FollowupInput, InspectionInput
from dashboard.ingest.parse import read_source
from dashboard.ingest.problems import ERROR, SEVERITY_ZH, Problem
from dashboard.ingest.validate import ParsedTable, check_batch, effective, parse_table
from dashboard.store import Store

TABLES = ("inspections", "followups")


@dataclass
class BulkPreview:
    problems: list[Problem] = field(default_factory=list)
    inspections: list[tuple[InspectionInput, dict | None]] = field(default_factory=list)
    followups: list[tuple[FollowupInput, dict | None]] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    reason: str | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def date_warnings(self) -> list[Problem]:
        """The warnings of rules.check_inspection_start (an inspection that ended before its task's
        start or its draw): the only warnings about the inspection end date (its other rules are
        errors on this path)."""
        return [p for p in self.problems if p.severity != ERROR and p.column == "inspected_on"]

    def problems_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "severity": SEVERITY_ZH.get(p.severity, p.severity),
                    "file": p.file,
                    "row": p.row,
                    "column": p.column,
                    "value": p.value,
                    "message": p.message,
                }
                for p in self.problems
            ],
            columns=["severity", "file", "row", "column", "value", "message"],
        )

    def counts_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [{"table": t, **c} for t, c in self.counts.items()],
            columns=["table", "insert", "update", "unchanged"],
        )


def _inspection_input(stored: dict | None, merged: dict, reason: str | None) -> InspectionInput:
    """The row as the form would give it: the stored form-only fields (methods, notes) are kept."""
    base = rules.inspection_from_row(merged)
    extra = stored or {}
    notes = extra.get("item_notes")
    return replace(
        base,
        methods=tuple(extra.get("methods") or ()),
        item_notes=json.loads(notes) if notes else {},
        inspector_change_reason=extra.get("inspector_change_reason") or reason,
    )


def _inspection_changed(inp: InspectionInput, old: dict | None) -> bool:
    if old is None:
        return True
    new = {
        "inspectors": list(inp.inspectors),
        "inspected_on": inp.inspected_on,
        "result_codes": list(inp.result_codes),
        "entered_on": inp.entered_on,
        "published_on": inp.published_on,
        "note": inp.note,
    }
    return bool(service._changed(old, new))


def _count(collect: BulkPreview | None, table: str, old: dict | None, changed: bool) -> None:
    if collect is not None:
        c = collect.counts.setdefault(table, {"insert": 0, "update": 0, "unchanged": 0})
        c["insert" if old is None else "update" if changed else "unchanged"] += 1


def _add_batch_tasks(store: Store, parsed: dict[str, ParsedTable], batch) -> None:
    """Tasks (and items) imported in the same upload count as known, with their new values."""
    tasks = parsed.get("tasks")
    if tasks is None:
        return
    need = dict(store.rows("SELECT item_code, min_inspectors FROM items"))
    items = parsed.get("items")
    if items is not None:
        for row in items.rows:
            if row.ok:
                merged = effective(items, row)
                need[merged["item_code"]] = merged["min_inspectors"]
    for row in tasks.rows:
        if not row.ok:
            continue
        m = effective(tasks, row)
        codes = list(m.get("item_codes") or [])
        batch.tasks[m["task_code"]] = {
            "status": m.get("status") or "planned",
            "units": [m["lead_unit"], *(m.get("partner_units") or [])],
            "min_inspectors": max([int(need.get(c) or 2) for c in codes] + [2]),
            "start_on": m.get("start_on"),
        }


def check_parsed(
    store: Store,
    parsed: dict[str, ParsedTable],
    today: date,
    *,
    reason: str | None = None,
    user=None,
    collect: BulkPreview | None = None,
    existing: list[Problem] | None = None,
    record: bool = False,
) -> list[Problem]:
    """The entry rules over the parsed `inspections` and `followups` tables of an upload. Every row
    with a usable key is judged, also one with a cell error elsewhere, so one pass reports every
    problem (DESIGN.md §4). Unchanged rows pass the edit-after-publication rule. With `user`, rows
    of tasks the user may not write are refused. `existing`: problems already found (the import's
    own checks); an entry rule about a cell that already has an error is not repeated.
    `record`: an import of the office's history (run_import), where working rules are warnings;
    the entry page's bulk upload makes new entries and keeps them as errors.
    This is the hook for dashboard.ingest.importer.run_import (after check_batch)."""
    lim = service.limits(store)
    ov = service.overrides(store)
    out: list[Problem] = []
    insp, fus = parsed.get("inspections"), parsed.get("followups")
    insp_rows = [(r.rownum, effective(insp, r)) for r in _keyed(insp)] if insp else []
    fu_rows = [(r.rownum, effective(fus, r)) for r in _keyed(fus)] if fus else []
    fu_keys = {(str(m["task_code"]), str(m["entity_code"])) for _, m in fu_rows}
    insp_keys = {(str(m["task_code"]), str(m["entity_code"])) for _, m in insp_rows}
    batch = service.load_batch(store, insp_keys, fu_keys)
    _add_batch_tasks(store, parsed, batch)

    def units_of(task_code: str, extra: str | None = None) -> list[str]:
        task = batch.tasks.get(task_code)
        units = list(task["units"]) if task else []
        return [extra, *units] if extra else units

    inspected: dict[tuple[str, str], date | None] = {
        k: service._date(v["inspected_on"]) for k, v in batch.inspections.items()
    }
    for rownum, merged in insp_rows:
        key = (str(merged["task_code"]), str(merged["entity_code"]))
        old = batch.inspections.get(key)
        inp = _inspection_input(old, merged, reason)
        inspected[key] = inp.inspected_on
        if user is not None and not service.can_write_task(user, units_of(inp.task_code)):
            out.append(
                Problem(
                    insp.file,
                    rownum,
                    "task_code",
                    inp.task_code,
                    f"您没有为任务 {inp.task_code} 录入的权限，只能录入本单位牵头或配合的任务。",
                )
            )
            continue
        changed = _inspection_changed(inp, old)
        ctx = batch.context(key, followup_given=key in fu_keys)
        if not changed:
            ctx = replace(ctx, exists=False)
        out += rules.check_inspection_rows(
            [(rownum, merged | {"inspector_change_reason": inp.inspector_change_reason})],
            {key: ctx},
            today,
            file=insp.file,
            limit=lim["entry_limit"],
            reason=reason,
            overrides=ov,
            record=record,
        )
        if collect is not None and changed:
            collect.inspections.append((inp, old))
        _count(collect, "inspections", old, changed)
    for rownum, merged in fu_rows:
        fu = rules.followup_from_row(merged)
        key = (fu.task_code, fu.entity_code)
        old = batch.followups.get(key)
        fu = replace(fu, measure_note=(old or {}).get("measure_note"))
        if user is not None and not service.can_write_task(
            user, units_of(fu.task_code, fu.responsible_unit)
        ):
            out.append(
                Problem(
                    fus.file,
                    rownum,
                    "task_code",
                    fu.task_code,
                    f"您没有登记任务 {fu.task_code} 后续处理的权限。",
                )
            )
            continue
        out += rules.check_followup_rows(
            [(rownum, merged)],
            inspected,
            today,
            file=fus.file,
            backfill_limit=lim["backfill_limit"],
            overrides=ov,
            record=record,
        )
        new = {c: getattr(fu, c) for c in service.FOLLOWUP_COLUMNS}
        changed = old is None or bool(service._changed(old, new))
        if collect is not None and changed:
            collect.followups.append((fu, old))
        _count(collect, "followups", old, changed)
    if existing:  # one cause, one message: a cell the import already refuses gets no more problems
        taken = {(p.file, p.row, p.column) for p in existing if p.severity == ERROR}
        out = [p for p in out if (p.file, p.row, p.column) not in taken]
    return out


def _keyed(table: ParsedTable):
    """The rows whose key is usable (a row with a bad key has only its own error to show)."""
    key = set(table.spec.key)
    return [r for r in table.rows if not r.bad.intersection(key)]


def record_import_history(
    cur, store: Store, actor: str, parsed: dict[str, ParsedTable], *, reason: str | None = None
) -> int:
    """For the general importer, inside its write transaction: append the old and new version of
    every inspection / follow-up row the import adds or changes to `entry_history` (source 'bulk'),
    so an import never overwrites a result silently. Needs check_batch to have loaded the stored rows
    (ParsedTable.stored). Returns the number of history rows written."""
    written = 0
    for name in TABLES:
        table = parsed.get(name)
        if table is None:
            continue
        for row in table.rows:
            if not row.ok:
                continue
            key = row.key(table.spec)
            old = table.stored.get(key)
            new = effective(table, row)
            if old is not None and not service._changed(
                {c: old[c] for c in table.present}, {c: new[c] for c in table.present}
            ):
                continue
            published = (
                name == "inspections" and old is not None and old.get("published_on") is not None
            )
            service._history(
                cur, store, actor, name, (str(key[0]), str(key[1])),
                "update" if old is not None else "insert", old, new,
                published=published, reason=reason, source="bulk",
            )  # fmt: skip
            written += 1
    return written


def preview(
    store: Store,
    user,
    files: list[tuple[str, bytes]],
    *,
    today: date | None = None,
    reason: str | None = None,
) -> BulkPreview:
    """Dry run: parse, the import's own checks, then the entry rules; nothing is written."""
    today = today or date.today()
    reason = (reason or "").strip() or None
    result = BulkPreview(reason=reason)
    raws, _source, unreadable = read_source(files, result.problems)
    parsed: dict[str, ParsedTable] = {}
    for raw in raws:
        if raw.table not in TABLES:
            result.problems.append(
                Problem(
                    raw.file,
                    None,
                    None,
                    raw.table,
                    "批量录入只接受“检查结果”（inspections）和“后续处理”（followups）两张表，"
                    "其他表请到“数据管理”页面导入。",
                )
            )
            continue
        table = parse_table(raw, result.problems)
        if table is None:
            unreadable.add(raw.table)
        else:
            parsed[raw.table] = table
    if not raws and not result.problems:
        result.problems.append(
            Problem("上传", None, None, None, "没有读到任何表，请上传检查结果或后续处理表。")
        )
    cur = store.cursor()
    try:
        check_batch(cur, parsed, result.problems, unjudged=unreadable)
    finally:
        cur.close()
    result.problems += check_parsed(
        store, parsed, today, reason=reason, user=user, collect=result, existing=result.problems
    )
    return result


def _refuse_if_stale(store: Store, prev: BulkPreview) -> None:
    """EntryError when a record of the preview was written by someone else since it was checked
    (a form save, an import): its rules were judged, and its history would record, stale values."""
    for table, columns, pairs in (
        ("inspections", service.INSPECTION_COLUMNS, prev.inspections),
        ("followups", service.FOLLOWUP_COLUMNS, prev.followups),
    ):
        keys = [(x.task_code, x.entity_code) for x, _ in pairs]
        now = service._rows_for_keys(store, table, columns, keys)
        for (_, old), key in zip(pairs, keys, strict=True):
            if now.get(key) != old:
                raise service.EntryError(
                    f"预览之后记录 {key[0]}/{key[1]} 已被修改（如他人在录入页保存或导入），"
                    "未写入任何数据，请重新上传文件预览后再确认写入。"
                )


def commit(store: Store, user, prev: BulkPreview, *, now: datetime | None = None) -> dict[str, Any]:
    """Write a preview without errors in one transaction (history + audit per record)."""
    if not prev.ok:
        raise service.EntryError(
            f"发现 {len(prev.errors)} 个错误，未写入任何数据，请改正后重新上传。"
        )
    now = now or datetime.now()
    actor = user.username
    written = {"inspections": 0, "followups": 0, "entity_status": 0}
    with store.transaction(raise_as=service.EntryError) as cur:
        _refuse_if_stale(
            store, prev
        )  # under the write lock: the rows checked are the rows replaced
        for inp, old in prev.inspections:
            action, _ = service._write_inspection(
                cur, store, actor, inp, old, reason=prev.reason, source="bulk", now=now
            )
            if action != "unchanged":
                written["inspections"] += 1
            if service._apply_status(
                cur, store, actor, inp.entity_code, inp.result_codes,
                f"{inp.task_code}/{inp.entity_code}",
            ):  # fmt: skip
                written["entity_status"] += 1
        for fu, old in prev.followups:
            action, _ = service._write_followup(
                cur, store, actor, fu, old, reason=prev.reason, source="bulk"
            )
            if action != "unchanged":
                written["followups"] += 1
        store.audit(
            cur,
            actor,
            "entry.bulk",
            table_name="inspections",
            new_value=written,
            detail=prev.reason,
        )
    return written
