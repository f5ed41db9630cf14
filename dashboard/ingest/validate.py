"""Turning raw tables into typed rows and finding every problem before anything is written.

Errors are only what makes a row unusable (DESIGN.md §4): headers (duplicate column, missing required
column), cell types (date, bool, number in its range, ratio, per-grade ratios, period, a list cell of
separators only), enumerations, required values, duplicate keys within a file, references to rows
neither in the batch nor in the store (list members too, except entity tags), grade/score ranges.
Everything else is a warning that names file, row, column and value: unknown columns, date orders
(using the stored value of a column the file does not carry), entity codes that were trimmed or
upper-cased, that fail the USCC check character, carry a non-digit in the region part or are no known
kind of code, entities without tags. One pass finds every problem of every row: a cell error marks
only its own column (`Row.bad`), and the cross-row checks still judge the row's other columns.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

import pyarrow as pa

from dashboard.domain import uscc
from dashboard.domain.codes import RISK_SYSTEM
from dashboard.ingest import spec as S
from dashboard.ingest.parse import RawTable
from dashboard.ingest.problems import ERROR, WARNING, Problem

ARROW_TYPES = {
    S.TEXT: pa.string(),
    S.DATE: pa.date32(),
    S.BOOL: pa.bool_(),
    S.INT: pa.int32(),
    S.NUMBER: pa.float64(),
    S.RATIO: pa.string(),
    S.RATIOS: pa.string(),
    S.LIST: pa.list_(pa.string()),
    S.PERIOD: pa.string(),
    S.REPORT_PERIOD: pa.string(),
}

_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_PERIOD = re.compile(r"(\d{4})[-/.](\d{1,2})")
_REPORT_PERIOD = re.compile(r"(\d{4})(?:[-/.](\d{1,2})|([QqHh])([1-4]))?")
_INT = re.compile(r"[+-]?\d+(\.0+)?")
INT32_MAX = 2**31 - 1  # the store's INTEGER: a larger whole number is a range error, not a crash
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell (setting import.max_cell_chars)
_DECIMAL = re.compile(r"\d*\.?\d+")
_LIST_SEP = re.compile(r"[;；]")
_RATIO_PAIR = re.compile(r"\s*([A-Za-z]+)\s*[:：=]\s*(\S+)\s*")
TRUE_TEXT = {"true", "1", "是", "yes", "y", "t"}
FALSE_TEXT = {"false", "0", "否", "no", "n", "f"}


_NO_BAD: frozenset[str] = frozenset()


@dataclass(slots=True)
class Row:
    rownum: int
    values: dict[str, Any]  # present columns only, typed
    ok: bool = True  # False: a cell had an error (kept so references to its key do not cascade)
    # columns whose cell had an error (not judged again); shared empty frozenset for a clean row
    bad: set[str] | frozenset[str] = _NO_BAD
    _key: tuple | None = None

    def key(self, spec: S.TableSpec) -> tuple:
        if self._key is None:
            self._key = tuple(self.values.get(k) for k in spec.key)
        return self._key


@dataclass
class ParsedTable:
    spec: S.TableSpec
    file: str
    present: list[str]  # columns carried by the file (spec order; key columns always)
    rows: list[Row] = field(default_factory=list)
    stored: dict[tuple, dict[str, Any]] = field(default_factory=dict)  # stored rows for batch keys

    def keys(self) -> set[tuple]:
        return {r.key(self.spec) for r in self.rows}


def cell_text(value: Any) -> str:
    """A raw cell (CSV text or a workbook value) as trimmed text."""
    if type(value) is str:
        return value.replace("\ufeff", "").strip() if "\ufeff" in value else value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    return str(value).replace("\ufeff", "").strip()


def _ratio_text(text: str) -> tuple[str | None, str | None]:
    if not _DECIMAL.fullmatch(text):
        return None, "应为大于0且不超过1的小数，如 0.05"
    try:
        d = Decimal(text)
    except InvalidOperation:
        return None, "应为大于0且不超过1的小数，如 0.05"
    if not (Decimal(0) < d <= Decimal(1)):
        return None, "应大于0且不超过1（5% 写作 0.05）"
    return text, None


def parse_cell(col: S.Column, raw: Any, max_chars: int = MAX_CELL_CHARS) -> tuple[Any, str | None]:
    """(typed value or None for empty, error message or None)."""
    text = cell_text(raw)
    t = col.type
    if text == "":
        if t == S.LIST:
            return [], None
        return None, None
    if len(text) > max_chars:
        return (
            None,
            f"内容过长（{len(text):,} 个字符，上限 {max_chars:,}），请检查是否误粘贴了整段内容",
        )
    if t == S.TEXT:
        return text, None
    if t == S.DATE:
        if isinstance(raw, datetime):
            return raw.date(), None
        if isinstance(raw, date):
            return raw, None
        m = _DATE.fullmatch(text)
        if m:
            try:
                return date(int(m[1]), int(m[2]), int(m[3])), None
            except ValueError:
                pass
        return None, "不是有效日期，应写成 YYYY-MM-DD，如 2026-03-01"
    if t == S.BOOL:
        low = text.lower()
        if low in TRUE_TEXT:
            return True, None
        if low in FALSE_TEXT:
            return False, None
        return None, "应填 是/否（或 true/false、1/0）"
    if t == S.INT:
        if not _INT.fullmatch(text):
            return None, "应为整数"
        value = int(Decimal(text))
        if abs(value) > INT32_MAX:
            return None, _range_text(col, "整数", upper=INT32_MAX)
        return _bounded(col, value, "整数")
    if t == S.NUMBER:
        try:
            value = float(text)
        except ValueError:
            return None, "应为数字"
        if not math.isfinite(value):
            return None, "应为数字"
        return _bounded(col, value, "数值")
    if t == S.RATIO:
        return _ratio_text(text)
    if t == S.RATIOS:
        parts = [p for p in _LIST_SEP.split(text) if p.strip()]
        seen: dict[str, str] = {}
        for part in parts:
            m = _RATIO_PAIR.fullmatch(part)
            if not m:
                return None, "分级比例应写成 等级:比例 并用分号隔开，如 A:0.01;B:0.03;C:0.10;D:0.30"
            grade, ratio = m[1].upper(), m[2]
            if grade not in S.RATIO_GRADES:
                return None, f"等级“{m[1]}”无效，分级比例只能用 A、B、C、D、U"
            if grade in seen:
                return None, f"等级 {grade} 写了两次，每个等级只能有一个比例"
            value, error = _ratio_text(ratio)
            if error:
                return None, f"等级 {grade} 的比例“{ratio}”无效：{error}"
            seen[grade] = value
        return ";".join(f"{g}:{r}" for g, r in seen.items()), None
    if t == S.LIST:
        members = [p.strip() for p in _LIST_SEP.split(text) if p.strip()]
        if not members:
            return None, "只有分隔符、没有内容；不填请留空，否则请在分号之间填写编码"
        return members, None
    if t == S.PERIOD:
        if isinstance(raw, date):
            return f"{raw.year:04d}-{raw.month:02d}", None
        m = _PERIOD.fullmatch(text)
        if m and 1 <= int(m[2]) <= 12:
            return f"{int(m[1]):04d}-{int(m[2]):02d}", None
        return None, "应写成 YYYY-MM，如 2026-10"
    if t == S.REPORT_PERIOD:
        if isinstance(raw, date):
            return f"{raw.year:04d}-{raw.month:02d}", None
        m = _REPORT_PERIOD.fullmatch(text)
        if m:
            if m[2] is not None and 1 <= int(m[2]) <= 12:
                return f"{m[1]}-{int(m[2]):02d}", None
            if m[3] is not None and (m[3] in "Qq" or int(m[4]) <= 2):
                return f"{m[1]}{m[3].upper()}{m[4]}", None
            if m[2] is None and m[3] is None:
                return m[1], None
        return None, "应写成 YYYY-MM（月报）、YYYYQ1–Q4（季报）、YYYYH1/H2（半年报）或 YYYY（年报）"
    raise AssertionError(t)


def _bounded(col: S.Column, value, what: str):
    if col.minimum is not None and value < col.minimum:
        return None, _range_text(col, what)
    if col.maximum is not None and value > col.maximum:
        return None, _range_text(col, what)
    return value, None


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _range_text(col: S.Column, what: str, upper: float | None = None) -> str:
    top = col.maximum if col.maximum is not None else upper
    if top is None:
        return f"应为不小于 {_num(col.minimum)} 的{what}"
    if col.minimum is None:
        return f"应为不大于 {_num(top)} 的{what}"
    return f"应为 {_num(col.minimum)} 到 {_num(top)} 之间的{what}"


def _enum_value(col: S.Column, value: str) -> tuple[str | None, str | None]:
    if value in col.enum:
        return value, None
    if col.enum_labels:
        for code, label in col.enum_labels.items():
            if value == label:
                return code, None
    if col.enum_labels:
        allowed = "、".join(f"{c}（{col.enum_labels[c]}）" for c in col.enum)
    else:
        allowed = "、".join(col.enum)
    return None, f"不是有效的{col.zh}，可填：{allowed}"


def typed_value(
    col: S.Column, cell: Any, max_chars: int = MAX_CELL_CHARS, *, present: bool = True
) -> tuple[Any, str | None]:
    """One cell as stored, or the error: its type (parse_cell), its enumeration (a list member by
    member) and a list's least number of members. The one rule of a cell, for a file row and a form."""
    value, error = parse_cell(col, cell, max_chars)
    if error is None and col.enum is not None and value is not None:
        if col.type == S.LIST:
            fixed = []
            for member in value:
                v, error = _enum_value(col, member)
                if error:
                    return None, f"“{member}”{error}"
                fixed.append(v)
            value = fixed
        else:
            value, error = _enum_value(col, value)
    if error is None and col.min_items and value is not None and len(value) < col.min_items:
        if present or col.not_null or value != []:  # an absent column keeps the stored list
            return None, f"至少要填写 {col.min_items} 个编码（多个用分号隔开）"
    return value, error


def _default(col: S.Column) -> Any:
    if col.type == S.LIST:
        return list(col.default or ())
    return col.default


def _short(raw: Any) -> str:
    """A cell as shown in a problem list: at most 200 characters (a hostile cell can be huge)."""
    text = cell_text(raw) if not (isinstance(raw, str) and len(raw) > 400) else raw[:400].strip()
    return text if len(text) <= 200 else text[:200] + f"……（共 {len(cell_text(raw)):,} 个字符）"


# The fast path's two kinds of cell: free text, an entity code (see parse_table).
_TEXT, _CODE = "text", "code"
_CACHED = (
    S.DATE,
    S.LIST,
    S.PERIOD,
    S.REPORT_PERIOD,
    S.BOOL,
)  # few distinct texts, parsed once per file

# Columns that hold an entity code: trimmed (parse_cell) and, at 18 characters, upper-cased before
# they are matched or stored, so a lower-case copy of a USCC updates the existing entity (issue 16).
CODE_COLUMNS = frozenset({"entity_code"})
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00a0\u3000"), None)


def _normal_code(file: str, rownum: int, name: str, cell: Any, value: str, problems) -> str:
    code = value.translate(_INVISIBLE).strip()
    if len(code) == uscc.USCC_LENGTH:
        code = code.upper()
    original = cell if isinstance(cell, str) else value
    if code != original:
        problems.append(
            Problem(
                file,
                rownum,
                name,
                original,
                f"主体编码“{original.strip()}”已规范为“{code}”（去掉空格，18 位代码改为大写）后再比对和保存。",
                WARNING,
            )
        )
    return code


def parse_table(
    raw: RawTable, problems: list[Problem], *, max_cell_chars: int = MAX_CELL_CHARS
) -> ParsedTable | None:
    spec = S.SPECS[raw.table]
    hmap = S.header_map(spec)
    lower = {k.lower(): v for k, v in hmap.items()}
    positions: dict[str, int] = {}
    ok = True
    for i, cell in enumerate(raw.header):
        head = cell_text(cell)
        if not head:
            continue
        name = hmap.get(head) or lower.get(head.lower())
        if name is None:
            problems.append(
                Problem(
                    raw.file,
                    raw.header_row,
                    head,
                    None,
                    f"不认识的列“{head}”，已忽略；{spec.zh}表的列为："
                    + "、".join(f"{c.name}/{c.zh}" for c in spec.columns)
                    + "。",
                    WARNING,
                )
            )
            continue
        if name in positions:
            problems.append(
                Problem(
                    raw.file,
                    raw.header_row,
                    name,
                    head,
                    f"列 {spec.label(name)} 出现了两次，请删去重复的一列。",
                )
            )
            ok = False
            continue
        positions[name] = i
    for name in spec.required:
        if name not in positions:
            problems.append(
                Problem(
                    raw.file,
                    raw.header_row,
                    name,
                    None,
                    f"缺少必填列 {spec.label(name)}，请在表头加上这一列（中文或英文列名均可）。",
                )
            )
            ok = False
    if not ok:
        return None

    present = [c.name for c in spec.columns if c.name in positions or c.name in spec.key]
    table = ParsedTable(spec, raw.file, present)
    first_row: dict[tuple, int] = {}
    # the fast path of a plain cell (most of a million-row file): free text, a plain code, a
    # repeated date or list; everything else goes through parse_cell
    plan = []
    for name in present:
        col = spec.column(name)
        if name in CODE_COLUMNS:
            fast = _CODE
        elif col.type == S.TEXT and col.enum is None:
            fast = _TEXT
        else:
            fast = None
        plan.append((name, col, positions.get(name), fast, {} if col.type in _CACHED else None))
    key_names = spec.key
    for rownum, cells in raw.rows:
        values: dict[str, Any] = {}
        bad: set[str] | frozenset[str] = _NO_BAD
        n_cells = len(cells)
        for name, col, pos, fast, cache in plan:
            cell = cells[pos] if pos is not None and pos < n_cells else None
            if type(cell) is str:
                # taken as it is exactly when parse_cell (and _normal_code) would not change it
                if (
                    fast is not None
                    and cell
                    and len(cell) <= max_cell_chars
                    and not cell[0].isspace()
                    and not cell[-1].isspace()
                    and "\ufeff" not in cell
                    and (
                        fast is _TEXT
                        or (
                            cell.isalnum() and cell.isascii() and (cell.isupper() or cell.isdigit())
                        )
                    )
                ):
                    values[name] = cell
                    continue
                if cache is not None:
                    hit = cache.get(cell)
                    if hit is not None:
                        values[name] = list(hit) if type(hit) is tuple else hit
                        continue
            value, error = typed_value(col, cell, max_cell_chars, present=pos is not None)
            if error is None and name in CODE_COLUMNS and value is not None:
                value = _normal_code(raw.file, rownum, name, cell, value, problems)
            if error:
                problems.append(
                    Problem(raw.file, rownum, name, _short(cell), f"{spec.label(name)}{error}。")
                )
                bad = bad | {name}
                continue
            if value is None:
                if col.not_null:
                    problems.append(
                        Problem(
                            raw.file,
                            rownum,
                            name,
                            None,
                            f"{spec.label(name)} 为必填项，不能为空，请补上。",
                        )
                    )
                    bad = bad | {name}
                    continue
                if col.default is not None:
                    value = _default(col)
            elif cache is not None and type(cell) is str and len(cache) < 100_000:
                cache[cell] = tuple(value) if type(value) is list else value
            values[name] = value
        key = tuple([values.get(k) for k in key_names])
        row = Row(rownum, values, not bad, bad, key)
        if bad and bad.intersection(key_names):
            table.rows.append(row)  # kept (not ok) so references to it do not cascade
            continue
        if key in first_row:
            if getattr(problems, "full", None) is not None and problems.full(ERROR):
                problems.count_only(ERROR)  # a file of a million copies: count, do not write
                continue
            shown = "、".join(str(k) for k in key)
            problems.append(
                Problem(
                    raw.file,
                    rownum,
                    spec.key[-1] if len(spec.key) > 1 else spec.key[0],
                    shown,
                    f"与第{first_row[key]}行的 "
                    + "+".join(spec.label(k) for k in spec.key)
                    + f"（{shown}）重复，同一文件中每条记录只能出现一次，请删去或合并其中一行。",
                )
            )
            continue
        first_row[key] = rownum
        table.rows.append(row)
    return table


def _key_arrow(spec: S.TableSpec, keys: list[tuple]) -> pa.Table:
    return pa.table(
        {
            k: pa.array([key[i] for key in keys], type=ARROW_TYPES[spec.column(k).type])
            for i, k in enumerate(spec.key)
        }
    )


def load_stored(cur, table: ParsedTable) -> None:
    """The stored rows whose keys appear in the file (for counts and merged checks)."""
    spec = table.spec
    keys = list(table.keys())
    if not keys:
        return
    name = f"ingest_keys_{spec.name}"
    cur.register(name, _key_arrow(spec, keys))
    try:
        cols = ", ".join(f't."{c}"' for c in spec.column_names)
        using = ", ".join(f'"{k}"' for k in spec.key)
        result = cur.execute(f'SELECT {cols} FROM "{spec.name}" t JOIN {name} USING ({using})')
        rows = result.fetchall()
    finally:
        cur.unregister(name)
    names = spec.column_names
    key_index = [names.index(k) for k in spec.key]
    for values in rows:
        record = dict(zip(names, values, strict=True))
        table.stored[tuple(values[i] for i in key_index)] = record


def effective(table: ParsedTable, row: Row) -> dict[str, Any]:
    """The row as it will be stored: stored values for the columns the file does not carry."""
    stored = table.stored.get(row.key(table.spec))
    if stored is None and len(row.values) == len(table.spec.columns):
        return row.values
    out = {}
    for col in table.spec.columns:
        if col.name in row.values:
            out[col.name] = row.values[col.name]
        elif stored is not None:
            out[col.name] = stored[col.name]
        else:
            out[col.name] = _default(col)
    return out


def _store_keys(cur, table: str) -> set:
    spec = S.SPECS[table]
    cols = ", ".join(f'"{k}"' for k in spec.key)
    rows = cur.execute(f'SELECT {cols} FROM "{table}"').fetchall()
    if len(spec.key) == 1:
        return {r[0] for r in rows}
    return {tuple(r) for r in rows}


def check_batch(
    cur,
    tables: dict[str, ParsedTable],
    problems: list[Problem],
    *,
    unjudged: set[str] = frozenset(),
) -> None:
    """Cross-row checks: references, date orders, code warnings (after every table is parsed).

    `unjudged`: tables whose file could not be read; references to them are not reported (the file's
    own error already blocks the import, and one cause should give one message).
    """
    known: dict[str, set] = {}

    def keys_of(ref: str) -> set:
        if ref not in known:
            found = _store_keys(cur, ref)
            if ref in tables:
                batch = tables[ref].keys()
                found |= {k[0] for k in batch} if len(S.SPECS[ref].key) == 1 else batch
            known[ref] = found
        return known[ref]

    for table in tables.values():
        load_stored(cur, table)

    for name in S.TABLE_ORDER:
        table = tables.get(name)
        if table is None:
            continue
        spec = table.spec
        needed = [c for c in spec.columns if c.not_null and c.name not in table.present]
        ref_cols = [
            (c, keys_of(c.ref), c.type == S.LIST)
            for c in spec.columns
            if c.ref is not None and c.name in table.present and c.ref not in unjudged
        ]
        for row in table.rows:
            if row.bad and row.bad.intersection(spec.key):
                continue  # no usable key: its own error says so
            if needed and row.key(spec) not in table.stored:
                for col in needed:
                    problems.append(
                        Problem(
                            table.file,
                            row.rownum,
                            col.name,
                            None,
                            f"这是新增的记录，必须填写{spec.label(col.name)}："
                            "请在表头加上这一列并填写。",
                        )
                    )
                row.ok = False
                row.bad = row.bad | {col.name for col in needed}
            merged = effective(table, row)
            bad = row.bad
            # references
            values = row.values
            for col, targets, is_list in ref_cols:
                if col.name not in values:
                    continue
                value = values[col.name]
                if is_list:
                    if not value or all(m in targets for m in value):
                        continue
                    members = value
                elif value is None or value in targets:
                    continue
                else:
                    members = [value]
                for member in members:
                    if member not in targets:
                        ref_spec = S.SPECS[col.ref]
                        problems.append(
                            Problem(
                                table.file,
                                row.rownum,
                                col.name,
                                member,
                                f"{spec.label(col.name)}中的“{member}”在{ref_spec.zh}表中不存在，"
                                f"请先在 {ref_spec.file_name} 中添加，或改正编码。",
                            )
                        )
            for cols, ref in spec.composite_refs:
                if ref in unjudged or bad.intersection(cols):
                    continue
                value = tuple(row.values.get(c) for c in cols)
                if value not in keys_of(ref):
                    ref_spec = S.SPECS[ref]
                    shown = "、".join(str(v) for v in value)
                    problems.append(
                        Problem(
                            table.file,
                            row.rownum,
                            cols[-1],
                            shown,
                            f"{ref_spec.zh}表中没有 "
                            + "+".join(spec.label(c) for c in cols)
                            + f" 为（{shown}）的记录，后续处理必须对应一条检查结果，"
                            f"请先在 {ref_spec.file_name} 中添加，或改正编码。",
                        )
                    )
            # date orders: a working rule, stored as recorded and listed (DESIGN.md §4)
            for order in spec.date_orders:
                if order.earlier in bad or order.later in bad:
                    continue
                early, late = merged[order.earlier], merged[order.later]
                if early is not None and late is not None and late < early:
                    column = order.later if order.later in row.values else order.earlier
                    problems.append(
                        Problem(
                            table.file,
                            row.rownum,
                            column,
                            late.isoformat() if column == order.later else early.isoformat(),
                            f"{spec.label(order.later)}（{late.isoformat()}）早于"
                            f"{spec.label(order.earlier)}（{early.isoformat()}）；"
                            "按原样导入，如是录入错误请改正其中一个日期。",
                            WARNING,
                        )
                    )
            if name == "risk_grades" and not bad.intersection(("system", "grade")):
                if merged["system"] == RISK_SYSTEM and merged["grade"] not in ("A", "B", "C", "D"):
                    problems.append(
                        Problem(
                            table.file,
                            row.rownum,
                            "grade",
                            merged["grade"],
                            f"分类体系“{RISK_SYSTEM}”的等级只能是 A、B、C、D，请改正等级或分类体系。",
                        )
                    )
            if name == "entities":
                code = row.values["entity_code"]
                kind = uscc.classify(code)
                if kind == "uscc":
                    check = uscc.validate_uscc(code)
                    region = uscc.region_problem(code)
                    if region:
                        problems.append(
                            Problem(table.file, row.rownum, "entity_code", code, region, WARNING)
                        )
                    if not check.check_digit_ok:
                        problems.append(
                            Problem(
                                table.file,
                                row.rownum,
                                "entity_code",
                                code,
                                check.message or "统一社会信用代码校验位不符，请核对。",
                                WARNING,
                            )
                        )
                elif kind == "invalid":
                    problems.append(
                        Problem(
                            table.file,
                            row.rownum,
                            "entity_code",
                            code,
                            "主体编码既不是统一社会信用代码，也不是许可证号或15位注册号，请核对。",
                            WARNING,
                        )
                    )
                if "tags" not in bad and not merged["tags"]:
                    problems.append(
                        Problem(
                            table.file,
                            row.rownum,
                            "tags",
                            None,
                            "该检查对象没有标签，不会进入任何抽查事项的名录库；"
                            "如需抽查，请在“标签”列填写事项编码。",
                            WARNING,
                        )
                    )


def count_changes(table: ParsedTable) -> tuple[dict[str, int], list[Row]]:
    """{added, updated, unchanged} and the rows that must be written (added or updated)."""
    counts = {"added": 0, "updated": 0, "unchanged": 0}
    to_write = []
    present = [c for c in table.present if c not in table.spec.key]
    for row in table.rows:
        if not row.ok:  # an error blocks the import; the row is not counted
            continue
        stored = table.stored.get(row.key(table.spec))
        if stored is None:
            counts["added"] += 1
            to_write.append(row)
        elif all(_same(stored[c], row.values[c]) for c in present):
            counts["unchanged"] += 1
        else:
            counts["updated"] += 1
            to_write.append(row)
    return counts, to_write


def _same(stored: Any, new: Any) -> bool:
    if stored is None or new is None:
        return stored is None and new is None
    if type(stored) is type(new):
        return stored == new
    if isinstance(stored, datetime):
        stored = stored.date()
    if isinstance(stored, tuple):
        stored = list(stored)
    return type(stored) is type(new) and stored == new


def rows_arrow(table: ParsedTable, rows: list[Row]) -> pa.Table:
    spec = table.spec
    return pa.table(
        {
            c: pa.array([r.values[c] for r in rows], type=ARROW_TYPES[spec.column(c).type])
            for c in table.present
        }
    )


__all__ = ["ERROR", "WARNING", "ParsedTable", "Row", "parse_table", "check_batch", "count_changes"]
