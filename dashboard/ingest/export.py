"""Export in the interchange format and the import templates (DESIGN.md §4).

Export: all 17 tables (the 12 of the first round and the 5 work registers), UTF-8 with BOM (so a spreadsheet shows the Chinese right), English headers,
lists joined with ';', dates YYYY-MM-DD, booleans true/false, rows sorted by key, values exactly as
stored (no formula neutralisation). export → import into an empty store → export is byte-identical.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path
from typing import Any

from dashboard.ingest import spec as S
from dashboard.store import Store

ENCODING = "utf-8-sig"
LINE_END = "\n"
TEMPLATE_WORKBOOK = "templates.xlsx"
# Fixed document date so the committed workbook equals what write_templates produces.
_TEMPLATE_DATE = datetime(2026, 1, 1)


def format_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, list | tuple):
        return ";".join(format_value(v) for v in value)
    return str(value)


def _csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator=LINE_END)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode(ENCODING)


def table_rows(store: Store, table: str) -> list[list[str]]:
    spec = S.SPECS[table]
    cols = ", ".join(f'"{c}"' for c in spec.column_names)
    order = ", ".join(f'"{k}"' for k in spec.key)
    return [
        [format_value(v) for v in row]
        for row in store.rows(f'SELECT {cols} FROM "{table}" ORDER BY {order}')
    ]


def export_store(store: Store, directory: str | Path) -> list[Path]:
    """Write the 12 CSV files into `directory` (created if needed); returns their paths."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for spec in S.TABLES:
        path = directory / spec.file_name
        path.write_bytes(_csv_bytes(list(spec.column_names), table_rows(store, spec.name)))
        paths.append(path)
    return paths


def template_csv_bytes(spec: S.TableSpec) -> bytes:
    header = [c.zh for c in spec.columns]
    return _csv_bytes(header, [[spec.example.get(c.name, "") for c in spec.columns]])


def template_xlsx_bytes() -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False})
    book.set_properties(
        {"title": "双随机监管驾驶舱 导入模板", "created": _TEMPLATE_DATE, "author": "dashboard"}
    )
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7"})
    required = book.add_format({"bold": True, "bg_color": "#F8CBAD"})
    text = book.add_format({"num_format": "@"})
    for spec in S.TABLES:
        sheet = book.add_worksheet(spec.zh)
        for j, col in enumerate(spec.columns):
            sheet.write_string(0, j, col.zh, required if col.required else head)
            sheet.write_string(1, j, spec.example.get(col.name, ""), text)
            sheet.set_column(j, j, max(12, min(40, 2 * len(col.zh) + 4)), text)
        sheet.freeze_panes(1, 0)
    notes = book.add_worksheet("说明")
    notes.write_row(
        0, 0, ["表", "列（中文）", "列（英文）", "类型", "必须有此列", "必须填写", "引用"], head
    )
    r = 1
    type_zh = {
        S.TEXT: "文本",
        S.DATE: "日期 YYYY-MM-DD",
        S.BOOL: "是/否",
        S.INT: "整数",
        S.NUMBER: "数值",
        S.RATIO: "比例（小数，如 0.05）",
        S.RATIOS: "分级比例（如 A:0.01;B:0.03）",
        S.LIST: "列表（用 ; 分隔）",
        S.PERIOD: "月份 YYYY-MM",
        S.REPORT_PERIOD: "报送期 YYYY-MM / YYYYQ1 / YYYYH1 / YYYY",
    }
    for spec in S.TABLES:
        for col in spec.columns:
            ref = S.SPECS[col.ref].zh if col.ref else ""
            notes.write_row(
                r,
                0,
                [
                    spec.zh,
                    col.zh,
                    col.name,
                    type_zh[col.type],
                    "是" if col.required else "",
                    "是" if col.not_null else "",
                    ref,
                ],
            )
            r += 1
    notes.set_column(0, 6, 18)
    book.close()
    return buf.getvalue()


def write_templates(directory: str | Path) -> list[Path]:
    """One CSV per table (Chinese headers, one example row) and one workbook templates.xlsx.

    The example rows refer to each other, so importing the whole folder works.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for spec in S.TABLES:
        path = directory / spec.file_name
        path.write_bytes(template_csv_bytes(spec))
        paths.append(path)
    path = directory / TEMPLATE_WORKBOOK
    path.write_bytes(template_xlsx_bytes())
    paths.append(path)
    return paths
