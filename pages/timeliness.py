"""时效监督 — entry, publication, follow-up and backfill on time; late and overdue lists per unit."""

from dashboard.ui import page_setup

scope = page_setup("timeliness")

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from dashboard.metrics import followup, timeliness  # noqa: E402
from dashboard.metrics.kpi import (  # noqa: E402
    compute_kpis,
    format_fraction,
    format_target,
    format_value,
    limits,
)
from dashboard.ui import data_table, get_store, kpi_card, t  # noqa: E402

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
for start in range(0, len(KEYS), 3):
    for col, key in zip(st.columns(3), KEYS[start : start + 3], strict=True):
        k = kpis[key]
        with col:
            kpi_card(
                t(f"metrics.kpi.{key}"),
                format_value(k.kind, k.value),
                format_target(k.kind, k.target),
                k.status,
                t("metrics.common.fraction", value=format_fraction(k))
                if k.kind == "ratio"
                else t("metrics.common.count", value=k.numerator),
                help=t(f"metrics.def.{key}", **numbers),
                key=f"time_kpi_{key}",
            )

tabs = st.tabs(
    [
        t("metrics.timeliness.by_unit"),
        t("metrics.timeliness.late_entries"),
        t("metrics.timeliness.entries_overdue"),
        t("metrics.timeliness.late_publications"),
        t("metrics.timeliness.followup_overdue"),
        t("metrics.timeliness.backfill"),
    ]
)
with tabs[0]:
    st.caption(t("metrics.timeliness.by_unit_help"))
    table(timeliness.timeliness_by_unit(cur, scope), "time_unit", "metrics.timeliness.file_unit")
with tabs[1]:
    st.caption(t("metrics.timeliness.late_help", **numbers))
    table(timeliness.late_entries(cur, scope), "time_late", "metrics.timeliness.file_late")
with tabs[2]:
    st.caption(t("metrics.timeliness.overdue_help"))
    table(timeliness.entries_overdue(cur, scope), "time_overdue", "metrics.timeliness.file_overdue")
with tabs[3]:
    st.caption(t("metrics.timeliness.publication_help"))
    table(
        timeliness.late_publications(cur, scope), "time_pub", "metrics.timeliness.file_publication"
    )
with tabs[4]:
    st.caption(t("metrics.timeliness.followup_help"))
    table(followup.overdue_followups(cur, scope), "time_fu", "metrics.timeliness.file_followup")
with tabs[5]:
    st.caption(t("metrics.timeliness.backfill_help", **numbers))
    table(
        followup.backfill_problems(cur, scope), "time_backfill", "metrics.timeliness.file_backfill"
    )
cur.close()
