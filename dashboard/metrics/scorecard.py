"""单位排名: a configurable scorecard per unit for the office's 通报. ``scorecard(con, scope, weights)``.

Units scored: internal units (not 外部门) within the scope's unit filter that lead or partner a task of Y
or own / join a plan of Y (sql/scorecard_units.sql). Each indicator is a rate in [0, 1] computed for the
unit alone (the scope with ``unit`` set to it, so the §5 unit rule applies):

=================  ==========================================================================  =======
indicator          definition                                                                  default
=================  ==========================================================================  =======
计划完成率         inspections of tasks of the unit's plans ÷ planned number (plans.py), capped at 1    25
按时录入率         KPI entry_on_time for the unit                                                   15
按时公示率         KPI publish_on_time for the unit                                                 15
后续处理完结率     KPI followup_closed for the unit                                                 15
联合抽查占比       KPI joint_task_share for the unit                                                10
信用分类运用占比   KPI risk_graded_share for the unit                                               10
数据质量           1 − (inspections published before entry + inspections in bulk identical-note     10
                   groups) ÷ inspections of Y of the unit (quality.py)
执法人员参训率     active inspectors of the unit trained in Y ÷ its active inspectors (registers.py)      5
信息按时报送率     reports handed in on time ÷ reports due (registers.py)                                 5
处罚按时公示率     1 − penalties published late or overdue ÷ penalties decided (registers.py)             5
移送信息完整率     1 − transfers missing the body or date ÷ transfers (measures 4 and 6)                  5
信用记录纳入率     1 − penalties not in the credit record ÷ penalties decided                             5
督查整改按期率     1 − special-inspection findings overdue ÷ findings                                     5
=================  ==========================================================================  =======

The default weights are settings (``weight.<indicator>``, 系统设置), so the office fixes the published
formula once; the 单位排名 page may try other weights on screen.

Weights are relative (they are normalised to a total of 100). An indicator with no value for a unit (zero
denominator, e.g. no follow-ups) is 不适用: it is left out and the unit's other weights are scaled up, so
总分 = 100 × Σ wᵢ vᵢ ÷ Σ wᵢ over the applicable indicators and 扣分ᵢ = 100 × wᵢ (1 − vᵢ) ÷ Σ wᵢ; the
扣分 columns add up to 100 − 总分. Rank: by 总分 descending, ties share a rank. 重新抽取次数 (redraws of the
unit's task draws in Y, from dashboard.draw.redraws_per_unit when ``con`` is a Store) and 应后续处理未建记录
(the KPI followup_missing for the unit alone, like the indicators) are warning columns, not scored.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboard.metrics import kpi as kpi_mod
from dashboard.metrics import plans
from dashboard.metrics.base import cursor_of, run_df
from dashboard.scope import Scope

# key → (Chinese label, default weight)
INDICATORS: dict[str, tuple[str, float]] = {
    "plan_completion": ("计划完成率", 25.0),
    "entry_on_time": ("按时录入率", 15.0),
    "publish_on_time": ("按时公示率", 15.0),
    "followup_closed": ("后续处理完结率", 15.0),
    "joint_share": ("联合抽查占比", 10.0),
    "risk_graded_share": ("信用分类运用占比", 10.0),
    "data_quality": ("数据质量", 10.0),
    # the work registers (DESIGN.md §8): a unit that trains nobody or reports late shows it here
    "trained_share": ("执法人员参训率", 5.0),
    "reports_on_time": ("信息按时报送率", 5.0),
    "penalties_on_time": ("处罚按时公示率", 5.0),
    "transfers_complete": ("移送信息完整率", 5.0),
    "credit_recorded": ("信用记录纳入率", 5.0),
    "supervision_on_time": ("督查整改按期率", 5.0),
}
REGISTER_INDICATORS = (
    "trained_share",
    "reports_on_time",
    "penalties_on_time",
    "transfers_complete",
    "credit_recorded",
    "supervision_on_time",
)
DEFAULT_WEIGHTS: dict[str, float] = {k: w for k, (_, w) in INDICATORS.items()}
LABELS: dict[str, str] = {k: label for k, (label, _) in INDICATORS.items()}
# Shown beside the score, not scored: the unit's followup_missing KPI under its own label.
FOLLOWUP_MISSING = kpi_mod.LABELS_ZH["followup_missing"]


class WeightError(ValueError):
    """Weights that cannot be used (str(e) is one Chinese sentence)."""


def configured_weights(con: Any) -> dict[str, float]:
    """The weights of the settings (weight.<indicator>), the office's published formula."""
    from dashboard.metrics.base import settings

    conf = settings(cursor_of(con))
    return {k: float(conf.get(f"weight.{k}", w)) for k, w in DEFAULT_WEIGHTS.items()}


def normalise_weights(
    weights: dict[str, float] | None, defaults: dict[str, float] | None = None
) -> dict[str, float]:
    """Weights for every indicator (missing ones from `defaults`), scaled to a total of 100."""
    merged = dict(defaults or DEFAULT_WEIGHTS)
    for key, value in (weights or {}).items():
        if key not in INDICATORS:
            raise WeightError(f"未知的评分指标：{key}。")
        merged[key] = float(value)
    if any(v < 0 for v in merged.values()):
        raise WeightError("指标权重不能为负数，请改为0或正数。")
    total = sum(merged.values())
    if total <= 0:
        raise WeightError("指标权重之和必须大于0，请至少为一个指标设置权重。")
    return {k: v * 100.0 / total for k, v in merged.items()}


def unit_indicators(con: Any, scope: Scope) -> pd.DataFrame:
    """单位编码, 单位名称, the raw value (0–1 or None) of every indicator and followup_missing (the unit's
    KPI count), one row per scored unit."""
    from dashboard.metrics import registers

    cur = cursor_of(con)
    units = run_df(cur, "scorecard_units", scope)
    plan_rates = plans.execution_by_unit(cur, scope).set_index("单位编码")["计划完成率"]
    reg = registers.by_unit_raw(cur, scope).set_index("unit_code")
    flags = quality_flags_by_unit(cur, scope)
    rows = []
    for unit_code, unit_name in units.itertuples(index=False):
        s = scope.with_(unit=unit_code)
        k = kpi_mod.compute_kpis(cur, s)
        plan = plan_rates.get(unit_code)
        plan = None if plan is None or pd.isna(plan) else min(1.0, float(plan))
        n_insp = k["joint_household_share"].denominator or 0
        flagged = flags.get(unit_code, 0)
        rows.append(
            {
                "单位编码": unit_code,
                "单位名称": unit_name,
                "plan_completion": plan,
                "entry_on_time": k["entry_on_time"].value,
                "publish_on_time": k["publish_on_time"].value,
                "followup_closed": k["followup_closed"].value,
                "joint_share": k["joint_task_share"].value,
                "risk_graded_share": k["risk_graded_share"].value,
                "data_quality": (max(0.0, 1.0 - flagged / n_insp) if n_insp else None),
                **_register_values(reg.loc[unit_code] if unit_code in reg.index else None),
                "followup_missing": k["followup_missing"].value,
            }
        )
    return pd.DataFrame(rows, columns=["单位编码", "单位名称", *INDICATORS, "followup_missing"])


def quality_flags_by_unit(con: Any, scope: Scope) -> dict[str, int]:
    """unit code → inspections the 数据质量 indicator flags for that unit alone: the rows of
    quality.published_before_entry plus the 条数 of quality.bulk_identical_notes under
    ``scope.with_(unit=code)``, for every unit in one query (sql/scorecard_quality_flags.sql)."""
    from dashboard.metrics.base import setting

    cur = cursor_of(con)
    bulk_min = int(setting(cur, "quality.bulk_identical_notes"))
    df = run_df(cur, "scorecard_quality_flags", scope, bulk_min=bulk_min)
    return {
        str(r.unit_code): int(r.published_before_entry) + int(r.bulk_identical_rows)
        for r in df.itertuples(index=False)
    }


def _share(num: Any, den: Any, *, inverse: bool = False) -> float | None:
    if not den:
        return None
    value = float(num) / float(den)
    return 1.0 - value if inverse else value


def _register_values(row) -> dict[str, float | None]:
    """The unit's register indicators from its row of registers.by_unit_raw (None: 不适用)."""
    if row is None:
        return dict.fromkeys(REGISTER_INDICATORS)
    return {
        "trained_share": _share(row["inspectors_trained"], row["inspectors_active"]),
        "reports_on_time": _share(row["reports_on_time"], row["reports_due"]),
        "penalties_on_time": _share(row["penalties_late"], row["penalties"], inverse=True),
        "transfers_complete": _share(row["transfers_incomplete"], row["transfers"], inverse=True),
        "credit_recorded": _share(row["credit_missing"], row["penalties"], inverse=True),
        "supervision_on_time": _share(
            row["supervision_overdue"], row["supervision_findings"], inverse=True
        ),
    }


def _redraws(con: Any, scope: Scope) -> dict[str, int] | None:
    from dashboard.store import Store

    if not isinstance(con, Store):  # the draw helper's API takes a Store
        return None
    try:
        from dashboard.draw import redraws_per_unit
    except ImportError:
        return None
    df = redraws_per_unit(con, scope)
    return {str(r.unit_code): int(r.redraws) for r in df.itertuples(index=False)}


def score(values: dict[str, float | None], weights: dict[str, float]) -> tuple[float | None, dict]:
    """(总分, {key: 扣分 or None}) for one unit's indicator values and normalised weights."""
    applicable = {k: v for k, v in values.items() if v is not None and weights[k] > 0}
    total_w = sum(weights[k] for k in applicable)
    if total_w <= 0:
        return None, dict.fromkeys(values)
    lost = {
        k: (100.0 * weights[k] * (1 - v) / total_w if k in applicable else None)
        for k, v in values.items()
    }
    return 100.0 - sum(x for x in lost.values() if x is not None), lost


def scorecard(
    con: Any,
    scope: Scope,
    weights: dict[str, float] | None = None,
    *,
    indicators: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The ranked scorecard: 排名, 单位编码, 单位名称, 总分, each indicator and its 扣分, 不适用指标, 重新抽取次数,
    应后续处理未建记录.

    `indicators` (from `unit_indicators` for the same scope) may be passed in when the caller cached it:
    computing them is the expensive part, re-weighting is instant.
    """
    w = normalise_weights(weights, configured_weights(con))
    ind = unit_indicators(con, scope) if indicators is None else indicators
    redraws = _redraws(con, scope)
    rows = []
    for r in ind.to_dict("records"):
        values = {k: r[k] for k in INDICATORS}
        values = {k: (None if v is None or pd.isna(v) else float(v)) for k, v in values.items()}
        total, lost = score(values, w)
        row = {"单位编码": r["单位编码"], "单位名称": r["单位名称"], "总分": total}
        for key in INDICATORS:
            row[LABELS[key]] = values[key]
            row[LABELS[key] + "扣分"] = lost[key]
        row["不适用指标"] = "、".join(LABELS[k] for k, v in values.items() if v is None)
        row["重新抽取次数"] = None if redraws is None else redraws.get(r["单位编码"], 0)
        missing = r.get("followup_missing")
        row[FOLLOWUP_MISSING] = None if missing is None or pd.isna(missing) else int(missing)
        rows.append(row)
    columns = [
        "排名",
        "单位编码",
        "单位名称",
        "总分",
        *[c for key in INDICATORS for c in (LABELS[key], LABELS[key] + "扣分")],
        "不适用指标",
        "重新抽取次数",
        FOLLOWUP_MISSING,
    ]
    if not rows:
        return pd.DataFrame(columns=columns)
    df = pd.DataFrame(rows)
    df["总分"] = df["总分"].astype(float).round(2)
    df["排名"] = df["总分"].rank(method="min", ascending=False).astype("Int64")
    df = df.sort_values(["总分", "单位编码"], ascending=[False, True], na_position="last")
    return df[columns].reset_index(drop=True)
