"""即将到期 (DESIGN.md §5, after the table): what falls due within the next N working days of T.

N is the setting ``due_soon_workdays`` (default 5). The window is chosen as the closed date range
[T, deadline(T, N)]: from T itself (a deadline on T is not yet missed — entry_overdue and
followup_overdue count only deadlines before T) to the N-th working day strictly after T, counted on
the official calendar like every deadline. The due-soon lists and the overdue KPIs are therefore
disjoint and together cover every open item with a deadline up to deadline(T, N). The window is read
from the ``calendar`` table by workday_seq in one join (sql/base_scope.sql ``b_soon``).

- entries_due_soon: inspections of Y not entered by T with deadline(inspected_on, entry limit) in the
  window (unit = the task's lead unit; the unit filter is the §5 rule: lead or partner unit).
- followups_due_soon: follow-ups of Y not closed by T with due_on in the window (unit = the responsible
  unit, or the task's lead unit when empty; the unit filter is the §5 follow-up rule).
- due_soon_by_unit: both counts per unit, each row being the lists under that unit as the filter.

Each list has 剩余工作日 = working days in (T, deadline] (0 = due on T). ``(con, scope) -> DataFrame``
with Chinese headers (dashboard.metrics.columns).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from dashboard.domain.codes import FOLLOWUP_MEASURES
from dashboard.metrics.base import run_df, run_row, setting
from dashboard.metrics.columns import headed
from dashboard.scope import Scope


@dataclass(frozen=True)
class Window:
    """The due-soon window: start = T, end = deadline(T, workdays) (None outside the calendar)."""

    start: date
    end: date | None
    workdays: int


def window(con: Any, scope: Scope) -> Window:
    row = run_row(con, "due_soon_window", scope)
    return Window(row["soon_start"], row["soon_end"], int(setting(con, "due_soon_workdays")))


def entries_due_soon(con: Any, scope: Scope) -> pd.DataFrame:
    """Inspections of Y not entered whose entry deadline is in [T, deadline(T, N)], earliest first."""
    return headed(run_df(con, "due_soon_entries", scope))


def followups_due_soon(con: Any, scope: Scope) -> pd.DataFrame:
    """Open follow-ups of Y with due_on in [T, deadline(T, N)], earliest first."""
    df = run_df(con, "due_soon_followups", scope)
    df["measure_code"] = df["measure_code"].map(lambda v: FOLLOWUP_MEASURES.get(v, v))
    return headed(df, {"unit_name": "责任单位"})


def due_soon_by_unit(con: Any, scope: Scope) -> pd.DataFrame:
    """Per unit: 录入即将到期, 后续处理即将到期 (units with nothing due soon are left out)."""
    return headed(run_df(con, "due_soon_by_unit", scope))
