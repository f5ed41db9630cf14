"""通报 xlsx and the monthly report (docx + xlsx): they open, carry the expected tables, fonts and rows."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import openpyxl
import pytest
from docx import Document
from docx.oxml.ns import qn

from dashboard.metrics import scorecard as sc
from dashboard.metrics.kpi import KPI_KEYS, LABELS_ZH
from dashboard.reports import monthly, notice
from dashboard.scope import Scope

T = date(2026, 11, 27)
S = Scope(2026, T)

FIXTURE = """
INSERT INTO units VALUES ('KCK', '矿产资源管理股', '股室', false), ('CHK', '=1+1测绘股', '股室', false);
INSERT INTO items (item_code, item_name, owner_unit) VALUES ('I1', '矿山检查', 'KCK'), ('I2', '测绘检查', 'CHK');
INSERT INTO entities (entity_code, name, tags) VALUES
    ('E1', '甲', ['I1']), ('E2', '乙', ['I1']), ('E3', '@丙', ['I2']), ('E4', '丁', ['I2']);
INSERT INTO plans (plan_code, year, item_code, unit_code, base_count, ratio, status) VALUES
    ('P1', 2026, 'I1', 'KCK', 10, '0.2', '已发布'), ('P2', 2026, 'I2', 'CHK', 10, '0.4', '已发布');
INSERT INTO tasks (task_code, plan_code, task_name, item_codes, lead_unit, joint_kind,
        uses_risk_grades, start_on, end_on, status) VALUES
    ('TK', 'P1', '矿山', ['I1'], 'KCK', 'none', true, DATE '2026-03-02', DATE '2026-04-30', 'done'),
    ('TC', 'P2', '测绘', ['I2'], 'CHK', 'internal', false, DATE '2026-03-02', DATE '2026-04-30', 'done');
INSERT INTO inspections (task_code, entity_code, inspected_on, result_codes, entered_on, published_on) VALUES
    ('TK', 'E1', DATE '2026-03-10', ['1'], DATE '2026-03-12', DATE '2026-03-12'),
    ('TK', 'E2', DATE '2026-03-10', ['1'], DATE '2026-03-12', DATE '2026-03-12'),
    ('TC', 'E3', DATE '2026-11-02', ['A'], NULL, NULL),
    ('TC', 'E4', DATE '2026-03-10', ['A'], NULL, NULL);
INSERT INTO followups (task_code, entity_code, measure_code, responsible_unit, due_on, closed_on) VALUES
    ('TC', 'E4', '3', 'CHK', DATE '2026-04-30', NULL);
"""


@pytest.fixture
def county(store):
    with store.transaction() as cur:
        cur.execute(FIXTURE)
    return store


def test_notice_xlsx(county):
    board = sc.scorecard(county, S)
    wb = openpyxl.load_workbook(io.BytesIO(notice.notice_xlsx(board, S)))
    ws = wb["单位排名"]
    assert ws["A1"].value == "2026年度“双随机、一公开”监管工作情况通报（单位排名）"
    assert "统计截至：2026-11-27" in ws["A2"].value
    headers = [c.value for c in ws[4]]
    assert headers == list(board.columns)
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=5, max_row=4 + len(board))]
    assert [r[:3] for r in rows] == [[1, "KCK", "矿产资源管理股"], [2, "CHK", "'=1+1测绘股"]]
    assert rows[0][3] == pytest.approx(board["总分"][0])
    assert ws.cell(row=5, column=5).number_format == "0.0%"
    assert all(c.data_type != "f" for r in ws.iter_rows() for c in r)  # nothing runs as a formula


def test_monthly_docx(county):
    doc = Document(io.BytesIO(monthly.monthly_docx(county.cursor(), S)))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "2026年11月“双随机、一公开”监管工作进展报告"
    assert "范围：全局各单位" in texts[1]
    kpi_tables = [t for t in doc.tables if [c.text for c in t.rows[0].cells] == monthly.KPI_COLUMNS]
    assert len(kpi_tables) == 1
    body = [[c.text for c in r.cells] for r in kpi_tables[0].rows[1:]]
    assert [r[0] for r in body] == [LABELS_ZH[k] for k in KPI_KEYS]
    by_label = {r[0]: r for r in body}
    # entries: TK's 2 on time, TC/E4 never entered and past its deadline (04-08): 2 of 3.
    assert by_label["结果按时录入率"][1:5] == ["66.7%", "100.0%", "2", "3"]
    assert by_label["超期未录入"][1] == "1"
    cell_run = kpi_tables[0].rows[1].cells[0].paragraphs[0].runs[0]
    assert cell_run._element.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"


def test_monthly_docx_is_a_gongwen(county):
    """GB/T 9704 (issue 12 point 9): A4, 小标宋 title, 仿宋 body with fallbacks, real heading styles,
    page numbers, the sending office and the date."""
    raw = monthly.monthly_docx(county.cursor(), S)
    doc = Document(io.BytesIO(raw))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28
    east = lambda style: doc.styles[style].element.rPr.rFonts.get(qn("w:eastAsia"))  # noqa: E731
    assert doc.paragraphs[0].style.name == "Title" and east("Title") == "方正小标宋简体"
    assert east("Normal") == "仿宋_GB2312" and doc.styles["Normal"].font.size.pt == 16
    assert east("Heading 1") == "黑体" and east("Heading 2") == "楷体_GB2312"
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings[:2] == ["一、总体情况", "二、主要指标完成情况"]
    assert any(p.style.name == "Heading 2" for p in doc.paragraphs)
    footer_xml = section.footer._element.xml
    assert "PAGE" in footer_xml and "— " in section.footer.paragraphs[0].text
    assert "PAGE" in section.even_page_footer._element.xml
    texts = [p.text for p in doc.paragraphs]
    assert (
        texts[-2] == monthly.DEFAULT_OFFICE
        and texts[-1] == f"{S.as_of.year}年{S.as_of.month}月{S.as_of.day}日"
    )
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        fonts = z.read("word/fontTable.xml").decode()
    assert 'w:name="仿宋_GB2312"' in fonts and 'w:val="仿宋"' in fonts


def test_monthly_xlsx(county):
    wb = openpyxl.load_workbook(io.BytesIO(monthly.monthly_xlsx(county.cursor(), S)))
    assert wb.sheetnames[:4] == ["概况", "主要指标", "各单位", "超期未录入"]
    ws = wb["主要指标"]
    assert [c.value for c in ws[1]] == monthly.KPI_COLUMNS
    assert [r[0] for r in ws.iter_rows(min_row=2, values_only=True)] == [
        LABELS_ZH[k] for k in KPI_KEYS
    ]
    units = wb["各单位"]
    header = [c.value for c in units[1]]
    assert header[:3] == ["单位编码", "单位名称", "计划数"]
    assert [r[0] for r in units.iter_rows(min_row=2, values_only=True)] == ["CHK", "KCK"]
    overdue = wb["超期未录入"]
    assert [r[2] for r in overdue.iter_rows(min_row=2, values_only=True)] == ["TC"]
    fu = wb["后续处理逾期未完结"]
    assert fu.max_row == 2


def test_monthly_xlsx_stores_numbers_and_prints_on_a4(county):
    """Issue 12 point 9: 66.7% is the number 0.667 formatted as %, not the text '66.7%'; every sheet
    prints on A4 landscape, one page wide, with the header row repeated."""
    wb = openpyxl.load_workbook(io.BytesIO(monthly.monthly_xlsx(county.cursor(), S)))
    ws = wb["主要指标"]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    value, target = rows["结果按时录入率"][1], rows["结果按时录入率"][2]
    assert value.value == pytest.approx(2 / 3, abs=1e-3) and value.number_format == "0.0%"
    assert target.value == pytest.approx(1.0) and target.number_format == "0.0%"
    assert rows["超期未录入"][1].value == 1 and rows["超期未录入"][1].number_format != "0.0%"
    for sheet in wb.worksheets:
        assert int(sheet.page_setup.paperSize) == 9  # A4
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.print_title_rows == "$1:$1"


def test_unit_user_report_is_scoped(county):
    s = S.with_(allowed_units=frozenset({"KCK"}), role="unit")
    wb = openpyxl.load_workbook(io.BytesIO(monthly.monthly_xlsx(county.cursor(), s)))
    assert [r[0] for r in wb["各单位"].iter_rows(min_row=2, values_only=True)] == ["KCK"]
    assert wb["超期未录入"].max_row == 1  # the overdue entry belongs to CHK


def test_the_report_and_the_notice_carry_the_work_registers(demo_store):
    """工作报告 (Word and Excel) and the 通报 gain the registers (DESIGN.md §8) for the same scope."""
    import io as _io

    import openpyxl
    from docx import Document

    from dashboard.demo.planted import load_planted
    from dashboard.metrics import registers, scorecard
    from dashboard.reports.monthly import monthly_docx, monthly_xlsx
    from dashboard.reports.notice import notice_xlsx
    from dashboard.scope import Scope

    scope = Scope(2026, date(2026, 11, 27))
    planted = load_planted(demo_store)["registers"]
    book = openpyxl.load_workbook(_io.BytesIO(monthly_xlsx(demo_store, scope)))
    assert {"工作台账", "台账各单位", "台账_处罚公示超期或未公示"} <= set(book.sheetnames)
    rows = list(book["工作台账"].iter_rows(values_only=True))
    figures = registers.figures(demo_store.cursor(), scope)
    late = next(r for r in rows if r[0] == "处罚公示超期或未公示")
    assert (late[2], late[3]) == (
        figures["penalties_late"].numerator,
        figures["penalties_late"].denominator,
    )
    penalty = list(book["台账_处罚公示超期或未公示"].iter_rows(values_only=True))
    assert penalty[1][2:5:2] == tuple(planted["late_penalty"])  # 任务编码, 主体编码
    text = "\n".join(
        p.text for p in Document(_io.BytesIO(monthly_docx(demo_store, scope))).paragraphs
    )
    assert "八、工作台账" in text and "本年度未组织培训的单位：矿山综合整治专班" in text
    board = scorecard.scorecard(demo_store, scope)
    notice = openpyxl.load_workbook(
        _io.BytesIO(notice_xlsx(board, scope, registers=registers.by_unit(demo_store, scope)))
    )
    assert notice.sheetnames == ["单位排名", "工作台账"]
    header = [c.value for c in notice["单位排名"][4]]
    assert "执法人员参训率" in header and "信息按时报送率" in header
