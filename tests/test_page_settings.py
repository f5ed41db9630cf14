"""AppTest of 系统设置: help and range from the declarations, bad values refused, provisional years."""

from __future__ import annotations

from datetime import date

from streamlit.testing.v1 import AppTest

from dashboard import config
from dashboard.config import PROJECT_ROOT
from dashboard.domain import workdays
from tests.browser_util import login_as


def _settings_page(store):
    at = AppTest.from_file(str(PROJECT_ROOT / "pages" / "settings.py"), default_timeout=60)
    login_as(at, "admin", store)
    return at.run()


def test_settings_page_shows_help_and_refuses_out_of_range(app_store):
    at = _settings_page(app_store)
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert {"允许的值", "说明"} <= set(table.columns)
    assert "键" not in table.columns  # settings by their Chinese names only (issue 12)
    row = table.set_index("设置项").loc["目标：抽查覆盖率"]
    assert row["当前值"] == "5%" and row["允许的值"].startswith("0% 到 100% 之间")

    at.selectbox(key="setting_key").select("target.coverage").run()
    assert any("抽查覆盖率" in c.value or "比例目标" in c.value for c in at.caption)
    at.text_input(key="setting_value").input("1.5")
    at.button(key="FormSubmitter:setting_edit-保存").click().run()
    errors = [e.value for e in at.error]
    assert any("目标：抽查覆盖率" in e and "0% 到 100% 之间" in e for e in errors), errors
    assert config.get_setting(app_store, "target.coverage") == 0.05

    at.selectbox(key="setting_key").select("entry_limit_workdays").run()
    at.text_input(key="setting_value").input("0")
    at.button(key="FormSubmitter:setting_edit-保存").click().run()
    assert any("不小于 1 的整数" in e.value for e in at.error)
    assert config.get_setting(app_store, "entry_limit_workdays") == 20

    at.selectbox(key="setting_key").select("target.coverage").run()
    at.text_input(key="setting_value").input("6%")
    at.button(key="FormSubmitter:setting_edit-保存").click().run()
    assert not at.error
    assert config.get_setting(app_store, "target.coverage") == 0.06
    assert any("6%" in s.value for s in at.success)
    at.button(key="FormSubmitter:setting_edit-恢复默认值").click().run()
    assert config.get_setting(app_store, "target.coverage") == 0.05


def test_settings_page_explains_provisional_years(app_store):
    years = workdays.fallback_years(date.today().year - 1, workdays.CALENDAR_END.year)
    at = _settings_page(app_store)
    assert not at.exception, at.exception
    if not years:  # pragma: no cover - a chinesecalendar covering 2030
        return
    info = " ".join(i.value for i in at.info)
    assert "暂定" in info and "补假" in info and "调休" in info
    how_to = " ".join(m.value for m in at.markdown)
    assert "休息" in how_to and "上班" in how_to
    assert [e.label for e in at.expander][: len(years)] == [
        f"{y} 年暂定放假日（按法定节假日和补假推算，共 {len(workdays.statutory_days_off(y))} 天）"
        for y in years
    ]
