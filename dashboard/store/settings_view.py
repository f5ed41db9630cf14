"""The 系统设置 page's table of settings and the reset to a default, both from config.SETTINGS.

The declaration (key, type, range, Chinese name, help) lives in dashboard.config; this module only joins
it with the stored overrides and writes the reset, audited.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from dashboard import config

if TYPE_CHECKING:
    from dashboard.store import Store


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
