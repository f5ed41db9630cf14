"""Spreadsheet-safe downloads: formula neutralisation, CSV (UTF-8 BOM) and XLSX bytes (DESIGN.md §7).

A cell whose text starts with = + - @ (or a tab / carriage return, which some spreadsheets strip before
evaluating) is prefixed with a single quote so a spreadsheet shows it as text and never runs it. Numbers stay
numbers: only text cells are touched. `dashboard export` does NOT use this (it writes data exactly as stored).
"""

from __future__ import annotations

import io
from collections.abc import Mapping

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


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """Neutralised CSV encoded UTF-8 with BOM (so Excel opens Chinese text correctly)."""
    return neutralise(df).to_csv(index=False).encode("utf-8-sig")


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
            safe = neutralise(frame)
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
