"""The 后续处理 work list's reads (issue #17): the open follow-ups a user may work on, the units of
their tasks and which of them the user may write — each one query, not one query per row.

`followups_for` is re-exported by `dashboard.entry.service` (its callers use `service.followups_for`).
The service is imported inside the functions: service imports this module at load time.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from dashboard.domain import workdays
from dashboard.entry import rules
from dashboard.store import Store


def followups_for(
    store: Store, user, today: date | None = None, *, only_open: bool = True
) -> pd.DataFrame:
    """Follow-ups the user may work on: open ones (not closed, or closed and not backfilled) with due
    date, working days left (negative = overdue) and the backfill deadline."""
    from dashboard.entry import service

    today = today or date.today()
    df = store.df(
        """
        SELECT f.task_code, f.entity_code, e.name, t.task_name, f.measure_code, f.measure_note,
               f.responsible_unit, t.lead_unit, t.partner_units, i.inspected_on, i.result_codes,
               f.due_on, f.closed_on, f.backfilled_on, f.revisit_on, f.revisit_result
        FROM followups AS f
        JOIN tasks AS t USING (task_code)
        LEFT JOIN inspections AS i USING (task_code, entity_code)
        LEFT JOIN entities AS e ON e.entity_code = f.entity_code
        WHERE t.status <> 'voided'
          AND (NOT $open OR f.closed_on IS NULL OR f.backfilled_on IS NULL)
        ORDER BY f.due_on NULLS LAST, f.task_code, f.entity_code
        """,
        {"open": only_open},
    )
    if user is not None and user.allowed_units is not None:
        keep = [
            user.can_write_unit(r)
            if isinstance(r, str) and r
            else service.can_write_task(user, [lead, *p])
            for r, lead, p in zip(
                df["responsible_unit"], df["lead_unit"], df["partner_units"], strict=True
            )
        ]
        df = df[keep]
    elif user is not None and user.role not in ("admin", "leader", "readonly"):
        df = df.iloc[0:0]
    limit = service.limits(store)["backfill_limit"]
    ov = service.overrides(store)
    dues = [service._date(d) for d in df["due_on"]]
    closeds = [service._date(d) for d in df["closed_on"]]
    # working days from today to each due date, from one walk over the calendar (not one per row)
    days_to = workdays.workdays_from(
        today, {d for d, c in zip(dues, closeds, strict=True) if c is None}, ov
    )
    deadline_of: dict[date, date] = {}  # many rows share a closing date: its deadline once
    left, state, bf_deadline = [], [], []
    for due, closed in zip(dues, closeds, strict=True):
        if closed is not None:
            if closed not in deadline_of:
                deadline_of[closed] = rules.backfill_deadline(closed, limit, ov)
            bdl = deadline_of[closed]
        else:
            bdl = None
        bf_deadline.append(bdl)
        if closed is None:
            left.append(days_to[due] if due is not None else None)
            state.append("逾期未完结" if due is not None and due < today else "整改中")
        else:
            left.append(None)
            state.append("完结未回填（已逾期）" if bdl < today else "完结待回填")
    df = df.assign(workdays_left=left, state=state, backfill_deadline=bf_deadline)
    return df.drop(columns=["lead_unit", "partner_units"]).reset_index(drop=True)


def task_units_of(store: Store, task_codes) -> dict[str, list[str]]:
    """{task_code: [lead unit, *partner units]} for the given tasks, in one query."""
    codes = sorted({str(c) for c in task_codes})
    if not codes:
        return {}
    rows = store.rows(
        "SELECT task_code, lead_unit, partner_units FROM tasks WHERE list_contains($codes, task_code)",
        {"codes": codes},
    )
    return {code: [lead, *(partners or [])] for code, lead, partners in rows}


def writable_followups(store: Store, user, df: pd.DataFrame) -> list[tuple[str, str, str]]:
    """(task_code, entity_code, entity name) of the rows of a `followups_for` frame the user may write:
    the responsible unit or a unit of the task (service.followup_units + can_write_task), with the
    tasks' units read once."""
    from dashboard.entry import service

    if df.empty:
        return []
    units = task_units_of(store, df["task_code"])
    out = []
    for task, entity, unit, name in zip(
        df["task_code"], df["entity_code"], df["responsible_unit"], df["name"], strict=True
    ):
        task_units = units.get(task, [])
        allowed = [unit, *task_units] if isinstance(unit, str) and unit else task_units
        if service.can_write_task(user, allowed):
            out.append((task, entity, name if isinstance(name, str) else ""))
    return out
