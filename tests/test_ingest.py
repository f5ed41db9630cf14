"""Import of the interchange format: parsing, validation (every error kind), counts, commit."""

from __future__ import annotations

import io
import shutil
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from dashboard.ingest import importer, inventory, run_import
from dashboard.ingest.problems import ERROR, WARNING
from dashboard.store import Store

FIXTURE = Path(__file__).parent / "fixtures" / "interchange_small"
FIXTURE_COUNTS = {
    "units": 4,
    "items": 2,
    "entities": 4,
    "risk_grades": 4,
    "inspectors": 4,
    "conflicts": 1,
    "checklists": 2,
    "plans": 2,
    "plan_changes": 1,
    "tasks": 3,
    "inspections": 3,
    "followups": 1,
    "trainings": 2,
    "publicity": 1,
    "liaisons": 1,
    "submissions": 2,
    "supervisions": 1,
}
E1 = "91130129MA0A1B2C32"  # valid USCC of 甲矿业
E2 = "91130129MA0D4E5F64"


def table_counts(store) -> dict[str, int]:
    return {t: store.scalar(f"SELECT count(*) FROM {t}") for t in FIXTURE_COUNTS}


def empty_counts() -> dict[str, int]:
    return dict.fromkeys(FIXTURE_COUNTS, 0)


@pytest.fixture(scope="module")
def empty_db(tmp_path_factory) -> Path:
    """An empty store file (schema + calendar), copied per test: much faster than migrating anew."""
    path = tmp_path_factory.mktemp("empty") / "empty.duckdb"
    Store(path).close()
    return path


@pytest.fixture
def store(empty_db, tmp_path):
    path = tmp_path / "store.duckdb"
    shutil.copy(empty_db, path)
    s = Store(path)
    yield s
    s.close()


@pytest.fixture(scope="module")
def loaded_db(empty_db, tmp_path_factory) -> Path:
    """A store file holding the fixture, imported once per module."""
    path = tmp_path_factory.mktemp("loaded") / "loaded.duckdb"
    shutil.copy(empty_db, path)
    s = Store(path)
    assert run_import(s, FIXTURE, actor="测试").written
    s.close()
    return path


@pytest.fixture(scope="module")
def shared_loaded(loaded_db, tmp_path_factory):
    """The fixture store shared by tests that must leave it unchanged."""
    path = tmp_path_factory.mktemp("shared") / "shared.duckdb"
    shutil.copy(loaded_db, path)
    s = Store(path)
    yield s
    s.close()


def snapshot(store) -> dict:
    out = {t: store.df(f"SELECT * FROM {t}").to_json(date_format="iso") for t in FIXTURE_COUNTS}
    out["import_log"] = store.scalar("SELECT count(*) FROM import_log")
    return out


@pytest.fixture
def folder(tmp_path) -> Path:
    dest = tmp_path / "in"
    shutil.copytree(FIXTURE, dest)
    return dest


@pytest.fixture
def loaded(loaded_db, tmp_path):
    """A private copy of the store holding the fixture (imported by 测试)."""
    path = tmp_path / "loaded.duckdb"
    shutil.copy(loaded_db, path)
    s = Store(path)
    yield s
    s.close()


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def only(problems, severity=ERROR):
    found = [p for p in problems if p.severity == severity]
    assert len(found) == 1, found
    return found[0]


# -- the fixture -------------------------------------------------------------------------------


def test_fixture_imports_with_hand_counted_rows(store):
    report = run_import(store, FIXTURE, actor="测试")
    # the entry rules (dashboard.entry.rules) apply to imported results too: task T2's item needs 3
    # inspectors and two of its results list 2 — a warning (a short-staffed draw), not an error
    assert [(p.file, p.row, p.column, p.severity) for p in report.problems] == [
        ("inspections.csv", 3, "inspectors", "warning"),
        ("inspections.csv", 4, "inspectors", "warning"),
    ]
    assert report.written is True
    assert report.counts == {
        t: {"added": n, "updated": 0, "unchanged": 0} for t, n in FIXTURE_COUNTS.items()
    }
    assert table_counts(store) == FIXTURE_COUNTS
    # booleans in four spellings
    assert store.rows("SELECT unit_code, external FROM units ORDER BY unit_code") == [
        ("CHK", False),
        ("KCK", False),
        ("SJJ", True),
        ("ZFD", False),
    ]
    # Chinese file name and headers; lists split on ； and ; and trimmed
    assert store.rows("SELECT tags FROM entities ORDER BY entity_code") == [
        (["I2"],),  # 130129000012345
        (["I1", "矿山"],),  # 91130129MA0A1B2C32
        (["I2"],),  # 91130129MA0D4E5F64
        (["I1", "采石"],),  # C1301002010067120071234
    ]
    assert store.scalar(
        "SELECT closed_on FROM entities WHERE entity_code = 'C1301002010067120071234'"
    ) == date(2025, 9, 30)
    # default system, decimal score kept
    assert store.rows(
        "SELECT grade, score, system FROM risk_grades WHERE entity_code = ? ORDER BY system",
        [E2],
    ) == [("AA", 30.0, "公共信用"), ("A", 12.0, "市场监管")]
    # ratio stays the decimal text given; empty plan_code / end_on are NULL
    assert store.rows("SELECT ratio, grade_ratios FROM plans ORDER BY plan_code") == [
        ("0.30", "A:0.10;B:0.20;C:0.30;D:0.50"),
        ("0.05", None),
    ]
    assert store.rows("SELECT plan_code, end_on, item_codes FROM tasks WHERE task_code = 'T3'") == [
        (None, None, ["I1", "I2"])
    ]
    assert (
        store.scalar("SELECT note FROM inspections WHERE entity_code = '130129000012345'")
        == '含逗号, 和引号"的备注'
    )
    assert store.scalar("SELECT count(*) FROM import_log") == 1
    assert store.scalar("SELECT count(*) FROM audit_log WHERE action = 'import'") == 1


def test_reimport_changes_nothing(loaded):
    before = loaded.df("SELECT * FROM inspections ORDER BY task_code, entity_code")
    report = run_import(loaded, FIXTURE, actor="测试")
    assert report.errors == []
    assert report.counts == {
        t: {"added": 0, "updated": 0, "unchanged": n} for t, n in FIXTURE_COUNTS.items()
    }
    assert table_counts(loaded) == FIXTURE_COUNTS
    after = loaded.df("SELECT * FROM inspections ORDER BY task_code, entity_code")
    assert before.equals(after)


def test_update_changes_exactly_one_row_even_a_referenced_list(loaded, tmp_path):
    # 甲矿业 is referenced by risk grades, a conflict and an inspection; its tags are a list
    text = (FIXTURE / "检查对象.csv").read_text(encoding="utf-8").replace("I1；矿山", "I1;I2")
    write(tmp_path / "检查对象.csv", text)
    report = run_import(loaded, tmp_path, actor="测试")
    assert report.errors == []
    assert report.counts == {"entities": {"added": 0, "updated": 1, "unchanged": 3}}
    assert loaded.scalar("SELECT tags FROM entities WHERE entity_code = ?", [E1]) == ["I1", "I2"]
    # an inspection's result codes (referenced by a follow-up) can change too
    text = (FIXTURE / "inspections.csv").read_text(encoding="utf-8").replace("A;2;D", "A;2")
    write(tmp_path / "检查对象.csv", (FIXTURE / "检查对象.csv").read_text(encoding="utf-8"))
    (tmp_path / "检查对象.csv").unlink()
    write(tmp_path / "inspections.csv", text)
    report = run_import(loaded, tmp_path, actor="测试")
    assert report.counts == {"inspections": {"added": 0, "updated": 1, "unchanged": 2}}
    assert loaded.scalar(
        "SELECT result_codes FROM inspections WHERE task_code = 'T1' AND entity_code = ?", [E1]
    ) == ["A", "2"]


def test_absent_column_keeps_the_stored_value(loaded, tmp_path):
    write(tmp_path / "entities.csv", f"entity_code,name\n{E1},甲矿业有限公司（更名）\n")
    report = run_import(loaded, tmp_path, actor="测试")
    assert report.counts == {"entities": {"added": 0, "updated": 1, "unchanged": 0}}
    assert loaded.rows("SELECT name, address, tags FROM entities WHERE entity_code = ?", [E1]) == [
        ("甲矿业有限公司（更名）", "赞皇镇北街1号", ["I1", "矿山"])
    ]


def test_dry_run_counts_but_writes_nothing(store):
    report = run_import(store, FIXTURE, actor="测试", dry_run=True)
    assert report.errors == [] and report.written is False and report.dry_run
    assert report.counts["tasks"] == {"added": 3, "updated": 0, "unchanged": 0}
    assert table_counts(store) == empty_counts()
    assert store.scalar("SELECT count(*) FROM import_log") == 0
    assert store.scalar("SELECT count(*) FROM audit_log") == 0


def test_reference_to_row_already_in_store(loaded, tmp_path):
    write(tmp_path / "items.csv", "item_code,item_name,owner_unit\nI9,新事项,ZFD\n")
    report = run_import(loaded, tmp_path, actor="测试")
    assert report.errors == []
    assert report.counts == {"items": {"added": 1, "updated": 0, "unchanged": 0}}
    assert loaded.scalar("SELECT owner_unit FROM items WHERE item_code = 'I9'") == "ZFD"


def test_progress_reports_up_to_done(store):
    seen = []
    run_import(store, FIXTURE, actor="测试", progress=lambda f, m: seen.append((f, m)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions)
    assert seen[-1] == (1.0, "导入完成")


# -- encodings, headers, workbooks, uploads ------------------------------------------------------

UNITS_EN = "unit_code,unit_name,unit_kind,external\nKCK,矿产资源管理股,股室,否\nSJJ,县市场监督管理局,外部门,是\n"
UNITS_ZH = "单位编码,单位名称,单位类型,是否外部门\nKCK,矿产资源管理股,股室,否\nSJJ,县市场监督管理局,外部门,是\n"
UNITS_MIXED = "unit_code,单位名称,unit_kind,是否外部门\nKCK,矿产资源管理股,股室,false\nSJJ,县市场监督管理局,外部门,1\n"
UNITS_ROWS = [("KCK", "矿产资源管理股", "股室", False), ("SJJ", "县市场监督管理局", "外部门", True)]


@pytest.mark.parametrize(
    ("name", "text", "encoding"),
    [
        ("units.csv", UNITS_EN, "utf-8"),
        ("单位.csv", UNITS_ZH, "utf-8"),
        ("units.csv", UNITS_MIXED, "utf-8"),
        ("units.csv", UNITS_ZH, "utf-8-sig"),
        ("单位.csv", UNITS_ZH, "gb18030"),
        ("units.csv", UNITS_EN.replace("\n", "\r\n"), "gb18030"),
    ],
    ids=["english", "chinese", "mixed", "bom", "gb18030", "gb18030-crlf"],
)
def test_headers_and_encodings(store, tmp_path, name, text, encoding):
    write(tmp_path / name, text, encoding)
    report = run_import(store, tmp_path, actor="测试")
    assert report.problems == []
    assert store.rows("SELECT * FROM units ORDER BY unit_code") == UNITS_ROWS


def test_single_csv_path_and_uploads(store, tmp_path):
    path = write(tmp_path / "单位.csv", UNITS_ZH, "gb18030")
    assert run_import(store, path, actor="测试").counts == {
        "units": {"added": 2, "updated": 0, "unchanged": 0}
    }
    uploads = [
        ("单位.csv", UNITS_EN.encode("utf-8-sig")),
        ("items.csv", "事项编码,事项名称,责任单位\nI1,事项一,KCK\n".encode()),
    ]
    report = run_import(store, uploads, actor="测试")
    assert report.errors == []
    assert report.counts == {
        "units": {"added": 0, "updated": 0, "unchanged": 2},
        "items": {"added": 1, "updated": 0, "unchanged": 0},
    }
    assert report.source == "上传：单位.csv、items.csv"


def test_excel_style_dates_and_enum_labels(store, tmp_path):
    write(tmp_path / "units.csv", UNITS_EN)
    write(
        tmp_path / "tasks.csv",
        "任务编码,计划编码,任务名称,抽查事项,牵头单位,配合单位,联合类型,来源,运用信用分类,开始日期,结束日期,任务状态\n"
        "T1,,联合检查,I1,KCK,SJJ,跨部门联合,上级下派,是,2026/5/1,2026/5/31,已完成\n",
    )
    write(tmp_path / "items.csv", "item_code,item_name,owner_unit\nI1,事项一,KCK\n")
    report = run_import(store, tmp_path, actor="测试")
    assert report.problems == []
    assert store.rows(
        "SELECT joint_kind, source, uses_risk_grades, start_on, end_on, status FROM tasks"
    ) == [("cross", "dispatched", True, date(2026, 5, 1), date(2026, 5, 31), "done")]


def _workbook(sheets: dict[str, list[list]], *, start_row: int = 0) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                if isinstance(value, datetime):
                    sheet.write_datetime(start_row + i, j, value, date_format)
                elif value is not None:
                    sheet.write(start_row + i, j, value)
    book.close()
    return buf.getvalue()


def test_xlsx_workbook_with_chinese_and_english_sheets(store, tmp_path):
    data = _workbook(
        {
            "单位": [
                ["单位编码", "单位名称", "单位类型", "是否外部门"],
                ["KCK", "矿产资源管理股", "股室", False],
            ],
            "items": [
                ["item_code", "item_name", "owner_unit", "min_inspectors"],
                [101, "事项一", "KCK", 3],
            ],
            "检查对象": [
                ["主体编码", "名称", "标签", "成立日期"],
                [E1, "甲矿业", "101；矿山", datetime(2018, 5, 16)],
            ],
            "说明": [["这一页是说明，不导入"]],
        }
    )
    path = tmp_path / "book.xlsx"
    path.write_bytes(data)
    report = run_import(store, path, actor="测试")
    assert report.problems == []
    assert store.rows("SELECT * FROM units") == [("KCK", "矿产资源管理股", "股室", False)]
    # a number cell in a code column becomes its digits; an int cell in an int column stays an int
    assert store.rows("SELECT item_code, min_inspectors FROM items") == [("101", 3)]
    assert store.rows("SELECT tags, registered_on FROM entities") == [
        (["101", "矿山"], date(2018, 5, 16))
    ]


def test_xlsx_rows_are_sheet_rows(store, tmp_path):
    # the table starts at sheet row 3 (two blank rows above); the bad row is sheet row 5
    data = _workbook(
        {
            "units": [
                ["unit_code", "unit_name", "unit_kind"],
                ["KCK", "矿产资源管理股", "股室"],
                ["XYZ", "某科", "科室"],
            ]
        },
        start_row=2,
    )
    report = run_import(store, [("上传.xlsx", data)], actor="测试")
    p = only(report.problems)
    assert (p.file, p.row, p.column, p.value) == ("上传.xlsx:units", 5, "unit_kind", "科室")
    assert "股室" in p.message
    assert store.scalar("SELECT count(*) FROM units") == 0


# -- every error kind: right place, nothing written ---------------------------------------------

# Whole-file problems, in the full fixture folder: one error, no cascade of reference errors from
# the files that refer to the broken one. (file to replace, its new text, (file, row, column, value))
FILE_CASES = {
    "empty file": ("units.csv", "", ("units.csv", None, None, None)),
    "blank lines only": ("units.csv", "\n \n", ("units.csv", None, None, None)),
    "missing required column": (
        "units.csv",
        "unit_code,unit_kind\nKCK,股室\nCHK,股室\nZFD,事业单位\nSJJ,外部门\n",
        ("units.csv", 1, "unit_name", None),
    ),
    "undecodable file": (
        "units.csv",
        b"unit_code,unit_name\n\xff\xfe\xfd\xff\n",
        ("units.csv", None, None, None),
    ),
    "two files for one table": (
        "单位.csv",
        "单位编码,单位名称\nKCK,矿产资源管理股\n",
        ("单位.csv", None, None, None),
    ),
}


@pytest.mark.parametrize("case", list(FILE_CASES), ids=list(FILE_CASES))
def test_file_errors_are_one_error_and_nothing_is_written(store, folder, case):
    name, text, expected = FILE_CASES[case]
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    (folder / name).write_bytes(data)
    report = run_import(store, folder, actor="测试")
    p = only(report.problems)
    assert (p.file, p.row, p.column, p.value) == expected
    assert report.written is False
    assert table_counts(store) == empty_counts()
    assert store.scalar("SELECT count(*) FROM import_log") == 0


# Row problems: the one file alone, imported into the store that already holds the fixture (so its
# references resolve against stored rows); the store must be left exactly as it was.
ERROR_CASES = {
    "missing reference column (a list)": (
        "tasks.csv",
        "task_code,plan_code,task_name,item_codes,lead_unit\nT9,,新任务,I1,KCK\n",
        ("tasks.csv", 1, "partner_units", None),
    ),
    "new row without its year column": (
        "plans.csv",
        "plan_code,item_code,unit_code,joint_units\nJH1,I1,KCK,\nJH9,I1,KCK,\n",
        ("plans.csv", 3, "year", None),
    ),
    "new grade without its grade column": (
        "risk_grades.csv",
        f"entity_code,period,score\n{E1},2026-09,70\n{E1},2026-11,70\n",
        ("risk_grades.csv", 3, "grade", None),
    ),
    "duplicate column": (
        "plan_changes.csv",
        "plan_code,计划编码,changed_on,field\nJH2,JH2,2026-06-01,planned_end\n",
        ("plan_changes.csv", 1, "plan_code", "计划编码"),
    ),
    "required value empty": (
        "checklists.csv",
        "item_code,form_name,added_on\nI1,矿山地质环境检查表,2026-01-05\nI2,,\n",
        ("checklists.csv", 3, "form_name", None),
    ),
    "bad date": (
        "checklists.csv",
        "item_code,form_name,added_on\nI1,矿山地质环境检查表,2026-02-30\n",
        ("checklists.csv", 2, "added_on", "2026-02-30"),
    ),
    "bad enum": (
        "plans.csv",
        "plan_code,year,item_code,unit_code,joint_units,status\nJH1,2026,I1,KCK,,已发布\nJH2,2026,I2,CHK,SJJ,发布\n",
        ("plans.csv", 3, "status", "发布"),
    ),
    "bad list enum": (
        "inspections.csv",
        f"task_code,entity_code,inspectors,result_codes\nT1,{E1},P1;P4,A;2;Z\n",
        ("inspections.csv", 2, "result_codes", "A;2;Z"),
    ),
    "bad bool": (
        "inspectors.csv",
        "inspector_code,name,unit_code,specialties,active\nP1,张明,KCK,I1,在\n",
        ("inspectors.csv", 2, "active", "在"),
    ),
    "bad integer": (
        "plans.csv",
        "plan_code,year,item_code,unit_code,joint_units,base_count\nJH1,2026,I1,KCK,,四十\n",
        ("plans.csv", 2, "base_count", "四十"),
    ),
    "integer out of range": (
        "items.csv",
        "item_code,item_name,owner_unit,min_inspectors\nI1,事项一,KCK,21\nI2,事项二,CHK,2\n",
        ("items.csv", 2, "min_inspectors", "21"),
    ),
    "year out of range": (
        "plans.csv",
        "plan_code,year,item_code,unit_code,joint_units\nJH1,1999,I1,KCK,\n",
        ("plans.csv", 2, "year", "1999"),
    ),
    "score out of range": (
        "risk_grades.csv",
        f"entity_code,period,grade,score\n{E1},2026-09,C,100.5\n",
        ("risk_grades.csv", 2, "score", "100.5"),
    ),
    "grade not an enum": (
        "risk_grades.csv",
        f"entity_code,period,grade\n{E1},2026-09,E\n",
        ("risk_grades.csv", 2, "grade", "E"),
    ),
    "grade of another system": (
        "risk_grades.csv",
        f"entity_code,period,grade,system\n{E1},2026-09,AA,市场监管\n",
        ("risk_grades.csv", 2, "grade", "AA"),
    ),
    "bad period": (
        "risk_grades.csv",
        f"entity_code,period,grade\n{E1},2026-13,C\n",
        ("risk_grades.csv", 2, "period", "2026-13"),
    ),
    "ratio zero": (
        "plans.csv",
        "plan_code,year,item_code,unit_code,joint_units,ratio\nJH1,2026,I1,KCK,,0\n",
        ("plans.csv", 2, "ratio", "0"),
    ),
    "ratio above one": (
        "plans.csv",
        "plan_code,year,item_code,unit_code,joint_units,ratio\nJH1,2026,I1,KCK,,1.5\n",
        ("plans.csv", 2, "ratio", "1.5"),
    ),
    "ratio as percent": (
        "plans.csv",
        "plan_code,year,item_code,unit_code,joint_units,ratio\nJH1,2026,I1,KCK,,5%\n",
        ("plans.csv", 2, "ratio", "5%"),
    ),
    "grade ratios unknown grade": (
        "plans.csv",
        "plan_code,year,item_code,unit_code,joint_units,grade_ratios\nJH1,2026,I1,KCK,,A:0.01;X:0.2\n",
        ("plans.csv", 2, "grade_ratios", "A:0.01;X:0.2"),
    ),
    "grade ratios repeated grade": (
        "plans.csv",
        "plan_code,year,item_code,unit_code,joint_units,grade_ratios\nJH1,2026,I1,KCK,,A:0.01;A:0.02\n",
        ("plans.csv", 2, "grade_ratios", "A:0.01;A:0.02"),
    ),
    "grade ratios bad ratio": (
        "plans.csv",
        "plan_code,year,item_code,unit_code,joint_units,grade_ratios\nJH1,2026,I1,KCK,,A:0.01;D:3\n",
        ("plans.csv", 2, "grade_ratios", "A:0.01;D:3"),
    ),
    "duplicate key": (
        "units.csv",
        "unit_code,unit_name\nKCK,矿产资源管理股\nCHK,测绘地理信息股\nZFD,执法大队\nSJJ,市场局\nKCK,重复\n",
        ("units.csv", 6, "unit_code", "KCK"),
    ),
    "duplicate composite key": (
        "conflicts.csv",
        f"inspector_code,entity_code\nP2,{E1}\nP2,{E1}\n",
        ("conflicts.csv", 3, "entity_code", f"P2、{E1}"),
    ),
    "missing reference": (
        "items.csv",
        "item_code,item_name,owner_unit\nI1,事项一,KCK\nI2,事项二,GHK\n",
        ("items.csv", 3, "owner_unit", "GHK"),
    ),
    "missing list member": (
        "tasks.csv",
        "task_code,plan_code,task_name,item_codes,lead_unit,partner_units\n"
        "T1,,检查,I1,KCK,ZFD;NOPE\nT2,,检查,I2,CHK,\nT3,,检查,I1,ZFD,\n",
        ("tasks.csv", 2, "partner_units", "NOPE"),
    ),
    "missing inspector in team": (
        "inspections.csv",
        f"task_code,entity_code,inspectors\nT1,{E1},P1;P9\n",
        ("inspections.csv", 2, "inspectors", "P9"),
    ),
    "missing specialty item": (
        "inspectors.csv",
        "inspector_code,name,unit_code,specialties\nP1,张明,KCK,I1；I7\n",
        ("inspectors.csv", 2, "specialties", "I7"),
    ),
    "follow-up without inspection": (
        "followups.csv",
        f"task_code,entity_code,responsible_unit\nT2,{E1},\n",
        ("followups.csv", 2, "entity_code", f"T2、{E1}"),
    ),
}


# Breaches of a date order are the office's record: a warning that names the cell, and the row is
# stored as given (DESIGN.md §4 "Errors and warnings"; issue 16).
BREACH_CASES = {
    "entity closed before registered": (
        "检查对象.csv",
        "主体编码,名称,标签,成立日期,注销日期\n"
        f"{E1},甲,I1,2018-05-16,\n{E2},乙,I2,2019-03-01,\n"
        "C1301002010067120071234,丙,I1,2010-06-01,2009-09-30\n130129000012345,丁,I2,,\n",
        ("检查对象.csv", 4, "closed_on", "2009-09-30"),
    ),
    "plan ends before start": (
        "plans.csv",
        "plan_code,year,item_code,unit_code,joint_units,planned_start,planned_end\n"
        "JH1,2026,I1,KCK,,2026-03-01,2026-02-28\n",
        ("plans.csv", 2, "planned_end", "2026-02-28"),
    ),
    "republished before changed": (
        "plan_changes.csv",
        "plan_code,changed_on,field,republished_on\nJH2,2026-06-01,planned_end,2026-05-31\n",
        ("plan_changes.csv", 2, "republished_on", "2026-05-31"),
    ),
    "task ends before start": (
        "tasks.csv",
        "task_code,plan_code,task_name,item_codes,lead_unit,partner_units,start_on,end_on\n"
        "T1,,检查,I1,KCK,,2026-04-01,2026-03-31\n",
        ("tasks.csv", 2, "end_on", "2026-03-31"),
    ),
    "entered before inspected": (
        "inspections.csv",
        f"task_code,entity_code,inspectors,inspected_on,entered_on\nT1,{E1},P1,2026-05-12,2026-05-11\n",
        ("inspections.csv", 2, "entered_on", "2026-05-11"),
    ),
    "published before inspected": (
        "inspections.csv",
        f"task_code,entity_code,inspectors,inspected_on,published_on\nT1,{E1},P1,2026-05-12,2026-05-01\n",
        ("inspections.csv", 2, "published_on", "2026-05-01"),
    ),
    "backfilled before closed": (
        "followups.csv",
        f"task_code,entity_code,responsible_unit,closed_on,backfilled_on\nT1,{E1},KCK,2026-07-20,2026-07-19\n",
        ("followups.csv", 2, "backfilled_on", "2026-07-19"),
    ),
}


@pytest.mark.parametrize("case", list(BREACH_CASES), ids=list(BREACH_CASES))
def test_each_date_order_breach_is_a_located_warning_and_is_stored(loaded, tmp_path, case):
    name, text, expected = BREACH_CASES[case]
    write(tmp_path / name, text)
    report = run_import(loaded, tmp_path, actor="测试")
    assert report.errors == []
    found = [p for p in report.warnings if (p.file, p.row, p.column, p.value) == expected]
    assert found, report.problems  # "published before inspected" is also before the stored entry
    assert all("早于" in p.message for p in found)
    assert report.written is True
    table, column = Path(name).stem, expected[2]
    table = {"检查对象": "entities"}.get(table, table)
    stored = [str(v) for (v,) in loaded.rows(f'SELECT "{column}" FROM "{table}"')]
    assert expected[3] in stored


@pytest.mark.parametrize("case", list(ERROR_CASES), ids=list(ERROR_CASES))
def test_each_error_is_located_and_nothing_is_written(shared_loaded, tmp_path, case):
    name, text, expected = ERROR_CASES[case]
    write(tmp_path / name, text)
    before = snapshot(shared_loaded)
    report = run_import(shared_loaded, tmp_path, actor="测试")
    p = only(report.problems)
    assert (p.file, p.row, p.column, p.value) == expected
    assert p.message.endswith("。") and len(p.message) > 8
    assert report.written is False
    assert snapshot(shared_loaded) == before


def test_error_messages_name_the_fix(store, folder):
    write(folder / "items.csv", "item_code,item_name,owner_unit\nI1,事项一,KCK\nI2,事项二,GHK\n")
    p = only(run_import(store, folder, actor="测试").problems)
    assert (
        p.message
        == "责任单位（owner_unit）中的“GHK”在单位表中不存在，请先在 units.csv 中添加，或改正编码。"
    )
    write(folder / "items.csv", (FIXTURE / "items.csv").read_text(encoding="utf-8"))
    write(folder / "units.csv", "unit_code,unit_kind\nKCK,股室\n")
    report = run_import(store, folder, actor="测试")
    missing = [p for p in report.errors if p.column == "unit_name"]
    assert (
        missing[0].message
        == "缺少必填列 单位名称（unit_name），请在表头加上这一列（中文或英文列名均可）。"
    )


def test_date_order_uses_the_stored_value_of_an_absent_column(loaded, tmp_path):
    # stored inspected_on of (T1, 甲) is 2026-05-12; the file only carries entered_on
    write(
        tmp_path / "inspections.csv",
        f"task_code,entity_code,inspectors,entered_on\nT1,{E1},P1;P4,2026-05-01\n",
    )
    report = run_import(loaded, tmp_path, actor="测试")
    p = only(report.problems, WARNING)
    assert (p.file, p.row, p.column, p.value) == ("inspections.csv", 2, "entered_on", "2026-05-01")
    assert report.errors == [] and report.written
    assert loaded.scalar(
        "SELECT entered_on FROM inspections WHERE task_code = 'T1' AND entity_code = ?", [E1]
    ) == date(2026, 5, 1)


def test_row_with_a_bad_cell_does_not_cascade_into_reference_errors(store, folder):
    # KCK's unit_kind is wrong; items and tasks referring to KCK must not also be reported
    text = (
        (FIXTURE / "units.csv")
        .read_text(encoding="utf-8")
        .replace("KCK,矿产资源管理股,股室", "KCK,矿产资源管理股,科室")
    )
    write(folder / "units.csv", text)
    p = only(run_import(store, folder, actor="测试").problems)
    assert (p.file, p.row, p.column, p.value) == ("units.csv", 2, "unit_kind", "科室")


def test_unknown_table_file_is_a_warning_and_the_rest_imports(store, tmp_path):
    write(tmp_path / "units.csv", UNITS_EN)
    write(tmp_path / "部门.csv", "a,b\n1,2\n")
    report = run_import(store, tmp_path, actor="测试")
    p = only(report.problems, WARNING)
    assert (p.file, p.row, p.column) == ("部门.csv", None, None)
    assert "units/单位" in p.message
    assert report.written and store.scalar("SELECT count(*) FROM units") == 2


def test_unknown_column_is_a_warning(store, tmp_path):
    write(tmp_path / "units.csv", "unit_code,unit_name,电话\nKCK,矿产资源管理股,123\n")
    report = run_import(store, tmp_path, actor="测试")
    p = only(report.problems, WARNING)
    assert (p.file, p.row, p.column) == ("units.csv", 1, "电话")
    assert report.written


def test_warnings_do_not_block(store, tmp_path):
    bad_check = "91130129MA0A1B2C3X"  # check character should be 2
    write(
        tmp_path / "entities.csv",
        f"entity_code,name,tags\n{bad_check},早期试点企业,I1\nE-01,无标签对象,\n",
    )
    report = run_import(store, tmp_path, actor="测试")
    assert report.errors == []
    got = sorted((p.row, p.column, p.value) for p in report.warnings)
    assert got == [(2, "entity_code", bad_check), (3, "entity_code", "E-01"), (3, "tags", None)]
    assert report.written
    assert store.scalar("SELECT count(*) FROM entities") == 2
    assert store.scalar("SELECT warnings FROM import_log") == 3


def test_database_error_at_commit_is_one_sentence_and_rolls_back(store, monkeypatch):
    real = importer._upsert

    def failing(cur, table, rows):
        real(cur, table, rows)
        if table.spec.name == "inspectors":
            raise duckdb.ConstraintException("Constraint Error: simulated")

    monkeypatch.setattr(importer, "_upsert", failing)
    report = run_import(store, FIXTURE, actor="测试")
    p = only(report.problems)
    assert p.message == (
        "写入数据库时出错（Constraint Error: simulated），本次导入没有写入任何数据，请改正后重新导入。"
    )
    assert report.written is False and report.import_id is None
    assert table_counts(store) == empty_counts()
    assert store.scalar("SELECT count(*) FROM import_log") == 0


def test_problems_frame_has_chinese_columns(store, folder):
    write(folder / "items.csv", "item_code,item_name,owner_unit\nI1,事项一,KCK\nI2,事项二,GHK\n")
    write(folder / "部门.csv", "a\n1\n")
    frame = run_import(store, folder, actor="测试").problems_frame()
    assert list(frame.columns) == ["文件", "行", "列", "值", "问题", "级别"]
    assert frame.iloc[0][["文件", "行", "列", "值", "级别"]].tolist() == [
        "items.csv",
        3,
        "责任单位（owner_unit）",
        "GHK",
        "错误",
    ]
    assert frame.iloc[1]["级别"] == "警告"


# -- inventory (数据管理 page) --------------------------------------------------------------------


def test_inventory_of_the_fixture_plus_planted_quality_problems(loaded, tmp_path):
    write(tmp_path / "items.csv", "item_code,item_name,owner_unit\nI9,无责任单位的事项,\n")
    write(
        tmp_path / "inspectors.csv",
        "inspector_code,name,unit_code,specialties,cert_valid_until,active\n"
        "P8,过期在岗,KCK,,2026-11-26,true\nP9,过期离岗,KCK,,2020-01-01,false\n"
        "P7,今天到期,KCK,,2026-11-27,true\n",
    )
    write(
        tmp_path / "entities.csv",
        "entity_code,name,tags\n91130129MA0A1B2C3X,校验位错误,I1\nE-X,无标签,\n",
    )
    assert run_import(loaded, tmp_path, actor="管理员").written
    inv = inventory(loaded, as_of=date(2026, 11, 27))
    tables = dict(zip(inv["tables"]["表"], inv["tables"]["行数"], strict=True))
    assert tables == FIXTURE_COUNTS | {"items": 3, "inspectors": 7, "entities": 6}
    assert inv["years"].to_dict("records") == [{"年度": 2026, "计划数": 2, "任务数": 3}]
    assert inv["imports"]["操作人"].tolist() == ["管理员", "测试"]  # newest first
    assert inv["imports"]["结果"][0].startswith("抽查事项 新增1 更新0 未变0；检查对象 新增2")
    assert dict(zip(inv["quality"]["检查项"], inv["quality"]["数量"], strict=True)) == {
        "统一社会信用代码校验位不符": 1,
        "检查对象没有标签": 1,
        "执法人员执法证已过期": 1,  # P8 only: P9 is not active, P7 is valid through today
        "抽查事项没有责任单位": 1,
    }
    assert sorted(inv["quality_details"]["编码"]) == ["91130129MA0A1B2C3X", "E-X", "I9", "P8"]


def test_existing_rows_need_no_year_column(loaded, tmp_path):
    write(
        tmp_path / "plans.csv",
        "plan_code,item_code,unit_code,joint_units,status\nJH1,I1,KCK,,已调整\n",
    )
    report = run_import(loaded, tmp_path, actor="测试")
    assert report.problems == []
    assert report.counts == {"plans": {"added": 0, "updated": 1, "unchanged": 0}}
    assert loaded.rows("SELECT year, status FROM plans WHERE plan_code = 'JH1'") == [
        (2026, "已调整")
    ]
