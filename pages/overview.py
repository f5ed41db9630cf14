"""总览 — the §5 KPIs as cards, the month-by-month trend, the five most urgent items and what falls
due within the next working days (即将到期)."""

from dashboard.ui import page_setup

scope = page_setup("overview")

import streamlit as st  # noqa: E402

from dashboard.draw.review import redraw_units_text  # noqa: E402
from dashboard.metrics import due_soon, trend  # noqa: E402
from dashboard.metrics.kpi import KPI_KEYS, compute_kpis, limits  # noqa: E402
from dashboard.ui import data_table, get_store, line, show_chart, t  # noqa: E402
from dashboard.ui.kpi_view import Table, due_soon_caption, kpi_cards, show_table  # noqa: E402

store = get_store()
cur = store.cursor()
kpis = compute_kpis(cur, scope)
numbers = limits(cur)

st.title(t("metrics.overview.title"))
st.caption(
    t("metrics.common.scope_caption", year=scope.year, as_of=scope.as_of.isoformat())
    + "　"
    + t("metrics.common.scope_note")
)

st.subheader(t("metrics.overview.kpis"))
kpi_cards(kpis, KPI_KEYS, numbers=numbers, key_prefix="kpi", per_row=4, links=True)
if redraw_units := redraw_units_text(store, scope):
    st.warning(t("draw.overview.redraw_warning", units=redraw_units), icon=":material/warning:")

left, right = st.columns([3, 2])
with left:
    st.subheader(t("metrics.overview.trend"), help=t("metrics.overview.trend_help"))
    monthly = trend.monthly_trend(cur, scope)
    if not monthly.empty:
        fig = line(
            monthly,
            "月份",
            ["检查户数", "按时录入户数", "发现问题户数"],
            height=320,
            y_title=t("metrics.overview.trend_axis"),
        )
        fig.update_xaxes(type="category")  # '2026-01' as written, not Plotly's English 'Jan 2026'
        show_chart(fig, key="overview_trend")
    data_table(
        monthly,
        key="overview_trend_table",
        download_basename=t("metrics.overview.trend_file"),
        height=200,
    )
with right:
    st.subheader(t("metrics.overview.urgent"), help=t("metrics.overview.urgent_help"))
    urgent = trend.most_urgent(cur, scope, limit=5)
    if not urgent.empty:  # the narrow column shows what and how late first; codes follow
        first = ["问题", "责任单位", "超期工作日", "期限", "名称"]
        urgent = urgent[first + [c for c in urgent.columns if c not in first]]
    if urgent.empty:
        st.success(t("metrics.overview.urgent_none"))
    else:
        data_table(
            urgent, key="overview_urgent", download_basename=t("metrics.overview.urgent_file")
        )

st.subheader(t("metrics.due_soon.title"), help=t("metrics.due_soon.help", **numbers))
st.caption(due_soon_caption(cur, scope))
soon_entries = due_soon.entries_due_soon(cur, scope)
soon_followups = due_soon.followups_due_soon(cur, scope)
tab_units, tab_entries, tab_followups = st.tabs(
    [
        t("metrics.due_soon.by_unit"),
        t("metrics.due_soon.entries", n=len(soon_entries)),
        t("metrics.due_soon.followups", n=len(soon_followups)),
    ]
)
with tab_units:
    show_table(
        Table(
            "overview_soon_units",
            "metrics.due_soon.file_units",
            lambda: due_soon.due_soon_by_unit(cur, scope),
            help="metrics.due_soon.by_unit_help",
            empty="metrics.empty.due_soon_units",
        )
    )
with tab_entries:
    show_table(
        Table(
            "overview_soon_entries",
            "metrics.due_soon.file_entries",
            soon_entries,
            help="metrics.due_soon.entries_help",
            empty="metrics.empty.entries_due_soon",
        )
    )
with tab_followups:
    show_table(
        Table(
            "overview_soon_followups",
            "metrics.due_soon.file_followups",
            soon_followups,
            help="metrics.due_soon.followups_help",
            empty="metrics.empty.followups_due_soon",
        )
    )
cur.close()
