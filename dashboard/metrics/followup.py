"""后续处理 drill-down lists (followup_overdue, backfill_late). ``(con, scope) -> DataFrame``.

The unit is the follow-up's responsible unit, or the task's lead unit when it has none.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboard.domain.codes import FOLLOWUP_MEASURES
from dashboard.metrics.base import run_df
from dashboard.scope import Scope


def overdue_followups(con: Any, scope: Scope) -> pd.DataFrame:
    """Follow-ups of Y with due_on < T not closed by T, with working days overdue."""
    df = run_df(con, "followup_overdue", scope)
    df["处置措施"] = df["处置措施"].map(lambda v: FOLLOWUP_MEASURES.get(v, v))
    return df


def backfill_problems(con: Any, scope: Scope) -> pd.DataFrame:
    """Closed follow-ups backfilled late (回填超期) or not backfilled past the deadline (超期未回填)."""
    return run_df(con, "followup_backfill_problems", scope)
