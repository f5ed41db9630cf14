"""指标说明 — the exact definition, target and kind of every KPI, and the rules they share."""

from dashboard.ui import page_setup

scope = page_setup("glossary", needs_scope=False)

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from dashboard.metrics.kpi import KINDS, KPI_KEYS, format_target, kpi_targets, limits  # noqa: E402
from dashboard.metrics.registers import LABELS_ZH as REGISTER_FIGURES  # noqa: E402
from dashboard.metrics.registers import penalty_limit as register_penalty_limit  # noqa: E402
from dashboard.ui import download_buttons, get_store, t  # noqa: E402

store = get_store()
cur = store.cursor()
numbers = limits(cur)
targets = kpi_targets(cur)
cur.close()

st.title(t("metrics.glossary.title"))
st.write(t("metrics.glossary.intro"))

table = pd.DataFrame(
    {
        t("metrics.glossary.col_kpi"): [t(f"metrics.kpi.{k}") for k in KPI_KEYS],
        t("metrics.glossary.col_definition"): [t(f"metrics.def.{k}", **numbers) for k in KPI_KEYS],
        t("metrics.glossary.col_target"): [
            format_target(KINDS[k], targets[k]) or t("metrics.common.no_target") for k in KPI_KEYS
        ],
        t("metrics.glossary.col_kind"): [
            t("metrics.glossary.kind_ratio")
            if KINDS[k] == "ratio"
            else t("metrics.glossary.kind_count")
            for k in KPI_KEYS
        ],
    }
)
for key in KPI_KEYS:
    st.markdown(f"**{t(f'metrics.kpi.{key}')}**")
    st.write(t(f"metrics.def.{key}", **numbers))
download_buttons(table, t("metrics.glossary.title"), key="glossary_table")

st.subheader(t("metrics.glossary.rules"))
for rule in (
    "tasks",
    "inspections",
    "followups",
    "workdays",
    "units",
    "zero",
    "status",
    "due_soon",
):
    st.markdown("- " + t(f"metrics.glossary.rule_{rule}", **numbers))

# the work registers' figures (DESIGN.md §8, dashboard.metrics.registers)
st.subheader(t("registers.glossary.title"))
st.write(t("registers.glossary.intro"))
penalty = register_penalty_limit(store)
for key in REGISTER_FIGURES:
    st.markdown(f"**{t(f'registers.figure.{key}')}**")
    st.write(t(f"registers.glossary.{key}", penalty=penalty))
