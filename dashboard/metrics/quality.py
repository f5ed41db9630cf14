"""基础与质量: readiness of 一单两库 and signs of perfunctory work. ``(con, scope) -> DataFrame``.

Rules decided here (each list's SQL file repeats its own rule):
- Items with no owner unit: owner_unit empty or not a known unit (never unit-filtered).
- Checklists (表格库): a task of Y started before its item had a form (no form added on or before
  start_on), or a form of its item was added after start_on and by its end date (the form was made up
  while the task ran). See sql/quality_checklist_late.sql.
- Entities: no tag at all; a code that is not a USCC, licence number or 15-digit 注册号 (编码无效); a USCC
  whose check character fails (校验位不符 — a warning, early pilot codes are legal); a 15-digit 注册号
  (旧注册号, for information). Checked with :mod:`dashboard.domain.uscc`.
- Inspectors (active, of the units in the filter): no specialties, no certificate number or validity, a
  certificate expired by T or expiring within the setting ``quality.cert_warning_days`` days.
- Low finding rate: for each inspector with inspections of Y that are entered with at least one result
  code, k findings in n inspections is compared with the other inspections of the same unit (served by an
  inspector of that unit, not by this one: k_rest findings in n_rest, rate p0) by the one-sided Fisher
  exact test: with N = n + n_rest and K = k + k_rest, p = P(X ≤ k) for X hypergeometric (N, K, n)
  (computed with math.lgamma; no scipy). Fisher rather than a binomial test against p0 because p0 is
  itself estimated: against a unit rest of 1 inspection with 1 finding the binomial test would call 0 of
  9 impossible (p = 0). Fires when p < ``alpha`` (default 0.01) and k/n < p0. A fixed cut-off would
  flag every inspector with few inspections; the test flags a gap the numbers make unlikely by chance.
- Published before entry: published_on < entered_on (both by T).
- Breaches of the working rules an import stores as warnings (DESIGN.md §4; the entry forms refuse them),
  each a list of inspections of Y (unit rule of the task, town filter) unless noted:
  entered before the inspection (entered_on < inspected_on), published before the inspection
  (published_on < inspected_on), an inspection before its task (inspected_on before the task's start_on
  or the date of its current draw, the rule of entry.rules.inspection_before_start), results on voided tasks (inspections by T of tasks voided now whose
  start_on is in Y and ≤ T — they count in no KPI), a team below the minimum (fewer distinct inspectors
  than max(min_inspectors of the task's items, 2), the rule of entry.rules.check_inspectors) and results
  for targets not drawn (the entity is not among the selections of the task's current draw, the rule
  of entry.rules.check_target; a task with no draw record is never listed). :func:`rule_breaches`
  gives all six; the page's counts are the lengths of these lists.
- Bulk entries with identical notes: the store has no entry timestamps, so the proxy is the same
  entered_on, the same trimmed note and the same inspector team (sorted codes) on at least
  ``quality.bulk_identical_notes`` inspections of Y (a setting).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from dashboard.domain import uscc
from dashboard.metrics.base import (
    HeadRows,
    code_labels,
    cursor_of,
    run_df,
    run_head,
    run_row,
    setting,
)
from dashboard.metrics.cache import cached_result
from dashboard.metrics.columns import headed
from dashboard.scope import Scope


# -- statistics -----------------------------------------------------------------------------------------
def binom_cdf(k: int, n: int, p: float) -> float:
    """P(X ≤ k) for X ~ Binomial(n, p), summed in log space (exact up to float rounding)."""
    if k < 0:
        return 0.0
    if k >= n:
        return 1.0
    if p <= 0.0:
        return 1.0
    if p >= 1.0:
        return 0.0
    lp, lq = math.log(p), math.log1p(-p)
    base = math.lgamma(n + 1)
    terms = [
        base - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * lp + (n - i) * lq
        for i in range(k + 1)
    ]
    top = max(terms)
    return min(1.0, math.exp(top) * sum(math.exp(t - top) for t in terms))


def _lcomb(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def fisher_lower(k: int, n: int, k_rest: int, n_rest: int) -> float:
    """One-sided Fisher exact p-value P(X ≤ k): X = findings among n drawn from the pooled N, K."""
    big_n, big_k = n + n_rest, k + k_rest
    lo = max(0, n - (big_n - big_k))
    if k < lo:
        return 0.0
    denom = _lcomb(big_n, n)
    terms = [_lcomb(big_k, i) + _lcomb(big_n - big_k, n - i) - denom for i in range(lo, k + 1)]
    top = max(terms)
    return min(1.0, math.exp(top) * sum(math.exp(t - top) for t in terms))


def low_rate_p_value(k: int, n: int, k_rest: int, n_rest: int) -> float | None:
    """One-sided Fisher p-value that k/n is below k_rest/n_rest (None without a reference group)."""
    if n <= 0 or n_rest <= 0:
        return None
    return fisher_lower(k, n, k_rest, n_rest)


# -- 一单两库 readiness ---------------------------------------------------------------------------------
def items_without_owner(con: Any, scope: Scope) -> pd.DataFrame:
    return run_df(con, "quality_items_without_owner", scope)


def checklist_not_ready(con: Any, scope: Scope) -> pd.DataFrame:
    """Tasks of Y whose item had no checklist form at the start, or got one only while the task ran."""
    return run_df(con, "quality_checklist_late", scope)


ENTITY_COLUMNS = ["主体编码", "名称", "主体类别", "乡镇", "状态", "问题类型", "说明"]
INFO_PROBLEM = "旧注册号"  # for information only: left out of readiness()'s counts
_UNTAGGED_NOTE = "未标注任何抽查事项，摇号时不会进入任何名录。"
_REGISTRATION_NO_NOTE = "使用15位注册号，请核实是否已换发统一社会信用代码。"


def entity_problems(con: Any, scope: Scope, *, include_info: bool = True) -> pd.DataFrame:
    """Entities with no tag or a code problem (one row per entity and problem); without
    `include_info`, no 旧注册号 rows. Both lists come from one check of the directory, cached for the
    scope and data version (the page shows the first, readiness() counts the second)."""
    return _entity_problem_lists(con, scope)["all" if include_info else "no_info"]


@cached_result
def _entity_problem_lists(con: Any, scope: Scope) -> dict[str, pd.DataFrame]:
    """{"all": every problem row, "no_info": the same rows without 旧注册号}, in the directory's order
    (entity code) and, per entity, 无标签 before its code problem."""
    df = run_df(con, "quality_entities", scope)
    codes = df["entity_code"].tolist()
    kinds = list(map(uscc.classify, codes))
    bad_check = uscc.check_digit_failures(
        [c for c, k in zip(codes, kinds, strict=True) if k == "uscc"]
    )
    found: list[tuple[int, str, str | None]] = []  # (row of df, problem, note)
    for i, (code, kind, n_tags) in enumerate(zip(codes, kinds, df["n_tags"].tolist(), strict=True)):
        if not n_tags:
            found.append((i, "无标签", _UNTAGGED_NOTE))
        if kind == "invalid":
            found.append((i, "编码无效", uscc.invalid_reason(code)))
        elif kind == "uscc":
            if code in bad_check:
                found.append((i, "校验位不符", bad_check[code]))
        elif kind == "registration_no":
            found.append((i, INFO_PROBLEM, _REGISTRATION_NO_NOTE))
    hits = df.iloc[[i for i, _, _ in found]]  # only the problem rows are read out of the frame
    rows = [
        [r.entity_code, r.name, r.entity_kind, r.town, r.status, problem, note]
        for r, (_, problem, note) in zip(hits.itertuples(index=False), found, strict=True)
    ]
    return {
        "all": pd.DataFrame(rows, columns=ENTITY_COLUMNS),
        "no_info": pd.DataFrame([r for r in rows if r[5] != INFO_PROBLEM], columns=ENTITY_COLUMNS),
    }


def inspector_problems(con: Any, scope: Scope) -> pd.DataFrame:
    """Active inspectors without specialties or with a missing / expired / expiring certificate."""
    days = int(setting(con, "quality.cert_warning_days"))
    return run_df(con, "quality_inspectors", scope, cert_days=days)


@dataclass(frozen=True)
class Readiness:
    """Counts of the 一单两库 checks (shown as cards)."""

    items: int
    items_without_owner: int
    entities: int
    entities_untagged: int
    entities_bad_code: int
    inspectors: int
    inspectors_problem: int
    tasks_checklist_not_ready: int


def readiness(con: Any, scope: Scope) -> Readiness:
    cur = cursor_of(con)
    ents = entity_problems(cur, scope, include_info=False)
    n = run_row(cur, "quality_counts", scope)
    return Readiness(
        items=int(n["items"]),
        items_without_owner=len(items_without_owner(cur, scope)),
        entities=int(n["entities"]),
        entities_untagged=int(ents.loc[ents["问题类型"] == "无标签", "主体编码"].nunique()),
        entities_bad_code=int(ents.loc[ents["问题类型"] != "无标签", "主体编码"].nunique()),
        inspectors=int(n["inspectors"]),
        inspectors_problem=len(inspector_problems(cur, scope)),
        tasks_checklist_not_ready=int(checklist_not_ready(cur, scope)["任务编码"].nunique()),
    )


# -- signs of perfunctory work --------------------------------------------------------------------------
RATE_COLUMNS = [
    "人员编码",
    "姓名",
    "单位编码",
    "检查户数",
    "发现问题户数",
    "本人发现率",  # this inspector's own rate, not the KPI 问题发现率 (§5: one name, one number)
    "本单位其他户数",
    "本单位其他发现问题户数",
    "本单位其他发现率",
    "p值",
    "结论",
]


@cached_result
def inspector_finding_rates(con: Any, scope: Scope, alpha: float | None = None) -> pd.DataFrame:
    """Every inspector with graded inspections of Y, with the Fisher exact test against the rest of the unit."""
    if alpha is None:
        alpha = float(setting(con, "quality.low_rate_alpha"))
    df = run_df(con, "quality_inspector_rates", scope)
    stats = []
    for r in df.itertuples(index=False):
        n, k, n_rest, k_rest = int(r.n), int(r.k), int(r.n_rest), int(r.k_rest)
        stats.append((r, n, k, n_rest, k_rest, low_rate_p_value(k, n, k_rest, n_rest)))
    rows = []
    for r, n, k, n_rest, k_rest, pval in stats:
        p0 = k_rest / n_rest if n_rest else None
        low = pval is not None and pval < alpha and p0 is not None and k / n < p0
        rows.append(
            [
                r.inspector_code,
                r.name,
                r.unit_code,
                n,
                k,
                k / n,
                n_rest,
                k_rest,
                p0,
                pval,
                "显著偏低" if low else "未见异常",
            ]
        )
    return pd.DataFrame(rows, columns=RATE_COLUMNS)


def low_finding_inspectors(con: Any, scope: Scope, alpha: float | None = None) -> pd.DataFrame:
    """Inspectors whose finding rate is significantly below their unit's (p < alpha), lowest p first."""
    df = inspector_finding_rates(con, scope, alpha)
    df = df[df["结论"] == "显著偏低"].sort_values(["p值", "人员编码"])
    return df.reset_index(drop=True)


def published_before_entry(con: Any, scope: Scope) -> pd.DataFrame:
    return run_df(con, "quality_published_before_entry", scope)


# the columns of each list of quality_dated_before_inspection.sql (one query, $which chooses the rule)
_DATED_COLUMNS = {
    "entered": ["unit_code", "unit_name", "task_code", "entity_code", "entity_name",
                "inspected_on", "entered_on", "published_on", "days_early", "task_name", "team"],
    "published": ["unit_code", "unit_name", "task_code", "entity_code", "entity_name",
                  "inspected_on", "entered_on", "published_on", "days_early", "task_name", "team"],
    # who, which target, the dates compared and by how much first (they fit the page's width)
    "started": ["unit_name", "task_code", "entity_name", "inspected_on", "start_on", "draw_date",
                "days_early", "entity_code", "unit_code", "entered_on", "task_name", "team"],
}  # fmt: skip


def _dated(con: Any, scope: Scope, which: str) -> pd.DataFrame:
    df = run_df(con, "quality_dated_before_inspection", scope, which=which)
    return headed(df[_DATED_COLUMNS[which]])


def entered_before_inspection(con: Any, scope: Scope) -> pd.DataFrame:
    """Inspections of Y entered before the inspection ended (entered_on < inspected_on)."""
    return _dated(con, scope, "entered")


def published_before_inspection(con: Any, scope: Scope) -> pd.DataFrame:
    """Inspections of Y published before the inspection ended (published_on < inspected_on)."""
    return _dated(con, scope, "published")


def inspected_before_start(con: Any, scope: Scope) -> pd.DataFrame:
    """Inspections of Y that ended before their task's start date or before its current draw (the
    rule of dashboard.entry.rules.inspection_before_start); 提前天数 = days before the later of the two."""
    return _dated(con, scope, "started")


def voided_task_results(con: Any, scope: Scope) -> pd.DataFrame:
    """Results by T on tasks of Y that are voided (they count in no KPI)."""
    df = run_df(con, "quality_voided_task_results", scope)
    df["result_codes"] = df["result_codes"].map(code_labels)
    return headed(df, {"unit_name": "牵头单位"})


def team_below_minimum(con: Any, scope: Scope) -> pd.DataFrame:
    """Inspections of Y with fewer distinct inspectors than max(min_inspectors of the items, 2)."""
    return headed(run_df(con, "quality_team_below_minimum", scope))


def undrawn_targets(con: Any, scope: Scope) -> pd.DataFrame:
    """Inspections of Y whose entity is not among the selections of the task's current draw."""
    return headed(run_df(con, "quality_undrawn_targets", scope))


# key → list function, in the order the page shows them
RULE_BREACHES = {
    "entered_before_inspection": entered_before_inspection,
    "published_before_inspection": published_before_inspection,
    "inspected_before_start": inspected_before_start,
    "voided_task_results": voided_task_results,
    "team_below_minimum": team_below_minimum,
    "undrawn_targets": undrawn_targets,
}


def rule_breaches(con: Any, scope: Scope) -> dict[str, pd.DataFrame]:
    """Every rule-breach list of :data:`RULE_BREACHES` for ``scope`` (the count of each is its length)."""
    cur = cursor_of(con)
    return {key: fn(cur, scope) for key, fn in RULE_BREACHES.items()}


def inspections_with_findings(con: Any, scope: Scope) -> pd.DataFrame:
    """The inspections counted in 问题发现率's numerator (the card's 查看明细 opens them): entered, with a
    finding code. Columns as 应后续处理未建记录's list."""
    return _findings_labelled(run_df(con, "followup_missing", scope, which="findings"))


def _findings_labelled(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy(deep=False)
    df["result_codes"] = df["result_codes"].map(code_labels)
    return headed(df)


def inspections_with_findings_rows(con: Any, scope: Scope, limit: int = 500) -> HeadRows:
    """:func:`inspections_with_findings` as the page shows it: its first rows and count from SQL, the
    whole list only for a download (≈ 370,000 rows at 8 M entities, too large to keep cached)."""
    return run_head(con, "followup_missing", scope, limit=limit, which="findings").map(
        _findings_labelled
    )


def bulk_identical_notes(con: Any, scope: Scope, min_rows: int | None = None) -> pd.DataFrame:
    """Groups of ≥ min_rows inspections entered the same day by the same team with the same note."""
    if min_rows is None:
        min_rows = int(setting(con, "quality.bulk_identical_notes"))
    return run_df(con, "quality_bulk_notes", scope, bulk_min=int(min_rows))


def bulk_identical_notes_rows(
    con: Any, scope: Scope, min_rows: int | None = None, limit: int = 500
) -> HeadRows:
    """:func:`bulk_identical_notes` as the page shows it (first rows and count; at 8 M entities a
    group lists thousands of inspections and the whole list is too large to keep cached)."""
    if min_rows is None:
        min_rows = int(setting(con, "quality.bulk_identical_notes"))
    return run_head(con, "quality_bulk_notes", scope, limit=limit, bulk_min=int(min_rows))
