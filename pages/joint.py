"""联合抽查 — joint shares by kind and unit, non-joint tasks, tasks without risk grades, partners."""

from dashboard.ui import page_setup

scope = page_setup("joint")

import streamlit as st  # noqa: E402

from dashboard.metrics import joint  # noqa: E402
from dashboard.metrics.kpi import compute_kpis, limits  # noqa: E402
from dashboard.ui import bar, get_store, show_chart, t  # noqa: E402
from dashboard.ui.kpi_view import kpi_cards, list_tabs, metric_table  # noqa: E402

store = get_store()
cur = store.cursor()
kpis = compute_kpis(cur, scope)
numbers = limits(cur)


st.title(t("metrics.joint.title"))
st.caption(t("metrics.common.scope_caption", year=scope.year, as_of=scope.as_of.isoformat()))

KEYS = ("joint_task_share", "joint_household_share", "risk_graded_share")
kpi_cards(kpis, KEYS, numbers=numbers, key_prefix="joint_kpi", per_row=len(KEYS))

# list ids: ?list=<id> opens that tab (a KPI card's 查看明细, dashboard.ui.kpi_view.KPI_LISTS)
tabs = list_tabs(
    [
        ("joint_by_unit", t("metrics.joint.by_unit")),
        ("joint_by_kind", t("metrics.joint.by_kind")),
        ("non_joint_tasks", t("metrics.joint.non_joint")),
        ("non_graded_tasks", t("metrics.joint.non_graded")),
        ("partner_departments", t("metrics.joint.partners")),
    ]
)
with tabs[0]:
    st.caption(t("metrics.joint.by_unit_help"))
    df = joint.joint_by_unit(cur, scope)
    if not df.empty:
        fig = bar(
            df,
            "单位",
            ["次数占比", "户数占比"],
            barmode="group",
            y_title=t("metrics.joint.share_axis"),
        )
        fig.update_yaxes(tickformat=".0%")
        show_chart(fig, key="joint_unit_chart")
    metric_table(df, "joint_unit", "metrics.joint.file_unit")
with tabs[1]:
    metric_table(joint.joint_by_kind(cur, scope), "joint_kind", "metrics.joint.file_kind")
with tabs[2]:
    metric_table(
        joint.non_joint_tasks(cur, scope),
        "joint_non_joint",
        "metrics.joint.file_non_joint",
        empty="metrics.empty.non_joint_tasks",
    )
with tabs[3]:
    metric_table(
        joint.non_risk_graded_tasks(cur, scope),
        "joint_non_graded",
        "metrics.joint.file_non_graded",
        empty="metrics.empty.non_graded_tasks",
    )
with tabs[4]:
    st.caption(t("metrics.joint.partners_help"))
    metric_table(
        joint.partner_departments(cur, scope),
        "joint_partners",
        "metrics.joint.file_partners",
        empty="metrics.empty.partner_departments",
        empty_ok=False,
    )
cur.close()
