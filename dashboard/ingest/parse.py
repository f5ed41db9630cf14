"""Reading an import source into raw tables: CSV files (UTF-8 with/without BOM, GB18030) or XLSX sheets.

A source is a folder (its CSV files; its .xlsx workbooks only when it holds no CSV file), one .csv or
.xlsx file, or uploads [(filename, bytes)]. A file or sheet is named by its table in English or Chinese
(units.csv, 单位.csv, sheet 单位); unknown names are a warning (the rest still imports), two files for
one table an error. Nothing here knows column types; cells stay as read (text from CSV; str/float/bool/date from a
workbook). Rows carry the number a spreadsheet shows (header = its own row, for XLSX the sheet row).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dashboard.ingest.problems import ERROR, WARNING, Problem
from dashboard.ingest.spec import SPECS, TABLE_ALIASES

# Sheets of a workbook that are explanations, not data (never reported as unknown).
IGNORED_SHEETS = ("说明", "readme", "README")


@dataclass
class RawTable:
    table: str
    file: str  # what the user knows it as: "units.csv" or "book.xlsx:单位"
    header: list[Any]
    header_row: int
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)


Source = Path | str | list[tuple[str, bytes]]


def _table_for(stem: str) -> str | None:
    stem = stem.strip()
    return TABLE_ALIASES.get(stem) or TABLE_ALIASES.get(stem.lower())


def decode(data: bytes) -> str | None:
    """UTF-8 (BOM optional), UTF-16 with BOM, else GB18030; None when no encoding fits."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        return None


def _blank(row: list[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in row)


def _from_rows(table: str, label: str, rows: list[list[Any]], problems: list[Problem]):
    """The first non-blank row is the header; rows are numbered from 1 as given."""
    header_index = next((i for i, r in enumerate(rows) if not _blank(r)), None)
    if header_index is None:
        problems.append(
            Problem(
                label, None, None, None, "文件为空（没有表头和数据），请填写表头和数据后再导入。"
            )
        )
        return None
    raw = RawTable(table, label, list(rows[header_index]), header_index + 1)
    for i in range(header_index + 1, len(rows)):
        if not _blank(rows[i]):
            raw.rows.append((i + 1, list(rows[i])))
    return raw


def read_csv_bytes(table: str, label: str, data: bytes, problems: list[Problem]):
    if not data.strip():
        problems.append(
            Problem(
                label, None, None, None, "文件为空（没有表头和数据），请填写表头和数据后再导入。"
            )
        )
        return None
    text = decode(data)
    if text is None:
        problems.append(
            Problem(
                label,
                None,
                None,
                None,
                "无法识别文件编码（不是 UTF-8 或 GB18030 文本），请在表格软件中另存为“CSV UTF-8”后再导入。",
            )
        )
        return None
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        problems.append(
            Problem(label, None, None, None, f"CSV 格式有误（{exc}），请检查引号是否成对。")
        )
        return None
    return _from_rows(table, label, rows, problems)


def read_xlsx_bytes(
    label: str, data: bytes, problems: list[Problem], failed: set[str] | None = None
) -> list[RawTable]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own error types
        problems.append(
            Problem(
                label,
                None,
                None,
                None,
                f"无法读取该 Excel 工作簿（{exc}），请确认是 .xlsx 文件且未加密。",
            )
        )
        return []
    out = []
    for sheet_name in book.sheet_names:
        sheet_label = f"{label}:{sheet_name}"
        table = _table_for(sheet_name)
        if table is None:
            if sheet_name.strip() not in IGNORED_SHEETS:
                problems.append(_unknown(sheet_label, sheet_name))
            continue
        rows = book.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
        raw = _from_rows(table, sheet_label, [list(r) for r in rows], problems)
        if raw is not None:
            out.append(raw)
        elif failed is not None:
            failed.add(table)
    return out


def _unknown(label: str, stem: str) -> Problem:
    names = "、".join(f"{s.name}/{s.zh}" for s in SPECS.values())
    return Problem(
        label,
        None,
        None,
        None,
        f"不认识的表“{stem}”，已忽略；表名应为以下之一：{names}。",
        WARNING,
    )


def read_source(source: Source, problems: list[Problem]) -> tuple[list[RawTable], str, set[str]]:
    """All raw tables of a source, a text naming the source for the import log, and the tables
    whose file could not be read at all (references to them cannot be judged)."""
    failed: set[str] = set()
    files: list[tuple[str, bytes]] = []
    if isinstance(source, list | tuple):
        files = [(str(name), bytes(data)) for name, data in source]
        described = "上传：" + "、".join(name for name, _ in files)
    else:
        path = Path(source)
        described = str(path)
        if path.is_dir():
            # A folder is its CSV files; workbooks in it are read only when it has no CSV file
            # (a template folder holds both forms of the same tables).
            entries = [p for p in sorted(path.iterdir()) if p.is_file()]
            csvs = [p for p in entries if p.suffix.lower() == ".csv"]
            books = [
                p for p in entries if p.suffix.lower() == ".xlsx" and not p.name.startswith("~$")
            ]
            for p in csvs or books:
                files.append((p.name, p.read_bytes()))
            if not files:
                problems.append(
                    Problem(
                        str(path), None, None, None, "文件夹中没有 CSV 或 XLSX 文件，请检查路径。"
                    )
                )
        elif path.is_file():
            files.append((path.name, path.read_bytes()))
        else:
            problems.append(
                Problem(str(path), None, None, None, "找不到该文件或文件夹，请检查路径。")
            )

    tables: list[RawTable] = []
    for name, data in files:
        suffix = Path(name).suffix.lower()
        if suffix == ".xlsx":
            tables.extend(read_xlsx_bytes(name, data, problems, failed))
        elif suffix == ".csv":
            table = _table_for(Path(name).stem)
            if table is None:
                problems.append(_unknown(name, Path(name).stem))
                continue
            raw = read_csv_bytes(table, name, data, problems)
            if raw is not None:
                tables.append(raw)
            else:
                failed.add(table)
        else:
            problems.append(
                Problem(name, None, None, None, "只能导入 .csv 或 .xlsx 文件，已忽略。", WARNING)
            )

    seen: dict[str, str] = {}
    unique = []
    for raw in tables:
        if raw.table in seen:
            problems.append(
                Problem(
                    raw.file,
                    None,
                    None,
                    None,
                    f"与“{seen[raw.table]}”是同一张表（{raw.table}），请只保留一个文件。",
                    ERROR,
                )
            )
            continue
        seen[raw.table] = raw.file
        unique.append(raw)
    return unique, described, failed
