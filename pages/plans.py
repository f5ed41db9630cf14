"""计划执行 — plans against tasks against inspections, adjustments, voided plans and tasks, tasks past end."""

from dashboard.ui import page_setup

scope = page_setup("plans")

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from dashboard.metrics import plans  # noqa: E402
from dashboard.ui import bar, get_store, line, show_chart, t  # noqa: E402
from dashboard.ui.kpi_view import Table, table_tabs  # noqa: E402

store = get_store()
cur = store.cursor()

st.title(t("supervision.plans.title"))
st.caption(t("supervision.common.scope_caption", year=scope.year, as_of=scope.as_of.isoformat()))


def unit_chart(df: pd.DataFrame) -> None:
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


def month_chart(df: pd.DataFrame) -> None:
    fig = line(
        df, "月份", "累计检查户次", color="单位名称", title=t("supervision.plans.cumulative")
    )
    show_chart(fig, key="plans_month_chart")


def adjustments() -> pd.DataFrame:
    pending = st.checkbox(t("supervision.plans.only_pending"), key="plans_only_pending")
    return plans.adjustments(cur, scope, only_not_republished=pending)


table_tabs(
    [
        (
            "supervision.plans.by_unit",
            Table(
                "plans_unit",
                "supervision.plans.file_unit",
                lambda: plans.execution_by_unit(cur, scope),
                help="supervision.plans.unit_help",
                chart=unit_chart,
            ),
        ),
        (
            "supervision.plans.by_month",
            Table(
                "plans_month",
                "supervision.plans.file_month",
                lambda: plans.execution_by_month(cur, scope),
                chart=month_chart,
            ),
        ),
        (
            "supervision.plans.adjustments",
            Table(
                "plans_adjust",
                "supervision.plans.file_adjust",
                adjustments,
                empty="metrics.empty.plans_adjust",
                empty_ok=False,
                help="supervision.plans.adjust_help",
            ),
        ),
        (
            "supervision.plans.voided_plans",
            Table(
                "plans_voided",
                "supervision.plans.file_voided_plans",
                lambda: plans.voided_plans(cur, scope),
                empty="metrics.empty.plans_voided",
                empty_ok=False,
            ),
        ),
        (
            "supervision.plans.voided_tasks",
            Table(
                "plans_voided_tasks",
                "supervision.plans.file_voided_tasks",
                lambda: plans.voided_tasks(cur, scope),
                empty="metrics.empty.plans_voided_tasks",
                empty_ok=False,
            ),
        ),
        (
            "supervision.plans.past_end",
            Table(
                "plans_past_end",
                "supervision.plans.file_past_end",
                lambda: plans.tasks_past_end_without_results(cur, scope),
                empty="metrics.empty.plans_past_end",
                help="supervision.plans.past_end_help",
            ),
        ),
    ]
)
cur.close()
