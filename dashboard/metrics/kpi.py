"""The thirteen KPIs of DESIGN.md §5 (the contract `dashboard kpi --json` prints).

`compute_kpis(con, scope)` runs one query (sql/kpi_values.sql, built on the base CTEs of
`dashboard.metrics.base`) and returns ``{key: Kpi}`` in the order of :data:`KPI_KEYS`.

Rules beyond the §5 table, decided here:
- status: ratio ≥ target → 达标; target × (1 − warning_band) ≤ ratio < target → 预警 (the band is
  relative to the target, so for the 100% targets it is the plain distance 0.05, and a coverage of 0
  against 5% is 未达标, not 预警); else 未达标; a count ≤ its target (0) → 达标 else 未达标; no value
  (zero denominator) or no target → None.
- coverage: the base is the whole directory (never unit-filtered); a town or item filter restricts the
  base to entities of that town / tagged with that item, like the numerator.
- high_risk_uninspected: entities of the directory (town/item filters as for coverage); with a unit
  filter, those tagged with an item whose owner_unit is one of the units. An inspection by any
  non-voided task (any year, any unit) within (T − risk.uninspected_days, T] counts.
- followup_missing: inspections of Y (unit rule of their task, like every inspection KPI) entered by T
  with a code of the A family (domain.codes.FOLLOWUP_CODES) and no row in ``followups`` for their
  (task_code, entity_code) — any row counts as a record, whatever its dates or responsible unit.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from dashboard.metrics import base
from dashboard.scope import Scope

KPI_KEYS: tuple[str, ...] = (
    "coverage",
    "joint_task_share",
    "joint_household_share",
    "risk_graded_share",
    "entry_on_time",
    "publish_on_time",
    "entry_overdue",
    "followup_closed",
    "followup_overdue",
    "backfill_late",
    "problem_rate",
    "high_risk_uninspected",
    "followup_missing",
)

RATIO, COUNT = "ratio", "count"
MET, WARN, MISSED = "达标", "预警", "未达标"

LABELS_ZH: dict[str, str] = {
    "coverage": "抽查覆盖率",
    "joint_task_share": "联合抽查次数占比",
    "joint_household_share": "联合抽查户数占比",
    "risk_graded_share": "运用信用风险分类抽查占比",
    "entry_on_time": "结果按时录入率",
    "publish_on_time": "结果按时公示率",
    "entry_overdue": "超期未录入",
    "followup_closed": "后续处理完结率",
    "followup_overdue": "后续处理逾期未完结",
    "backfill_late": "后续处理回填超期",
    "problem_rate": "问题发现率",
    "high_risk_uninspected": "高风险对象一年内未检查",
    "followup_missing": "应后续处理未建记录",
}

KINDS: dict[str, str] = {
    k: COUNT
    if k
    in (
        "entry_overdue",
        "followup_overdue",
        "backfill_late",
        "high_risk_uninspected",
        "followup_missing",
    )
    else RATIO
    for k in KPI_KEYS
}

# Exact Chinese definitions ({entry}/{backfill} = working-day limits, {days} = look-back days).
EXPLANATIONS_ZH: dict[str, str] = {
    "coverage": (
        "本年度检查结果中不同检查对象的个数（含本年新设立的对象）÷ 上年12月31日前成立且当日未注销的检查对象总数"
        "（名录库全部对象，不按单位筛选）。"
    ),
    "joint_task_share": "本年度抽查任务中联合抽查（部门内部联合或跨部门联合）的任务数 ÷ 本年度抽查任务数。",
    "joint_household_share": "本年度检查结果中属于联合抽查任务的“任务—对象”户数 ÷ 本年度检查结果的全部户数。",
    "risk_graded_share": "本年度抽查任务中运用信用风险分级分类抽取的任务数 ÷ 本年度抽查任务数。",
    "entry_on_time": (
        "本年度检查结果中在检查结束后{entry}个工作日内录入的户数 ÷ 已录入或录入期限已过的户数"
        "（工作日按国务院公布的节假日和调休安排计算，检查结束当日不计）。"
    ),
    "publish_on_time": "本年度检查结果中在检查结束后{entry}个工作日内公示的户数 ÷ 已公示或公示期限已过的户数。",
    "entry_overdue": "本年度检查结果中尚未录入、且检查结束后{entry}个工作日的期限已过的户数。",
    "followup_closed": "本年度检查结果的后续处理中已完结的件数 ÷ 后续处理总件数。",
    "followup_overdue": "本年度后续处理中整改期限已过仍未完结的件数。",
    "backfill_late": (
        "本年度已完结的后续处理中，完结后超过{backfill}个工作日才回填，或期限已过仍未回填的件数。"
    ),
    "problem_rate": "本年度已录入且有结果代码的检查结果中，结果代码含“发现问题”类代码的户数所占比例。",
    "high_risk_uninspected": (
        "截至统计日未注销、最新市场监管信用风险等级为D级（高风险），且近{days}天内未被任何有效任务检查的对象数。"
    ),
    "followup_missing": (
        "本年度已录入的检查结果中，结果代码含“A 发现问题待后续处理”类代码（A 及其下各代码），"
        "但没有任何后续处理记录的户数。"
    ),
}


@dataclass(frozen=True)
class Kpi:
    """One KPI value: ratio KPIs carry numerator/denominator; counts have numerator = count, denominator None."""

    key: str
    label_zh: str
    value: float | int | None
    numerator: int | None
    denominator: int | None
    target: float | int | None
    kind: str  # 'ratio' | 'count'
    status: str | None  # '达标' | '预警' | '未达标' | None
    explanation_zh: str

    def as_json(self) -> dict[str, Any]:
        """The `dashboard kpi --json` shape of this KPI."""
        return {
            "value": self.value,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "target": self.target,
        }

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def kpi_status(
    kind: str, value: float | int | None, target: float | int | None, band: float
) -> str | None:
    """达标 / 预警 / 未达标 per the rule in this module's docstring (None without value or target)."""
    if value is None or target is None:
        return None
    if kind == COUNT:
        return MET if value <= target else MISSED
    eps = 1e-12
    if value >= target - eps:
        return MET
    if value >= target * (1 - band) - eps:
        return WARN
    return MISSED


def kpi_targets(con: Any) -> dict[str, float | int | None]:
    """The target of each KPI from settings (problem_rate has none)."""
    conf = base.settings(con)
    return {k: (None if k == "problem_rate" else conf[f"target.{k}"]) for k in KPI_KEYS}


def limits(con: Any) -> dict[str, Any]:
    """The configured numbers the definitions mention: entry, backfill, days, band (percent), soon
    (the due-soon window in working days)."""
    conf = base.settings(con)
    return {
        "entry": int(conf["entry_limit_workdays"]),
        "backfill": int(conf["backfill_limit_workdays"]),
        "days": int(conf["risk.uninspected_days"]),
        "band": f"{float(conf['warning_band']) * 100:g}",
        "soon": int(conf["due_soon_workdays"]),
    }


def explanation(con: Any, key: str) -> str:
    """The Chinese definition of KPI ``key`` with the configured limits filled in."""
    return EXPLANATIONS_ZH[key].format(**limits(con))


# KPI key → (numerator column, denominator column or None) in sql/kpi_values.sql.
_COLUMNS: dict[str, tuple[str, str | None]] = {
    "coverage": ("cov_num", "cov_den"),
    "joint_task_share": ("joint_task_num", "task_den"),
    "joint_household_share": ("joint_hh_num", "insp_den"),
    "risk_graded_share": ("graded_num", "task_den"),
    "entry_on_time": ("entry_num", "entry_den"),
    "publish_on_time": ("publish_num", "publish_den"),
    "entry_overdue": ("entry_overdue", None),
    "followup_closed": ("fu_closed_num", "fu_den"),
    "followup_overdue": ("fu_overdue", None),
    "backfill_late": ("backfill_late", None),
    "problem_rate": ("problem_num", "problem_den"),
    "high_risk_uninspected": ("high_risk_uninspected", None),
    "followup_missing": ("followup_missing", None),
}


def compute_kpis(con: Any, scope: Scope) -> dict[str, Kpi]:
    """Every KPI of §5 for ``scope`` (keys exactly :data:`KPI_KEYS`, in that order)."""
    cur = base.cursor_of(con)
    row = base.run_row(cur, "kpi_values", scope)
    targets = kpi_targets(cur)
    band = float(base.setting(cur, "warning_band"))
    numbers = limits(cur)
    out: dict[str, Kpi] = {}
    for key in KPI_KEYS:
        num_col, den_col = _COLUMNS[key]
        numerator = int(row[num_col] or 0)
        if den_col is None:
            denominator, value = None, numerator
        else:
            denominator = int(row[den_col] or 0)
            value = base.ratio(numerator, denominator)
        kind = KINDS[key]
        out[key] = Kpi(
            key=key,
            label_zh=LABELS_ZH[key],
            value=value,
            numerator=numerator,
            denominator=denominator,
            target=targets[key],
            kind=kind,
            status=kpi_status(kind, value, targets[key], band),
            explanation_zh=EXPLANATIONS_ZH[key].format(**numbers),
        )
    return out


# The page where each KPI's drill-down lists are (kpi cards link there).
KPI_PAGES: dict[str, str] = {
    "coverage": "pages/coverage.py",
    "joint_task_share": "pages/joint.py",
    "joint_household_share": "pages/joint.py",
    "risk_graded_share": "pages/joint.py",
    "entry_on_time": "pages/timeliness.py",
    "publish_on_time": "pages/timeliness.py",
    "entry_overdue": "pages/timeliness.py",
    "followup_closed": "pages/timeliness.py",
    "followup_overdue": "pages/timeliness.py",
    "backfill_late": "pages/timeliness.py",
    "problem_rate": "pages/quality.py",
    "high_risk_uninspected": "pages/coverage.py",
    "followup_missing": "pages/followup.py",
}


def format_value(kind: str, value: float | int | None) -> str:
    """'41.7%' for a ratio, '3' for a count, '—' for no value."""
    if value is None:
        return "—"
    if kind == RATIO:
        return f"{value * 100:.1f}%"
    return str(int(value))


def format_target(kind: str, target: float | int | None) -> str | None:
    """'≥ 5%' / '100%' for ratios, '0' for counts, None without a target."""
    if target is None:
        return None
    if kind == RATIO:
        pct = f"{target * 100:g}%"
        return pct if target >= 1 else f"≥ {pct}"
    return str(int(target))


def format_fraction(kpi: Kpi) -> str:
    """'5 / 12' for a ratio, the count for a count."""
    if kpi.denominator is None:
        return str(kpi.numerator)
    return f"{kpi.numerator} / {kpi.denominator}"


def kpis_json(kpis: dict[str, Kpi]) -> dict[str, dict[str, Any]]:
    """{key: {"value", "numerator", "denominator", "target"}} — the CLI's JSON object."""
    return {k: kpis[k].as_json() for k in KPI_KEYS}
