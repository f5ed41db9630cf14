"""Issue 13 point 5: the dispatch sheet (派单表.xlsx) hides 执法证号 from unit and read-only users, as
the analysis views do, and quote-prefixes formula-like text like every other download."""

from __future__ import annotations

import io

import openpyxl
import pytest
from test_draw_fixtures import D, build

from dashboard import draw
from dashboard.draw.documents import shows_cert_no


@pytest.fixture
def drawn(store):
    build(store)
    with store.transaction() as cur:  # text a spreadsheet would run as a formula
        cur.execute(
            "UPDATE entities SET name = '=HYPERLINK(\"http://x\",\"点我\")' WHERE entity_code = 'E05'"
        )
        cur.execute("UPDATE inspectors SET name = '@SUM(1,2)'")
    rec = draw.run_draw(store, "T2", "1", operator="王", draw_date=D, ratios="1")
    return store, rec["draw_id"]


def _cells(data: bytes) -> list[str]:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value]


@pytest.mark.parametrize(
    ("role", "visible"), [("admin", True), ("leader", True), ("unit", False), ("readonly", False)]
)
def test_cert_numbers_only_for_admin_and_leader(drawn, role, visible):
    store, draw_id = drawn
    cells = _cells(draw.dispatch_sheet(store, draw_id, role=role))
    certs = {c for (c,) in store.rows("SELECT cert_no FROM inspectors")}
    shown = {c for c in cells if c in certs}
    assert ("执法证号" in cells) is visible
    assert bool(shown) is visible
    assert shows_cert_no(role) is visible


def test_formula_like_text_is_quoted(drawn):
    store, draw_id = drawn
    cells = _cells(draw.dispatch_sheet(store, draw_id, role="unit"))
    assert '\'=HYPERLINK("http://x","点我")' in cells
    assert not any(c.startswith(("=", "@", "+")) for c in cells)
    assert any(c.startswith("'@SUM(1,2)") for c in cells)  # the team lists carry inspector names


def test_the_draw_page_passes_the_readers_role():
    import inspect
    from pathlib import Path

    page = Path(__file__).parent.parent / "pages" / "draw.py"
    assert "dispatch_sheet(store, draw_id, role=" in page.read_text(encoding="utf-8")
    assert "role" in inspect.signature(draw.dispatch_sheet).parameters
