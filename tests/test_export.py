"""Export in the interchange format, the export → import → export round trip, and the templates."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dashboard.ingest import export_store, run_import, write_templates
from dashboard.ingest.export import TEMPLATE_WORKBOOK
from dashboard.ingest.spec import TABLES
from dashboard.store import Store

ROOT = Path(__file__).parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "interchange_small"
TEMPLATES = ROOT / "data" / "templates"
FILES = sorted(t.file_name for t in TABLES)


@pytest.fixture(scope="module")
def empty_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("empty") / "empty.duckdb"
    Store(path).close()
    return path


@pytest.fixture
def new_store(empty_db, tmp_path):
    """A factory of fresh empty stores (copies of one migrated file)."""
    opened = []

    def make() -> Store:
        path = tmp_path / f"store{len(opened)}.duckdb"
        shutil.copy(empty_db, path)
        opened.append(Store(path))
        return opened[-1]

    yield make
    for s in opened:
        s.close()


def read(path: Path) -> str:
    return path.read_bytes().decode("utf-8-sig")


def assert_same_files(a: Path, b: Path) -> None:
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_export_writes_all_tables_as_stored(new_store, tmp_path):
    store = new_store()
    assert run_import(store, FIXTURE, actor="测试").written
    out = tmp_path / "new" / "dir"  # created when missing
    paths = export_store(store, out)
    assert sorted(p.name for p in paths) == FILES
    assert (out / "tasks.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # BOM for spreadsheets
    assert read(out / "tasks.csv") == (
        "task_code,plan_code,task_name,item_codes,lead_unit,partner_units,joint_kind,source,"
        "uses_risk_grades,start_on,end_on,status\n"
        "T1,JH1,矿山地质环境检查,I1,KCK,ZFD,internal,plan,true,2026-04-01,2026-06-30,done\n"
        "T2,JH2,测绘资质联合巡查,I2,CHK,SJJ,cross,plan,true,2026-05-01,2026-10-31,in_progress\n"
        "T3,,临时检查,I1;I2,ZFD,,none,adhoc,false,2026-08-01,,planned\n"
    )
    # sorted by key (entity_code, period, system); default system written out; scores as stored
    assert read(out / "risk_grades.csv") == (
        "entity_code,period,grade,score,system\n"
        "91130129MA0A1B2C32,2026-09,C,72.5,市场监管\n"
        "91130129MA0A1B2C32,2026-10,D,91,市场监管\n"
        "91130129MA0D4E5F64,2026-10,AA,30,公共信用\n"
        "91130129MA0D4E5F64,2026-10,A,12,市场监管\n"
    )
    # English headers, lists joined by ';' (the fixture had '；' and spaces), quoting kept
    entities = read(out / "entities.csv").splitlines()
    assert entities[0] == (
        "entity_code,name,entity_kind,town,address,tags,status,registered_on,closed_on"
    )
    assert (
        entities[4]
        == "C1301002010067120071234,丙石料厂采矿许可证,采矿权,嶂石岩镇,,I1;采石,注销,2010-06-01,2025-09-30"
    )
    assert read(out / "inspections.csv").splitlines()[2] == (
        'T2,130129000012345,P3;P4,2026-06-11,,,,"含逗号, 和引号""的备注"'
    )


def test_export_does_not_neutralise_formulas(new_store, tmp_path):
    store = new_store()
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "units.csv").write_text(
        "unit_code,unit_name\nX1,=SUM(A1:A2)\n", encoding="utf-8"
    )
    assert run_import(store, tmp_path / "in", actor="测试").written
    export_store(store, tmp_path / "out")
    assert read(tmp_path / "out" / "units.csv") == (
        "unit_code,unit_name,unit_kind,external\nX1,=SUM(A1:A2),,false\n"
    )


def test_round_trip_of_the_fixture_is_byte_identical(new_store, tmp_path):
    first = new_store()
    run_import(first, FIXTURE, actor="测试")
    export_store(first, tmp_path / "a")
    second = new_store()
    report = run_import(second, tmp_path / "a", actor="测试")
    assert report.errors == []
    export_store(second, tmp_path / "b")
    assert_same_files(tmp_path / "a", tmp_path / "b")
    # and importing the export back into its own store changes nothing
    again = run_import(first, tmp_path / "a", actor="测试")
    assert all(c["added"] == c["updated"] == 0 for c in again.counts.values())


def test_empty_store_exports_headers_only_and_reimports(new_store, tmp_path):
    export_store(new_store(), tmp_path / "a")
    assert read(tmp_path / "a" / "units.csv") == "unit_code,unit_name,unit_kind,external\n"
    report = run_import(new_store(), tmp_path / "a", actor="测试")
    assert report.problems == []
    assert all(c == {"added": 0, "updated": 0, "unchanged": 0} for c in report.counts.values())


def test_round_trip_of_the_demo_store(demo_store, new_store, tmp_path):
    export_store(demo_store, tmp_path / "a")
    store = new_store()
    report = run_import(store, tmp_path / "a", actor="测试")
    assert report.errors == []
    assert report.written
    for t in TABLES:
        assert report.counts[t.name]["added"] == demo_store.scalar(f"SELECT count(*) FROM {t.name}")
    export_store(store, tmp_path / "b")
    assert_same_files(tmp_path / "a", tmp_path / "b")


# -- templates -----------------------------------------------------------------------------------


def test_committed_templates_equal_what_write_templates_produces(tmp_path):
    paths = write_templates(tmp_path)
    assert sorted(p.name for p in paths) == sorted([*FILES, TEMPLATE_WORKBOOK])
    assert_same_files(tmp_path, TEMPLATES)


def test_templates_have_chinese_headers_and_one_example_row():
    lines = read(TEMPLATES / "units.csv").splitlines()
    assert lines == ["单位编码,单位名称,单位类型,是否外部门", "KCK,矿产资源管理股,股室,否"]
    for t in TABLES:
        rows = read(TEMPLATES / t.file_name).splitlines()
        assert rows[0].split(",") == [c.zh for c in t.columns]
        assert len(rows) == 2


def test_template_folder_and_workbook_import_cleanly_and_agree(new_store, tmp_path):
    from_csv = new_store()
    report = run_import(from_csv, TEMPLATES, actor="测试")
    # the one example result lists one inspector (the templates have one example row per table):
    # the entry rules warn about the short team, nothing blocks
    assert [(p.file, p.column, p.severity) for p in report.problems] == [
        ("inspections.csv", "inspectors", "warning")
    ]
    assert report.counts == {t.name: {"added": 1, "updated": 0, "unchanged": 0} for t in TABLES}
    from_xlsx = new_store()
    report = run_import(from_xlsx, TEMPLATES / TEMPLATE_WORKBOOK, actor="测试")
    assert [(p.file, p.column, p.severity) for p in report.problems] == [
        ("templates.xlsx:检查结果", "inspectors", "warning")
    ]
    export_store(from_csv, tmp_path / "a")
    export_store(from_xlsx, tmp_path / "b")
    assert_same_files(tmp_path / "a", tmp_path / "b")
