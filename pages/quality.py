"""基础与质量 — readiness of 一单两库 and signs of perfunctory work."""

from dashboard.ui import page_setup

scope = page_setup("quality")

import streamlit as st  # noqa: E402

from dashboard.metrics import quality  # noqa: E402
from dashboard.metrics.base import setting  # noqa: E402
from dashboard.ui import data_table, get_store, t  # noqa: E402

store = get_store()
cur = store.cursor()

st.title(t("supervision.quality.title"))
st.caption(t("supervision.common.scope_caption", year=scope.year, as_of=scope.as_of.isoformat()))

r = quality.readiness(cur, scope)
cards = [
    ("items", r.items),
    ("items_no_owner", r.items_without_owner),
    ("entities", r.entities),
    ("untagged", r.entities_untagged),
    ("bad_codes", r.entities_bad_code),
    ("inspectors", r.inspectors),
    ("inspector_problems", r.inspectors_problem),
    ("checklist", r.tasks_checklist_not_ready),
]
cols = st.columns(4)
for i, (key, value) in enumerate(cards):
    cols[i % 4].metric(t(f"supervision.quality.{key}"), value)

tabs = st.tabs(
    [
        t("supervision.quality.tab_items"),
        t("supervision.quality.tab_checklist"),
        t("supervision.quality.tab_entities"),
        t("supervision.quality.tab_inspectors"),
        t("supervision.quality.tab_low"),
        t("supervision.quality.tab_pub"),
        t("supervision.quality.tab_bulk"),
        t("supervision.quality.tab_entered"),
    ]
)
with tabs[0]:
    data_table(
        quality.items_without_owner(cur, scope),
        key="q_items",
        download_basename=t("supervision.quality.file_items"),
    )
with tabs[1]:
    data_table(
        quality.checklist_not_ready(cur, scope),
        key="q_checklist",
        download_basename=t("supervision.quality.file_checklist"),
    )
with tabs[2]:
    data_table(
        quality.entity_problems(cur, scope),
        key="q_entities",
        download_basename=t("supervision.quality.file_entities"),
    )
with tabs[3]:
    data_table(
        quality.inspector_problems(cur, scope),
        key="q_inspectors",
        download_basename=t("supervision.quality.file_inspectors"),
    )
with tabs[4]:
    st.caption(t("supervision.quality.low_help", alpha=setting(cur, "quality.low_rate_alpha")))
    rates = quality.inspector_finding_rates(cur, scope)
    pct = {
        c: st.column_config.NumberColumn(format="percent")
        for c in ("问题发现率", "本单位其他发现率")
    } | {"p值": st.column_config.NumberColumn(format="%.2e")}
    low = rates[rates["结论"] == "显著偏低"].sort_values("p值").reset_index(drop=True)
    data_table(
        low, key="q_low", download_basename=t("supervision.quality.file_low"), column_config=pct
    )
    with st.expander(t("supervision.quality.all_rates")):
        data_table(
            rates,
            key="q_rates",
            download_basename=t("supervision.quality.file_rates"),
            column_config=pct,
        )
with tabs[5]:
    data_table(
        quality.published_before_entry(cur, scope),
        key="q_pub",
        download_basename=t("supervision.quality.file_pub"),
    )
with tabs[6]:
    st.caption(t("supervision.quality.bulk_help"))
    n = st.number_input(
        t("supervision.quality.bulk_min"),
        min_value=2,
        max_value=100,
        value=int(setting(cur, "quality.bulk_identical_notes")),
        step=1,
        key="q_bulk_min",
    )
    data_table(
        quality.bulk_identical_notes(cur, scope, int(n)),
        key="q_bulk",
        download_basename=t("supervision.quality.file_bulk"),
    )
with tabs[7]:
    check = quality.entered_before_inspection(cur, scope)
    st.metric(t("supervision.quality.entered_count"), check.count)
    st.caption(check.explanation_zh)
cur.close()
