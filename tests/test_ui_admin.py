"""Settings (store.settings_view), calendar overrides (store.calendar), audit filters (store.audit_log), scope
choices and names (store.lookups), and display helpers."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from dashboard import config
from dashboard.domain import workdays
from dashboard.store import audit_log, lookups, settings_view
from dashboard.store import calendar as store_calendar
from dashboard.ui.components import display_frame


def test_parse_setting_types_and_errors():
    assert settings_view.parse_setting("entry_limit_workdays", " 15 ") == 15
    assert settings_view.parse_setting("target.coverage", "0.06") == pytest.approx(0.06)
    assert settings_view.parse_setting("plan_cutoff", "9-5") == "09-05"
    with pytest.raises(ValueError, match="结果录入公示时限"):
        settings_view.parse_setting("entry_limit_workdays", "abc")
    with pytest.raises(ValueError, match="不小于 1 的整数"):
        settings_view.parse_setting("lockout_attempts", "-1")
    with pytest.raises(ValueError, match="月-日"):
        settings_view.parse_setting("plan_cutoff", "13-40")


def test_settings_frame_change_and_reset_are_audited(store):
    config.set_setting(store, "entry_limit_workdays", 15, "admin")
    frame = settings_view.settings_frame(store).set_index("key")
    assert frame.loc["entry_limit_workdays", "value"] == 15
    assert frame.loc["entry_limit_workdays", "default"] == 20
    assert bool(frame.loc["entry_limit_workdays", "changed"]) is True
    assert frame.loc["entry_limit_workdays", "updated_by"] == "admin"
    assert bool(frame.loc["backfill_limit_workdays", "changed"]) is False
    settings_view.reset_setting(store, "entry_limit_workdays", "admin")
    assert config.get_setting(store, "entry_limit_workdays") == 20
    actions = store.rows("SELECT action, record_key FROM audit_log ORDER BY audit_id")
    assert actions == [
        ("setting.change", "entry_limit_workdays"),
        ("setting.reset", "entry_limit_workdays"),
    ]


def test_calendar_override_rebuilds_the_calendar(store):
    # 2030 is not covered by chinesecalendar: Monday 2030-06-03 is a working day by the fallback
    day = date(2030, 6, 3)
    assert workdays.fallback_years(2030, 2030) == [2030]
    before = store.scalar("SELECT is_workday FROM calendar WHERE day = ?", [day])
    assert before is True
    deadline_before = store.scalar("SELECT workday_deadline(DATE '2030-05-31', 1)")
    assert deadline_before == day  # Friday → next working day is Monday

    store_calendar.set_calendar_override(store, day, False, "端午节（补录）", actor="admin")
    assert store.scalar("SELECT is_workday FROM calendar WHERE day = ?", [day]) is False
    assert store.scalar("SELECT source FROM calendar WHERE day = ?", [day]) == "manual"
    assert store.scalar("SELECT workday_deadline(DATE '2030-05-31', 1)") == date(2030, 6, 4)
    assert store_calendar.calendar_overrides(store)["note"].tolist() == ["端午节（补录）"]

    assert store_calendar.delete_calendar_override(store, day, actor="admin") is True
    assert store_calendar.delete_calendar_override(store, day, actor="admin") is False
    assert store.scalar("SELECT is_workday FROM calendar WHERE day = ?", [day]) is True
    assert [r[0] for r in store.rows("SELECT action FROM audit_log ORDER BY audit_id")] == [
        "calendar.override",
        "calendar.override_delete",
    ]


def test_audit_entries_filters(store):
    with store.transaction() as cur:
        for actor, action, when in [
            ("admin", "import", "2026-03-01 09:00:00"),
            ("kck", "entry.bulk", "2026-03-02 23:59:00"),
            ("admin", "setting.change", "2026-03-03 00:00:00"),
        ]:
            cur.execute(
                "INSERT INTO audit_log (happened_at, actor, action) VALUES (?, ?, ?)",
                [datetime.fromisoformat(when), actor, action],
            )
    everything = audit_log.audit_entries(store)
    assert everything["action"].tolist() == [
        "setting.change",
        "entry.bulk",
        "import",
    ]  # newest first
    by_day = audit_log.audit_entries(store, start=date(2026, 3, 2), end=date(2026, 3, 2))
    assert by_day["actor"].tolist() == ["kck"]  # the end day is inclusive up to 23:59
    assert audit_log.audit_entries(store, actor="admin", action="import")["action"].tolist() == [
        "import"
    ]
    assert audit_log.audit_actors(store) == ["admin", "kck"]
    assert audit_log.action_label("import") == "导入数据"
    assert audit_log.action_label("auth.login") == "登录成功"
    assert audit_log.action_label("something.new") == "something.new"


def test_scope_choices(store):
    with store.transaction() as cur:
        cur.execute(
            "INSERT INTO units VALUES ('KCK', '矿产资源管理股', '股室', false), ('BGS', '办公室', '股室', false)"
        )
        cur.execute(
            "INSERT INTO tasks (task_code, task_name, lead_unit, start_on) VALUES"
            " ('T1', '任务1', 'KCK', DATE '2025-04-01'), ('T2', '任务2', 'KCK', DATE '2026-04-01'),"
            " ('T3', '任务3', 'BGS', NULL)"
        )
        cur.execute(
            "INSERT INTO entities (entity_code, name, town) VALUES ('E1', '甲', '城关镇'), ('E2', '乙', NULL),"
            " ('E3', '丙', '城关镇'), ('E4', '丁', '北关乡')"
        )
    assert lookups.task_years(store) == [2025, 2026]
    assert lookups.unit_choices(store) == [("BGS", "办公室"), ("KCK", "矿产资源管理股")]
    assert lookups.unit_choices(store, frozenset({"KCK"})) == [("KCK", "矿产资源管理股")]
    assert lookups.town_choices(store) == ["北关乡", "城关镇"]


def test_display_frame_blanks_nulls_and_joins_lists():
    df = pd.DataFrame(
        {
            "名称": ["甲", None],
            "时间": pd.to_datetime(["2026-01-02 09:30:00", None]),
            "日期": pd.to_datetime(["2026-01-02", "2026-01-03"]),
            "单位": [["KCK", "CHK"], []],
            "数": [1.5, None],
            "回填日期": [date(2026, 5, 6), None],
            "混合": [3, "x"],
            "行": pd.array([2, None], dtype="Int64"),
        }
    )
    out = display_frame(df)
    assert out["名称"].tolist() == ["甲", ""]
    assert out["时间"].tolist() == ["2026-01-02 09:30:00", ""]
    assert out["日期"].tolist() == ["2026-01-02", "2026-01-03"]
    assert out["单位"].tolist() == ["KCK；CHK", ""]
    assert out["数"].iloc[0] == 1.5 and pd.isna(out["数"].iloc[1])  # numbers untouched
    assert out["回填日期"].tolist() == ["2026-05-06", ""]
    assert out["混合"].tolist() == ["3", "x"]
    assert out["行"].tolist() == ["2", ""]
    import pyarrow as pa

    pa.Table.from_pandas(out)  # what st.dataframe does: one type per column
    assert pd.isna(df["名称"].iloc[1])  # input unchanged


def test_names_are_one_lookup_for_a_store_a_connection_and_a_cursor(store):
    with store.transaction() as cur:
        cur.execute(
            "INSERT INTO units VALUES ('KCK', '矿产资源管理股', '股室', false), ('BGS', '办公室', '股室', false)"
        )
        cur.execute(
            "INSERT INTO items (item_code, item_name, owner_unit) VALUES"
            " ('I2', '测绘资质', 'KCK'), ('I1', '探矿权', 'KCK')"
        )
    expected = {"BGS": "办公室", "KCK": "矿产资源管理股"}
    assert lookups.unit_names(store) == expected
    assert lookups.unit_names(store.cursor()) == expected
    assert list(lookups.item_names(store)) == ["I1", "I2"]
    assert lookups.item_names(store, ["I2", "I9"]) == {"I2": "测绘资质"}
    assert lookups.item_names(store, []) == {}
    assert lookups.item_choices(store) == [("I1", "探矿权"), ("I2", "测绘资质")]
    assert lookups.labelled("KCK", expected) == "矿产资源管理股（KCK）"
    assert lookups.labelled("ZZZ", expected) == "ZZZ"
