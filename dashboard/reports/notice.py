"""通报 export: the unit scorecard as an Excel sheet ready to attach to the office's notice (xlsxwriter).

Layout: row 1 the title (merged), row 2 the scope and the weights, row 4 the Chinese headers, data from row
5, then a note with the scoring rule. Every text cell is written with ``write_string`` after formula
neutralisation (dashboard.reports.safe), so nothing in a unit or entity name can run as a formula.
Rates are shown as percentages, scores with two decimals.
"""

from __future__ import annotations

import io
import math
import numbers

import pandas as pd
import xlsxwriter

from dashboard.metrics.scorecard import INDICATORS, LABELS
from dashboard.reports.safe import neutralise, neutralise_value
from dashboard.scope import Scope

RATE_COLUMNS = {label for label, _ in INDICATORS.values()}
SCORE_COLUMNS = {"总分"} | {label + "扣分" for label, _ in INDICATORS.values()}


def notice_title(scope: Scope) -> str:
    return f"{scope.year}年度“双随机、一公开”监管工作情况通报（单位排名）"


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _is_missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def notice_xlsx(
    board: pd.DataFrame,
    scope: Scope,
    weights: dict[str, float] | None = None,
    *,
    title: str | None = None,
    registers: pd.DataFrame | None = None,
) -> bytes:
    """The scorecard ``board`` (from metrics.scorecard.scorecard) as 通报 workbook bytes; with
    ``registers`` (metrics.registers.by_unit) a second sheet 工作台账 lists each unit's register figures."""
    safe = neutralise(board)
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = wb.add_worksheet("单位排名")
    f_title = wb.add_format({"bold": True, "font_size": 16, "align": "center", "font_name": "宋体"})
    f_sub = wb.add_format({"font_size": 10, "font_name": "宋体"})
    f_head = wb.add_format(
        {
            "bold": True,
            "bg_color": "#E8EEF5",
            "border": 1,
            "align": "center",
            "valign": "vcenter",
            "text_wrap": True,
            "font_name": "宋体",
        }
    )
    f_text = wb.add_format({"border": 1, "font_name": "宋体"})
    f_int = wb.add_format({"border": 1, "num_format": "0", "font_name": "宋体"})
    f_pct = wb.add_format({"border": 1, "num_format": "0.0%", "font_name": "宋体"})
    f_score = wb.add_format({"border": 1, "num_format": "0.00", "font_name": "宋体"})
    ncols = max(len(safe.columns), 1)
    ws.merge_range(0, 0, 0, ncols - 1, neutralise_value(title or notice_title(scope)), f_title)
    ws.set_row(0, 28)
    weight_text = "、".join(
        f"{LABELS[k]}{v:g}"
        for k, v in (weights or {k: w for k, (_, w) in INDICATORS.items()}).items()
    )
    ws.write_string(
        1,
        0,
        neutralise_value(
            f"统计年度：{scope.year}年；统计截至：{scope.as_of.isoformat()}；评分权重：{weight_text}"
        ),
        f_sub,
    )
    header_row = 3
    for j, col in enumerate(safe.columns):
        ws.write_string(header_row, j, str(col), f_head)
        sample = [str(col)] + ["" if _is_missing(v) else str(v) for v in safe[col].head(200)]
        ws.set_column(j, j, min(max(max(_width(s) for s in sample) + 2, 8), 40))
    ws.set_row(header_row, 32)
    for i, row in enumerate(safe.itertuples(index=False), start=header_row + 1):
        for j, (col, value) in enumerate(zip(safe.columns, row, strict=True)):
            if _is_missing(value):
                ws.write_blank(i, j, None, f_text)
            elif isinstance(value, str):
                ws.write_string(i, j, value, f_text)
            elif isinstance(value, bool):
                ws.write_string(i, j, "是" if value else "否", f_text)
            elif isinstance(value, numbers.Real) and not math.isinf(float(value)):
                fmt = f_pct if col in RATE_COLUMNS else f_score if col in SCORE_COLUMNS else f_int
                ws.write_number(i, j, float(value), fmt)
            else:
                ws.write_string(i, j, neutralise_value(str(value)), f_text)
    note_row = header_row + len(safe) + 2
    ws.write_string(
        note_row,
        0,
        "说明：总分 = 100 × Σ(权重 × 指标值) ÷ 适用指标权重之和；不适用的指标（无分母）不计分，其余指标权重相应放大；"
        "各项扣分之和 = 100 − 总分。重新抽取次数、应后续处理未建记录（结果代码含A类、尚无后续处理记录的检查户数）"
        "仅作提示，不计分。",
        f_sub,
    )
    ws.freeze_panes(header_row + 1, 3)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    if registers is not None:
        reg = neutralise(registers)
        ws2 = wb.add_worksheet("工作台账")
        ws2.write_string(
            0,
            0,
            neutralise_value(f"{scope.year}年度工作台账（截至 {scope.as_of.isoformat()}）"),
            f_title,
        )
        for j, col in enumerate(reg.columns):
            ws2.write_string(2, j, str(col), f_head)
            ws2.set_column(j, j, min(max(_width(str(col)) + 2, 8), 30))
        for i, row in enumerate(reg.itertuples(index=False), start=3):
            for j, (col, value) in enumerate(zip(reg.columns, row, strict=True)):
                if _is_missing(value):
                    ws2.write_blank(i, j, None, f_text)
                elif isinstance(value, numbers.Real) and not isinstance(value, bool):
                    ws2.write_number(
                        i, j, float(value), f_pct if str(col).endswith("率") else f_int
                    )
                else:
                    ws2.write_string(i, j, neutralise_value(str(value)), f_text)
        ws2.set_landscape()
        ws2.fit_to_pages(1, 0)
    wb.close()
    return buffer.getvalue()
