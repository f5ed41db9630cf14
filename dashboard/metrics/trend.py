"""总览 helpers: the monthly trend and the most urgent open problems. ``(con, scope) -> DataFrame``."""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboard.metrics.base import run_df
from dashboard.scope import Scope


def monthly_trend(con: Any, scope: Scope) -> pd.DataFrame:
    """Per month of Y up to T: 检查户数, 已录入户数, 按时录入户数, 发现问题户数."""
    return run_df(con, "trend_monthly", scope)


def most_urgent(con: Any, scope: Scope, limit: int = 5) -> pd.DataFrame:
    """The ``limit`` open problems furthest past their deadline (超期未录入 / 超期未公示 /
    后续处理逾期未完结 / 完结后超期未回填), each with its responsible unit."""
    return run_df(con, "trend_most_urgent", scope, limit=int(limit))
