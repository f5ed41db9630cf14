"""联合抽查 — joint shares by kind and unit, non-joint tasks, tasks without risk grades, partners."""

from dashboard.ui import page_setup

scope = page_setup("joint")

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from dashboard.metrics import joint  # noqa: E402
from dashboard.metrics.kpi import (  # noqa: E402
    compute_kpis,
    format_fraction,
    format_target,
    format_value,
    limits,
)
from dashboard.ui import bar, data_table, get_store, kpi_card, show_chart, t  # noqa: E402

store = get_store()
cur = store.cursor()
kpis = compute_kpis(cur, scope)
numbers = limits(cur)


def table(df: pd.DataFrame, key: str, file_key: str) -> None:
    config = {
        c: st.column_config.NumberColumn(format="percent")
        for c in df.columns
        if c.endswith("率") or c.endswith("占比")
    }
    data_table(df, key=key, download_basename=t(file_key), column_config=config)


st.title(t("metrics.joint.title"))
st.caption(t("metrics.common.scope_caption", year=scope.year, as_of=scope.as_of.isoformat()))

KEYS = ("joint_task_share", "joint_household_share", "risk_graded_share")
for col, key in zip(st.columns(len(KEYS)), KEYS, strict=True):
    k = kpis[key]
    with col:
        kpi_card(
            t(f"metrics.kpi.{key}"),
            format_value(k.kind, k.value),
            format_target(k.kind, k.target),
            k.status,
            t("metrics.common.fraction", value=format_fraction(k)),
            help=t(f"metrics.def.{key}", **numbers),
            key=f"joint_kpi_{key}",
        )

tabs = st.tabs(
    [
        t("metrics.joint.by_unit"),
        t("metrics.joint.by_kind"),
        t("metrics.joint.non_joint"),
        t("metrics.joint.non_graded"),
        t("metrics.joint.partners"),
    ]
)
with tabs[0]:
    st.caption(t("metrics.joint.by_unit_help"))
    df = joint.joint_by_unit(cur, scope)
    if not df.empty:
        fig = bar(df, "单位", ["次数占比", "户数占比"], barmode="group")
        fig.update_yaxes(tickformat=".0%")
        show_chart(fig, key="joint_unit_chart")
    table(df, "joint_unit", "metrics.joint.file_unit")
with tabs[1]:
    table(joint.joint_by_kind(cur, scope), "joint_kind", "metrics.joint.file_kind")
with tabs[2]:
    table(joint.non_joint_tasks(cur, scope), "joint_non_joint", "metrics.joint.file_non_joint")
with tabs[3]:
    table(
        joint.non_risk_graded_tasks(cur, scope), "joint_non_graded", "metrics.joint.file_non_graded"
    )
with tabs[4]:
    st.caption(t("metrics.joint.partners_help"))
    table(joint.partner_departments(cur, scope), "joint_partners", "metrics.joint.file_partners")
cur.close()
