"""计划执行: plans against tasks against inspections, plan adjustments, voided plans and tasks, tasks past
their end without results. ``(con, scope) -> DataFrame`` with Chinese column names.

Plans of Y: plans with year Y, item filter on the plan's item, unit filter on the plan's unit or one of its
joint units (town filters do not apply to plans). Per-unit and per-month tables group plans by the plan's
unit and tasks / inspections by the task's lead unit (no double counting of partner units).

- 计划抽查户数 of a plan = ceil(base_count × ratio) with the plan's single ratio in exact decimal
  arithmetic (its per-grade ratios only split that number by grade at the draw). 计划完成率 = inspections
  (by T) of tasks of the unit's plans ÷ the planned number; it may exceed 1.
- A plan adjustment counts as republished when republished_on ≤ T.
- A task past its end without results: a task of Y (start_on in Y, ≤ T, not voided, unit rule) with
  end_on < T and no inspection with inspected_on ≤ T.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboard.domain.codes import TASK_SOURCES, TASK_STATUSES
from dashboard.metrics.base import run_df
from dashboard.scope import Scope

PLAN_FIELD_LABELS: dict[str, str] = {
    "base_count": "抽查基数",
    "ratio": "抽查比例",
    "grade_ratios": "分级比例",
    "planned_start": "计划开始日期",
    "planned_end": "计划结束日期",
    "joint_units": "联合单位",
    "status": "状态",
    "item_code": "抽查事项",
    "unit_code": "责任单位",
}


def execution_by_unit(con: Any, scope: Scope) -> pd.DataFrame:
    """单位编码, 单位名称, 计划数, 作废计划数, 计划抽查户数, 计划任务数, 临时及下派任务数, 已完成任务数,
    检查户次, 计划内检查户次, 计划完成率."""
    return run_df(con, "plans_by_unit", scope)


def execution_by_month(con: Any, scope: Scope) -> pd.DataFrame:
    """月份 × 单位: 计划开始数, 任务开始数, 检查户次 and their running totals (months of Y up to T)."""
    return run_df(con, "plans_by_month", scope)


def adjustments(con: Any, scope: Scope, *, only_not_republished: bool = False) -> pd.DataFrame:
    """Plan adjustments of Y made by T; 已重新公开 是/否 and 未公开工作日 since the change when not."""
    df = run_df(con, "plans_adjustments", scope)
    df["调整内容"] = df["调整内容"].map(lambda v: PLAN_FIELD_LABELS.get(v, v))
    if only_not_republished:
        df = df[df["已重新公开"] == "否"].reset_index(drop=True)
    return df


def voided_plans(con: Any, scope: Scope) -> pd.DataFrame:
    """Plans of Y with status 已作废, with the voiding date and reason from plan_changes."""
    return run_df(con, "plans_voided", scope)


def voided_tasks(con: Any, scope: Scope) -> pd.DataFrame:
    """Voided tasks with start_on in Y (lead or partner unit in the filter)."""
    df = run_df(con, "plans_voided_tasks", scope)
    df["来源"] = df["来源"].map(lambda v: TASK_SOURCES.get(v, v))
    return df


def tasks_past_end_without_results(con: Any, scope: Scope) -> pd.DataFrame:
    """Tasks of Y whose end date is before T and that have no inspection by T."""
    df = run_df(con, "plans_past_end_no_results", scope)
    df["状态"] = df["状态"].map(lambda v: TASK_STATUSES.get(v, v))
    return df
