"""Old home of the UI's store helpers, kept only as re-exports while pages move to their owners:
lookups (dashboard.store.lookups), settings (dashboard.store.settings_view), manual calendar days
(dashboard.store.calendar), the audit log (dashboard.store.audit_log), account state (dashboard.auth.sessions).
"""

from dashboard.auth.sessions import user_is_active
from dashboard.store.audit_log import (
    ACTION_LABELS,
    action_label,
    audit_actions,
    audit_actors,
    audit_entries,
)
from dashboard.store.calendar import (
    calendar_overrides,
    delete_calendar_override,
    set_calendar_override,
)
from dashboard.store.lookups import item_choices, task_years, town_choices, unit_choices
from dashboard.store.settings_view import parse_setting, reset_setting, settings_frame

__all__ = [
    "ACTION_LABELS",
    "action_label",
    "audit_actions",
    "audit_actors",
    "audit_entries",
    "calendar_overrides",
    "delete_calendar_override",
    "item_choices",
    "parse_setting",
    "reset_setting",
    "set_calendar_override",
    "settings_frame",
    "task_years",
    "town_choices",
    "unit_choices",
    "user_is_active",
]
