"""时效监督 — entry, publication, follow-up and backfill on time; late, overdue and due-soon lists per unit."""

from dashboard.ui import page_setup

scope = page_setup("timeliness")

import streamlit as st  # noqa: E402

from dashboard.metrics import due_soon, followup, timeliness  # noqa: E402
from dashboard.metrics.kpi import compute_kpis, limits  # noqa: E402
from dashboard.ui import get_store, t  # noqa: E402
from dashboard.ui.kpi_view import due_soon_caption, kpi_cards, metric_table  # noqa: E402

store = get_store()
cur = store.cursor()
kpis = compute_kpis(cur, scope)
numbers = limits(cur)


st.title(t("metrics.timeliness.title"))
st.caption(t("metrics.common.scope_caption", year=scope.year, as_of=scope.as_of.isoformat()))

KEYS = (
    "entry_on_time",
    "publish_on_time",
    "entry_overdue",
    "followup_closed",
    "followup_overdue",
    "backfill_late",
)
kpi_cards(kpis, KEYS, numbers=numbers, key_prefix="time_kpi", per_row=3)

tabs = st.tabs(
    [
        t("metrics.timeliness.by_unit"),
        t("metrics.timeliness.late_entries"),
        t("metrics.timeliness.entries_overdue"),
        t("metrics.timeliness.late_publications"),
        t("metrics.timeliness.followup_overdue"),
        t("metrics.timeliness.backfill"),
        t("metrics.timeliness.due_soon"),
    ]
)
with tabs[0]:
    st.caption(t("metrics.timeliness.by_unit_help"))
    metric_table(
        timeliness.timeliness_by_unit(cur, scope), "time_unit", "metrics.timeliness.file_unit"
    )
with tabs[1]:
    st.caption(t("metrics.timeliness.late_help", **numbers))
    metric_table(timeliness.late_entries(cur, scope), "time_late", "metrics.timeliness.file_late")
with tabs[2]:
    st.caption(t("metrics.timeliness.overdue_help"))
    metric_table(
        timeliness.entries_overdue(cur, scope), "time_overdue", "metrics.timeliness.file_overdue"
    )
with tabs[3]:
    st.caption(t("metrics.timeliness.publication_help"))
    metric_table(
        timeliness.late_publications(cur, scope), "time_pub", "metrics.timeliness.file_publication"
    )
with tabs[4]:
    st.caption(t("metrics.timeliness.followup_help"))
    metric_table(
        followup.overdue_followups(cur, scope), "time_fu", "metrics.timeliness.file_followup"
    )
with tabs[5]:
    st.caption(t("metrics.timeliness.backfill_help", **numbers))
    metric_table(
        followup.backfill_problems(cur, scope), "time_backfill", "metrics.timeliness.file_backfill"
    )
with tabs[6]:
    st.caption(due_soon_caption(cur, scope))
    st.caption(t("metrics.due_soon.entries_help"))
    metric_table(
        due_soon.entries_due_soon(cur, scope), "time_soon", "metrics.timeliness.file_due_soon"
    )
cur.close()
