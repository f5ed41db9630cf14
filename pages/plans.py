"""计划执行 — plans against tasks against inspections, adjustments, voided plans and tasks, tasks past end."""

from dashboard.ui import page_setup

scope = page_setup("plans")

import streamlit as st  # noqa: E402

from dashboard.metrics import plans  # noqa: E402
from dashboard.ui import bar, data_table, get_store, line, show_chart, t  # noqa: E402

store = get_store()
cur = store.cursor()

st.title(t("supervision.plans.title"))
st.caption(t("supervision.common.scope_caption", year=scope.year, as_of=scope.as_of.isoformat()))

PERCENT = {"计划完成率": st.column_config.NumberColumn(format="percent")}

tabs = st.tabs(
    [
        t("supervision.plans.by_unit"),
        t("supervision.plans.by_month"),
        t("supervision.plans.adjustments"),
        t("supervision.plans.voided_plans"),
        t("supervision.plans.voided_tasks"),
        t("supervision.plans.past_end"),
    ]
)

with tabs[0]:
    st.caption(t("supervision.plans.unit_help"))
    df = plans.execution_by_unit(cur, scope)
    if not df.empty:
        long = df.melt(
            id_vars="单位名称",
            value_vars=["计划抽查户数", "计划内检查户次"],
            var_name="项目",
            value_name="户数",
        )
        fig = bar(
            long,
            "单位名称",
            "户数",
            color="项目",
            barmode="group",
            title=t("supervision.plans.planned_vs_done"),
        )
        show_chart(fig, key="plans_unit_chart")
    data_table(
        df,
        key="plans_unit",
        download_basename=t("supervision.plans.file_unit"),
        column_config=PERCENT,
    )

with tabs[1]:
    df = plans.execution_by_month(cur, scope)
    if not df.empty:
        fig = line(
            df, "月份", "累计检查户次", color="单位名称", title=t("supervision.plans.cumulative")
        )
        show_chart(fig, key="plans_month_chart")
    data_table(df, key="plans_month", download_basename=t("supervision.plans.file_month"))

with tabs[2]:
    st.caption(t("supervision.plans.adjust_help"))
    pending = st.checkbox(t("supervision.plans.only_pending"), key="plans_only_pending")
    data_table(
        plans.adjustments(cur, scope, only_not_republished=pending),
        key="plans_adjust",
        download_basename=t("supervision.plans.file_adjust"),
    )

with tabs[3]:
    data_table(
        plans.voided_plans(cur, scope),
        key="plans_voided",
        download_basename=t("supervision.plans.file_voided_plans"),
    )

with tabs[4]:
    data_table(
        plans.voided_tasks(cur, scope),
        key="plans_voided_tasks",
        download_basename=t("supervision.plans.file_voided_tasks"),
    )

with tabs[5]:
    st.caption(t("supervision.plans.past_end_help"))
    data_table(
        plans.tasks_past_end_without_results(cur, scope),
        key="plans_past_end",
        download_basename=t("supervision.plans.file_past_end"),
    )
cur.close()
