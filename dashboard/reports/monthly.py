"""工作报告: the monthly progress report units send through the liaison system (信息联络员).

``monthly_docx(con, scope) -> bytes`` (Word, python-docx) and ``monthly_xlsx(con, scope) -> bytes`` (Excel,
one sheet per section) from the same :func:`report_data`: the §5 KPIs with targets and status
(metrics.kpi.compute_kpis), the per-unit plan execution table, the overdue lists (results not entered in
time, follow-ups past due, tasks past their end without results, plan adjustments not republished), the
findings without a follow-up record (the followup_missing KPI's list), what falls due within the next
working days (entries and follow-ups, metrics.due_soon) and the risk warnings (counts per kind and the
entities not yet in a task). Everything follows the scope (year,
as-of date, the user's units and filters). Chinese text in Word needs the East-Asian font set on every
run (w:rFonts/@w:eastAsia): 宋体 for the body and tables, 黑体 for headings, 方正小标宋/宋体 for the title.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from dashboard.metrics import due_soon, followup, kpi, plans, registers, risk, timeliness
from dashboard.metrics.base import cursor_of, scope_units_text
from dashboard.reports.safe import to_xlsx_bytes
from dashboard.scope import Scope

BODY_FONT = "宋体"
HEAD_FONT = "黑体"
LIST_LIMIT = 30  # rows of each overdue list printed in Word (the Excel file has them all)

KPI_COLUMNS = ["指标", "当前值", "目标", "分子", "分母", "状态"]


@dataclass
class ReportData:
    title: str
    scope_text: str
    kpis: pd.DataFrame
    units: pd.DataFrame
    overdue: dict[str, pd.DataFrame] = field(default_factory=dict)
    missing: pd.DataFrame | None = None
    soon_text: str = ""
    soon: dict[str, pd.DataFrame] = field(default_factory=dict)
    warning_counts: pd.DataFrame | None = None
    warnings_open: pd.DataFrame | None = None
    summary: list[str] = field(default_factory=list)
    # the work registers (DESIGN.md §8): figures with num/den, per unit, and their problem lists
    registers: pd.DataFrame | None = None
    register_units: pd.DataFrame | None = None
    register_problems: dict[str, pd.DataFrame] = field(default_factory=dict)


def _fmt_value(k: kpi.Kpi, value: float | int | None) -> str:
    if value is None:
        return "—"
    if k.kind == kpi.RATIO:
        return f"{value * 100:.1f}%"
    return str(int(value))


def kpi_table(kpis: dict[str, kpi.Kpi]) -> pd.DataFrame:
    rows = []
    for k in kpis.values():
        rows.append(
            {
                "指标": k.label_zh,
                "当前值": _fmt_value(k, k.value),
                "目标": _fmt_value(k, k.target) if k.target is not None else "—",
                "分子": k.numerator,
                "分母": k.denominator,
                "状态": k.status or "—",
            }
        )
    return pd.DataFrame(rows, columns=KPI_COLUMNS)


def _scope_text(con: Any, scope: Scope) -> str:
    who = "全局各单位" if scope.unit_filter is None else scope_units_text(con, scope)
    extra = []
    if scope.item:
        extra.append(f"事项 {scope.item}")
    if scope.town:
        extra.append(f"乡镇 {scope.town}")
    tail = f"；筛选：{'，'.join(extra)}" if extra else ""
    return f"统计年度：{scope.year}年；统计截至：{scope.as_of.isoformat()}；范围：{who}{tail}"


def report_data(con: Any, scope: Scope) -> ReportData:
    cur = cursor_of(con)
    kpis = kpi.compute_kpis(cur, scope)
    units = plans.execution_by_unit(cur, scope)
    units = units.assign(
        计划完成率=units["计划完成率"].map(lambda v: None if pd.isna(v) else f"{v * 100:.1f}%")
    )
    overdue = {
        "超期未录入": timeliness.entries_overdue(cur, scope),
        "后续处理逾期未完结": followup.overdue_followups(cur, scope),
        "超过结束日期无检查结果的任务": plans.tasks_past_end_without_results(cur, scope),
        "计划调整未重新公开": plans.adjustments(cur, scope, only_not_republished=True),
    }
    missing = followup.missing_followups(cur, scope)
    win = due_soon.window(cur, scope)
    soon = {
        "录入即将到期": due_soon.entries_due_soon(cur, scope),
        "后续处理即将到期": due_soon.followups_due_soon(cur, scope),
    }
    soon_text = (
        f"到期范围：{win.start.isoformat()}至{win.end.isoformat()}（截至日期起{win.workdays}个工作日内）"
        if win.end is not None
        else "截至日期超出工作日历的范围，无法计算即将到期的事项"
    )
    reg_raw = registers.by_unit_raw(cur, scope)
    reg_figures = registers.figures(cur, scope, reg_raw)
    reg_table = pd.DataFrame(
        [
            {
                "台账指标": f.label,
                "数值": (
                    None
                    if f.value is None
                    else (f"{f.value * 100:.1f}%" if f.is_ratio else str(f.value))
                ),
                "分子": f.numerator,
                "分母": f.denominator,
            }
            for f in reg_figures.values()
        ]
    )
    reg_units = registers.by_unit(cur, scope, reg_raw)[
        ["单位", "培训场次", "参训执法人员", "在岗执法人员", "宣传报道", "按时报送", "应报送",
         "逾期未报送", "移送信息缺失", "处罚公示超期", "未纳入信用记录", "督查整改逾期", "回访与结果矛盾"]
    ]  # fmt: skip
    reg_problems = {
        "逾期未报送": (subs := registers.submissions(cur, scope))[subs["状态"] == "逾期未报送"],
        "移送信息缺失": registers.followup_problems(cur, scope, "transfer"),
        "处罚公示超期或未公示": registers.followup_problems(cur, scope, "penalty"),
        "处罚未纳入信用记录": registers.followup_problems(cur, scope, "credit"),
        "回访与未发现问题矛盾": registers.followup_problems(cur, scope, "revisit"),
    }
    idle = reg_units[reg_units["培训场次"] == 0]["单位"].tolist()
    warns = risk.warnings(cur, scope)
    counts = risk.warning_counts(cur, scope, warns)
    open_warns = warns[warns["已在任务中"] == "否"].reset_index(drop=True)
    missed = [k.label_zh for k in kpis.values() if k.status in (kpi.MISSED, kpi.WARN)]
    summary = [
        (
            f"截至{scope.as_of.month}月{scope.as_of.day}日，{len(missed)}项指标未达标或处于预警："
            + "、".join(missed)
            + "。"
        )
        if missed
        else f"截至{scope.as_of.month}月{scope.as_of.day}日，各项指标均已达标。",
        "超期事项：" + "；".join(f"{name}{len(df)}项" for name, df in overdue.items()) + "。",
        f"{kpi.LABELS_ZH['followup_missing']}{kpis['followup_missing'].value}户"
        "（结果代码含A类、尚无后续处理记录的检查结果）。",
        "即将到期事项：" + "；".join(f"{name}{len(df)}项" for name, df in soon.items()) + "。",
        f"风险预警{len(warns)}条，其中{len(open_warns)}条涉及的对象尚未纳入任何在办任务。",
        "工作台账："
        + "；".join(
            f"{f.label}{f.value if not f.is_ratio else ('—' if f.value is None else f'{f.value:.1%}')}"
            for f in reg_figures.values()
        )
        + (f"；本年度未组织培训的单位：{'、'.join(idle)}" if idle else "")
        + "。",
    ]
    return ReportData(
        title=f"{scope.year}年{scope.as_of.month}月“双随机、一公开”监管工作进展报告",
        scope_text=_scope_text(cur, scope),
        kpis=kpi_table(kpis),
        units=units,
        overdue=overdue,
        missing=missing,
        soon_text=soon_text,
        soon=soon,
        warning_counts=counts,
        warnings_open=open_warns,
        summary=summary,
        registers=reg_table,
        register_units=reg_units,
        register_problems=reg_problems,
    )


# -- Word ---------------------------------------------------------------------------------------------
def set_east_asian_font(
    run, name: str = BODY_FONT, size: float | None = None, bold: bool | None = None
):
    """Set a run's Latin and East-Asian font (w:rFonts w:ascii/w:hAnsi/w:eastAsia)."""
    run.font.name = name
    rfonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    rfonts.set(qn("w:eastAsia"), name)
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.bold = bold
    return run


def _para(doc, text: str, *, font=BODY_FONT, size=12.0, bold=False, align=None):
    p = doc.add_paragraph()
    set_east_asian_font(p.add_run(text), font, size, bold)
    if align is not None:
        p.alignment = align
    return p


def _cell_text(value) -> str:
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _table(doc, df: pd.DataFrame, limit: int | None = None):
    shown = df if limit is None else df.head(limit)
    table = doc.add_table(rows=1, cols=len(shown.columns))
    table.style = "Table Grid"
    for cell, col in zip(table.rows[0].cells, shown.columns, strict=True):
        set_east_asian_font(cell.paragraphs[0].add_run(str(col)), BODY_FONT, 10.5, True)
    for row in shown.itertuples(index=False):
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            set_east_asian_font(cell.paragraphs[0].add_run(_cell_text(value)), BODY_FONT, 10.5)
    if limit is not None and len(df) > limit:
        _para(doc, f"（共{len(df)}项，此处列出前{limit}项，完整清单见Excel附件。）", size=10.5)
    return table


def monthly_docx(con: Any, scope: Scope) -> bytes:
    """The monthly report as .docx bytes."""
    data = report_data(con, scope)
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    _para(doc, data.title, font="宋体", size=18, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, data.scope_text, size=10.5, align=WD_ALIGN_PARAGRAPH.CENTER)
    _para(doc, "一、总体情况", font=HEAD_FONT, size=14)
    for line in data.summary:
        _para(doc, line)
    _para(doc, "二、主要指标完成情况", font=HEAD_FONT, size=14)
    _table(doc, data.kpis)
    _para(doc, "三、各单位计划执行情况", font=HEAD_FONT, size=14)
    _table(doc, data.units)
    _para(doc, "四、超期事项", font=HEAD_FONT, size=14)
    for i, (name, df) in enumerate(data.overdue.items(), start=1):
        _para(doc, f"（{'一二三四五六'[i - 1]}）{name}：{len(df)}项", bold=True)
        if len(df):
            _table(doc, df, LIST_LIMIT)
    _para(
        doc,
        f"五、{kpi.LABELS_ZH['followup_missing']}：{len(data.missing)}户",
        font=HEAD_FONT,
        size=14,
    )
    if len(data.missing):
        _table(doc, data.missing, LIST_LIMIT)
    _para(doc, "六、即将到期事项", font=HEAD_FONT, size=14)
    _para(doc, data.soon_text + "。", size=10.5)
    for i, (name, df) in enumerate(data.soon.items(), start=1):
        _para(doc, f"（{'一二三四五六'[i - 1]}）{name}：{len(df)}项", bold=True)
        if len(df):
            _table(doc, df, LIST_LIMIT)
    _para(doc, "七、风险预警", font=HEAD_FONT, size=14)
    _table(doc, data.warning_counts)
    if data.warnings_open is not None and len(data.warnings_open):
        _para(doc, "尚未纳入在办任务的预警对象：", bold=True)
        cols = ["主体编码", "名称", "乡镇", "预警类型", "预警原因"]
        _table(doc, data.warnings_open[cols], LIST_LIMIT)
    _para(
        doc,
        "八、工作台账（宣传培训、信息报送、移送与信用惩戒、专项督查与回访）",
        font=HEAD_FONT,
        size=14,
    )
    _table(doc, data.registers)
    _table(doc, data.register_units)
    for i, (name, df) in enumerate(data.register_problems.items(), start=1):
        _para(doc, f"（{'一二三四五六'[i - 1]}）{name}：{len(df)}项", bold=True)
        if len(df):
            _table(doc, df, LIST_LIMIT)
    _para(doc, "（本报告由双随机监管驾驶舱生成；信用风险等级仅供内部使用，不得公开。）", size=10.5)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


# -- Excel --------------------------------------------------------------------------------------------
def monthly_xlsx(con: Any, scope: Scope) -> bytes:
    """The monthly report as .xlsx bytes: 概况, 主要指标, 各单位, each overdue list, 风险预警."""
    data = report_data(con, scope)
    sheets: dict[str, pd.DataFrame] = {
        "概况": pd.DataFrame(
            {
                "项目": ["标题", "范围", *["情况"] * len(data.summary)],
                "内容": [data.title, data.scope_text, *data.summary],
            }
        ),
        "主要指标": data.kpis,
        "各单位": data.units,
    }
    sheets.update(data.overdue)
    sheets[kpi.LABELS_ZH["followup_missing"]] = data.missing
    sheets.update(data.soon)
    sheets["预警统计"] = data.warning_counts
    sheets["未纳入任务的预警"] = data.warnings_open
    sheets["工作台账"] = data.registers
    sheets["台账各单位"] = data.register_units
    sheets.update({f"台账_{name}": df for name, df in data.register_problems.items()})
    return to_xlsx_bytes(sheets)
