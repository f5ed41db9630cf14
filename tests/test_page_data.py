"""数据管理 page with AppTest: inventory numbers from the demo store, dry-run upload of a bad CSV."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from dashboard.config import PROJECT_ROOT
from tests.browser_util import login_as

PAGE = str(PROJECT_ROOT / "pages" / "data_management.py")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _page(store, username="admin"):
    at = AppTest.from_file(PAGE, default_timeout=60)
    login_as(at, username, store)
    return at.run()


def test_inventory_shows_real_row_counts(app_store):
    at = _page(app_store)
    assert not at.exception, at.exception
    entities = app_store.scalar("SELECT count(*) FROM entities")
    tasks = app_store.scalar("SELECT count(*) FROM tasks")
    assert entities > 1000  # the county demo
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["库内检查对象（全部记录）"] == f"{entities:,}"
    assert metrics["抽查任务"] == f"{tasks:,}"
    tables = at.dataframe[0].value
    counts = dict(zip(tables["表名"], tables["行数"], strict=True))
    assert counts["检查对象"] == entities  # Chinese table names (issue 12)
    assert list(tables.columns) == ["表名", "行数"]  # each table named once
    assert counts["后续处理"] == app_store.scalar("SELECT count(*) FROM followups")
    # the demo is flagged
    assert any("演示数据" in m.value for m in at.sidebar.markdown)


def test_dry_run_of_a_bad_csv_shows_problems_and_writes_nothing(app_store):
    before = app_store.scalar("SELECT count(*) FROM units")
    audit_before = app_store.scalar("SELECT count(*) FROM audit_log")
    at = _page(app_store)
    bad = "unit_code,unit_name,unit_kind\nNEW1,新单位,不存在的类型\n,缺编码单位,股室\n".encode()
    at.file_uploader[0].set_value(("units.csv", bad, "text/csv")).run()
    assert not at.exception, at.exception
    problems = next(df.value for df in at.dataframe if "问题" in df.value.columns)
    assert len(problems) >= 2
    assert set(problems["行"].dropna().astype(int)) >= {2, 3}
    assert any("发现" in e and "未写入任何数据" in e for e in (x.value for x in at.error))
    assert not any(b.label == "确认导入" for b in at.button)
    assert app_store.scalar("SELECT count(*) FROM units") == before
    assert app_store.scalar("SELECT count(*) FROM audit_log") == audit_before


def test_good_csv_dry_run_then_confirm_writes_once(app_store):
    before = app_store.scalar("SELECT count(*) FROM units")
    at = _page(app_store)
    good = "单位编码,单位名称,单位类型\nTEST1,测试股,股室\n".encode()
    at.file_uploader[0].set_value(("units.csv", good, "text/csv")).run()
    assert not at.exception, at.exception
    assert app_store.scalar("SELECT count(*) FROM units") == before  # dry run wrote nothing
    at.button(key="confirm_import").click().run()
    assert not at.exception, at.exception
    assert app_store.scalar("SELECT count(*) FROM units") == before + 1
    assert app_store.scalar("SELECT unit_name FROM units WHERE unit_code = 'TEST1'") == "测试股"
    assert (
        app_store.scalar(
            "SELECT count(*) FROM audit_log WHERE action = 'import' AND actor = 'admin'"
        )
        >= 1
    )
    assert any("导入完成" in s.value for s in at.success)


def test_non_admin_cannot_import(app_store):
    at = _page(app_store, "leader")
    assert not at.exception
    assert len(at.file_uploader) == 0
    assert any("只有办公室管理员可以导入数据" in c.value for c in at.caption)


def test_a_file_named_otherwise_is_recognised_by_its_header(app_store):
    at = _page(app_store)
    at.file_uploader[0].set_value(
        ("bad_units.csv", "unit_code,unit_name\nX9,某股\n".encode(), "text/csv")
    ).run()
    assert not at.exception, at.exception
    assert any(b.label == "确认导入" for b in at.button)


def test_a_header_that_fits_no_table_is_mapped_on_screen_and_imported(app_store):
    """A platform-style CSV: title row, Chinese headers of its own, an extra column."""
    task, entity = app_store.rows(
        "SELECT i.task_code, i.entity_code FROM inspections i JOIN tasks t USING (task_code)"
        " WHERE t.status <> 'voided' ORDER BY 1, 2 LIMIT 1"
    )[0]
    team = app_store.scalar(
        "SELECT inspectors FROM inspections WHERE task_code = ? AND entity_code = ?",
        [task, entity],
    )
    text = (
        "省平台导出,,,,\n"
        "任务编号,统一社会信用代码,企业名称,执法人员,检查日期\n"
        f"{task},{entity},某企业,{';'.join(team)},2026-05-12\n"
    )
    at = _page(app_store)
    at.file_uploader[0].set_value(("平台导出.csv", text.encode(), "text/csv")).run()
    assert not at.exception, at.exception
    assert any("列映射" in m.value for m in at.markdown)
    assert at.selectbox(key="map_0_table").value == "inspections"
    assert at.selectbox(key="map_0_inspections_entity_code").value == "统一社会信用代码"
    assert not any(b.label == "确认导入" for b in at.button)
    at.text_input(key="map_0_name").set_value("平台格式")
    at.button(key="map_0_save").click().run()
    assert not at.exception, at.exception
    assert app_store.scalar("SELECT count(*) FROM import_mappings WHERE name = '平台格式'") == 1
    at.button(key="map_0_apply").click().run()
    assert not at.exception, at.exception
    assert any("平台格式" in i.value for i in at.info)
    at.button(key="confirm_import").click().run()
    assert not at.exception, at.exception
    assert (
        app_store.scalar(
            "SELECT inspected_on FROM inspections WHERE task_code = ? AND entity_code = ?",
            [task, entity],
        ).isoformat()
        == "2026-05-12"
    )


def test_export_zip_holds_the_interchange_csvs(app_store):
    import io
    import zipfile

    at = _page(app_store, "leader")
    at.button(key="export_prepare").click().run()
    assert not at.exception, at.exception
    data = at.session_state["data.export_zip"]
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
        assert {"units.csv", "entities.csv", "tasks.csv", "followups.csv"} <= names
        units = zf.read("units.csv").decode("utf-8-sig").splitlines()
    assert len(units) - 1 == app_store.scalar("SELECT count(*) FROM units")


def test_unit_user_cannot_export(app_store):
    at = _page(app_store, "kck")
    assert not any(b.key == "export_prepare" for b in at.button)
    assert any("导出全部数据仅限" in c.value for c in at.caption)


def test_a_hostile_workbook_gets_one_sentence_and_the_page_survives(app_store, tmp_path):
    from tests.hostile_files import far_cell

    data = far_cell(tmp_path / "far.xlsx").read_bytes()
    at = _page(app_store)
    at.file_uploader[0].set_value(("far.xlsx", data, XLSX)).run()
    assert not at.exception, at.exception
    shown = [str(v) for df in at.dataframe for v in df.value.to_numpy().ravel().tolist()]
    assert any("为保护服务器已拒绝读取" in v for v in shown), shown[:20]
    assert not any(b.label == "确认导入" for b in at.button)
