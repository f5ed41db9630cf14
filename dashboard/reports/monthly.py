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
from docx.shared import Mm, Pt, RGBColor

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
# GB/T 9704-2012 党政机关公文格式: A4, 版心 156 mm × 225 mm (上 37 mm, 下 35 mm, 左 28 mm, 右 26 mm),
# 标题 2 号小标宋, 正文 3 号仿宋, 一级标题黑体, 二级标题楷体, 页码 4 号宋体 "— 1 —" 单页居右、双页居左,
# 落款 (发文机关署名 and 成文日期) 右空四字. Each Chinese font names the font Word substitutes when the
# machine lacks it (fontTable w:altName), so a PC without the GB2312 fonts still prints 仿宋/楷体/宋体.
TITLE_FONT = "方正小标宋简体"
GWBODY_FONT = "仿宋_GB2312"
H1_FONT = "黑体"
H2_FONT = "楷体_GB2312"
FONT_FALLBACKS = {TITLE_FONT: "宋体", GWBODY_FONT: "仿宋", H2_FONT: "楷体"}
SIZE_2, SIZE_3, SIZE_4 = 22.0, 16.0, 14.0  # 二号, 三号, 四号 in points
DEFAULT_OFFICE = "县自然资源和规划局“双随机、一公开”监管工作领导小组办公室"


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


def _style_font(style, name: str, size: float, *, bold: bool = False, color_black: bool = True):
    style.font.name = name
    style.font.size = Pt(size)
    style.font.bold = bold
    if color_black:
        style.font.color.rgb = RGBColor(0, 0, 0)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _gongwen_styles(doc) -> None:
    """Normal (正文), Title and Heading 1/2 in the 公文 fonts and sizes, 28 pt line spacing."""
    normal = doc.styles["Normal"]
    _style_font(normal, GWBODY_FONT, SIZE_3)
    normal.paragraph_format.line_spacing = Pt(28)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.first_line_indent = Pt(SIZE_3 * 2)  # 首行缩进两字
    title = doc.styles["Title"]
    _style_font(title, TITLE_FONT, SIZE_2)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.first_line_indent = Pt(0)
    title.paragraph_format.line_spacing = Pt(36)
    title.paragraph_format.space_after = Pt(SIZE_3)
    for name, font in (("Heading 1", H1_FONT), ("Heading 2", H2_FONT)):
        style = doc.styles[name]
        _style_font(style, font, SIZE_3)
        style.paragraph_format.first_line_indent = Pt(SIZE_3 * 2)
        style.paragraph_format.line_spacing = Pt(28)
        style.paragraph_format.space_before = Pt(0)
        style.paragraph_format.space_after = Pt(0)
        style.paragraph_format.keep_with_next = True
    # the Title style's bottom border of the default template is not 公文
    ppr = title.element.get_or_add_pPr()
    for border in ppr.findall(qn("w:pBdr")):
        ppr.remove(border)


def _font_fallbacks(doc) -> None:
    """fontTable entries naming the substitute of each GB2312 font (w:altName)."""
    from docx.oxml import OxmlElement

    try:
        part = next(
            rel.target_part for rel in doc.part.rels.values() if rel.reltype.endswith("/fontTable")
        )
    except StopIteration:
        return
    from lxml import etree

    root = etree.fromstring(part.blob)
    for name, alt in FONT_FALLBACKS.items():
        font = OxmlElement("w:font")
        font.set(qn("w:name"), name)
        alt_el = OxmlElement("w:altName")
        alt_el.set(qn("w:val"), alt)
        font.append(alt_el)
        charset = OxmlElement("w:charset")
        charset.set(qn("w:val"), "86")  # GB2312
        font.append(charset)
        root.append(font)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_number(paragraph) -> None:
    """'— PAGE —' as a field, 4 号宋体."""
    from docx.oxml import OxmlElement

    def run_with(text=None, field=None):
        run = paragraph.add_run(text or "")
        set_east_asian_font(run, BODY_FONT, SIZE_4)
        if field is not None:
            for kind in ("begin", None, "end"):
                if kind is None:
                    instr = OxmlElement("w:instrText")
                    instr.set(qn("xml:space"), "preserve")
                    instr.text = field
                    run._r.append(instr)
                else:
                    fld = OxmlElement("w:fldChar")
                    fld.set(qn("w:fldCharType"), kind)
                    run._r.append(fld)
        return run

    run_with("— ")
    run_with(field=" PAGE ")
    run_with(" —")


def _gongwen_page(doc) -> None:
    """A4 with the 公文 margins, page numbers outside (odd right, even left)."""
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28)
    settings = doc.settings.element
    from docx.oxml import OxmlElement

    if settings.find(qn("w:evenAndOddHeaders")) is None:
        settings.append(OxmlElement("w:evenAndOddHeaders"))
    odd = section.footer.paragraphs[0]
    odd.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    odd.paragraph_format.right_indent = Pt(SIZE_4)  # 空一字
    odd.paragraph_format.first_line_indent = Pt(0)
    _page_number(odd)
    even = section.even_page_footer.paragraphs[0]
    even.alignment = WD_ALIGN_PARAGRAPH.LEFT
    even.paragraph_format.left_indent = Pt(SIZE_4)
    even.paragraph_format.first_line_indent = Pt(0)
    _page_number(even)


def _para(doc, text: str, *, font=None, size=None, bold=False, align=None, indent=True):
    p = doc.add_paragraph()
    run = p.add_run(text)
    if font is not None or size is not None or bold:
        set_east_asian_font(run, font or GWBODY_FONT, size, bold)
    if align is not None:
        p.alignment = align
    if not indent:
        p.paragraph_format.first_line_indent = Pt(0)
    return p


def _heading(doc, text: str, level: int = 1):
    return doc.add_paragraph(text, style="Heading 1" if level == 1 else "Heading 2")


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
    header = table.rows[0]
    header_pr = header._tr.get_or_add_trPr()
    from docx.oxml import OxmlElement

    header_pr.append(OxmlElement("w:tblHeader"))  # the header row repeats on every page
    for cell, col in zip(header.cells, shown.columns, strict=True):
        p = cell.paragraphs[0]
        p.paragraph_format.first_line_indent = Pt(0)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        set_east_asian_font(p.add_run(str(col)), H1_FONT, 10.5)
    for row in shown.itertuples(index=False):
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            p = cell.paragraphs[0]
            p.paragraph_format.first_line_indent = Pt(0)
            p.paragraph_format.line_spacing = 1.0
            set_east_asian_font(p.add_run(_cell_text(value)), BODY_FONT, 10.5)
    if limit is not None and len(df) > limit:
        _para(doc, f"（共{len(df)}项，此处列出前{limit}项，完整清单见Excel附件。）", size=12)
    return table


def _signature(doc, office: str, day) -> None:
    """落款: the sending office and the date (Arabic numerals, GB/T 9704-2012 7.3.5), 右空四字."""
    doc.add_paragraph()
    for text in (office, f"{day.year}年{day.month}月{day.day}日"):
        p = doc.add_paragraph(text)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.first_line_indent = Pt(0)
        p.paragraph_format.right_indent = Pt(SIZE_3 * 4)


def monthly_docx(con: Any, scope: Scope, *, office: str = DEFAULT_OFFICE) -> bytes:
    """The monthly report as .docx bytes in the 公文 layout of GB/T 9704 (see above)."""
    data = report_data(con, scope)
    doc = Document()
    _gongwen_styles(doc)
    _gongwen_page(doc)
    _font_fallbacks(doc)
    doc.add_paragraph(data.title, style="Title")
    _para(doc, data.scope_text, size=12, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _heading(doc, "一、总体情况")
    for line in data.summary:
        _para(doc, line)
    _heading(doc, "二、主要指标完成情况")
    _table(doc, data.kpis)
    _heading(doc, "三、各单位计划执行情况")
    _table(doc, data.units)
    _heading(doc, "四、超期事项")
    for i, (name, df) in enumerate(data.overdue.items(), start=1):
        _heading(doc, f"（{'一二三四五六'[i - 1]}）{name}：{len(df)}项", 2)
        if len(df):
            _table(doc, df, LIST_LIMIT)
    _heading(doc, f"五、{kpi.LABELS_ZH['followup_missing']}：{len(data.missing)}户")
    if len(data.missing):
        _table(doc, data.missing, LIST_LIMIT)
    _heading(doc, "六、即将到期事项")
    _para(doc, data.soon_text + "。")
    for i, (name, df) in enumerate(data.soon.items(), start=1):
        _heading(doc, f"（{'一二三四五六'[i - 1]}）{name}：{len(df)}项", 2)
        if len(df):
            _table(doc, df, LIST_LIMIT)
    _heading(doc, "七、风险预警")
    _table(doc, data.warning_counts)
    if data.warnings_open is not None and len(data.warnings_open):
        _heading(doc, "（一）尚未纳入在办任务的预警对象", 2)
        cols = ["主体编码", "名称", "乡镇", "预警类型", "预警原因"]
        _table(doc, data.warnings_open[cols], LIST_LIMIT)
    _heading(doc, "八、工作台账（宣传培训、信息报送、移送与信用惩戒、专项督查与回访）")
    _table(doc, data.registers)
    _table(doc, data.register_units)
    for i, (name, df) in enumerate(data.register_problems.items(), start=1):
        _heading(doc, f"（{'一二三四五六'[i - 1]}）{name}：{len(df)}项", 2)
        if len(df):
            _table(doc, df, LIST_LIMIT)
    _para(doc, "（本报告由双随机监管驾驶舱生成；信用风险等级仅供内部使用，不得公开。）", size=12)
    _signature(doc, office, scope.as_of)
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
    kpis, ratio_rows = _numeric_kpis(data.kpis)
    sheets["主要指标"] = kpis
    return _excel_finish(to_xlsx_bytes(sheets), {"主要指标": ratio_rows})


def _number(text):
    """'25.2%' → 0.252, '4' → 4, '—' → None (the Excel file stores numbers, issue 12 point 9)."""
    if text is None or text == "—":
        return None
    text = str(text)
    try:
        return round(float(text[:-1]) / 100, 6) if text.endswith("%") else int(text)
    except ValueError:
        return text


def _numeric_kpis(table: pd.DataFrame) -> tuple[pd.DataFrame, set[int]]:
    out = table.copy()
    ratio_rows = {
        i for i, (v, g) in enumerate(zip(out["当前值"], out["目标"], strict=True))
        if str(v).endswith("%") or str(g).endswith("%")
    }  # fmt: skip
    for col in ("当前值", "目标"):
        out[col] = out[col].map(_number).astype(object)
    return out, ratio_rows


def _excel_finish(raw: bytes, ratio_rows: dict[str, set[int]]) -> bytes:
    """Percent number formats and print setup (A4 landscape, one page wide, the header row on every
    page, page numbers in the footer) for every sheet."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(raw))
    for sheet in book.worksheets:
        headers = [c.value for c in sheet[1]]
        for j, name in enumerate(headers, start=1):
            name = str(name or "")
            percent_col = name.endswith("率") or name.endswith("占比")
            for i, row in enumerate(sheet.iter_rows(min_row=2, min_col=j, max_col=j)):
                cell = row[0]
                in_ratio_row = i in ratio_rows.get(sheet.title, set()) and name in (
                    "当前值",
                    "目标",
                )
                if (percent_col or in_ratio_row) and isinstance(cell.value, int | float):
                    cell.number_format = "0.0%"
        setup = sheet.page_setup
        setup.paperSize = sheet.PAPERSIZE_A4
        setup.orientation = "landscape"
        setup.fitToWidth, setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.print_title_rows = "1:1"
        sheet.page_margins.left = sheet.page_margins.right = 0.5
        sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
