"""Hostile and huge import files of issue 16, written straight as OOXML parts (fast, and exactly the
shape that broke the reader: a far cell, a giant shared string, millions of duplicate rows)."""

from __future__ import annotations

import zipfile
from pathlib import Path

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
BOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = "</sheetData></worksheet>"


def _book(sheet_name: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{sheet_name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )


def _strings(items: list[str]) -> str:
    body = "".join(f"<si><t>{s}</t></si>" for s in items)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{len(items)}" uniqueCount="{len(items)}">{body}</sst>'
    )


def _package(path: Path, sheet_name: str, strings: list[str], write_sheet) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", _book(sheet_name))
        zf.writestr("xl/_rels/workbook.xml.rels", BOOK_RELS)
        zf.writestr("xl/sharedStrings.xml", _strings(strings))
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(SHEET_HEAD.encode())
            write_sheet(f)
            f.write(SHEET_TAIL.encode())
    return path


def far_cell(path: Path) -> Path:
    """A header in row 1 and one value in XFD1048576: a reader padding from A1 asks for 512 GB."""

    def sheet(f):
        f.write(b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>')
        f.write(b'<row r="1048576"><c r="XFD1048576" t="s"><v>2</v></c></row>')

    return _package(path, "entities", ["entity_code", "name", "x"], sheet)


def giant_string(path: Path, size: int = 2**30) -> Path:
    """One shared string of `size` characters (1 GiB by default) in a workbook of about 1 MB."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/workbook.xml", _book("entities"))
        zf.writestr("xl/_rels/workbook.xml.rels", BOOK_RELS)
        with zf.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
            f.write(
                b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3" uniqueCount="3"><si><t>entity_code</t></si><si><t>name</t></si><si><t>'
            )
            block = b"x" * (1 << 24)
            for _ in range(size // len(block)):
                f.write(block)
            f.write(b"</t></si></sst>")
        zf.writestr(
            "xl/worksheets/sheet1.xml",
            SHEET_HEAD + '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
            '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>2</v></c></row>'
            + SHEET_TAIL,
        )
    return path


def duplicate_rows(path: Path, rows: int = 3_000_000, code: str = "91130129MA0A1B2C32") -> Path:
    """A units-style sheet: a header and `rows` copies of one row (about 1 MB packed)."""

    def sheet(f):
        f.write(b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>')
        step = 10_000
        for start in range(2, rows + 2, step):
            f.write(
                "".join(
                    f'<row r="{r}"><c r="A{r}" t="s"><v>2</v></c><c r="B{r}" t="s"><v>3</v></c></row>'
                    for r in range(start, min(start + step, rows + 2))
                ).encode()
            )

    return _package(path, "entities", ["entity_code", "name", code, "甲矿业"], sheet)
