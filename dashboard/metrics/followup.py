"""后续处理 drill-down lists (followup_overdue, backfill_late, followup_missing). ``(con, scope) -> DataFrame``.

The unit is the follow-up's responsible unit, or the task's lead unit when it has none. A missing
follow-up has no responsible unit: its list follows the task (unit = the lead unit; the unit filter is
the §5 inspection rule, lead or partner unit), exactly as the followup_missing KPI counts it.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboard.domain.codes import FOLLOWUP_MEASURES
from dashboard.metrics.base import code_labels, run_df
from dashboard.metrics.columns import headed
from dashboard.scope import Scope


def overdue_followups(con: Any, scope: Scope) -> pd.DataFrame:
    """Follow-ups of Y with due_on < T not closed by T, with working days overdue."""
    df = run_df(con, "followup_overdue", scope)
    df["处置措施"] = df["处置措施"].map(lambda v: FOLLOWUP_MEASURES.get(v, v))
    return df


def backfill_problems(con: Any, scope: Scope) -> pd.DataFrame:
    """Closed follow-ups backfilled late (回填超期) or not backfilled past the deadline (超期未回填)."""
    return run_df(con, "followup_backfill_problems", scope)


def missing_followups(con: Any, scope: Scope) -> pd.DataFrame:
    """The followup_missing KPI's inspections: entered, an A-family code, no follow-up row at all.

    Columns: 单位编码, 单位 (the task's lead unit), 任务编码, 主体编码, 名称, 结果代码 (each code with its
    label), 检查日期, 录入日期, 任务名称, 检查人员.
    """
    df = run_df(con, "followup_missing", scope, which="followup_missing")
    df["result_codes"] = df["result_codes"].map(code_labels)
    return headed(df)
