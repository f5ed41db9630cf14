"""Issue 16: the import keeps the office's record as it is (breaches are warnings), one pass finds
every problem, codes are normalised, and files are found by their header or a column mapping."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from dashboard.cli import main
from dashboard.ingest import run_import
from dashboard.ingest.mapping import ColumnMapping, load_mappings, propose, save_mapping
from dashboard.ingest.problems import ERROR, WARNING
from dashboard.store import open_store

FIXTURE = Path(__file__).parent / "fixtures" / "interchange_small"
E1 = "91130129MA0A1B2C32"  # 甲矿业 (valid USCC)
E2 = "91130129MA0D4E5F64"
R3 = "130129000012345"  # a 15-digit registration number
MINE = "C1301002010067120071234"  # a mining licence


@pytest.fixture
def db(empty_db_copy):
    return empty_db_copy


def history_folder(tmp_path: Path) -> Path:
    """The small interchange fixture plus a year of records that break working rules."""
    folder = tmp_path / "history"
    shutil.copytree(FIXTURE, folder)
    tasks = (folder / "tasks.csv").read_text(encoding="utf-8")
    tasks += "T4,,后来作废的任务,I1,KCK,,none,adhoc,false,2026-03-01,2026-03-31,voided\n"
    (folder / "tasks.csv").write_text(tasks, encoding="utf-8")
    (folder / "inspections.csv").write_text(
        "task_code,entity_code,inspectors,inspected_on,result_codes,entered_on,published_on,note\n"
        # row 2: finding with its follow-up, backfilled before it was closed (followups row 2)
        f"T1,{E1},P1;P4,2026-05-12,A;2;D,2026-05-20,2026-05-22,治理恢复方案未按期实施\n"
        # row 3: a finding (A family) without any follow-up record; a one-person team
        f"T1,{E2},P1,2026-05-13,A;3,2026-05-21,,\n"
        # row 4: entered and published before the inspection
        f"T2,{E2},P3;P4,2026-06-10,1,2026-06-09,2026-06-08,\n"
        # row 5: a result on a task voided later
        f"T4,{E1},P1;P2,2026-03-10,1,2026-03-12,2026-03-13,\n"
        # row 6: entered late: 20 working days after 2026-06-11 is 2026-07-09
        f"T2,{R3},P3;P4,2026-06-11,1,2026-07-30,2026-07-30,\n",
        encoding="utf-8",
    )
    (folder / "followups.csv").write_text(
        "task_code,entity_code,measure_code,responsible_unit,due_on,closed_on,backfilled_on,"
        "revisit_on,revisit_result\n"
        f"T1,{E1},3,KCK,2026-07-31,2026-07-20,2026-07-18,,\n",
        encoding="utf-8",
    )
    return folder


def where(problems, severity=WARNING):
    return {(p.file, p.row, p.column, p.value) for p in problems if p.severity == severity}


def test_a_year_with_breaches_imports_with_every_breach_a_located_warning(db, tmp_path, capsys):
    folder = history_folder(tmp_path)
    assert main(["import", str(folder), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "导入完成" in out and "错误" not in out.split("导入完成")[0].split("\n")[-1]
    store = open_store(db)
    report = run_import(store, folder, actor="测试", dry_run=True)
    assert report.errors == []
    found = where(report.problems)
    expected = {
        ("inspections.csv", 3, "result_codes", "A、3"),  # finding without a follow-up
        ("inspections.csv", 3, "inspectors", "P1"),  # one-person team
        ("inspections.csv", 4, "entered_on", "2026-06-09"),  # entered before the inspection
        ("inspections.csv", 4, "published_on", "2026-06-08"),  # published before the inspection
        ("inspections.csv", 5, "task_code", "T4"),  # result on a voided task
        ("inspections.csv", 6, "entered_on", "2026-07-30"),  # late entry
        ("inspections.csv", 6, "published_on", "2026-07-30"),  # late publication
        ("followups.csv", 2, "backfilled_on", "2026-07-18"),  # backfilled before closed
    }
    assert expected <= found, expected - found
    # every breach is stored as it was recorded
    assert store.rows(
        "SELECT entered_on, published_on FROM inspections WHERE task_code = 'T2' AND entity_code = ?",
        [E2],
    ) == [(date(2026, 6, 9), date(2026, 6, 8))]
    assert store.scalar("SELECT count(*) FROM inspections WHERE task_code = 'T4'") == 1
    assert store.scalar("SELECT backfilled_on FROM followups") == date(2026, 7, 18)
    assert (
        store.scalar(
            "SELECT count(*) FROM inspections i WHERE list_contains(i.result_codes, 'A')"
            " AND NOT EXISTS (SELECT 1 FROM followups f"
            "  WHERE f.task_code = i.task_code AND f.entity_code = i.entity_code)"
        )
        == 1
    )


def test_the_entry_forms_keep_the_rules_as_errors(db, tmp_path):
    """The same breaches through the entry page's bulk upload (new entries) are refused."""
    from dashboard.auth import User
    from dashboard.entry.bulk import preview

    folder = history_folder(tmp_path)
    store = open_store(db)
    report = run_import(store, folder, actor="测试")
    assert report.written
    files = [("inspections.csv", (folder / "inspections.csv").read_bytes())]
    admin = User("admin", "管理员", "admin", None)
    prev = preview(store, admin, files, today=date(2026, 12, 1), reason="测试")
    assert ("inspections.csv", 3, "result_codes", "A、3") in where(prev.problems, ERROR)
    assert ("inspections.csv", 5, "task_code", "T4") in where(prev.problems, ERROR)
    assert not prev.ok


def test_one_pass_reports_format_check_digit_and_date_order_together(db, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    bad_check = E1[:-1] + ("0" if E1[-1] != "0" else "1")
    (folder / "entities.csv").write_text(
        "entity_code,name,tags,registered_on,closed_on,status\n"
        # a bad date AND a wrong check character AND (on the next row) a date-order breach
        f"{bad_check},甲,I1,2026-02-30,,存续\n"
        f"{E2},乙,I1,2020-05-01,2019-01-01,注销\n",
        encoding="utf-8",
    )
    store = open_store(db)
    report = run_import(store, folder, actor="测试", dry_run=True)
    assert where(report.problems, ERROR) == {("entities.csv", 2, "registered_on", "2026-02-30")}
    warned = where(report.problems)
    assert ("entities.csv", 2, "entity_code", bad_check) in warned  # check digit, same row
    assert ("entities.csv", 3, "closed_on", "2019-01-01") in warned  # date order
    # an unknown item on the row with the bad date is reported in the same pass as well
    (folder / "entities.csv").write_text(
        f"entity_code,name,tags,registered_on\n{E1},甲,I1,2026-13-01\n", encoding="utf-8"
    )
    (folder / "inspections.csv").write_text(
        f"task_code,entity_code,inspectors,inspected_on,entered_on\nT9,{E1},P9,2026-05-40,\n",
        encoding="utf-8",
    )
    report = run_import(store, folder, actor="测试", dry_run=True)
    errors = where(report.problems, ERROR)
    assert ("inspections.csv", 2, "task_code", "T9") in errors
    assert ("inspections.csv", 2, "inspectors", "P9") in errors
    assert ("inspections.csv", 2, "inspected_on", "2026-05-40") in errors
    assert ("entities.csv", 2, "registered_on", "2026-13-01") in errors


def test_codes_are_trimmed_and_upper_cased_with_a_warning(db, tmp_path):
    store = open_store(db)
    assert run_import(store, FIXTURE, actor="测试").written
    before = store.scalar("SELECT count(*) FROM entities")
    folder = tmp_path / "in"
    folder.mkdir()
    lower = " " + E1.lower() + " "
    (folder / "entities.csv").write_text(
        f'entity_code,name,tags\n"{lower}",甲矿业（更名）,I1\n', encoding="utf-8"
    )
    report = run_import(store, folder, actor="测试")
    assert report.written
    warned = [p for p in report.warnings if p.column == "entity_code"]
    assert [(p.row, p.value) for p in warned] == [(2, lower)]
    assert E1 in warned[0].message
    assert store.scalar("SELECT count(*) FROM entities") == before  # updated, not a second entity
    assert store.scalar("SELECT name FROM entities WHERE entity_code = ?", [E1]) == "甲矿业（更名）"
    assert report.counts["entities"] == {"added": 0, "updated": 1, "unchanged": 0}


def test_a_uscc_with_a_letter_in_the_region_part_is_warned_even_when_it_checks():
    from dashboard.domain import uscc

    code = uscc.make_uscc("9113A129MA0A1B2C3")  # position 5 is a letter, check character fits
    assert uscc.validate_uscc(code).check_digit_ok
    assert "第5位" in uscc.region_problem(code)
    assert uscc.region_problem(E1) is None


def test_region_warning_in_the_import(db, tmp_path):
    from dashboard.domain import uscc

    code = uscc.make_uscc("91A30129MA0A1B2C3")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "units.csv").write_text("unit_code,unit_name\nKCK,矿产股\n", encoding="utf-8")
    (folder / "items.csv").write_text(
        "item_code,item_name,owner_unit\nI1,事项,KCK\n", encoding="utf-8"
    )
    (folder / "entities.csv").write_text(f"entity_code,name,tags\n{code},丙,I1\n", encoding="utf-8")
    report = run_import(open_store(db), folder, actor="测试", dry_run=True)
    assert [(p.row, p.column, p.value) for p in report.warnings] == [(2, "entity_code", code)]
    assert "第3位" in report.warnings[0].message


# -- files in any layout ---------------------------------------------------------------------------


def test_a_file_is_recognised_by_its_header(db, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(FIXTURE / "units.csv", folder / "units (2).csv")
    shutil.copy(FIXTURE / "items.csv", folder / "导出 items 最终版.csv")
    store = open_store(db)
    report = run_import(store, folder, actor="测试")
    assert report.written and report.errors == []
    assert store.scalar("SELECT count(*) FROM units") == 4
    assert store.scalar("SELECT count(*) FROM items") == 2
    notes = [p for p in report.warnings if "按表头识别" in p.message]
    assert {p.file for p in notes} == {"units (2).csv", "导出 items 最终版.csv"}


def test_a_sheet1_with_the_entity_columns_is_found(db, tmp_path):
    import xlsxwriter

    path = tmp_path / "book.xlsx"
    book = xlsxwriter.Workbook(str(path))
    units = book.add_worksheet("Sheet1")
    for r, row in enumerate([["单位编码", "单位名称"], ["KCK", "矿产股"]]):
        units.write_row(r, 0, row)
    items = book.add_worksheet("Sheet2")
    for r, row in enumerate([["事项编码", "事项名称", "责任单位"], ["I1", "事项一", "KCK"]]):
        items.write_row(r, 0, row)
    ents = book.add_worksheet("Sheet3")
    for r, row in enumerate([["主体编码", "名称", "标签"], [E1, "甲", "I1"]]):
        ents.write_row(r, 0, row)
    book.add_worksheet("Sheet4")  # blank: skipped without a word
    book.close()
    store = open_store(db)
    report = run_import(store, path, actor="测试")
    assert report.errors == [], report.problems
    assert store.rows("SELECT entity_code, name FROM entities") == [(E1, "甲")]


PLATFORM_ROWS = [
    ["河北省双随机抽查检查结果导出（2026年）", None, None, None, None, None, None, None],
    [None] * 8,
    [
        "序号",
        "企业名称",
        "统一社会信用代码",
        "检查日期",
        "检查结果",
        "执法人员",
        "录入日期",
        "任务编号",
    ],
    [1, "甲矿业", E1, "2026-05-12", "发现问题待后续处理", "P1;P4", "2026-05-20", "T1"],
    [2, "乙公司", E2, "2026-06-10", "未发现问题", "P3;P4", "2026-06-15", "T2"],
]


def platform_workbook(path: Path) -> Path:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Sheet1")
    for r, row in enumerate(PLATFORM_ROWS):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    book.close()
    return path


def test_a_platform_export_goes_through_a_saved_mapping(db, tmp_path, capsys):
    store = open_store(db)
    assert run_import(store, FIXTURE, actor="测试").written
    path = platform_workbook(tmp_path / "省平台导出.xlsx")
    # first: the header fits no table, so nothing is imported and the sheet is offered for mapping
    report = run_import(store, path, actor="测试", dry_run=True)
    assert not report.ok
    assert [(s.file, s.header_row) for s in report.unmatched] == [("省平台导出.xlsx:Sheet1", 3)]
    sheet = report.unmatched[0]
    # the proposal from the header names and their synonyms
    proposal = propose(sheet.header, "inspections")
    assert proposal == {
        "task_code": "任务编号",
        "entity_code": "统一社会信用代码",
        "inspectors": "执法人员",
        "inspected_on": "检查日期",
        "result_codes": "检查结果",
        "entered_on": "录入日期",
    }
    mapping = ColumnMapping("inspections", proposal, name="省平台检查结果")
    save_mapping(store, mapping, sheet.header, actor="测试")
    assert [m.name for m in load_mappings(store)] == ["省平台检查结果"]
    # the CLI lists it and imports with it; the same validation runs (labels become codes)
    assert main(["mappings", "--db", str(db)]) == 0
    assert "省平台检查结果\t检查结果（inspections）" in capsys.readouterr().out
    assert main(["import", str(path), "--db", str(db), "--mapping", "省平台检查结果"]) == 0
    assert store.rows(
        "SELECT task_code, entity_code, result_codes, inspected_on, entered_on FROM inspections"
        " WHERE entity_code IN (?, ?) ORDER BY task_code, entity_code",
        [E1, E2],
    ) == [
        ("T1", E1, ["A"], date(2026, 5, 12), date(2026, 5, 20)),
        ("T2", E2, ["1"], date(2026, 6, 10), date(2026, 6, 15)),
    ]
    # a later file with the same header (columns in another order) reuses the mapping by itself
    PLATFORM_ROWS[3][4] = "未发现问题"
    reordered = [[row[i] for i in (7, 2, 1, 0, 6, 5, 4, 3)] for row in PLATFORM_ROWS]
    PLATFORM_ROWS[:] = reordered
    again = run_import(store, platform_workbook(tmp_path / "第二批.xlsx"), actor="测试")
    assert again.written, again.problems
    assert any("省平台检查结果" in p.message for p in again.warnings)
    assert store.scalar(
        "SELECT result_codes FROM inspections WHERE task_code = 'T1' AND entity_code = ?", [E1]
    ) == ["1"]


def test_an_unknown_mapping_name_is_one_sentence(db, capsys):
    assert main(["import", str(FIXTURE), "--db", str(db), "--mapping", "没有这个"]) == 1
    assert "没有名为“没有这个”的列映射" in capsys.readouterr().out


def test_a_result_for_a_target_that_was_not_drawn_is_a_warning_and_is_stored(demo_copy, tmp_path):
    from dashboard import draw

    store = open_store(demo_copy)
    task = store.scalar(
        "SELECT task_code FROM tasks WHERE status = 'planned' AND plan_code IS NOT NULL"
        " ORDER BY start_on, task_code LIMIT 1"
    )
    rec = draw.run_draw(store, task, "20261127-01", operator="admin", draw_date=date(2026, 11, 27))
    drawn = [s["entity_code"] for s in rec["selections"]]
    team = rec["assignments"][0]["inspector_codes"]
    outsider = store.scalar(
        "SELECT entity_code FROM entities WHERE NOT list_contains(?, entity_code)"
        " ORDER BY entity_code LIMIT 1",
        [drawn],
    )
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "inspections.csv").write_text(
        "task_code,entity_code,inspectors,inspected_on,result_codes,entered_on\n"
        f"{task},{outsider},{';'.join(team)},2026-11-20,1,2026-11-23\n",
        encoding="utf-8",
    )
    report = run_import(store, folder, actor="测试")
    assert report.errors == [] and report.written
    assert ("inspections.csv", 2, "entity_code", outsider) in where(report.problems)
    assert (
        store.scalar(
            "SELECT count(*) FROM inspections WHERE task_code = ? AND entity_code = ?",
            [task, outsider],
        )
        == 1
    )
