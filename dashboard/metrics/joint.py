"""联合抽查 drill-down lists (joint_task_share / joint_household_share). ``(con, scope) -> DataFrame``."""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboard.domain.codes import JOINT_KINDS, TASK_SOURCES, TASK_STATUSES
from dashboard.metrics.base import run_df
from dashboard.scope import Scope


def joint_by_unit(con: Any, scope: Scope) -> pd.DataFrame:
    """Per unit: the two joint shares over the tasks it leads or partners (= the KPI for that unit)."""
    return run_df(con, "joint_by_unit", scope)


def joint_by_kind(con: Any, scope: Scope) -> pd.DataFrame:
    """Tasks and task-entity pairs by 联合类型 (部门内部联合 / 跨部门联合 / 非联合)."""
    df = run_df(con, "joint_by_kind", scope)
    df["联合类型"] = df["联合类型"].map(JOINT_KINDS)
    return df


def _gap_tasks(con: Any, scope: Scope, gap: str, drop: str) -> pd.DataFrame:
    """Tasks of Y in one gap (`sql/joint_gap_tasks.sql`) without the column `drop`, codes as labels."""
    df = run_df(con, "joint_gap_tasks", scope, gap=gap).drop(columns=drop)
    df["来源"] = df["来源"].map(lambda v: TASK_SOURCES.get(v, v))
    if "联合类型" in df:
        df["联合类型"] = df["联合类型"].map(lambda v: JOINT_KINDS.get(v, v))
    df["状态"] = df["状态"].map(lambda v: TASK_STATUSES.get(v, v))
    return df


def non_joint_tasks(con: Any, scope: Scope) -> pd.DataFrame:
    """Tasks of Y with joint_kind none."""
    return _gap_tasks(con, scope, "non_joint", drop="联合类型")


def partner_departments(con: Any, scope: Scope) -> pd.DataFrame:
    """External departments in joint tasks of Y: 联合任务数, 牵头单位, 检查户数."""
    return run_df(con, "joint_partner_departments", scope)


def non_risk_graded_tasks(con: Any, scope: Scope) -> pd.DataFrame:
    """Tasks of Y drawn without credit-risk grades (the risk_graded_share gap)."""
    return _gap_tasks(con, scope, "non_risk_graded", drop="结束日期")
