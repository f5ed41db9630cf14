"""时效监督 drill-down lists: entry and publication within the working-day limit (§5).

Each list has the unit (the task's lead unit), task, entity, deadline, working days late (working
days in (deadline, date], from the ``calendar`` table) and the inspectors. ``(con, scope) -> DataFrame``.
Follow-up lists are in :mod:`dashboard.metrics.followup`.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboard.metrics.base import run_df
from dashboard.scope import Scope


def late_entries(con: Any, scope: Scope) -> pd.DataFrame:
    """Inspections of Y entered after their deadline (counted in entry_on_time's denominator only)."""
    return run_df(con, "timeliness_late_entries", scope)


def entries_overdue(con: Any, scope: Scope) -> pd.DataFrame:
    """Inspections of Y not entered by T with the deadline past (the entry_overdue KPI)."""
    return run_df(con, "timeliness_entries_overdue", scope)


def late_publications(con: Any, scope: Scope) -> pd.DataFrame:
    """Inspections of Y published late (逾期公示) or unpublished past the deadline (超期未公示)."""
    return run_df(con, "timeliness_late_publications", scope)


def timeliness_by_unit(con: Any, scope: Scope) -> pd.DataFrame:
    """Counts per unit (lead or partner; follow-ups by responsible unit): on time, late, overdue."""
    return run_df(con, "timeliness_by_unit", scope)
