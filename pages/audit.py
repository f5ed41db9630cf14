"""审计日志 (admin, leader) — every write, filterable by date range / actor / action, downloadable."""

from dashboard.ui import page_setup

scope = page_setup("audit", roles={"admin", "leader"}, needs_scope=False)

from datetime import date, timedelta  # noqa: E402

import streamlit as st  # noqa: E402

from dashboard.store import audit_log  # noqa: E402
from dashboard.ui import data_table, get_store, t  # noqa: E402
from dashboard.ui.audit_view import readable  # noqa: E402

store = get_store()
ALL = "__all__"

st.title(t("common.page.audit"))
left, mid, right = st.columns([2, 1, 1])
today = date.today()
period = left.date_input(
    t("admin.audit.period"),
    value=(today - timedelta(days=30), today),
    format="YYYY-MM-DD",
    key="audit_period",
)
actors = [ALL, *audit_log.audit_actors(store)]
actions = [ALL, *audit_log.audit_actions(store)]
actor = mid.selectbox(
    t("admin.audit.actor"),
    actors,
    format_func=lambda v: t("common.scope.all") if v == ALL else v,
    key="audit_actor",
)
action = right.selectbox(
    t("admin.audit.action"),
    actions,
    format_func=lambda v: t("common.scope.all") if v == ALL else audit_log.action_label(v),
    key="audit_action",
)
start, end = (
    (period[0], period[1]) if isinstance(period, tuple) and len(period) == 2 else (None, None)
)
if isinstance(period, tuple) and len(period) == 1:
    start = end = period[0]

entries = audit_log.audit_entries(
    store,
    start=start,
    end=end,
    actor=None if actor == ALL else actor,
    action=None if action == ALL else action,
)
st.caption(t("admin.audit.count", count=len(entries)))
entries["action"] = entries["action"].map(audit_log.action_label)
entries = readable(entries)  # Chinese table names, old/new values as 字段：值 (no raw JSON)
columns = {
    "audit_id": t("admin.audit.col.audit_id"),
    "happened_at": t("admin.audit.col.happened_at"),
    "actor": t("admin.audit.col.actor"),
    "action": t("admin.audit.col.action"),
    "table_name": t("admin.audit.col.table_name"),
    "record_key": t("admin.audit.col.record_key"),
    "old_value": t("admin.audit.col.old_value"),
    "new_value": t("admin.audit.col.new_value"),
    "detail": t("admin.audit.col.detail"),
}
data_table(
    entries.rename(columns=columns), key="audit_table", download_basename=t("admin.audit.basename")
)
