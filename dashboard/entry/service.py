"""Entry writes (issue #5): results, follow-ups, return visits — validated by `rules`, audited, with history.

Every write: permission (User.can_write_unit on the task's units), the rules of `dashboard.entry.rules`,
then ONE transaction that writes the row, appends the old and new versions to `entry_history`, applies
the consequences (entity status from a status code, the follow-up an A-class code opens) and writes an
audit entry for each change (who, when, what, old and new value). Nothing here imports streamlit.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from typing import Any

import pandas as pd

from dashboard import config
from dashboard.domain import workdays
from dashboard.domain.codes import RESULT_CODES
from dashboard.entry import rules
from dashboard.entry.rules import (
    FollowupInput,
    InspectionContext,
    InspectionInput,
    Issue,
)
from dashboard.store import Store
from dashboard.store.calendar import load_overrides
from dashboard.store.lookups import item_names, unit_names  # noqa: F401 - the entry pages read names here

INSPECTION_COLUMNS = (
    "task_code",
    "entity_code",
    "inspectors",
    "inspected_on",
    "result_codes",
    "entered_on",
    "published_on",
    "note",
    "methods",
    "item_notes",
    "inspector_change_reason",
    "entered_by",
    "entered_at",
)
FOLLOWUP_COLUMNS = (
    "task_code",
    "entity_code",
    "measure_code",
    "responsible_unit",
    "due_on",
    "closed_on",
    "backfilled_on",
    "revisit_on",
    "revisit_result",
    "measure_note",
)


class EntryError(Exception):
    """A write refused: str(e) is one Chinese sentence; `issues` lists every rule that failed."""

    def __init__(self, message: str, issues: list[Issue] | None = None):
        super().__init__(message)
        self.issues = list(issues or [])


@dataclass
class SaveResult:
    action: str  # "insert" | "update" | "unchanged"
    warnings: list[Issue] = field(default_factory=list)
    entity_status: tuple[str, str] | None = None  # (old, new) when a status code changed it
    followup_opened: bool = False


def limits(store: Store) -> dict[str, int]:
    return {
        "entry_limit": int(config.get_setting(store, "entry_limit_workdays")),
        "backfill_limit": int(config.get_setting(store, "backfill_limit_workdays")),
    }


def overrides(store: Store) -> dict[date, bool]:
    return load_overrides(store)


# -- permission ----------------------------------------------------------------------------------


def task_units(store: Store, task_code: str) -> list[str] | None:
    row = store.rows("SELECT lead_unit, partner_units FROM tasks WHERE task_code = ?", [task_code])
    if not row:
        return None
    lead, partners = row[0]
    return [lead, *(partners or [])]


def can_write_task(user, units: list[str] | None) -> bool:
    return bool(user is not None and units and any(user.can_write_unit(u) for u in units))


def _require_task(store: Store, user, task_code: str) -> list[str]:
    units = task_units(store, task_code)
    if units is None:
        raise EntryError(f"抽查任务 {task_code} 不存在，请核对任务编码。")
    if not can_write_task(user, units):
        raise EntryError(
            f"您没有为任务 {task_code} 录入的权限：只有牵头或配合单位（{'、'.join(units)}）"
            "的单位用户和办公室管理员可以录入。"
        )
    return units


# -- reading ------------------------------------------------------------------------------------


def writable_tasks(store: Store, user) -> pd.DataFrame:
    """Tasks (not voided, already drawn) whose lead or partner unit the user may write, newest first."""
    df = store.df(
        """
        SELECT t.task_code, t.task_name, t.lead_unit, t.partner_units, t.item_codes, t.status,
               t.start_on, t.end_on,
               (SELECT count(*) FROM inspections AS i WHERE i.task_code = t.task_code) AS results
        FROM tasks AS t
        WHERE t.status IN ('drawn', 'in_progress', 'done')
        ORDER BY t.start_on DESC NULLS LAST, t.task_code DESC
        """
    )
    if df.empty or user is None:
        return df.iloc[0:0]
    keep = [
        can_write_task(user, [lead, *list(partners)])
        for lead, partners in zip(df["lead_unit"], df["partner_units"], strict=True)
    ]
    return df[keep].reset_index(drop=True)


def current_draw(store: Store, task_code: str) -> str | None:
    """The task's draw that no later draw supersedes (None: never drawn in this store)."""
    return store.scalar(
        """
        SELECT d.draw_id FROM draws AS d
        WHERE d.kind = 'task' AND d.task_code = ?
          AND NOT EXISTS (SELECT 1 FROM draws AS s WHERE s.supersedes = d.draw_id)
        ORDER BY d.chain_pos DESC LIMIT 1
        """,
        [task_code],
    )


TARGET_COLUMNS = [
    "entity_code",
    "name",
    "state",
    "assigned",
    "inspectors",
    "inspected_on",
    "result_codes",
    "entered_on",
    "published_on",
    "deadline",
    "workdays_left",
]


def task_targets(store: Store, task_code: str, today: date | None = None) -> pd.DataFrame:
    """The task's targets (the current draw's selections, plus entities that already have a result):
    entity, assigned team, dates, state (待录入/已录入/已公示), entry deadline and working days left.

    One query joins the draw's selections, the results and the names; the rules' Python runs once per
    inspection day, not per target (issue 17: a province's task has ≈ 500,000 targets)."""
    today = today or date.today()
    draw_id = current_draw(store, task_code)
    cur = store.cursor()
    try:
        table = cur.sql(
            """
            WITH sel AS (
                SELECT entity_code, inspector_codes FROM draw_selections WHERE draw_id = $draw
            ),
            res AS (
                SELECT entity_code, inspectors, inspected_on, result_codes, entered_on, published_on
                FROM inspections WHERE task_code = $task
            )
            SELECT
                coalesce(r.entity_code, s.entity_code) AS entity_code,
                e.name,
                CASE WHEN r.published_on IS NOT NULL THEN '已公示'
                    WHEN r.entered_on IS NOT NULL THEN '已录入' ELSE '待录入' END AS state,
                CASE WHEN $has_draw THEN coalesce(s.inspector_codes, [])
                    ELSE coalesce(r.inspectors, []) END AS assigned,
                CASE WHEN r.entity_code IS NOT NULL THEN coalesce(r.inspectors, [])
                    ELSE coalesce(s.inspector_codes, []) END AS inspectors,
                r.inspected_on,
                coalesce(r.result_codes, []) AS result_codes,
                r.entered_on,
                r.published_on
            FROM res AS r
            FULL JOIN sel AS s ON s.entity_code = r.entity_code
            LEFT JOIN entities AS e ON e.entity_code = coalesce(r.entity_code, s.entity_code)
            ORDER BY 1
            """,
            params={"draw": draw_id or "", "task": task_code, "has_draw": draw_id is not None},
        ).to_arrow_table()
    finally:
        cur.close()
    if table.num_rows == 0:  # no draw and no result yet: the empty list with the list's own types
        df = pd.DataFrame(columns=TARGET_COLUMNS)
        for col in ("inspected_on", "entered_on", "published_on", "deadline"):
            df[col] = pd.to_datetime(df[col])
        df["workdays_left"] = df["workdays_left"].astype("Int64")
        return df
    lists = ("assigned", "inspectors", "result_codes")
    df = table.drop_columns(list(lists)).to_pandas()
    for col in lists:  # Python lists, as the entry forms and the task sheet expect
        df[col] = table.column(col).to_pylist()
    for col in ("inspected_on", "entered_on", "published_on"):
        df[col] = pd.to_datetime(df[col])
    limit = limits(store)["entry_limit"]
    ov = overrides(store)
    days = {d.date() for d in df["inspected_on"].dropna().unique()}
    deadline_of = {d: rules.entry_deadline(d, limit, ov) for d in days}  # one per day
    left_of = workdays.workdays_from(today, deadline_of.values(), ov)
    inspected = df["inspected_on"].dt.date
    deadline = inspected.map(deadline_of)
    df["deadline"] = pd.to_datetime(deadline)
    left = deadline.map(left_of).where(df["published_on"].isna())
    df["workdays_left"] = pd.array(left.astype("Float64"), dtype="Int64")
    return df[TARGET_COLUMNS].reset_index(drop=True)


def target_labels(targets: pd.DataFrame) -> dict[str, str]:
    """entity code → "code name · state", the 检查对象 picker's labels, built column-wise (a province's
    task lists ≈ 500,000 targets)."""
    text = targets["entity_code"] + " " + targets["name"].fillna("") + " · " + targets["state"]
    return dict(zip(targets["entity_code"], text, strict=True))


def _date(value: Any) -> date | None:
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value


def stored_inspection(store: Store, task_code: str, entity_code: str) -> dict | None:
    cols = ", ".join(INSPECTION_COLUMNS)
    rows = store.rows(
        f"SELECT {cols} FROM inspections WHERE task_code = ? AND entity_code = ?",
        [task_code, entity_code],
    )
    return dict(zip(INSPECTION_COLUMNS, rows[0], strict=True)) if rows else None


def stored_followup(store: Store, task_code: str, entity_code: str) -> dict | None:
    cols = ", ".join(FOLLOWUP_COLUMNS)
    rows = store.rows(
        f"SELECT {cols} FROM followups WHERE task_code = ? AND entity_code = ?",
        [task_code, entity_code],
    )
    return dict(zip(FOLLOWUP_COLUMNS, rows[0], strict=True)) if rows else None


@dataclass
class Batch:
    """What the store knows about a set of (task_code, entity_code) keys, read in a few queries (the
    bulk path checks thousands of rows; the form path uses the same code for one key).

    The assigned team of a target is the team of the task's current draw; a store without the draw
    record (the draw was run on the provincial platform and imported) has the team recorded with the
    target's row, which then stands for it: changing it needs a reason either way."""

    tasks: dict[str, dict] = field(default_factory=dict)  # status, units, min_inspectors, start_on
    teams: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # tasks with a draw only
    draw_dates: dict[str, date] = field(default_factory=dict)  # the current draw's date, by task
    inspections: dict[tuple[str, str], dict] = field(default_factory=dict)
    followups: dict[tuple[str, str], dict] = field(default_factory=dict)

    def context(self, key: tuple[str, str], *, followup_given: bool = False) -> InspectionContext:
        task = self.tasks.get(key[0])
        teams = self.teams.get(key[0])
        stored = self.inspections.get(key)
        if teams is not None:
            assigned = tuple(teams[key[1]]) if key[1] in teams else None
        else:  # no draw record in this store: the team recorded with the target stands for it
            assigned = tuple(stored["inspectors"]) if stored and stored["inspectors"] else None
        return InspectionContext(
            task_status=task["status"] if task else None,
            assigned=assigned,
            drawn_targets=frozenset(teams) if teams is not None else None,
            min_inspectors=task["min_inspectors"] if task else 2,
            stored_published_on=_date(stored["published_on"]) if stored else None,
            exists=stored is not None,
            has_followup=followup_given or key in self.followups,
            task_start_on=_date(task.get("start_on")) if task else None,
            draw_date=self.draw_dates.get(key[0]),
        )


def _rows_for_keys(store: Store, table: str, columns: tuple[str, ...], keys) -> dict:
    import pyarrow as pa

    keys = sorted(set(keys))
    if not keys:
        return {}
    arrow = pa.table(
        {"task_code": [k[0] for k in keys], "entity_code": [k[1] for k in keys]},
        schema=pa.schema([("task_code", pa.string()), ("entity_code", pa.string())]),
    )
    cur = store.cursor()
    try:
        cur.register("entry_keys", arrow)
        cols = ", ".join(f"x.{c}" for c in columns)
        rows = cur.execute(
            f"SELECT {cols} FROM {table} AS x JOIN entry_keys USING (task_code, entity_code)"
        ).fetchall()
        cur.unregister("entry_keys")
    finally:
        cur.close()
    return {(r[0], r[1]): dict(zip(columns, r, strict=True)) for r in rows}


def load_batch(store: Store, keys, followup_keys=()) -> Batch:
    keys = {(str(a), str(b)) for a, b in keys} | {(str(a), str(b)) for a, b in followup_keys}
    codes = sorted({k[0] for k in keys}) or [""]
    batch = Batch()
    for code, status, lead, partners, need, start_on in store.rows(
        """
        SELECT t.task_code, t.status, t.lead_unit, t.partner_units,
               (SELECT max(it.min_inspectors) FROM items AS it
                WHERE list_contains(t.item_codes, it.item_code)),
               t.start_on
        FROM tasks AS t WHERE list_contains(?, t.task_code)
        """,
        [codes],
    ):
        batch.tasks[code] = {
            "status": status,
            "units": [lead, *(partners or [])],
            "min_inspectors": max(int(need or 2), 2),
            "start_on": start_on,
        }
    current = store.rows(
        """
        SELECT d.task_code, d.draw_id, d.draw_date FROM draws AS d
        WHERE d.kind = 'task' AND list_contains(?, d.task_code)
          AND NOT EXISTS (SELECT 1 FROM draws AS s WHERE s.supersedes = d.draw_id)
        QUALIFY row_number() OVER (PARTITION BY d.task_code ORDER BY d.chain_pos DESC) = 1
        """,
        [codes],
    )
    for task_code, _, draw_date in current:
        batch.teams[task_code] = {}
        batch.draw_dates[task_code] = _date(draw_date)
    for task_code, entity, team in store.rows(
        """
        SELECT d.task_code, s.entity_code, s.inspector_codes
        FROM draw_selections AS s JOIN draws AS d USING (draw_id)
        WHERE list_contains(?, s.draw_id)
        """,
        [[d for _, d, _ in current] or [""]],
    ):
        batch.teams[task_code][entity] = list(team or [])
    batch.inspections = _rows_for_keys(store, "inspections", INSPECTION_COLUMNS, keys)
    batch.followups = _rows_for_keys(store, "followups", FOLLOWUP_COLUMNS, keys)
    return batch


def inspection_context(
    store: Store, task_code: str, entity_code: str, *, followup_given: bool = False
) -> InspectionContext:
    key = (task_code, entity_code)
    return load_batch(store, [key]).context(key, followup_given=followup_given)


# -- writing ------------------------------------------------------------------------------------


def _jsonable(row: dict | None) -> dict | None:
    if row is None:
        return None
    out = {}
    for k, v in row.items():
        if isinstance(v, datetime | date):
            out[k] = v.isoformat()
        elif isinstance(v, tuple):
            out[k] = list(v)
        else:
            out[k] = v
    return out


def _history(cur, store, actor, table, key, action, old, new, *, published, reason, source):
    cur.execute(
        "INSERT INTO entry_history (actor, table_name, task_code, entity_code, action,"
        " after_publication, reason, old_value, new_value, source)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            actor,
            table,
            key[0],
            key[1],
            action,
            bool(published),
            reason,
            json.dumps(_jsonable(old), ensure_ascii=False, sort_keys=True) if old else None,
            json.dumps(_jsonable(new), ensure_ascii=False, sort_keys=True),
            source,
        ],
    )


def _changed(old: dict | None, new: dict, ignore=("entered_by", "entered_at")) -> dict:
    """{column: (old, new)} of the columns that differ."""
    out = {}
    for k, v in new.items():
        if k in ignore:
            continue
        before = old.get(k) if old else None
        if isinstance(before, tuple):
            before = list(before)
        after = list(v) if isinstance(v, tuple) else v
        if _date(before) != _date(after) if k.endswith("_on") else before != after:
            out[k] = (before, after)
    return out


def _upsert(cur, table: str, columns: tuple[str, ...], row: dict) -> None:
    cols = ", ".join(columns)
    marks = ", ".join("?" for _ in columns)
    others = ", ".join(
        f"{c} = excluded.{c}" for c in columns if c not in ("task_code", "entity_code")
    )
    cur.execute(
        f"INSERT INTO {table} ({cols}) VALUES ({marks})"
        f" ON CONFLICT (task_code, entity_code) DO UPDATE SET {others}",
        [row[c] for c in columns],
    )


def inspection_row(inp: InspectionInput, old: dict | None, actor: str, now: datetime) -> dict:
    """The stored row a write of `inp` produces (who entered it first and when are kept)."""
    return {
        "task_code": inp.task_code,
        "entity_code": inp.entity_code,
        "inspectors": list(inp.inspectors),
        "inspected_on": inp.inspected_on,
        "result_codes": list(inp.result_codes),
        "entered_on": inp.entered_on,
        "published_on": inp.published_on,
        "note": inp.note,
        "methods": list(inp.methods),
        "item_notes": json.dumps(dict(inp.item_notes), ensure_ascii=False, sort_keys=True)
        if inp.item_notes
        else None,
        "inspector_change_reason": inp.inspector_change_reason,
        "entered_by": (old or {}).get("entered_by") or actor,
        "entered_at": (old or {}).get("entered_at") or now,
    }


def _write_row(
    cur,
    store: Store,
    actor: str,
    table: str,
    columns: tuple[str, ...],
    new: dict,
    old: dict | None,
    *,
    published: bool,
    reason: str | None,
    source: str,
    detail: str | None,
) -> tuple[str, dict]:
    """Upsert one inspection or follow-up row with its history and audit (`inspection.insert`,
    `followup.update`, …); ("unchanged", {}) when an existing row would not change."""
    changes = _changed(old, new)
    if old is not None and not changes:
        return "unchanged", {}
    action = "update" if old is not None else "insert"
    _upsert(cur, table, columns, new)
    key = (new["task_code"], new["entity_code"])
    _history(
        cur, store, actor, table, key, action, old, new,
        published=published, reason=reason, source=source,
    )  # fmt: skip
    store.audit(
        cur,
        actor,
        f"{table.removesuffix('s')}.{action}",
        table_name=table,
        record_key=f"{key[0]}/{key[1]}",
        old_value=_jsonable({k: v[0] for k, v in changes.items()}) if old else None,
        new_value=_jsonable({k: v[1] for k, v in changes.items()}),
        detail=detail,
    )
    return action, changes


def _write_inspection(
    cur,
    store: Store,
    actor: str,
    inp: InspectionInput,
    old: dict | None,
    *,
    reason: str | None,
    source: str,
    now: datetime,
) -> tuple[str, dict]:
    published = old is not None and _date(old.get("published_on")) is not None
    return _write_row(
        cur,
        store,
        actor,
        "inspections",
        INSPECTION_COLUMNS,
        inspection_row(inp, old, actor, now),
        old,
        published=published,
        reason=reason,
        source=source,
        detail=("公示后修改：" + (reason or "")) if published else (reason or None),
    )


def _apply_status(cur, store, actor, entity_code, codes, record_key) -> tuple[str, str] | None:
    target = rules.status_from_codes(codes)
    if target is None:
        return None
    row = cur.execute("SELECT status FROM entities WHERE entity_code = ?", [entity_code]).fetchall()
    if not row or row[0][0] == target:
        return None
    old = row[0][0]
    cur.execute("UPDATE entities SET status = ? WHERE entity_code = ?", [target, entity_code])
    code = next(c for c in codes if RESULT_CODES.get(c) and RESULT_CODES[c].sets_status)
    store.audit(
        cur,
        actor,
        "entity.status",
        table_name="entities",
        record_key=entity_code,
        old_value={"status": old},
        new_value={"status": target},
        detail=f"检查结果 {record_key} 的结果代码 {code}",
    )
    return old, target


def _write_followup(
    cur, store, actor, fu: FollowupInput, old: dict | None, *, reason, source
) -> tuple[str, dict]:
    new = {c: getattr(fu, c) for c in FOLLOWUP_COLUMNS}
    return _write_row(
        cur,
        store,
        actor,
        "followups",
        FOLLOWUP_COLUMNS,
        new,
        old,
        published=False,
        reason=reason,
        source=source,
        detail=reason,
    )


def _raise_if_errors(issues: list[Issue], what: str) -> None:
    errs = rules.errors(issues)
    if errs:
        first = errs[0].message
        more = f"（另有 {len(errs) - 1} 个问题）" if len(errs) > 1 else ""
        raise EntryError(f"{what}未保存：{first}{more}", issues)


def save_inspection(
    store: Store,
    user,
    inp: InspectionInput,
    *,
    followup: FollowupInput | None = None,
    reason: str | None = None,
    today: date | None = None,
    now: datetime | None = None,
) -> SaveResult:
    """Validate and write one result (the 结果录入 form). Opens the follow-up `followup` when an A-class
    code needs one; applies a status code to the entity. Raises EntryError with every issue."""
    today = today or date.today()
    now = now or datetime.now()
    # Everything the rules look at is read again under the write lock, inside the transaction that
    # writes: a publication (or an import) committed since the form was filled in is seen here, so
    # "editing a published record needs a reason" cannot be dodged by a race, and the history and
    # audit record the values really replaced.
    with store.transaction(raise_as=EntryError) as cur:
        _require_task(store, user, inp.task_code)
        result, old, open_fu = _check_inspection(store, user, inp, followup, reason, today, now)
        result.action, _ = _write_inspection(
            cur, store, user.username, inp, old, reason=reason, source="form", now=now
        )
        key = f"{inp.task_code}/{inp.entity_code}"
        result.entity_status = _apply_status(
            cur, store, user.username, inp.entity_code, inp.result_codes, key
        )
        if open_fu:
            _write_followup(cur, store, user.username, followup, None, reason=None, source="form")
            result.followup_opened = True
    return result


def _check_inspection(
    store, user, inp, followup, reason, today, now
) -> tuple[SaveResult, dict | None, bool]:
    """The rules of one result against the store as it is now (called under the write lock):
    (result with the warnings, the stored row it replaces, whether a follow-up is opened)."""
    lim = limits(store)
    ov = overrides(store)
    ctx = inspection_context(
        store, inp.task_code, inp.entity_code, followup_given=followup is not None
    )
    old = stored_inspection(store, inp.task_code, inp.entity_code)
    if old is not None and not _changed(old, inspection_row(inp, old, user.username, now)):
        ctx = replace(ctx, exists=False)  # saving the same values again is not an edit
    issues = rules.check_inspection(
        inp, ctx, today, limit=lim["entry_limit"], reason=reason, overrides=ov
    )
    fu_old = stored_followup(store, inp.task_code, inp.entity_code)
    open_fu = followup is not None and fu_old is None and rules.needs_followup(inp.result_codes)
    if open_fu:
        fu_issues = rules.check_followup(
            followup,
            today,
            inspected_on=inp.inspected_on,
            backfill_limit=lim["backfill_limit"],
            overrides=ov,
        )
        if followup.measure_code is None:
            fu_issues.append(Issue("measure_code", "登记后续处理时请选择处置措施。"))
        if followup.responsible_unit is None:
            fu_issues.append(Issue("responsible_unit", "登记后续处理时请选择责任单位。"))
        issues += fu_issues
    _raise_if_errors(issues, "检查结果")
    return SaveResult(action="unchanged", warnings=rules.warnings(issues)), old, open_fu


# -- follow-ups ---------------------------------------------------------------------------------


def followup_units(store: Store, task_code: str, responsible_unit: str | None) -> list[str]:
    units = task_units(store, task_code) or []
    return [responsible_unit, *units] if responsible_unit else units


# the work list's reads (one query each, issue #17) live in followup_reads; re-exported here
from dashboard.entry.followup_reads import followups_for, writable_followups  # noqa: E402, F401


def save_followup(
    store: Store,
    user,
    fu: FollowupInput,
    *,
    reason: str | None = None,
    today: date | None = None,
) -> SaveResult:
    """Validate and write one follow-up (后续处理 form, 回访 outcome). Backfill after the limit is saved
    with a warning (flagged late by the timeliness lists). Raises EntryError."""
    today = today or date.today()
    # read and checked under the write lock (see save_inspection)
    with store.transaction(raise_as=EntryError) as cur:
        old, warnings = _check_followup(store, user, fu, today)
        result = SaveResult(action="unchanged", warnings=warnings)
        result.action, _ = _write_followup(
            cur, store, user.username, fu, old, reason=reason, source="form"
        )
    return result


def _check_followup(
    store: Store, user, fu: FollowupInput, today: date
) -> tuple[dict | None, list[Issue]]:
    """The rules of one follow-up against the store as it is now: (stored row, warnings)."""
    old = stored_followup(store, fu.task_code, fu.entity_code)
    insp = stored_inspection(store, fu.task_code, fu.entity_code)
    if insp is None:
        raise EntryError(
            f"{fu.task_code}/{fu.entity_code} 没有检查结果，后续处理必须对应一条检查结果，请先录入结果。"
        )
    units = followup_units(
        store, fu.task_code, fu.responsible_unit or (old or {}).get("responsible_unit")
    )
    if not can_write_task(user, units):
        raise EntryError(
            f"您没有登记 {fu.task_code}/{fu.entity_code} 后续处理的权限：只有责任单位、任务的牵头或配合单位"
            "和办公室管理员可以登记。"
        )
    lim = limits(store)
    issues = rules.check_followup(
        fu, today, inspected_on=_date(insp["inspected_on"]), backfill_limit=lim["backfill_limit"],
        overrides=overrides(store),
    )  # fmt: skip
    _raise_if_errors(issues, "后续处理")
    return old, rules.warnings(issues)


def followup_input(row: dict, **changes) -> FollowupInput:
    """A FollowupInput from a stored follow-up row, with some fields changed."""
    base = {c: _date(row.get(c)) if c.endswith("_on") else row.get(c) for c in FOLLOWUP_COLUMNS}
    for c in ("measure_code", "responsible_unit", "revisit_result", "measure_note"):
        if isinstance(base.get(c), float) and pd.isna(base[c]):
            base[c] = None
    base.update(changes)
    return FollowupInput(**base)


# -- return visits ------------------------------------------------------------------------------


def revisit_rate(store: Store, year: int, units: list[str] | None = None) -> dict[str, Any]:
    """Return-visit rate of year Y: follow-ups closed in Y that were revisited ÷ follow-ups closed in Y
    (units = responsible unit, else the task's lead unit; None = all). Rate None when nothing closed."""
    row = store.rows(
        """
        SELECT count(*) AS closed,
               count(*) FILTER (WHERE f.revisit_on IS NOT NULL) AS revisited,
               count(*) FILTER (WHERE f.revisit_result = '整改到位') AS ok,
               count(*) FILTER (WHERE f.revisit_result = '未到位') AS not_ok,
               count(*) FILTER (WHERE f.revisit_result = '无法核实') AS unknown
        FROM followups AS f JOIN tasks AS t USING (task_code)
        WHERE t.status <> 'voided' AND year(f.closed_on) = $y
          AND ($all OR list_contains($units, coalesce(nullif(trim(f.responsible_unit), ''), t.lead_unit)))
        """,
        {"y": int(year), "all": units is None, "units": list(units or [""])},
    )[0]
    closed, revisited, ok, not_ok, unknown = (int(x) for x in row)
    return {
        "closed": closed,
        "revisited": revisited,
        "rate": revisited / closed if closed else None,
        "整改到位": ok,
        "未到位": not_ok,
        "无法核实": unknown,
    }


def revisit_draws(store: Store) -> pd.DataFrame:
    return store.df(
        """
        SELECT d.draw_id, d.task_code AS batch, d.draw_date, d.operator,
               (SELECT count(*) FROM draw_selections AS s WHERE s.draw_id = d.draw_id) AS selected
        FROM draws AS d
        WHERE d.kind = 'revisit'
          AND NOT EXISTS (SELECT 1 FROM draws AS s WHERE s.supersedes = d.draw_id)
        ORDER BY d.chain_pos DESC
        """
    )


def revisit_targets(store: Store, draw_id: str, user=None) -> pd.DataFrame:
    """The follow-ups a return-visit draw selected, with their recorded outcome (if any)."""
    df = store.df(
        """
        SELECT split_part(s.entity_code, '/', 1) AS task_code,
               substr(s.entity_code, length(split_part(s.entity_code, '/', 1)) + 2) AS entity_code,
               s.stratum AS unit_code, e.name, f.measure_code, f.closed_on, f.revisit_on,
               f.revisit_result
        FROM draw_selections AS s
        LEFT JOIN followups AS f
            ON f.task_code || '/' || f.entity_code = s.entity_code
        LEFT JOIN entities AS e
            ON e.entity_code = substr(s.entity_code, length(split_part(s.entity_code, '/', 1)) + 2)
        WHERE s.draw_id = ?
        ORDER BY s.stratum, s.entity_code
        """,
        [draw_id],
    )
    if user is not None and user.allowed_units is not None:
        df = df[[user.can_write_unit(u) for u in df["unit_code"]]].reset_index(drop=True)
    return df


def record_revisit(
    store: Store,
    user,
    task_code: str,
    entity_code: str,
    revisit_on: date,
    result: str,
    *,
    today: date | None = None,
) -> SaveResult:
    old = stored_followup(store, task_code, entity_code)
    if old is None:
        raise EntryError(f"{task_code}/{entity_code} 没有后续处理记录，不能登记回访。")
    reason = "修改回访结果" if old.get("revisit_result") else None
    return save_followup(
        store,
        user,
        followup_input(old, revisit_on=revisit_on, revisit_result=result),
        reason=reason,
        today=today,
    )


# -- history ------------------------------------------------------------------------------------


def history(store: Store, task_code: str, entity_code: str) -> pd.DataFrame:
    return store.df(
        """
        SELECT history_id, happened_at, actor, table_name, action, after_publication, reason,
               old_value, new_value, source
        FROM entry_history WHERE task_code = ? AND entity_code = ?
        ORDER BY history_id
        """,
        [task_code, entity_code],
    )


def inspection_as_dict(inp: InspectionInput) -> dict:
    return asdict(inp)


# -- form choices -------------------------------------------------------------------------------


def task_info(store: Store, task_code: str) -> dict | None:
    df = store.df(
        "SELECT task_code, task_name, lead_unit, partner_units, item_codes, status, start_on, end_on"
        " FROM tasks WHERE task_code = ?",
        [task_code],
    )
    return None if df.empty else df.iloc[0].to_dict()


def task_inspectors(store: Store, task_code: str) -> dict[str, str]:
    """{inspector_code: "name（unit）"} of the task's units (active first), for the inspector picker."""
    units = task_units(store, task_code) or []
    return {
        code: f"{name}（{unit}）"
        for code, name, unit in store.rows(
            "SELECT inspector_code, name, unit_code FROM inspectors"
            " WHERE list_contains(?, unit_code) ORDER BY NOT active, inspector_code",
            [units or [""]],
        )
    }


def entity_name(store: Store, entity_code: str) -> str | None:
    return store.scalar("SELECT name FROM entities WHERE entity_code = ?", [entity_code])


def task_sheet(store: Store, task_code: str) -> pd.DataFrame:
    """The task's targets as an interchange `inspections` sheet (targets waiting for entry first), to
    fill in a spreadsheet and upload on the bulk tab; lists joined by ";", dates as YYYY-MM-DD."""
    targets = task_targets(store, task_code)

    def day(value) -> str:
        d = _date(value)
        return d.isoformat() if d else ""

    notes = dict(
        store.rows("SELECT entity_code, note FROM inspections WHERE task_code = ?", [task_code])
    )
    rows = []
    for r in targets.sort_values(["state", "entity_code"], key=_pending_first).itertuples():
        rows.append(
            {
                "task_code": task_code,
                "entity_code": r.entity_code,
                "inspectors": ";".join(r.inspectors or r.assigned or []),
                "inspected_on": day(r.inspected_on),
                "result_codes": ";".join(r.result_codes or []),
                "entered_on": day(r.entered_on),
                "published_on": day(r.published_on),
                "note": notes.get(r.entity_code) or "",
            }
        )
    return pd.DataFrame(
        rows, columns=list(INSPECTION_COLUMNS[: INSPECTION_COLUMNS.index("note") + 1])
    )


def _pending_first(col: pd.Series) -> pd.Series:
    return col.map(lambda v: 0 if v == "待录入" else 1) if col.name == "state" else col


def followup_summary(df: pd.DataFrame, names: dict[str, str] | None = None) -> pd.DataFrame:
    """Per responsible unit: open follow-ups, overdue ones, closures whose backfill is overdue."""
    if df.empty:
        return pd.DataFrame(
            columns=["unit_code", "unit_name", "open", "overdue", "backfill_overdue"]
        )
    unit = df["responsible_unit"].fillna("")
    out = (
        pd.DataFrame(
            {
                "unit_code": unit,
                "open": 1,
                "overdue": (df["state"] == "逾期未完结").astype(int),
                "backfill_overdue": (df["state"] == "完结未回填（已逾期）").astype(int),
            }
        )
        .groupby("unit_code", as_index=False)
        .sum()
        .sort_values(["overdue", "open", "unit_code"], ascending=[False, False, True])
    )
    out.insert(1, "unit_name", out["unit_code"].map(names or {}).fillna(""))
    return out.reset_index(drop=True)
