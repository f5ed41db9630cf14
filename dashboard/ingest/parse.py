"""Reading an import source into raw tables: CSV files (UTF-8 with/without BOM, GB18030) or XLSX sheets.

A source is a folder (its CSV files; its .xlsx workbooks only when it holds no CSV file), one .csv or
.xlsx file, or uploads [(filename, bytes)]. A file or sheet is given its table (DESIGN.md §4):
  1. by a column mapping the user chose (`forced`, the CLI's --mapping NAME);
  2. by its name, the table's English or Chinese name (units.csv, 单位.csv, sheet 单位);
  3. by its header, when the header is exactly one table's (`entities (2).csv`, a sheet `Sheet1`);
  4. by a saved mapping whose header has the same column names.
The header is the first non-blank row, or a later one of the first ten that fits (a title row above
the header is skipped). A sheet that fits nothing is returned as `Unmatched` (数据管理 offers to map
it) and reported: a warning when other tables were found, an error when the source holds none.
Two files for one table are an error. Cells stay as read (text from CSV; str/float/bool/date from a
workbook); rows carry the number a spreadsheet shows.

Hostile files are refused before they are read (issue 16): a workbook's sheets are measured in their
XML first (the cell range a reader would allocate, the unpacked size), so a single cell at XFD1048576
or a 1 GiB string cannot make the reader ask for the machine's memory; a CSV quote that is never
closed, or that swallows the next rows into one cell, is an error naming the row.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from dashboard.ingest.mapping import ColumnMapping, fitting_tables, signature
from dashboard.ingest.problems import ERROR, WARNING, Problem
from dashboard.ingest.spec import SPECS, TABLE_ALIASES

# Sheets of a workbook that are explanations, not data (never reported as unknown).
IGNORED_SHEETS = ("说明", "readme", "README")
HEADER_SEARCH_ROWS = 10  # a header may sit below a title row or two


@dataclass(frozen=True)
class Limits:
    """What a file may cost before it is refused (settings import.*; DESIGN.md §4, issue 16)."""

    max_cells: int = 2_000_000  # a sheet's cells and cell range, as a reader allocates it
    max_unpacked_bytes: int = 500 * 2**20  # a workbook's XML once unzipped
    max_cell_chars: int = 32_767


@dataclass
class RawTable:
    table: str
    file: str  # what the user knows it as: "units.csv" or "book.xlsx:单位"
    header: list[Any]
    header_row: int
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)
    mapping: str | None = None  # the saved mapping it was read with


@dataclass
class Unmatched:
    """A sheet whose header fits no table: what 数据管理 shows to map its columns."""

    file: str
    header: list[Any]
    header_row: int
    rows: list[list[Any]]  # every row of the sheet, as read (the header is rows[header_row - 1])

    def preview(self, n: int = 5) -> list[list[Any]]:
        body = [r for r in self.rows[self.header_row :] if not _blank(r)]
        return body[:n]

    def as_table(self, mapping: ColumnMapping) -> RawTable:
        raw = _from_rows(mapping.table, self.file, self.rows, self.header_row - 1)
        raw.header = mapping.header_for(self.header)
        raw.mapping = mapping.name
        return raw


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
    for c in row:  # most rows end at their first cell
        if c is not None and c != "" and (type(c) is not str or c.strip()):
            return False
    return True


def _empty(label: str) -> Problem:
    return Problem(
        label, None, None, None, "文件为空（没有表头和数据），请填写表头和数据后再导入。"
    )


def _from_rows(table: str, label: str, rows: list[list[Any]], header_index: int) -> RawTable:
    raw = RawTable(table, label, list(rows[header_index]), header_index + 1)
    raw.rows = [
        (i, r)
        for i, r in enumerate(rows[header_index + 1 :], start=header_index + 2)
        if (r and type(r[0]) is str and r[0] and not r[0].isspace()) or not _blank(r)
    ]
    return raw


def _candidates(rows: list[list[Any]]) -> list[int]:
    """Indexes of the first non-blank rows, where a header may be."""
    out = []
    for i, r in enumerate(rows):
        if not _blank(r):
            out.append(i)
            if len(out) == HEADER_SEARCH_ROWS:
                break
    return out


def _recognised(
    label: str, rows: list[list[Any]], at: int, table: str, how: str, problems: list[Problem]
) -> RawTable:
    """The sheet read as `table` from header row `at`, with a warning saying how it was found."""
    spec = SPECS[table]
    problems.append(
        Problem(label, at + 1, None, None, f"{how}“{spec.zh}”表（{spec.name}）。", WARNING)
    )
    return _from_rows(table, label, rows, at)


def identify(
    label: str,
    stem: str | None,
    rows: list[list[Any]],
    problems: list[Problem],
    *,
    mappings: list[ColumnMapping] = (),
    forced: ColumnMapping | None = None,
) -> RawTable | Unmatched | None:
    """The table of one file or sheet (see the module docstring), or Unmatched; None when blank."""
    rows_at = _candidates(rows)
    if not rows_at:
        return None
    if forced is not None:
        for i in rows_at:
            if forced.fits(rows[i]):
                raw = _from_rows(forced.table, label, rows, i)
                raw.header, raw.mapping = forced.header_for(rows[i]), forced.name or ""
                return raw
    named = _table_for(stem) if stem is not None else None
    if named is not None:
        # a title row above the header: take the first of the first rows that is this table's header
        at = next((i for i in rows_at if named in fitting_tables(rows[i])), rows_at[0])
        return _from_rows(named, label, rows, at)
    for i in rows_at:
        fits = fitting_tables(rows[i])
        if len(fits) == 1:
            return _recognised(label, rows, i, fits[0], "文件名不是表名，已按表头识别为", problems)
    for i in rows_at:
        sig = signature(rows[i])
        for m in mappings:
            if m.header == sig:
                raw = _recognised(
                    label, rows, i, m.table, f"已按保存的列映射“{m.name}”读作", problems
                )
                raw.header, raw.mapping = m.header_for(rows[i]), m.name
                return raw
    # the header of a sheet that fits nothing: the row with the most filled cells among the first
    at = max(rows_at, key=lambda i: (sum(1 for c in rows[i] if c not in (None, "")), -i))
    return Unmatched(label, list(rows[at]), at + 1, rows)


# -- CSV -------------------------------------------------------------------------------------------


def csv_rows(label: str, data: bytes, problems: list[Problem]) -> list[list[str]] | None:
    """The records of a CSV file, or None after an error (encoding, an unbalanced quote)."""
    if not data or data.isspace():  # (strip() would copy a 100 MB file)
        problems.append(_empty(label))
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
        rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        row = _records_before_error(text) + 1
        if "end of data" in str(exc) or "EOF" in str(exc):
            message = (
                f"第 {row} 行的英文双引号没有成对（从这一行起到文件末尾都会被读成一个单元格），"
                "请在这一行补上或删去引号后再导入。"
            )
        elif "field larger" in str(exc):
            message = (
                f"第 {row} 行有一个单元格过长（超过 131072 个字符），请检查是否误粘贴了整段内容。"
            )
        else:
            message = f"第 {row} 行 CSV 格式有误（{exc}），请检查引号是否成对。"
        problems.append(Problem(label, row, None, None, message))
        return None
    width = len(rows[0]) if rows else 0
    if '"' not in text:  # without a quote no cell can hold a line break
        return rows
    for number, record in enumerate(rows, start=1):
        for cell in record:
            if "\n" in cell and width > 2 and _swallowed_rows(cell, width):
                problems.append(
                    Problem(
                        label,
                        number,
                        None,
                        cell[:80],
                        f"第 {number} 行的一个单元格里包含了后面几行的内容（引号没有成对），"
                        "请在这一行补上或删去英文双引号后再导入。",
                    )
                )
                return None
    return rows


def _records_before_error(text: str) -> int:
    """How many records a CSV reader gets through before its error (only run after one)."""
    count = 0
    try:
        for _ in csv.reader(io.StringIO(text, newline=""), strict=True):
            count += 1
    except csv.Error:
        pass
    return count


def _swallowed_rows(cell: str, width: int) -> bool:
    """A cell that holds whole CSV records after a line break: an opening quote closed rows later."""
    lines = cell.split("\n")[1:]
    return any(line.count(",") >= width - 1 for line in lines)


# -- XLSX ------------------------------------------------------------------------------------------

_SHEET_TAG = re.compile(rb"<sheet\b[^>]*>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_REL_TAG = re.compile(rb"<Relationship\b[^>]*>")
_CHUNK = 1 << 22


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def _unpacked(zf: zipfile.ZipFile, name: str, limit: int) -> bytes | None:
    """A small member of the package, or None when it unpacks to more than `limit` bytes."""
    info = zf.getinfo(name)
    if info.file_size > limit:
        return None
    with zf.open(info) as f:
        data = f.read(limit + 1)
    return data if len(data) <= limit else None


def _sheet_paths(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its XML part in the package (from xl/workbook.xml and its relationships)."""
    try:
        book = _unpacked(zf, "xl/workbook.xml", 16 * 2**20) or b""
        rels = _unpacked(zf, "xl/_rels/workbook.xml.rels", 16 * 2**20) or b""
    except KeyError:
        return {}
    targets = {}
    for tag in _REL_TAG.findall(rels):
        attrs = dict(_ATTR.findall(tag))
        target = attrs.get(b"Target", b"").decode("utf-8", "replace")
        path = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        targets[attrs.get(b"Id", b"")] = path
    out = {}
    for tag in _SHEET_TAG.findall(book):
        attrs = dict(_ATTR.findall(tag))
        name = attrs.get(b"name", b"").decode("utf-8", "replace")
        name = name.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
        rid = attrs.get(b"r:id") or next((v for k, v in attrs.items() if k.endswith(b":id")), b"")
        if rid in targets:
            out[name] = targets[rid]
    return out


_ROW_DIGITS = [
    re.compile(rb'<(?:c r="[A-Z]{1,3}|row r=")([0-9]{%d})"' % n) for n in range(7, 0, -1)
]
_COL_LETTERS = [re.compile(rb'<c r="([A-Z]{%d})[0-9]' % n) for n in range(3, 0, -1)]


def _furthest(body: bytes) -> tuple[int, int]:
    """(row, column) of the furthest cell reference in a piece of sheet XML. Refs of one length
    compare as bytes exactly as numbers (or column letters) do, so the C-level max() of the longest
    ones found is the answer; a sheet of a million ordinary rows costs a fraction of a second."""
    row = col = 0
    for pattern in _ROW_DIGITS:
        found = pattern.findall(body)
        if found:
            row = int(max(found))
            break
    for pattern in _COL_LETTERS:
        found = pattern.findall(body)
        if found:
            col = _column_number(max(found))
            break
    return row, col


def _measure(
    zf: zipfile.ZipFile, part: str, budget: int, max_cells: int
) -> tuple[int, int, int, int]:
    """(rows, columns, unpacked bytes, cells) of a sheet: the range a reader would allocate, from
    A1 to the furthest cell (cells without a reference count as one column each), and the cells
    written. Stops early past `budget` bytes or `max_cells` cells."""
    max_row = max_col = 0
    refs = tags = size = 0
    tail = b""
    with zf.open(part) as f:
        while chunk := f.read(_CHUNK):
            size += len(chunk)
            if size > budget:
                return max_row, max_col, size, tags
            buf = tail + chunk
            cut = buf.rfind(b">") + 1  # never split a tag between two chunks
            body, tail = buf[:cut], buf[cut:]
            refs += body.count(b'<c r="')
            tags += body.count(b"<c ") + body.count(b"<c>") + body.count(b"<c/>")
            if tags > max_cells:
                return max_row, max_col, size, tags
            row, col = _furthest(body)
            max_row, max_col = max(max_row, row), max(max_col, col)
    if tags > refs:  # cells without a reference: each may widen the range by one column
        max_col = max(max_col, tags - refs)
    return max_row, max_col, size, tags


def _guard(label: str, data: bytes, limits: Limits, problems: list[Problem]) -> set[str] | None:
    """The sheets too large to read (each reported), or None when the workbook itself is refused."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return set()  # not a package: the reader's own error names it
    budget = limits.max_unpacked_bytes
    with zf:
        try:
            strings = zf.getinfo("xl/sharedStrings.xml")
        except KeyError:
            strings = None
        if strings is not None:
            with zf.open(strings) as f:
                size = 0
                while size <= budget and (chunk := f.read(_CHUNK)):
                    size += len(chunk)
            if size > budget:
                problems.append(
                    Problem(
                        label,
                        None,
                        None,
                        None,
                        f"该工作簿的文字内容解压后超过 {budget // 2**20} MB（可能含有超长单元格），"
                        "为保护服务器已拒绝读取；请检查文件，或拆分后再导入。",
                    )
                )
                return None
            budget -= size
        paths = _sheet_paths(zf)
        if not paths:
            paths = {n: n for n in zf.namelist() if n.startswith("xl/worksheets/")}
        refused = set()
        for sheet, part in paths.items():
            try:
                rows, cols, size, count = _measure(zf, part, budget, limits.max_cells)
            except KeyError:
                continue
            cells = rows * cols
            if size > budget:
                text = f"解压后超过 {limits.max_unpacked_bytes // 2**20} MB"
            elif count > limits.max_cells:
                text = f"的单元格超过 {limits.max_cells:,} 个的上限"
            elif cells > limits.max_cells:
                text = f"范围达 {rows:,} 行 × {cols:,} 列（{cells:,} 个单元格，上限 {limits.max_cells:,}）"
            else:
                budget -= size
                continue
            refused.add(sheet)
            problems.append(
                Problem(
                    f"{label}:{sheet}",
                    None,
                    None,
                    None,
                    f"工作表“{sheet}”{text}，为保护服务器已拒绝读取；请删去多余的行列"
                    "（常见为远处误填的单元格）或拆分文件，或在“系统设置”中调高导入上限。",
                )
            )
        return refused


def xlsx_sheets(
    label: str, data: bytes, problems: list[Problem], limits: Limits
) -> tuple[list[tuple[str, list[list[Any]]]], set[str] | None]:
    """[(sheet name, rows)] of a workbook within the limits, and the sheets refused (None: the
    whole workbook was)."""
    from python_calamine import CalamineWorkbook

    refused = _guard(label, data, limits, problems)
    if refused is None:
        return [], None
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
        return [], None
    out = []
    for sheet_name in book.sheet_names:
        if sheet_name in refused or sheet_name.strip() in IGNORED_SHEETS:
            continue
        try:
            rows = book.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
        except Exception as exc:
            problems.append(
                Problem(
                    f"{label}:{sheet_name}",
                    None,
                    None,
                    None,
                    f"无法读取工作表“{sheet_name}”（{exc}），请在表格软件中另存后再导入。",
                )
            )
            refused.add(sheet_name)
            continue
        out.append((sheet_name, rows))
    return out, refused


# -- a source --------------------------------------------------------------------------------------


def _unknown(label: str, stem: str, severity: str) -> Problem:
    if severity == WARNING:
        names = "、".join(f"{s.name}/{s.zh}" for s in SPECS.values())
        return Problem(
            label,
            None,
            None,
            None,
            f"“{stem}”的表头与任何一张表都对不上，已忽略；表名应为以下之一：{names}，"
            "或在“数据管理”页面为它做列映射。",
            WARNING,
        )
    return Problem(
        label,
        None,
        None,
        None,
        f"“{stem}”的文件名和表头都对不上任何一张表，没有可导入的内容；请在“数据管理”页面"
        "为它做列映射（命令行可用 --mapping 指定已保存的映射），或按模板改好表头。",
    )


def _files(source: Source, problems: list[Problem]) -> tuple[list[tuple[str, bytes]], str]:
    files: list[tuple[str, bytes]] = []
    if isinstance(source, list | tuple):
        files = [(str(name), bytes(data)) for name, data in source]
        return files, "上传：" + "、".join(name for name, _ in files)
    path = Path(source)
    if path.is_dir():
        # A folder is its CSV files; workbooks in it are read only when it has no CSV file
        # (a template folder holds both forms of the same tables).
        entries = [p for p in sorted(path.iterdir()) if p.is_file()]
        csvs = [p for p in entries if p.suffix.lower() == ".csv"]
        books = [p for p in entries if p.suffix.lower() == ".xlsx" and not p.name.startswith("~$")]
        for p in csvs or books:
            files.append((p.name, p.read_bytes()))
        if not files:
            problems.append(
                Problem(str(path), None, None, None, "文件夹中没有 CSV 或 XLSX 文件，请检查路径。")
            )
    elif path.is_file():
        files.append((path.name, path.read_bytes()))
    else:
        problems.append(Problem(str(path), None, None, None, "找不到该文件或文件夹，请检查路径。"))
    return files, str(path)


def read_source(
    source: Source,
    problems: list[Problem],
    *,
    mappings: list[ColumnMapping] = (),
    forced: ColumnMapping | None = None,
    limits: Limits | None = None,
    unmatched: list[Unmatched] | None = None,
) -> tuple[list[RawTable], str, set[str]]:
    """All raw tables of a source, a text naming the source for the import log, and the tables
    whose file could not be read at all (references to them cannot be judged). Sheets that fit no
    table are appended to `unmatched` when given."""
    limits = limits or Limits()
    files, described = _files(source, problems)
    failed: set[str] = set()
    tables: list[RawTable] = []
    strays: list[tuple[Unmatched, str]] = []
    unreadable = False
    for name, data in files:
        suffix = Path(name).suffix.lower()
        if suffix == ".xlsx":
            sheets, refused = xlsx_sheets(name, data, problems, limits)
            unreadable |= refused is None or bool(refused)
            failed.update(t for t in map(_table_for, refused or ()) if t)
            entries = [(f"{name}:{sheet}", sheet, rows) for sheet, rows in sheets]
        elif suffix == ".csv":
            stem = Path(name).stem
            rows = csv_rows(name, data, problems)
            if rows is None:
                named = _table_for(stem)
                if named:
                    failed.add(named)
                unreadable = True
                continue
            entries = [(name, stem, rows)]
        else:
            problems.append(
                Problem(name, None, None, None, "只能导入 .csv 或 .xlsx 文件，已忽略。", WARNING)
            )
            continue
        for label, stem, rows in entries:
            found = identify(label, stem, rows, problems, mappings=mappings, forced=forced)
            if found is None:
                if suffix == ".csv" and forced is None:
                    problems.append(_empty(label))
                    named = _table_for(stem)
                    if named:
                        failed.add(named)
                continue
            if isinstance(found, Unmatched):
                strays.append((found, stem))
            else:
                tables.append(found)
    if forced is not None and not any(raw.mapping is not None for raw in tables):
        problems.append(
            Problem(
                described,
                None,
                None,
                None,
                f"表头中找不到列映射“{forced.name or '（未保存）'}”用到的列（"
                + "、".join(forced.columns.values())
                + "），请核对文件，或在“数据管理”页面重新做列映射。",
            )
        )
    for stray, stem in strays:
        if unmatched is not None:
            unmatched.append(stray)
        severity = WARNING if tables or unreadable else ERROR
        problems.append(_unknown(stray.file, stem, severity))

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
