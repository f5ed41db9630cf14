"""The entry rules of issue #5 — the ONE module the forms and the bulk path (import) both call.

Pure functions over plain values (no Streamlit, no SQL), each returning `Issue`s whose message is one
Chinese sentence naming the fix. `check_inspection` / `check_followup` combine them for one record;
`check_inspection_rows` / `check_followup_rows` run them over uploaded rows and return ingest
`Problem`s (file, row, column, value, message), so an import shows them like its own problems.

Rules (error unless noted):
- dates in order (inspection end ≤ entry ≤ publication; closure ≤ backfill; closure ≤ return visit) and
  not in the future; inspection end date required;
- result codes known; `1` 未发现问题 excludes every finding code; at most one status code that sets the
  entity's status (7, 9–12), which the write then applies to the entity;
- a code under A (A, 2, B, C, 6, D, 3, 4, G, 5) needs a follow-up record opened with it;
- inspectors are those the draw assigned, or the change is recorded with a reason;
- warning: fewer than max(min_inspectors, 2) inspectors (the draw itself may leave a target short of
  staff: "unstaffed"), so historical imports are not refused for it;
- an edit of a published record needs a reason (the history keeps every version);
- warnings: entry / publication after the 20-working-day deadline, backfill after the configured limit;
- warning: an inspection end date before the task's start date or before the date of the task's current
  draw (`check_inspection_start`; the 基础与质量 list of such results, quality_dated_before_inspection.sql
  with $which = 'started', is the same rule in SQL). A warning, not an error: the form shows it before
  saving and asks for a second click, an upload lists it in its preview;
- warning (forms and uploads, not the import of the office's record): a closure without a backfill date
  (the follow-up still waits for its backfill).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from typing import Any

from dashboard.domain import workdays
from dashboard.domain.codes import (
    FINDING_CODES,
    FOLLOWUP_CODES,
    FOLLOWUP_MEASURES,
    RESULT_CODES,
    REVISIT_RESULTS,
)

ERROR, WARNING = "error", "warning"

# 检查方式 offered by the form (DOMAIN.md §1 step 4); free text is accepted too.
METHODS = ("书面检查", "实地核查", "网络监测", "委托专业机构", "其他")

FIELD_LABELS = {
    "task_code": "任务编码",
    "entity_code": "主体编码",
    "inspectors": "检查人员",
    "inspected_on": "检查结束日期",
    "result_codes": "结果代码",
    "entered_on": "录入日期",
    "published_on": "公示日期",
    "methods": "检查方式",
    "reason": "修改原因",
    "inspector_change_reason": "人员变更原因",
    "measure_code": "处置措施",
    "responsible_unit": "责任单位",
    "due_on": "整改期限",
    "closed_on": "完结日期",
    "backfilled_on": "回填日期",
    "revisit_on": "回访日期",
    "revisit_result": "回访结果",
    "followup": "后续处理",
}


@dataclass(frozen=True)
class Issue:
    field: str  # the English field / column name the issue is about
    message: str  # one Chinese sentence naming the fix
    severity: str = ERROR
    value: str | None = None
    # True: the row is unusable (an unknown task, a code outside the code table), so even an import of
    # the office's record refuses it; False: a working rule, which an import stores as a warning
    structural: bool = False

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


RECORD_NOTE = "（导入的历史记录按原样保存，并在“基础与质量”等页面列出。）"


def as_record(issues: Iterable[Issue]) -> list[Issue]:
    """The issues as an import of the office's record sees them (DESIGN.md §4): a breach of a working
    rule is what happened, so it is a warning that names it; only structural faults stay errors."""
    out = []
    for issue in issues:
        if issue.is_error and not issue.structural:
            issue = replace(issue, severity=WARNING, message=issue.message + RECORD_NOTE)
        out.append(issue)
    return out


def errors(issues: Iterable[Issue]) -> list[Issue]:
    return [i for i in issues if i.is_error]


def warnings(issues: Iterable[Issue]) -> list[Issue]:
    return [i for i in issues if not i.is_error]


def _d(value: date | None) -> str:
    return value.isoformat() if value else ""


# -- records ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InspectionInput:
    """One result as a form or an uploaded row gives it."""

    task_code: str
    entity_code: str
    inspected_on: date | None
    result_codes: tuple[str, ...] = ()
    inspectors: tuple[str, ...] = ()
    entered_on: date | None = None
    published_on: date | None = None
    methods: tuple[str, ...] = ()
    item_notes: Mapping[str, str] = field(default_factory=dict)
    note: str | None = None
    inspector_change_reason: str | None = None


@dataclass(frozen=True)
class InspectionContext:
    """What the store knows about the record being written (service.inspection_context fills it)."""

    task_status: str | None = None  # None: no such task
    assigned: tuple[str, ...] | None = (
        None  # the team of the task's current draw; None: no draw record
    )
    drawn_targets: frozenset[str] | None = None  # targets of the current draw; None: no draw record
    min_inspectors: int = 2
    stored_published_on: date | None = (
        None  # the stored row's publication date (edit after publication)
    )
    exists: bool = False  # a stored row exists (this write is an edit)
    has_followup: bool = False  # a follow-up record exists or is opened with this write
    task_start_on: date | None = None  # the task's start date
    draw_date: date | None = None  # the date of the task's current draw (None: no draw record)


@dataclass(frozen=True)
class FollowupInput:
    task_code: str
    entity_code: str
    measure_code: str | None = None
    responsible_unit: str | None = None
    due_on: date | None = None
    closed_on: date | None = None
    backfilled_on: date | None = None
    revisit_on: date | None = None
    revisit_result: str | None = None
    measure_note: str | None = None


# -- single rules -----------------------------------------------------------------------------------


def check_not_future(name: str, value: date | None, today: date) -> list[Issue]:
    if value is not None and value > today:
        return [
            Issue(
                name,
                f"{FIELD_LABELS[name]}（{value.isoformat()}）晚于今天（{today.isoformat()}），"
                "不能填写将来的日期，请改正。",
                value=_d(value),
            )
        ]
    return []


def check_order(
    earlier_name: str, earlier: date | None, later_name: str, later: date | None
) -> list[Issue]:
    if earlier is not None and later is not None and later < earlier:
        return [
            Issue(
                later_name,
                f"{FIELD_LABELS[later_name]}（{later.isoformat()}）早于{FIELD_LABELS[earlier_name]}"
                f"（{earlier.isoformat()}），请改正其中一个日期。",
                value=_d(later),
            )
        ]
    return []


def check_inspection_dates(inp: InspectionInput, today: date) -> list[Issue]:
    """Inspection end date present; inspection ≤ entry ≤ publication; none in the future."""
    out: list[Issue] = []
    if inp.inspected_on is None:
        out.append(Issue("inspected_on", "请填写检查结束日期（录入期限从这一天起算）。"))
    for name in ("inspected_on", "entered_on", "published_on"):
        out += check_not_future(name, getattr(inp, name), today)
    out += check_order("inspected_on", inp.inspected_on, "entered_on", inp.entered_on)
    out += check_order("inspected_on", inp.inspected_on, "published_on", inp.published_on)
    out += check_order("entered_on", inp.entered_on, "published_on", inp.published_on)
    if inp.published_on is not None and inp.entered_on is None:
        out.append(Issue("entered_on", "已填写公示日期却没有录入日期，请先填写录入日期。"))
    return out


def inspection_before_start(
    inspected_on: date | None, task_start_on: date | None, draw_date: date | None
) -> list[tuple[str, date]]:
    """The dates an inspection end date comes before: [("任务开始日期", d), ("抽取日期", d)], each only
    when inspected_on < d. The one rule of "inspection before the task started or was drawn"."""
    if inspected_on is None:
        return []
    out = []
    for label, day in (("任务开始日期", task_start_on), ("抽取日期", draw_date)):
        if day is not None and inspected_on < day:
            out.append((label, day))
    return out


def check_inspection_start(
    inspected_on: date | None, task_start_on: date | None, draw_date: date | None
) -> list[Issue]:
    """Warning: the inspection ended before the task's start date or before its draw."""
    before = inspection_before_start(inspected_on, task_start_on, draw_date)
    if not before:
        return []
    dates = "和".join(f"{label}（{day.isoformat()}）" for label, day in before)
    return [
        Issue(
            "inspected_on",
            f"检查结束日期（{inspected_on.isoformat()}）早于{dates}，请核对检查结束日期；"
            "确实如此也可以保存，这条结果会列入“基础与质量”的“检查早于开始或抽取”清单。",
            WARNING,
            _d(inspected_on),
        )
    ]


def check_codes(codes: Sequence[str]) -> list[Issue]:
    """Known codes; `1` excludes finding codes; at most one code that sets the entity's status."""
    out: list[Issue] = []
    unknown = [c for c in codes if c not in RESULT_CODES]
    for code in unknown:
        out.append(
            Issue(
                "result_codes",
                f"结果代码“{code}”不在代码表中，请按抽查检查结果代码表（1、A–G、2–12）填写。",
                value=code,
                structural=True,
            )
        )
    findings = sorted(c for c in codes if c in FINDING_CODES)
    if "1" in codes and findings:
        out.append(
            Issue(
                "result_codes",
                f"结果代码“1 未发现问题”不能与发现问题的代码（{'、'.join(findings)}）同时选择，"
                "请去掉其中一方。",
                value=";".join(codes),
            )
        )
    setters = [c for c in codes if c in RESULT_CODES and RESULT_CODES[c].sets_status]
    statuses = {RESULT_CODES[c].sets_status for c in setters}
    if len(statuses) > 1:
        out.append(
            Issue(
                "result_codes",
                f"结果代码 {'、'.join(setters)} 会把主体状态改成不同的值，只能选择其中一个，请改正。",
                value=";".join(setters),
            )
        )
    return out


def status_from_codes(codes: Sequence[str]) -> str | None:
    """The entity status a status code implies (7 → 停业清算, 9 → 注销, …), or None."""
    for code in codes:
        rc = RESULT_CODES.get(code)
        if rc is not None and rc.sets_status:
            return rc.sets_status
    return None


def needs_followup(codes: Sequence[str]) -> bool:
    """True if a code of class finding under A (A itself included) was chosen."""
    return any(c in FOLLOWUP_CODES for c in codes)


def check_followup_opened(codes: Sequence[str], has_followup: bool) -> list[Issue]:
    if needs_followup(codes) and not has_followup:
        chosen = "、".join(c for c in codes if c in FOLLOWUP_CODES)
        return [
            Issue(
                "followup",
                f"结果代码 {chosen} 属于“A 发现问题待后续处理”，必须同时登记后续处理"
                "（处置措施、责任单位、整改期限）。",
                value=chosen,
            )
        ]
    return []


def check_inspectors(
    inspectors: Sequence[str],
    assigned: Sequence[str] | None,
    reason: str | None,
    min_inspectors: int = 2,
) -> list[Issue]:
    """The draw's team unless the change is recorded with a reason (error); fewer than
    max(min_inspectors, 2) inspectors is a warning (a draw can leave a target unstaffed)."""
    out: list[Issue] = []
    need = max(int(min_inspectors or 2), 2)
    if len(set(inspectors)) < need:
        out.append(
            Issue(
                "inspectors",
                f"每个检查对象应有至少 {need} 名检查人员，现在只有 {len(set(inspectors))} 名；"
                "请补充，或确认是抽取时人员不足（缺员）的对象。",
                WARNING,
                ";".join(inspectors),
            )
        )
    if assigned is not None and set(inspectors) != set(assigned):
        if not (reason or "").strip():
            added = sorted(set(inspectors) - set(assigned))
            removed = sorted(set(assigned) - set(inspectors))
            parts = []
            if added:
                parts.append(f"增加了 {'、'.join(added)}")
            if removed:
                parts.append(f"去掉了 {'、'.join(removed)}")
            out.append(
                Issue(
                    "inspector_change_reason",
                    f"检查人员与抽取时匹配的人员（{'、'.join(assigned)}）不一致（{'，'.join(parts)}），"
                    "请填写人员变更原因，或改回抽取匹配的人员。",
                    value=";".join(inspectors),
                )
            )
    return out


def check_edit_after_publication(
    stored_published_on: date | None, reason: str | None
) -> list[Issue]:
    if stored_published_on is not None and not (reason or "").strip():
        return [
            Issue(
                "reason",
                f"这条结果已于 {stored_published_on.isoformat()} 公示，修改必须填写修改原因"
                "（原记录保留在修改历史中）。",
            )
        ]
    return []


@lru_cache(maxsize=65536)
def _deadline(d: date, n: int, overrides_key: tuple) -> date:
    return workdays.deadline(d, n, dict(overrides_key) or None)


def _key(overrides) -> tuple:
    return tuple(sorted(overrides.items())) if overrides else ()


def entry_deadline(inspected_on: date, limit: int = 20, overrides=None) -> date:
    """The last day to enter and publish: the limit-th working day after the inspection's end
    (dashboard.domain.workdays.deadline, memoised: the bulk path asks it for thousands of rows)."""
    return _deadline(inspected_on, int(limit), _key(overrides))


def workdays_left(inspected_on: date, today: date, limit: int = 20, overrides=None) -> int:
    """Working days from today to the entry deadline (negative = that many working days overdue)."""
    return workdays.workdays_between(
        today, entry_deadline(inspected_on, limit, overrides), overrides
    )


def check_entry_timeliness(inp: InspectionInput, limit: int = 20, overrides=None) -> list[Issue]:
    """Warnings (not errors): entry or publication after the deadline — allowed, but counted late."""
    if inp.inspected_on is None:
        return []
    due = entry_deadline(inp.inspected_on, limit, overrides)
    out = []
    for name in ("entered_on", "published_on"):
        value = getattr(inp, name)
        if value is not None and value > due:
            late = workdays.workdays_between(due, value, overrides)
            out.append(
                Issue(
                    name,
                    f"{FIELD_LABELS[name]}（{value.isoformat()}）晚于 {limit} 个工作日的期限"
                    f"（{due.isoformat()}）{late} 个工作日，将计为逾期。",
                    WARNING,
                    _d(value),
                )
            )
    return out


def check_task(task_status: str | None, task_code: str) -> list[Issue]:
    if task_status is None:
        return [
            Issue(
                "task_code",
                f"抽查任务 {task_code} 不存在，请核对任务编码。",
                value=task_code,
                structural=True,
            )
        ]
    if task_status == "voided":
        return [
            Issue("task_code", f"抽查任务 {task_code} 已作废，不能再录入结果。", value=task_code)
        ]
    return []


def check_target(entity_code: str, drawn_targets: frozenset[str] | None) -> list[Issue]:
    if drawn_targets is not None and entity_code not in drawn_targets:
        return [
            Issue(
                "entity_code",
                f"{entity_code} 不在本任务抽取的检查对象名单中，只能为抽中的对象录入结果。",
                value=entity_code,
            )
        ]
    return []


def check_inspection(
    inp: InspectionInput,
    ctx: InspectionContext,
    today: date,
    *,
    limit: int = 20,
    reason: str | None = None,
    overrides=None,
    record: bool = False,
) -> list[Issue]:
    """Every entry rule for one inspection result (the form and each uploaded row). `record`: an
    import of the office's history, where working rules are warnings (as_record)."""
    out = check_task(ctx.task_status, inp.task_code)
    out += check_target(inp.entity_code, ctx.drawn_targets)
    out += check_inspection_dates(inp, today)
    out += check_inspection_start(inp.inspected_on, ctx.task_start_on, ctx.draw_date)
    out += check_codes(inp.result_codes)
    out += check_followup_opened(inp.result_codes, ctx.has_followup)
    out += check_inspectors(
        inp.inspectors, ctx.assigned, inp.inspector_change_reason, ctx.min_inspectors
    )
    if ctx.exists:
        out += check_edit_after_publication(ctx.stored_published_on, reason)
    if record:
        out = as_record(out)
    if not errors(out):
        out += check_entry_timeliness(inp, limit, overrides)
    return out


def backfill_deadline(closed_on: date, limit: int = 5, overrides=None) -> date:
    return _deadline(closed_on, int(limit), _key(overrides))


def check_followup(
    fu: FollowupInput,
    today: date,
    *,
    inspected_on: date | None = None,
    backfill_limit: int = 5,
    overrides=None,
    record: bool = False,
) -> list[Issue]:
    """Every rule for one follow-up record (measure, dates, backfill limit, return visit);
    `record` as in check_inspection."""
    out: list[Issue] = []
    if fu.measure_code is not None and fu.measure_code not in FOLLOWUP_MEASURES:
        out.append(
            Issue(
                "measure_code",
                f"处置措施“{fu.measure_code}”不在代码表中，应为 1–6 或 9。",
                value=fu.measure_code,
                structural=True,
            )
        )
    for name in ("closed_on", "backfilled_on", "revisit_on"):
        out += check_not_future(name, getattr(fu, name), today)
    out += check_order("inspected_on", inspected_on, "due_on", fu.due_on)
    out += check_order("inspected_on", inspected_on, "closed_on", fu.closed_on)
    out += check_order("closed_on", fu.closed_on, "backfilled_on", fu.backfilled_on)
    out += check_order("closed_on", fu.closed_on, "revisit_on", fu.revisit_on)
    if fu.backfilled_on is not None and fu.closed_on is None:
        out.append(Issue("closed_on", "填写回填日期前请先填写完结日期。"))
    if fu.closed_on is not None and fu.measure_code is None:
        out.append(Issue("measure_code", "完结的后续处理必须写明处置措施，请选择处置措施。"))
    out += check_revisit(fu.revisit_on, fu.revisit_result, fu.closed_on, today)
    if record:
        out = as_record(out)
    if (
        not errors(out)
        and fu.closed_on is not None
        and fu.backfilled_on is not None
        and fu.backfilled_on > backfill_deadline(fu.closed_on, backfill_limit, overrides)
    ):
        due = backfill_deadline(fu.closed_on, backfill_limit, overrides)
        late = workdays.workdays_between(due, fu.backfilled_on, overrides)
        out.append(
            Issue(
                "backfilled_on",
                f"回填日期（{fu.backfilled_on.isoformat()}）超过完结后 {backfill_limit} 个工作日的期限"
                f"（{due.isoformat()}）{late} 个工作日，允许保存，但将标记为逾期回填。",
                WARNING,
                _d(fu.backfilled_on),
            )
        )
    if not record and not errors(out) and fu.closed_on is not None and fu.backfilled_on is None:
        due = backfill_deadline(fu.closed_on, backfill_limit, overrides)
        out.append(
            Issue(
                "backfilled_on",
                f"已填写完结日期，回填日期为空：这条后续处理仍算待回填，请在回填期限（{due.isoformat()}）"
                "前回填，回填后再填写回填日期。",
                WARNING,
            )
        )
    return out


def check_revisit(
    revisit_on: date | None, result: str | None, closed_on: date | None, today: date
) -> list[Issue]:
    out: list[Issue] = []
    if result is not None and result not in REVISIT_RESULTS:
        out.append(
            Issue(
                "revisit_result",
                f"回访结果“{result}”无效，应为 整改到位、未到位 或 无法核实。",
                value=result,
                structural=True,
            )
        )
    if result is not None and revisit_on is None:
        out.append(Issue("revisit_on", "填写回访结果时必须同时填写回访日期。"))
    if revisit_on is not None and result is None:
        out.append(Issue("revisit_result", "填写回访日期时必须同时选择回访结果。"))
    if (revisit_on is not None or result is not None) and closed_on is None:
        out.append(Issue("revisit_on", "后续处理尚未完结，不能登记回访，请先登记完结。"))
    out += check_not_future("revisit_on", revisit_on, today)
    return out


# -- the bulk path (rows of the interchange tables `inspections` and `followups`) -----------------


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        import re

        return tuple(p.strip() for p in re.split(r"[;；]", value) if p.strip())
    try:
        return tuple(str(v).strip() for v in value if v is not None and str(v).strip())
    except TypeError:
        return ()


def _missing(value: Any) -> bool:
    """None, NaN, NaT or pandas NA (a list-like cell is not missing)."""
    if value is None:
        return True
    try:
        import pandas as pd

        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _as_date(value: Any) -> date | None:
    if _missing(value):
        return None
    if hasattr(value, "date") and callable(value.date):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _text(value: Any) -> str | None:
    if _missing(value):
        return None
    text = str(value).strip()
    return text or None


def _from_row(row: Mapping[str, Any], readers: Mapping[str, Callable[[Any], Any]]) -> dict:
    """The record fields an uploaded row gives: the task and entity codes, then each column of
    `readers` read by its reader."""
    out = {key: str(row.get(key) or "").strip() for key in ("task_code", "entity_code")}
    out.update({column: read(row.get(column)) for column, read in readers.items()})
    return out


_INSPECTION_READERS = {
    "inspected_on": _as_date,
    "result_codes": _as_tuple,
    "inspectors": _as_tuple,
    "entered_on": _as_date,
    "published_on": _as_date,
    "note": _text,
    "inspector_change_reason": _text,
}
_FOLLOWUP_READERS = {
    "measure_code": _text,
    "responsible_unit": _text,
    "due_on": _as_date,
    "closed_on": _as_date,
    "backfilled_on": _as_date,
    "revisit_on": _as_date,
    "revisit_result": _text,
}


def inspection_from_row(row: Mapping[str, Any]) -> InspectionInput:
    return InspectionInput(**_from_row(row, _INSPECTION_READERS))


def followup_from_row(row: Mapping[str, Any]) -> FollowupInput:
    return FollowupInput(**_from_row(row, _FOLLOWUP_READERS))


# Issue fields that are not columns of the interchange tables → the column a spreadsheet user fixes.
_COLUMN_OF = {"followup": "result_codes", "inspector_change_reason": "inspectors", "reason": None}


def _problem(file: str, rownum: int | None, issue: Issue):
    from dashboard.ingest.problems import Problem

    column = _COLUMN_OF.get(issue.field, issue.field)
    return Problem(file, rownum, column, issue.value, issue.message, issue.severity)


def check_inspection_rows(
    rows: Iterable[tuple[int | None, Mapping[str, Any]]],
    contexts: Mapping[tuple[str, str], InspectionContext],
    today: date,
    *,
    file: str = "inspections",
    limit: int = 20,
    reason: str | None = None,
    overrides=None,
    record: bool = False,
) -> list:
    """The entry rules over uploaded inspection rows: [(rownum, effective row)] → ingest Problems.

    `contexts[(task_code, entity_code)]` comes from service.inspection_contexts (store + batch).
    """
    out = []
    for rownum, row in rows:
        inp = inspection_from_row(row)
        ctx = contexts.get((inp.task_code, inp.entity_code), InspectionContext())
        for issue in check_inspection(
            inp, ctx, today, limit=limit, reason=reason, overrides=overrides, record=record
        ):
            out.append(_problem(file, rownum, issue))
    return out


def check_followup_rows(
    rows: Iterable[tuple[int | None, Mapping[str, Any]]],
    inspected: Mapping[tuple[str, str], date | None],
    today: date,
    *,
    file: str = "followups",
    backfill_limit: int = 5,
    overrides=None,
    record: bool = False,
) -> list:
    """The follow-up rules over uploaded rows: [(rownum, effective row)] → ingest Problems.

    `inspected[(task_code, entity_code)]` = the inspection's end date (from the batch or the store).
    """
    out = []
    for rownum, row in rows:
        fu = followup_from_row(row)
        for issue in check_followup(
            fu,
            today,
            inspected_on=inspected.get((fu.task_code, fu.entity_code)),
            backfill_limit=backfill_limit,
            overrides=overrides,
            record=record,
        ):
            out.append(_problem(file, rownum, issue))
    return out
