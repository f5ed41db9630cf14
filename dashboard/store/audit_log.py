"""The 审计日志 page's reads: entries filtered by day, actor and action, and the actions' Chinese names.

The log itself is written by Store.audit and chained by dashboard.store.audit_chain.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from dashboard.store import Store


# Chinese names of audit actions (others: shown as recorded). dashboard.auth adds its own below.
ACTION_LABELS: dict[str, str] = {
    "import": "导入数据",
    "setting.change": "修改设置",
    "setting.reset": "恢复默认设置",
    "calendar.override": "补录工作日",
    "calendar.override_delete": "删除工作日补录",
    "entity.status": "修改对象状态",
    "entry.bulk": "批量录入结果",
    "analysis.save": "保存自助分析",
    "analysis.update": "修改自助分析",
    "analysis.delete": "删除自助分析",
}


def action_label(action: str) -> str:
    try:
        from dashboard.auth import AUDIT_ACTIONS
    except ImportError:
        AUDIT_ACTIONS = {}
    return ACTION_LABELS.get(action) or AUDIT_ACTIONS.get(action) or action


def audit_actions(store: Store) -> list[str]:
    return [r[0] for r in store.rows("SELECT DISTINCT action FROM audit_log ORDER BY action")]


def audit_actors(store: Store) -> list[str]:
    return [r[0] for r in store.rows("SELECT DISTINCT actor FROM audit_log ORDER BY actor")]


def audit_entries(
    store: Store,
    *,
    start: date | None = None,
    end: date | None = None,
    actor: str | None = None,
    action: str | None = None,
    limit: int = 10_000,
) -> pd.DataFrame:
    """Audit log rows, newest first, filtered by day range (inclusive), actor and action."""
    where, params = [], []
    if start is not None:
        where.append("happened_at >= ?")
        params.append(start)
    if end is not None:
        where.append("happened_at < CAST(? AS DATE) + INTERVAL 1 DAY")
        params.append(end)
    if actor:
        where.append("actor = ?")
        params.append(actor)
    if action:
        where.append("action = ?")
        params.append(action)
    sql = (
        "SELECT audit_id, happened_at, actor, action, table_name, record_key, old_value, new_value, detail"
        " FROM audit_log"
        + (" WHERE " + " AND ".join(where) if where else "")
        + f" ORDER BY audit_id DESC LIMIT {int(limit)}"
    )
    return store.df(sql, params)
