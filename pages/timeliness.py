"""时效监督 — entry, publication, follow-up and backfill on time; late, overdue and due-soon lists per unit."""

from dashboard.ui import page_setup

scope = page_setup("timeliness")

import streamlit as st  # noqa: E402

from dashboard.metrics import due_soon, followup, timeliness  # noqa: E402
from dashboard.metrics.kpi import compute_kpis, limits  # noqa: E402
from dashboard.ui import get_store, t  # noqa: E402
from dashboard.ui.kpi_view import due_soon_caption, kpi_cards, list_tabs, metric_table  # noqa: E402

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

# list ids: ?list=<id> opens that tab (a KPI card's 查看明细, dashboard.ui.kpi_view.KPI_LISTS)
tabs = list_tabs(
    [
        ("timeliness_by_unit", t("metrics.timeliness.by_unit")),
        ("late_entries", t("metrics.timeliness.late_entries")),
        ("entry_overdue", t("metrics.timeliness.entries_overdue")),
        ("late_publications", t("metrics.timeliness.late_publications")),
        ("followup_overdue", t("metrics.timeliness.followup_overdue")),
        ("backfill_late", t("metrics.timeliness.backfill")),
        ("entries_due_soon", t("metrics.timeliness.due_soon")),
    ]
)
with tabs[0]:
    st.caption(t("metrics.timeliness.by_unit_help"))
    metric_table(
        timeliness.timeliness_by_unit(cur, scope),
        "time_unit",
        "metrics.timeliness.file_unit",
        empty="metrics.empty.no_units",
        empty_ok=False,
    )
with tabs[1]:
    st.caption(t("metrics.timeliness.late_help", **numbers))
    metric_table(
        timeliness.late_entries(cur, scope),
        "time_late",
        "metrics.timeliness.file_late",
        empty="metrics.empty.late_entries",
    )
with tabs[2]:
    st.caption(t("metrics.timeliness.overdue_help"))
    metric_table(
        timeliness.entries_overdue(cur, scope),
        "time_overdue",
        "metrics.timeliness.file_overdue",
        empty="metrics.empty.entry_overdue",
    )
with tabs[3]:
    st.caption(t("metrics.timeliness.publication_help"))
    metric_table(
        timeliness.late_publications(cur, scope),
        "time_pub",
        "metrics.timeliness.file_publication",
        empty="metrics.empty.late_publications",
    )
with tabs[4]:
    st.caption(t("metrics.timeliness.followup_help"))
    metric_table(
        followup.overdue_followups(cur, scope),
        "time_fu",
        "metrics.timeliness.file_followup",
        empty="metrics.empty.followup_overdue",
    )
with tabs[5]:
    st.caption(t("metrics.timeliness.backfill_help", **numbers))
    metric_table(
        followup.backfill_problems(cur, scope),
        "time_backfill",
        "metrics.timeliness.file_backfill",
        empty="metrics.empty.backfill_late",
    )
with tabs[6]:
    st.caption(due_soon_caption(cur, scope))
    st.caption(t("metrics.due_soon.entries_help"))
    metric_table(
        due_soon.entries_due_soon(cur, scope),
        "time_soon",
        "metrics.timeliness.file_due_soon",
        empty="metrics.empty.entries_due_soon",
    )
cur.close()
