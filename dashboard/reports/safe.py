"""Spreadsheet-safe downloads: formula neutralisation, CSV (UTF-8 BOM) and XLSX bytes (DESIGN.md §7).

A cell whose text starts with = + - @ (or a tab / carriage return, which some spreadsheets strip before
evaluating) is prefixed with a single quote so a spreadsheet shows it as text and never runs it. Numbers stay
numbers: only text cells are touched. `dashboard export` does NOT use this (it writes data exactly as stored).
"""

from __future__ import annotations

import io
from collections.abc import Mapping

import numpy as np
import pandas as pd

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_value(value):
    """One cell: a text starting with a formula character gets a leading quote; anything else unchanged."""
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value


def _listlike_to_text(value):
    if hasattr(value, "tolist") and not isinstance(value, str):
        value = value.tolist()
    if isinstance(value, list | tuple):
        return "; ".join("" if v is None else str(v) for v in value)
    return value


def neutralise(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of df where every text cell (and column name) starting with = + - @ tab CR is quoted."""
    out = df.copy()
    out.columns = [neutralise_value(str(c)) for c in out.columns]
    for col in out.columns:
        series = out[col]
        if series.dtype == object or pd.api.types.is_string_dtype(series):
            out[col] = series.map(lambda v: neutralise_value(_listlike_to_text(v)))
    return out


# DuckDB's infinite timestamps arrive as the int64 extremes ±(2**63 - 1) in their unit (NaT is -2**63)
_INT64_MAX = 2**63 - 1
_EXCEL_FIRST, _EXCEL_LAST = np.datetime64("1900-01-01"), np.datetime64("9999-12-31T23:59:59")


def safe_datetimes(df: pd.DataFrame) -> pd.DataFrame:
    """Date-time columns a spreadsheet cannot hold (DuckDB's ±infinity, years before 1900 or after
    9999) become text ("-infinity", "infinity", the ISO form); other columns are left as they are."""
    out = None
    for col in df.columns:
        series = df[col]
        if not pd.api.types.is_datetime64_any_dtype(series.dtype):
            continue
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            series = series.dt.tz_localize(None)
        arr = series.to_numpy()
        nat = np.isnat(arr)
        unit = np.datetime_data(arr.dtype)[0]
        first, last = (x.astype(f"datetime64[{unit}]") for x in (_EXCEL_FIRST, _EXCEL_LAST))
        valid = arr[~nat]
        if not len(valid) or (valid.min() >= first and valid.max() <= last):
            continue
        ints = arr.view("i8")
        text = np.char.replace(np.datetime_as_string(arr, unit="auto"), "T", " ")
        values = [
            None
            if n
            else ("infinity" if i == _INT64_MAX else "-infinity" if i == -_INT64_MAX else t)
            for n, i, t in zip(nat, ints, text, strict=True)
        ]
        out = df.copy() if out is None else out
        out[col] = pd.Series(values, index=df.index, dtype=object)
    return df if out is None else out


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """Neutralised CSV encoded UTF-8 with BOM (so Excel opens Chinese text correctly)."""
    return neutralise(safe_datetimes(df)).to_csv(index=False).encode("utf-8-sig")


def _sheet_name(name: str, used: set[str]) -> str:
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in str(name))[:31] or "Sheet"
    base, n = clean, 2
    while clean in used:
        suffix = f"_{n}"
        clean = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(clean)
    return clean


def _display_width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def to_xlsx_bytes(
    data: pd.DataFrame | Mapping[str, pd.DataFrame], *, sheet_name: str = "数据"
) -> bytes:
    """An XLSX workbook (one sheet per frame): neutralised cells, bold header row, fitted column widths."""
    frames = {sheet_name: data} if isinstance(data, pd.DataFrame) else dict(data)
    buffer = io.BytesIO()
    used: set[str] = set()
    with pd.ExcelWriter(buffer, engine="xlsxwriter") as writer:
        workbook = writer.book
        header_format = workbook.add_format({"bold": True, "bg_color": "#E8EEF5", "border": 1})
        for name, frame in frames.items():
            safe = neutralise(safe_datetimes(frame))
            for col in safe.columns:  # xlsxwriter cannot write tz-aware datetimes
                if isinstance(safe[col].dtype, pd.DatetimeTZDtype):
                    safe[col] = safe[col].dt.tz_localize(None)
            sheet = _sheet_name(name, used)
            safe.to_excel(writer, sheet_name=sheet, index=False)
            worksheet = writer.sheets[sheet]
            for i, col in enumerate(safe.columns):
                worksheet.write(0, i, str(col), header_format)
                sample = safe[col].head(200).map(lambda v: "" if v is None else str(v))
                width = max([_display_width(str(col))] + [_display_width(s) for s in sample])
                worksheet.set_column(i, i, min(max(width + 2, 8), 60))
            worksheet.freeze_panes(1, 0)
    return buffer.getvalue()
