"""Text catalogs: zh_CN and en have the same keys in every file; lookups, fallback, formatting."""

from __future__ import annotations

import re
from pathlib import Path

from dashboard.config import PROJECT_ROOT
from dashboard.ui import i18n, nav


def test_same_files_and_keys_in_both_languages():
    zh = i18n.catalog_files("zh_CN")
    en = i18n.catalog_files("en")
    assert set(zh) == set(en), "每个 zh_CN/*.toml 都要有对应的 en/*.toml"
    for name in zh:
        missing_en = sorted(zh[name] - en[name])
        missing_zh = sorted(en[name] - zh[name])
        assert not missing_en and not missing_zh, (name, missing_en, missing_zh)


def test_placeholders_match_between_languages():
    zh, en = i18n.catalog("zh_CN"), i18n.catalog("en")
    for key, text in zh.items():
        assert set(re.findall(r"\{(\w+)\}", text)) == set(re.findall(r"\{(\w+)\}", en[key])), key


def test_lookup_format_and_missing_key():
    assert i18n.translate("common.page.overview", "zh_CN") == "总览"
    assert i18n.translate("common.page.overview", "en") == "Overview"
    assert i18n.translate("common.scope.fallback_calendar", "zh_CN", year=2031).startswith(
        "2031 年"
    )
    assert i18n.translate("common.no_such_key", "zh_CN") == "common.no_such_key"
    assert i18n.t("common.demo_badge") == "演示数据"  # outside Streamlit: default language


def test_every_registered_page_and_section_has_a_title():
    zh = i18n.catalog("zh_CN")
    for spec in [*nav.PAGES, nav.LOGIN]:
        assert spec.title_key in zh, spec.key
        assert spec.icon.startswith(":material/") and spec.icon.endswith(":")
        if spec.section:
            assert spec.section in zh


KEY_CALL = re.compile(r"""\bt\(\s*["']([a-z_]+(?:\.[A-Za-z0-9_]+)+)["']""")


def test_pages_and_ui_use_only_existing_keys():
    zh = i18n.catalog("zh_CN")
    files = list((PROJECT_ROOT / "pages").glob("*.py")) + list(
        Path(i18n.__file__).parent.glob("*.py")
    )
    missing = []
    for path in files:
        for key in KEY_CALL.findall(path.read_text(encoding="utf-8")):
            if key not in zh:
                missing.append(f"{path.name}: {key}")
    assert not missing, missing


def test_the_english_switch_says_what_it_leaves_in_chinese(app_store):
    """Issue 12 point 1: English translates the page texts; the sidebar says that tables, legends,
    reports and downloads stay Chinese."""
    from streamlit.testing.v1 import AppTest

    from dashboard.config import PROJECT_ROOT
    from tests.browser_util import login_as

    at = AppTest.from_file(str(PROJECT_ROOT / "pages" / "overview.py"), default_timeout=120)
    login_as(at, "leader", app_store)
    at.session_state[i18n.LANG_STATE_KEY] = "en"
    at.run()
    assert not at.exception
    captions = [c.value for c in at.sidebar.caption]
    assert i18n.translate("common.language_leaves", "en") in captions
    assert at.title[0].value == "Overview"
    zh = AppTest.from_file(str(PROJECT_ROOT / "pages" / "overview.py"), default_timeout=120)
    login_as(zh, "leader", app_store)
    zh.run()
    assert i18n.translate("common.language_leaves", "zh_CN") not in [
        c.value for c in zh.sidebar.caption
    ]
