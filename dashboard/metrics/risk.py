"""风险预警 (DOMAIN.md §4): the credit-risk warnings the office watches. ``(con, scope) -> DataFrame``.

Each warning query (sql/risk_*.sql) returns 主体编码, 预警类型, 预警原因 (a Chinese sentence with the numbers);
:func:`warnings` runs them all and adds the entity context (名称, 乡镇, 当前等级, 当前风险指数, 评级月份,
已在任务中, 所在任务). Only grades of the system 市场监管 are used.

Entities: the directory under the town / item (tag) filters, not closed by T; with a unit filter, the
entities tagged with an item whose owner_unit is one of the units (the rule of the KPI
high_risk_uninspected). Overdue rectification follows the follow-up unit rule of §5 instead.

Rules decided here:
- 等级上升: the latest grade (period ≤ T's month) is riskier (A < B < C < D) than the grade of the month
  before it or of 3 months before it.
- 风险指数跃升: latest score − the score of the entity's previous graded month ≥ risk.score_jump.
- D级一年内未检查: exactly the entities of the KPI high_risk_uninspected (risk.uninspected_days).
- 许可即将到期 / 许可已过期: the schema has no licence validity column. For entity kinds that hold a
  licence (:data:`LICENCE_TERMS`: 采矿权人 10 years — the term of a small mine's 采矿许可证, the usual case in
  a county; 探矿权人 5 years — 探矿权 term; 测绘资质单位 5 years — 测绘资质证书 term) the end of the current
  licence is closed_on when set, else the next renewal date on or after T, registered_on + k × term
  (a documented proxy: the licence is taken as issued on the registration date and renewed on time).
  Fires for entities still 存续 whose end ≤ T + risk.licence_expiry_days; an end ≤ T (only possible from
  closed_on) is 许可已过期.
- 多次发现问题: ≥ risk.repeated_findings inspections of non-voided tasks within
  ``risk.repeated_window_days`` (a setting, default 1095) days up to T whose result codes include a finding code.
- 整改逾期: follow-ups of Y with measure 3 (责令限期整改), due_on < T, not closed by T.
- 已在任务中 = 是 when the entity is selected by a draw (not superseded by a redraw) or has an inspection
  in a task whose status is neither done nor voided (not started or under way).

Other units' tasks (access control, issue 7): a warning is about an entity in the user's scope (the rules
above), but the facts behind it may come from tasks of other units — an open task of a 专班 that holds the
entity (所在任务), earlier inspections by other units (多次发现问题), a follow-up this unit is responsible for
in another unit's task (整改逾期). When ``scope.allowed_units`` is set, a task is *visible* when its lead
unit or a partner unit is allowed (the unit rule of tasks); any other task is never named: 所在任务 lists
it as :data:`OTHER_TASK`, 多次发现问题 names date, task and codes of visible inspections only and adds
"其他单位任务n次" for the rest (the count and so the warning itself stay the same), 整改逾期 says
其他单位任务 instead of 任务<code>. 已在任务中 still says 是 (the unit must know the entity is being handled).
Administrators and leaders (allowed_units None) see every task. The chosen sidebar unit does not mask:
the user may see the tasks of every allowed unit.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboard.metrics.base import cursor_of, run_df, setting
from dashboard.scope import Scope

# What a task of a unit outside the user's allowed units is called instead of its code.
OTHER_TASK = "其他单位任务"

# Entity kind → usual licence term in years (see the module docstring).
LICENCE_TERMS: dict[str, int] = {"采矿权人": 10, "探矿权人": 5, "测绘资质单位": 5}

WARNING_KINDS: tuple[str, ...] = (
    "等级上升",
    "风险指数跃升",
    "D级一年内未检查",
    "许可已过期",
    "许可即将到期",
    "多次发现问题",
    "整改逾期",
)

COLUMNS: list[str] = [
    "主体编码",
    "名称",
    "乡镇",
    "预警类型",
    "预警原因",
    "当前等级",
    "当前风险指数",
    "评级月份",
    "已在任务中",
    "所在任务",
]


def visible_units(scope: Scope) -> list[str] | None:
    """Units whose tasks a warning may name: the user's allowed units, or None (every unit)."""
    return sorted(scope.allowed_units) if scope.allowed_units is not None else None


def grade_worsened(con: Any, scope: Scope) -> pd.DataFrame:
    return run_df(con, "risk_grade_worsened", scope)


def score_jumps(con: Any, scope: Scope) -> pd.DataFrame:
    cur = cursor_of(con)
    return run_df(cur, "risk_score_jump", scope, score_jump=float(setting(cur, "risk.score_jump")))


def high_risk_uninspected(con: Any, scope: Scope) -> pd.DataFrame:
    return run_df(con, "risk_high_risk_uninspected", scope)


def licence_expiry(con: Any, scope: Scope) -> pd.DataFrame:
    cur = cursor_of(con)
    return run_df(
        cur,
        "risk_licence_expiry",
        scope,
        licence_kinds=list(LICENCE_TERMS),
        licence_years=list(LICENCE_TERMS.values()),
        expiry_days=int(setting(cur, "risk.licence_expiry_days")),
    )


def repeated_findings(con: Any, scope: Scope) -> pd.DataFrame:
    cur = cursor_of(con)
    return run_df(
        cur,
        "risk_repeated_findings",
        scope,
        repeated_min=int(setting(cur, "risk.repeated_findings")),
        window_days=int(setting(cur, "risk.repeated_window_days")),
        visible_units=visible_units(scope),
    )


def overdue_rectification(con: Any, scope: Scope) -> pd.DataFrame:
    return run_df(con, "risk_overdue_rectification", scope, visible_units=visible_units(scope))


def warnings(con: Any, scope: Scope, kinds: list[str] | None = None) -> pd.DataFrame:
    """Every warning row (one per entity and kind; 整改逾期 one per follow-up) with its entity context.

    ``kinds`` restricts to some of :data:`WARNING_KINDS`. Ordered by kind, then as each query orders.
    """
    cur = cursor_of(con)
    parts = [
        grade_worsened(cur, scope),
        score_jumps(cur, scope),
        high_risk_uninspected(cur, scope),
        licence_expiry(cur, scope),
        repeated_findings(cur, scope),
        overdue_rectification(cur, scope),
    ]
    rows = (
        pd.concat([p for p in parts if len(p)], ignore_index=True)
        if any(len(p) for p in parts)
        else None
    )
    if rows is None:
        return pd.DataFrame(columns=COLUMNS)
    if kinds is not None:
        rows = rows[rows["预警类型"].isin(kinds)]
    rows = rows.assign(_order=rows["预警类型"].map(WARNING_KINDS.index)).sort_values(
        "_order", kind="stable"
    )
    context = run_df(
        cur,
        "risk_entity_context",
        scope,
        codes=sorted(set(rows["主体编码"])),
        visible_units=visible_units(scope),
    )
    out = rows.drop(columns="_order").merge(context, on="主体编码", how="left")
    return out[COLUMNS].reset_index(drop=True)


def warning_counts(con: Any, scope: Scope, rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """预警类型, 预警数, 其中未在任务中 — one row per kind of :data:`WARNING_KINDS` (zeros included).

    ``rows`` = an already computed :func:`warnings` result (saves running the queries twice).
    """
    df = warnings(con, scope) if rows is None else rows
    out = []
    for kind in WARNING_KINDS:
        part = df[df["预警类型"] == kind]
        out.append(
            {
                "预警类型": kind,
                "预警数": len(part),
                "其中未在任务中": int((part["已在任务中"] == "否").sum()),
            }
        )
    return pd.DataFrame(out)


def score_history(con: Any, entity_code: str, scope: Scope) -> pd.DataFrame:
    """月份, 等级, 风险指数 of one entity (system 市场监管, months ≤ T's month), oldest first."""
    return run_df(con, "risk_score_history", scope, entity_code=entity_code)
