"""工作台账: the figures and lists of the office's work registers (DESIGN.md §8), per unit, as of T.

Year Y and as-of date T as in §5 (a date after T has not happened yet; a due date is kept). The unit
filter applies to each register's own unit: a training's organising unit (the trained share: the
inspector's unit), a publicity item's, a report's, a special inspection's supervised unit; follow-ups
follow the §5 follow-up rule (responsible unit, else the task's units). SQL: sql/registers_scope.sql
(the CTEs) and one file per list. ``(con, scope) -> DataFrame`` with Chinese headers.

=======================  ===========================================================  ============
figure                    numerator                                                     denominator
=======================  ===========================================================  ============
trainings                 training sessions of Y held by T (also per kind)              —
trained_share             active inspectors of the unit who attended a training of Y    active inspectors of the unit
                          held by T (whoever organised it)
publicity                 publicity items of Y published by T                           —
reports_on_time           reports due in Y submitted by T on or before their due date   reports due in Y submitted by T or due before T
reports_missing           reports due before T not submitted by T                       the same denominator
transfers_incomplete      follow-ups with measure 4 or 6 without the receiving body     follow-ups with measure 4 or 6
                          or the transfer date (by T)
penalties_late            penalties decided by T published after deadline(decision,    penalties decided by T
                          N) or not published and deadline(decision, N) < T
                          (N = setting register.penalty_publish_workdays, 7)
credit_missing            penalties decided by T not in the credit record by T          penalties decided by T
supervision_overdue       special-inspection findings with rectify_due < T not          special-inspection findings
                          rectified by T
revisit_contradictions    return visits by T that found the rectification not done     return visits by T
                          (未到位) where the inspection reported 1 未发现问题
=======================  ===========================================================  ============
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from dashboard.domain.codes import FOLLOWUP_MEASURES, TRANSFER_MEASURES
from dashboard.metrics.base import code_labels, cursor_of, ratio, run_df, setting
from dashboard.metrics.columns import headed
from dashboard.scope import Scope

# The register headers (English query columns → Chinese), kept with the lists that use them.
HEADERS = {
    "liaison_name": "信息联络员",
    "trainings_business": "业务培训",
    "trainings_system": "系统使用培训",
    "trainings_rules": "工作规范培训",
    "trainings_other": "其他培训",
    "trainings": "培训场次",
    "inspectors_trained": "参训执法人员",
    "inspectors_active": "在岗执法人员",
    "trained_share": "执法人员参训率",
    "publicity": "宣传报道",
    "reports_on_time": "按时报送",
    "reports_due": "应报送",
    "reports_on_time_share": "按时报送率",
    "reports_late": "逾期报送",
    "reports_missing": "逾期未报送",
    "transfers_incomplete": "移送信息缺失",
    "transfers": "应移送",
    "penalties_late": "处罚公示超期",
    "credit_missing": "未纳入信用记录",
    "penalties": "处罚决定",
    "supervision_overdue": "督查整改逾期",
    "supervision_findings": "督查发现问题",
    "revisit_contradictions": "回访与结果矛盾",
    "revisits": "已回访",
    "held_on": "日期",
    "kind": "培训类型",
    "topic": "主题",
    "attendee_count": "参训人数",
    "attendees": "参训人员",
    "hours": "学时",
    "training_code": "培训编码",
    "note": "备注",
    "inspector_code": "人员编码",
    "inspector_name": "姓名",
    "channel": "渠道",
    "title": "标题",
    "url": "链接",
    "publicity_code": "编码",
    "period": "报送期",
    "submitted_on": "报送日期",
    "report_state": "状态",
    "workdays_late": "逾期工作日",
    "phone": "电话",
    "since": "起始日期",
    "transferred_to": "移送机关",
    "transferred_on": "移送日期",
    "penalty_decided_on": "处罚决定日期",
    "penalty_deadline": "公示期限",
    "penalty_published_on": "处罚公示日期",
    "credit_recorded_on": "纳入信用记录日期",
    "revisit_on": "回访日期",
    "revisit_result": "回访结果",
    "lead_unit": "检查单位编码",
    "lead_unit_name": "检查单位",
    "finding": "发现问题",
    "rectify_due": "整改期限",
    "rectified_on": "整改完成日期",
    "supervision_state": "状态",
    "supervision_code": "督查编码",
}

LABELS_ZH: dict[str, str] = {
    "trainings": "培训场次",
    "trained_share": "执法人员参训率",
    "publicity": "宣传报道",
    "reports_on_time": "信息按时报送率",
    "reports_missing": "逾期未报送",
    "transfers_incomplete": "移送信息缺失",
    "penalties_late": "处罚公示超期或未公示",
    "credit_missing": "处罚未纳入信用记录",
    "supervision_overdue": "督查整改逾期",
    "revisit_contradictions": "回访与“未发现问题”矛盾",
}
# (numerator column, denominator column or None, is a ratio)
_FIGURES: dict[str, tuple[str, str | None, bool]] = {
    "trainings": ("trainings", None, False),
    "trained_share": ("inspectors_trained", "inspectors_active", True),
    "publicity": ("publicity", None, False),
    "reports_on_time": ("reports_on_time", "reports_due", True),
    "reports_missing": ("reports_missing", "reports_due", False),
    "transfers_incomplete": ("transfers_incomplete", "transfers", False),
    "penalties_late": ("penalties_late", "penalties", False),
    "credit_missing": ("credit_missing", "penalties", False),
    "supervision_overdue": ("supervision_overdue", "supervision_findings", False),
    "revisit_contradictions": ("revisit_contradictions", "revisits", False),
}
KINDS = {
    "trainings_business": "业务培训",
    "trainings_system": "系统使用培训",
    "trainings_rules": "工作规范培训",
    "trainings_other": "其他",
}


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: float | int | None  # a ratio (None for 0/0) or a count
    numerator: int
    denominator: int | None
    is_ratio: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "value": self.value,
            "numerator": self.numerator,
            "denominator": self.denominator,
        }


def penalty_limit(con: Any) -> int:
    """The working days a penalty decision has to be published in (setting, default 7)."""
    return int(setting(cursor_of(con), "register.penalty_publish_workdays"))


def _params(con: Any) -> dict[str, Any]:
    return {
        "penalty_limit": int(setting(con, "register.penalty_publish_workdays")),
        "transfer_measures": list(TRANSFER_MEASURES),
    }


def _run(con: Any, name: str, scope: Scope, **extra: Any) -> pd.DataFrame:
    cur = cursor_of(con)
    return run_df(cur, name, scope, **_params(cur), **extra)


def by_unit_raw(con: Any, scope: Scope) -> pd.DataFrame:
    """One row per internal unit in scope: every numerator and denominator (English columns)."""
    return _run(con, "registers_by_unit", scope)


def figures(con: Any, scope: Scope, raw: pd.DataFrame | None = None) -> dict[str, Figure]:
    """The scope's totals of every register figure (the sum over its units), with num/den."""
    df = by_unit_raw(con, scope) if raw is None else raw
    out = {}
    for key, (num, den, is_ratio) in _FIGURES.items():
        n = int(df[num].sum()) if len(df) else 0
        d = (int(df[den].sum()) if len(df) else 0) if den else None
        value = ratio(n, d) if is_ratio else n
        out[key] = Figure(key, LABELS_ZH[key], value, n, d, is_ratio)
    return out


def by_kind(raw: pd.DataFrame) -> dict[str, int]:
    """Training sessions per kind (业务培训 …) over the scope."""
    return {label: int(raw[col].sum()) if len(raw) else 0 for col, label in KINDS.items()}


def by_unit(con: Any, scope: Scope, raw: pd.DataFrame | None = None) -> pd.DataFrame:
    """The per-unit table of 工作台账 (Chinese headers, the ratios as numbers in [0, 1] or None)."""
    df = (by_unit_raw(con, scope) if raw is None else raw).copy()
    df["trained_share"] = [
        ratio(a, b) for a, b in zip(df["inspectors_trained"], df["inspectors_active"], strict=True)
    ]
    df["reports_on_time_share"] = [
        ratio(a, b) for a, b in zip(df["reports_on_time"], df["reports_due"], strict=True)
    ]
    return headed(df, HEADERS)


def trainings(con: Any, scope: Scope) -> pd.DataFrame:
    df = _run(con, "registers_trainings", scope)
    df["attendees"] = df["attendees"].map(lambda v: "；".join(v) if v is not None else "")
    return headed(df, HEADERS)


def untrained_inspectors(con: Any, scope: Scope) -> pd.DataFrame:
    return headed(_run(con, "registers_untrained", scope), HEADERS)


def publicity(con: Any, scope: Scope) -> pd.DataFrame:
    return headed(_run(con, "registers_publicity", scope), HEADERS)


def submissions(con: Any, scope: Scope) -> pd.DataFrame:
    return headed(_run(con, "registers_submissions", scope), HEADERS)


def liaisons(con: Any, scope: Scope) -> pd.DataFrame:
    return headed(_run(con, "registers_liaisons", scope), HEADERS)


def supervisions(con: Any, scope: Scope) -> pd.DataFrame:
    return headed(_run(con, "registers_supervisions", scope), HEADERS)


PROBLEMS = ("transfer", "penalty", "credit", "revisit")


def followup_problems(con: Any, scope: Scope, problem: str) -> pd.DataFrame:
    """Follow-ups of Y with one register problem ('transfer', 'penalty', 'credit', 'revisit')."""
    if problem not in PROBLEMS:
        raise ValueError(problem)
    df = _run(con, "registers_followups", scope, problem=problem)
    df["result_codes"] = df["result_codes"].map(code_labels)
    df["measure_code"] = df["measure_code"].map(lambda v: FOLLOWUP_MEASURES.get(v, v))
    return headed(df, HEADERS)


def report(con: Any, scope: Scope) -> dict[str, Any]:
    """What `dashboard registers --json` prints: the totals with num/den, per kind and per unit."""
    raw = by_unit_raw(con, scope)
    totals = figures(con, scope, raw)
    units = []
    for row in raw.to_dict("records"):
        units.append({k: (None if pd.isna(v) else v) for k, v in row.items()})
    return {
        "year": scope.year,
        "as_of": scope.as_of.isoformat(),
        "unit": scope.unit,
        "figures": {k: f.as_dict() for k, f in totals.items()},
        "trainings_by_kind": by_kind(raw),
        "by_unit": units,
    }
