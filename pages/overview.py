"""总览 — the twelve §5 KPIs as cards, the month-by-month trend and the five most urgent items."""

from dashboard.ui import page_setup

scope = page_setup("overview")

import streamlit as st  # noqa: E402

from dashboard.metrics import trend  # noqa: E402
from dashboard.metrics.kpi import (  # noqa: E402
    KPI_KEYS,
    KPI_PAGES,
    compute_kpis,
    format_fraction,
    format_target,
    format_value,
    limits,
)
from dashboard.ui import data_table, get_store, kpi_card, line, show_chart, t  # noqa: E402

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
PER_ROW = 4
for start in range(0, len(KPI_KEYS), PER_ROW):
    for col, key in zip(st.columns(PER_ROW), KPI_KEYS[start : start + PER_ROW], strict=False):
        k = kpis[key]
        with col:
            kpi_card(
                t(f"metrics.kpi.{key}"),
                format_value(k.kind, k.value),
                format_target(k.kind, k.target) or t("metrics.common.no_target"),
                k.status,
                t("metrics.common.fraction", value=format_fraction(k))
                if k.kind == "ratio"
                else t("metrics.common.count", value=k.numerator),
                help=t(f"metrics.def.{key}", **numbers),
                link_page=KPI_PAGES[key],
                key=f"kpi_{key}",
            )

left, right = st.columns([3, 2])
with left:
    st.subheader(t("metrics.overview.trend"), help=t("metrics.overview.trend_help"))
    monthly = trend.monthly_trend(cur, scope)
    if not monthly.empty:
        show_chart(
            line(monthly, "月份", ["检查户数", "按时录入户数", "发现问题户数"], height=320),
            key="overview_trend",
        )
    data_table(
        monthly,
        key="overview_trend_table",
        download_basename=t("metrics.overview.trend_file"),
        height=200,
    )
with right:
    st.subheader(t("metrics.overview.urgent"), help=t("metrics.overview.urgent_help"))
    urgent = trend.most_urgent(cur, scope, limit=5)
    if urgent.empty:
        st.success(t("metrics.overview.urgent_none"))
    else:
        data_table(
            urgent, key="overview_urgent", download_basename=t("metrics.overview.urgent_file")
        )
cur.close()
