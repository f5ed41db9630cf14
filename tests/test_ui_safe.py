"""dashboard.reports.safe: formula neutralisation, CSV with BOM, XLSX with bold Chinese header."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pandas as pd
import pytest

from dashboard.reports.safe import neutralise, neutralise_value, to_csv_bytes, to_xlsx_bytes


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+86 123", "'+86 123"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=cmd", "'\t=cmd"),
        ("\r=cmd", "'\r=cmd"),
        ("矿山=1", "矿山=1"),
        ("", ""),
        (" =x", " =x"),
    ],
)
def test_neutralise_value(raw, expected):
    assert neutralise_value(raw) == expected


def test_neutralise_frame_keeps_numbers_and_quotes_text_and_headers():
    df = pd.DataFrame(
        {
            "名称": ['=HYPERLINK("http://x")', "正常企业"],
            "数量": [-5, 3],
            "=列": ["@a", None],
            "标签": [["-x", "y"], []],
        }
    )
    out = neutralise(df)
    assert list(out.columns) == ["名称", "数量", "'=列", "标签"]
    assert out["名称"].tolist() == ['\'=HYPERLINK("http://x")', "正常企业"]
    assert out["数量"].tolist() == [-5, 3]  # numbers stay numbers
    assert out["'=列"].tolist()[0] == "'@a"
    assert out["标签"].tolist() == ["'-x; y", ""]
    assert df["名称"].iloc[0].startswith("=")  # the input is not modified


def test_csv_has_bom_and_neutralised_cells():
    data = to_csv_bytes(pd.DataFrame({"单位": ["=cmd|' /C calc'!A0", "耕地保护股"]}))
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines() == ["单位", "'=cmd|' /C calc'!A0", "耕地保护股"]


def test_xlsx_header_bold_widths_and_neutralised():
    df = pd.DataFrame(
        {"检查对象名称": ["+1", "某某矿业有限公司"], "日期": [date(2026, 1, 5), None]}
    )
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(df)))
    ws = wb["数据"]
    assert ws["A1"].value == "检查对象名称"
    assert ws["A1"].font.bold is True
    assert ws["A2"].value == "'+1"
    assert ws["A3"].value == "某某矿业有限公司"
    # width fitted to the widest cell: 8 CJK chars = 16 columns + 2
    assert ws.column_dimensions["A"].width == pytest.approx(18, abs=1)


def test_xlsx_several_sheets_and_long_names():
    frames = {"a" * 40: pd.DataFrame({"x": [1]}), "b": pd.DataFrame({"y": ["@z"]})}
    wb = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(frames)))
    assert wb.sheetnames == ["a" * 31, "b"]
    assert wb["b"]["A2"].value == "'@z"
