"""覆盖率 — coverage by unit, town, item and grade; entities never or too often inspected; high risk."""

from dashboard.ui import page_setup

scope = page_setup("coverage")

import streamlit as st  # noqa: E402

from dashboard.metrics import coverage  # noqa: E402
from dashboard.metrics.kpi import compute_kpis, format_target, limits  # noqa: E402
from dashboard.ui import (  # noqa: E402
    bar,
    get_store,
    show_chart,
    t,
)
from dashboard.ui.kpi_view import kpi_cards, list_tabs, metric_table  # noqa: E402

store = get_store()
cur = store.cursor()
kpis = compute_kpis(cur, scope)
numbers = limits(cur)


st.title(t("metrics.coverage.title"))
st.caption(t("metrics.common.scope_caption", year=scope.year, as_of=scope.as_of.isoformat()))

kpi_cards(
    kpis, ("coverage", "high_risk_uninspected"), numbers=numbers, key_prefix="cov_kpi", per_row=2
)

# list ids: ?list=<id> opens that tab (a KPI card's 查看明细, dashboard.ui.kpi_view.KPI_LISTS)
tabs = list_tabs(
    [
        ("coverage_by_unit", t("metrics.coverage.by_unit")),
        ("coverage_by_town", t("metrics.coverage.by_town")),
        ("coverage_by_item", t("metrics.coverage.by_item")),
        ("coverage_by_grade", t("metrics.coverage.by_grade")),
        ("never_inspected", t("metrics.coverage.never")),
        ("over_inspected", t("metrics.coverage.over")),
        ("high_risk_uninspected", t("metrics.coverage.high_risk")),
    ]
)
target = kpis["coverage"].target

with tabs[0]:
    st.caption(t("metrics.coverage.by_unit_help"))
    df = coverage.coverage_by_unit(cur, scope)
    if not df.empty:
        fig = bar(df, "单位", "覆盖率", text=None)
        if target is not None:
            fig.add_hline(
                y=target,
                line_dash="dash",
                line_color="#cf222e",
                annotation_text=t(
                    "metrics.coverage.target_line", value=format_target("ratio", target)
                ),
            )
        fig.update_yaxes(tickformat=".0%")
        show_chart(fig, key="cov_unit_chart")
    metric_table(df, "cov_unit", "metrics.coverage.file_unit")

with tabs[1]:
    metric_table(coverage.coverage_by_town(cur, scope), "cov_town", "metrics.coverage.file_town")

with tabs[2]:
    metric_table(coverage.coverage_by_item(cur, scope), "cov_item", "metrics.coverage.file_item")

with tabs[3]:
    st.caption(t("metrics.coverage.by_grade_help"))
    df = coverage.coverage_by_grade(cur, scope)
    if not df.empty:
        long = df.melt(
            id_vars="风险等级",
            value_vars=["名录占比", "检查占比"],
            var_name=t("metrics.coverage.grade_series"),
            value_name="占比",
        )
        fig = bar(
            long, "风险等级", "占比", color=t("metrics.coverage.grade_series"), barmode="group"
        )
        fig.update_yaxes(tickformat=".0%")
        show_chart(fig, key="cov_grade_chart")
    metric_table(df, "cov_grade", "metrics.coverage.file_grade")

with tabs[4]:
    st.caption(t("metrics.coverage.never_help"))
    never = coverage.never_inspected_rows(store, scope)  # first rows + count; all on download
    metric_table(
        never, "cov_never", "metrics.coverage.file_never", empty="metrics.empty.never_inspected"
    )

with tabs[5]:
    st.caption(t("metrics.coverage.over_help"))
    metric_table(
        coverage.over_inspected(cur, scope),
        "cov_over",
        "metrics.coverage.file_over",
        empty="metrics.empty.over_inspected",
    )

with tabs[6]:
    st.caption(t("metrics.coverage.high_risk_help"))
    metric_table(
        coverage.high_risk_uninspected(cur, scope),
        "cov_high_risk",
        "metrics.coverage.file_high_risk",
        empty="metrics.empty.high_risk_uninspected",
    )

cur.close()
