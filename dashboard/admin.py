"""Small read/write helpers the UI shell needs (no streamlit): scope choices, settings, calendar overrides.

Pages call these instead of writing SQL.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from dashboard import config

if TYPE_CHECKING:
    from dashboard.store import Store


# -- scope choices ---------------------------------------------------------------------------------
def task_years(store: Store) -> list[int]:
    """Years in which some task starts, ascending."""
    rows = store.rows(
        "SELECT DISTINCT year(start_on) AS y FROM tasks WHERE start_on IS NOT NULL ORDER BY y"
    )
    return [int(r[0]) for r in rows]


def unit_choices(store: Store, allowed: frozenset[str] | None = None) -> list[tuple[str, str]]:
    """(unit_code, unit_name) of the units a user may pick, in code order."""
    rows = store.rows("SELECT unit_code, unit_name FROM units ORDER BY unit_code")
    return [(c, n) for c, n in rows if allowed is None or c in allowed]


def item_choices(store: Store) -> list[tuple[str, str]]:
    return [
        (c, n) for c, n in store.rows("SELECT item_code, item_name FROM items ORDER BY item_code")
    ]


def town_choices(store: Store) -> list[str]:
    rows = store.rows(
        "SELECT DISTINCT town FROM entities WHERE town IS NOT NULL AND town <> '' ORDER BY town"
    )
    return [r[0] for r in rows]


def user_is_active(store: Store, username: str) -> bool:
    """True if the account exists and is not disabled (checked on every run of a logged-in session)."""
    return bool(store.scalar("SELECT active FROM users WHERE username = ?", [username]))


# -- settings --------------------------------------------------------------------------------------
def settings_frame(store: Store) -> pd.DataFrame:
    """Every declared setting: key, default, current value, whether changed, last change, and from the
    declaration (config.SETTINGS) its Chinese name, help, allowed range and both values as shown."""
    stored = {
        k: (v, at, by)
        for k, v, at, by in store.rows("SELECT key, value, updated_at, updated_by FROM settings")
    }
    rows = []
    for spec in config.SETTINGS:
        key, default = spec.key, spec.default
        current = config.get_setting(store, key)
        at, by = (stored[key][1], stored[key][2]) if key in stored else (None, None)
        rows.append(
            {
                "key": key,
                "default": default,
                "value": current,
                "changed": key in stored and current != default,
                "updated_at": at,
                "updated_by": by,
                "name": spec.name,
                "help": spec.help,
                "range": spec.range_text(),
                "value_shown": spec.display(current),
                "default_shown": spec.display(default),
            }
        )
    return pd.DataFrame(rows)


def parse_setting(key: str, text: str) -> Any:
    """The text typed for `key`, checked against its declaration (type and range): "20", "0.05", "5%"
    for a ratio, "11-10" for plan_cutoff. config.SettingError (a ValueError) in one Chinese sentence
    naming the setting, the value and the allowed range; KeyError for an unknown key."""
    return config.setting_spec(key).parse(text)


def reset_setting(store: Store, key: str, actor: str) -> None:
    """Back to the default (deletes the override), audited."""
    config.setting_spec(key)
    old = config.get_setting(store, key)
    with store.transaction() as cur:
        cur.execute("DELETE FROM settings WHERE key = ?", [key])
        store.audit(
            cur,
            actor,
            "setting.reset",
            table_name="settings",
            record_key=key,
            old_value=old,
            new_value=config.DEFAULTS[key],
        )


# -- calendar overrides ----------------------------------------------------------------------------
def calendar_overrides(store: Store) -> pd.DataFrame:
    return store.df("SELECT day, is_workday, note FROM calendar_overrides ORDER BY day")


def set_calendar_override(
    store: Store, day: date, is_workday: bool, note: str | None, *, actor: str
) -> None:
    """Add or change a manual working-day entry and rebuild the calendar table, in one transaction."""
    from dashboard.store import calendar

    old = store.rows("SELECT is_workday, note FROM calendar_overrides WHERE day = ?", [day])
    with store.transaction() as cur:
        cur.execute(
            "INSERT INTO calendar_overrides (day, is_workday, note) VALUES (?, ?, ?)"
            " ON CONFLICT (day) DO UPDATE SET is_workday = excluded.is_workday, note = excluded.note",
            [day, bool(is_workday), note or None],
        )
        store.audit(
            cur,
            actor,
            "calendar.override",
            table_name="calendar_overrides",
            record_key=day.isoformat(),
            old_value={"is_workday": old[0][0], "note": old[0][1]} if old else None,
            new_value={"is_workday": bool(is_workday), "note": note or None},
        )
        calendar.write_calendar(store, cur, calendar.load_overrides_in(cur))


def delete_calendar_override(store: Store, day: date, *, actor: str) -> bool:
    from dashboard.store import calendar

    old = store.rows("SELECT is_workday, note FROM calendar_overrides WHERE day = ?", [day])
    if not old:
        return False
    with store.transaction() as cur:
        cur.execute("DELETE FROM calendar_overrides WHERE day = ?", [day])
        store.audit(
            cur,
            actor,
            "calendar.override_delete",
            table_name="calendar_overrides",
            record_key=day.isoformat(),
            old_value={"is_workday": old[0][0], "note": old[0][1]},
        )
        calendar.write_calendar(store, cur, calendar.load_overrides_in(cur))
    return True


# -- audit log -------------------------------------------------------------------------------------
# Chinese names of audit actions (others: shown as recorded). dashboard.auth adds its own below.
ACTION_LABELS: dict[str, str] = {
    "import": "导入数据",
    "setting.change": "修改设置",
    "setting.reset": "恢复默认设置",
    "calendar.override": "补录工作日",
    "calendar.override_delete": "删除工作日补录",
    "entity.status": "修改对象状态",
    "entry.bulk": "批量录入结果",
    "analysis.save": "保存自助分析",
    "analysis.update": "修改自助分析",
    "analysis.delete": "删除自助分析",
}


def action_label(action: str) -> str:
    try:
        from dashboard.auth import AUDIT_ACTIONS
    except ImportError:
        AUDIT_ACTIONS = {}
    return ACTION_LABELS.get(action) or AUDIT_ACTIONS.get(action) or action


def audit_actions(store: Store) -> list[str]:
    return [r[0] for r in store.rows("SELECT DISTINCT action FROM audit_log ORDER BY action")]


def audit_actors(store: Store) -> list[str]:
    return [r[0] for r in store.rows("SELECT DISTINCT actor FROM audit_log ORDER BY actor")]


def audit_entries(
    store: Store,
    *,
    start: date | None = None,
    end: date | None = None,
    actor: str | None = None,
    action: str | None = None,
    limit: int = 10_000,
) -> pd.DataFrame:
    """Audit log rows, newest first, filtered by day range (inclusive), actor and action."""
    where, params = [], []
    if start is not None:
        where.append("happened_at >= ?")
        params.append(start)
    if end is not None:
        where.append("happened_at < CAST(? AS DATE) + INTERVAL 1 DAY")
        params.append(end)
    if actor:
        where.append("actor = ?")
        params.append(actor)
    if action:
        where.append("action = ?")
        params.append(action)
    sql = (
        "SELECT audit_id, happened_at, actor, action, table_name, record_key, old_value, new_value, detail"
        " FROM audit_log"
        + (" WHERE " + " AND ".join(where) if where else "")
        + f" ORDER BY audit_id DESC LIMIT {int(limit)}"
    )
    return store.df(sql, params)
