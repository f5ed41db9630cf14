"""基础与质量 — readiness of 一单两库, signs of perfunctory work, and the breaches of the working rules that
imports store as warnings (entered / published before the inspection, results on voided tasks, teams below
the minimum, results for targets not drawn), each with its count and list."""

from dashboard.ui import page_setup

scope = page_setup("quality")

import streamlit as st  # noqa: E402

from dashboard.metrics import quality  # noqa: E402
from dashboard.metrics.base import setting  # noqa: E402
from dashboard.ui import get_store, t  # noqa: E402
from dashboard.ui.kpi_view import Table, metric_table, scope_line, table_tabs  # noqa: E402

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
    cols[i % 4].metric(t(f"supervision.quality.{key}"), f"{value:,}")

P_VALUE = {"p值": st.column_config.NumberColumn(format="%.2e")}


def low_rates() -> None:
    st.caption(t("supervision.quality.low_help", alpha=setting(cur, "quality.low_rate_alpha")))
    rates = quality.inspector_finding_rates(cur, scope)
    low = rates[rates["结论"] == "显著偏低"].sort_values("p值").reset_index(drop=True)
    metric_table(
        low,
        "q_low",
        "supervision.quality.file_low",
        column_config=P_VALUE,
        empty="metrics.empty.q_low",
    )
    with st.expander(t("supervision.quality.all_rates")):
        metric_table(rates, "q_rates", "supervision.quality.file_rates", column_config=P_VALUE)


def bulk_notes():
    n = st.number_input(
        t("supervision.quality.bulk_min"),
        min_value=2,
        max_value=100,
        value=int(setting(cur, "quality.bulk_identical_notes")),
        step=1,
        key="q_bulk_min",
    )
    return quality.bulk_identical_notes_rows(cur, scope, int(n))


table_tabs(
    [
        (
            "supervision.quality.tab_items",
            Table(
                "q_items",
                "supervision.quality.file_items",
                lambda: quality.items_without_owner(cur, scope),
                empty="metrics.empty.q_items",
            ),
        ),
        (
            "supervision.quality.tab_checklist",
            Table(
                "q_checklist",
                "supervision.quality.file_checklist",
                lambda: quality.checklist_not_ready(cur, scope),
                empty="metrics.empty.q_checklist",
            ),
        ),
        (
            "supervision.quality.tab_entities",
            Table(
                "q_entities",
                "supervision.quality.file_entities",
                lambda: quality.entity_problems(cur, scope),
                empty="metrics.empty.q_entities",
            ),
        ),
        (
            "supervision.quality.tab_inspectors",
            Table(
                "q_inspectors",
                "supervision.quality.file_inspectors",
                lambda: quality.inspector_problems(cur, scope),
                empty="metrics.empty.q_inspectors",
            ),
        ),
        (
            "supervision.quality.tab_findings",
            Table(
                "q_findings",
                "supervision.quality.file_findings",
                lambda: quality.inspections_with_findings_rows(cur, scope),
                help="supervision.quality.findings_help",
                empty="metrics.empty.q_findings",
                empty_ok=False,
            ),
        ),
        ("supervision.quality.tab_low", low_rates),
        (
            "supervision.quality.tab_pub",
            Table(
                "q_pub",
                "supervision.quality.file_pub",
                lambda: quality.published_before_entry(cur, scope),
                empty="metrics.empty.q_pub",
            ),
        ),
        (
            "supervision.quality.tab_bulk",
            Table(
                "q_bulk",
                "supervision.quality.file_bulk",
                bulk_notes,
                empty="metrics.empty.q_bulk",
                help="supervision.quality.bulk_help",
            ),
        ),
    ]
)

# Breaches of the working rules that imports store as warnings: the count on each card is its list's length.
st.subheader(t("supervision.quality.rules"), help=t("supervision.quality.rules_help"))
scope_text = scope_line(cur, scope)
st.caption(scope_text)
breaches = quality.rule_breaches(cur, scope)
cols = st.columns(len(breaches))
for col, (key, df) in zip(cols, breaches.items(), strict=True):
    col.metric(t(f"supervision.quality.{key}"), len(df))
table_tabs(
    [
        (
            f"supervision.quality.{key}",
            Table(
                f"q_{key}",
                f"supervision.quality.file_{key}",
                df,
                help=f"supervision.quality.help_{key}",
                help_args={"scope": scope_text},
                empty="metrics.empty.rule_breach",
            ),
        )
        for key, df in breaches.items()
    ]
)
cur.close()
