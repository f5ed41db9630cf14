"""dashboard.config.SETTINGS: every setting declared once with type, range and help; values checked."""

from __future__ import annotations

import re

import pytest

from dashboard import config
from dashboard.store import settings_view
from dashboard.ui import i18n

WORKDAY_LIMITS = (
    "entry_limit_workdays",
    "backfill_limit_workdays",
    "confirm_limit_workdays",
    "due_soon_workdays",
)
RATIO_TARGETS = (
    "target.coverage",
    "target.joint_task_share",
    "target.joint_household_share",
    "target.risk_graded_share",
    "target.entry_on_time",
    "target.publish_on_time",
    "target.followup_closed",
)
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def test_defaults_derive_from_the_declarations():
    assert config.DEFAULTS == {s.key: s.default for s in config.SETTINGS}
    assert len(config.SETTINGS_BY_KEY) == len(config.SETTINGS)  # no key declared twice
    for spec in config.SETTINGS:
        assert spec.check(spec.default) == spec.default, spec.key  # every default is allowed
        assert CHINESE.search(spec.name) and CHINESE.search(spec.help), spec.key
        assert spec.kind in ("int", "float", "month_day"), spec.key


def test_chinese_names_match_the_locale():
    zh = i18n.catalog("zh_CN")
    for spec in config.SETTINGS:
        assert zh[f"admin.setting_names.{spec.key.replace('.', '_')}"] == spec.name, spec.key


def test_declared_ranges():
    by_key = config.SETTINGS_BY_KEY
    for key in WORKDAY_LIMITS:
        assert by_key[key].kind == "int" and by_key[key].minimum == 1, key
    for key in (*RATIO_TARGETS, "warning_band", "quality.low_rate_alpha"):
        assert (by_key[key].minimum, by_key[key].maximum) == (0, 1), key
    for key in ("target.entry_overdue", "target.followup_overdue", "target.backfill_late"):
        assert by_key[key].kind == "int" and by_key[key].minimum == 0, key
    # every target either is a share in [0, 1] or a count ≥ 0
    for spec in config.SETTINGS:
        if spec.key.startswith("target."):
            assert spec.ratio or (spec.kind == "int" and spec.minimum == 0), spec.key


def test_entry_limit_zero_refused():
    with pytest.raises(config.SettingError) as err:
        settings_view.parse_setting("entry_limit_workdays", "0")
    text = str(err.value)
    assert "结果录入公示时限（工作日）" in text and "不能设为 0" in text
    assert "不小于 1 的整数" in text
    assert text.count("。") == 1 and text.endswith("。")  # one sentence


@pytest.mark.parametrize("typed", ["1.5", "-0.1", "150%"])
def test_coverage_out_of_range_refused(typed):
    with pytest.raises(ValueError) as err:
        settings_view.parse_setting("target.coverage", typed)
    text = str(err.value)
    assert "目标：抽查覆盖率" in text and "target.coverage" not in text  # no keys on screen
    assert "0% 到 100% 之间" in text
    assert CHINESE.search(text) and text.count("。") == 1


def test_accepted_values():
    assert settings_view.parse_setting("target.coverage", "0.05") == pytest.approx(0.05)
    assert settings_view.parse_setting("target.coverage", "5%") == pytest.approx(0.05)
    assert settings_view.parse_setting("target.coverage", "0") == 0
    assert settings_view.parse_setting("target.coverage", "1") == 1
    assert settings_view.parse_setting("entry_limit_workdays", "1") == 1
    assert settings_view.parse_setting("target.entry_overdue", "0") == 0
    assert settings_view.parse_setting("risk.score_jump", "12.5") == 12.5
    assert settings_view.parse_setting("warning_band", "10%") == pytest.approx(0.1)
    assert settings_view.parse_setting("plan_cutoff", "2-29") == "02-29"


@pytest.mark.parametrize(
    ("key", "typed", "phrase"),
    [
        ("entry_limit_workdays", "abc", "“abc”"),
        ("entry_limit_workdays", "2.5", "整数"),
        ("due_soon_workdays", "0", "不小于 1"),
        ("backfill_limit_workdays", "-3", "不小于 1"),
        ("confirm_limit_workdays", "0", "不小于 1"),
        ("target.entry_overdue", "-1", "不小于 0 的整数"),
        ("warning_band", "1.2", "0% 到 100% 之间"),
        ("quality.low_rate_alpha", "2", "0 到 1 之间"),
        ("risk.score_jump", "101", "0 到 100 之间"),
        ("target.coverage", "nan", "0% 到 100% 之间"),
        ("plan_cutoff", "13-40", "月-日"),
    ],
)
def test_refused_values(key, typed, phrase):
    with pytest.raises(config.SettingError, match=phrase) as err:
        settings_view.parse_setting(key, typed)
    assert config.SETTINGS_BY_KEY[key].name in str(err.value)


def test_set_setting_checks_too(store):
    with pytest.raises(config.SettingError, match="不小于 1"):
        config.set_setting(store, "entry_limit_workdays", 0, "admin")
    with pytest.raises(config.SettingError, match="0% 到 100% 之间"):
        config.set_setting(store, "target.coverage", 1.5, "admin")
    with pytest.raises(config.SettingError):
        config.set_setting(store, "entry_limit_workdays", True, "admin")
    with pytest.raises(KeyError, match="未知的设置项"):
        config.set_setting(store, "no.such.setting", 1, "admin")
    assert store.scalar("SELECT count(*) FROM settings") == 0
    assert store.scalar("SELECT count(*) FROM audit_log") == 0
    config.set_setting(store, "entry_limit_workdays", 15.0, "admin")  # a whole float is an int
    assert config.get_setting(store, "entry_limit_workdays") == 15
    assert isinstance(config.get_setting(store, "entry_limit_workdays"), int)


def test_display_and_range_text():
    coverage = config.SETTINGS_BY_KEY["target.coverage"]
    assert coverage.display(0.05) == "5%"
    assert coverage.display(1.0) == "100%"
    assert config.SETTINGS_BY_KEY["entry_limit_workdays"].display(20) == "20"
    assert config.SETTINGS_BY_KEY["entry_limit_workdays"].range_text() == "不小于 1 的整数"


def test_settings_frame_carries_the_declaration(store):
    frame = settings_view.settings_frame(store).set_index("key")
    assert list(frame.index) == [s.key for s in config.SETTINGS]
    assert frame.loc["target.coverage", "value_shown"] == "5%"
    assert frame.loc["target.coverage", "range"].startswith("0% 到 100% 之间")
    assert frame.loc["entry_limit_workdays", "help"] == (
        config.SETTINGS_BY_KEY["entry_limit_workdays"].help
    )
