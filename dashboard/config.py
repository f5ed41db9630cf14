"""Settings: defaults here, overridden by env / .streamlit/secrets.toml (store path) and the `settings` table."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dashboard.store import Store

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = PROJECT_ROOT / "data" / "supervision.duckdb"

# Every tunable number of the product, with its default (DESIGN.md §5, DOMAIN.md §2/§4).
DEFAULTS: dict[str, Any] = {
    "entry_limit_workdays": 20,
    "backfill_limit_workdays": 5,
    "confirm_limit_workdays": 2,
    "target.coverage": 0.05,
    "target.joint_task_share": 1.0,
    "target.joint_household_share": 1.0,
    "target.risk_graded_share": 1.0,
    "target.entry_on_time": 1.0,
    "target.publish_on_time": 1.0,
    "target.entry_overdue": 0,
    "target.followup_closed": 1.0,
    "target.followup_overdue": 0,
    "target.backfill_late": 0,
    "target.high_risk_uninspected": 0,
    "target.followup_missing": 0,
    # "due soon" lists: deadlines within the next N working days of the as-of date (DESIGN.md §5)
    "due_soon_workdays": 5,
    # a ratio ≥ target × (1 − warning_band) but below target shows 预警 instead of 未达标 (relative band)
    "warning_band": 0.05,
    "risk.score_jump": 15.0,
    "risk.uninspected_days": 365,
    "risk.licence_expiry_days": 90,
    "risk.repeated_findings": 2,
    "risk.repeated_window_days": 1095,
    "quality.bulk_identical_notes": 5,
    "quality.low_rate_alpha": 0.01,
    "quality.cert_warning_days": 30,
    "plan_cutoff": "11-10",
    "session_timeout_minutes": 30,
    "lockout_attempts": 5,
    "lockout_minutes": 15,
    "sql_row_cap": 10_000,
    "sql_time_limit_ms": 5_000,
    # imports: limits that keep a hostile or huge file from taking the server down (issue 16)
    "import.max_upload_mb": 50,
    "import.max_cells": 50_000_000,
    "import.max_cell_chars": 32_767,
    "import.problem_limit": 10_000,
}


def db_path() -> Path:
    """The store path: env DASHBOARD_DB, else secrets `db_path`, else data/supervision.duckdb."""
    env = os.environ.get("DASHBOARD_DB")
    if env:
        return Path(env)
    secrets = PROJECT_ROOT / ".streamlit" / "secrets.toml"
    if secrets.exists():
        import tomllib

        value = tomllib.loads(secrets.read_text(encoding="utf-8")).get("db_path")
        if value:
            return Path(value)
    return DEFAULT_DB_PATH


def get_setting(store: Store | None, key: str) -> Any:
    if store is not None:
        raw = store.scalar("SELECT value FROM settings WHERE key = ?", [key])
        if raw is not None:
            return json.loads(raw)
    return DEFAULTS[key]


def all_settings(store: Store | None) -> dict[str, Any]:
    values = dict(DEFAULTS)
    if store is not None:
        for key, raw in store.rows("SELECT key, value FROM settings"):
            values[key] = json.loads(raw)
    return values


def set_setting(store: Store, key: str, value: Any, actor: str) -> None:
    if key not in DEFAULTS:
        raise KeyError(f"未知的设置项：{key}")
    old = get_setting(store, key)
    with store.transaction() as cur:
        cur.execute(
            "INSERT INTO settings (key, value, updated_by) VALUES (?, ?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
            " updated_at = current_localtimestamp(), updated_by = excluded.updated_by",
            [key, json.dumps(value), actor],
        )
        store.audit(
            cur,
            actor,
            "setting.change",
            table_name="settings",
            record_key=key,
            old_value=old,
            new_value=value,
        )
