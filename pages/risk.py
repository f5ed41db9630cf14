"""风险预警 — credit-risk warnings with why each fired, whether the entity is already in a task, score history."""

from dashboard.ui import page_setup

scope = page_setup("risk")

import streamlit as st  # noqa: E402

from dashboard.metrics import risk  # noqa: E402
from dashboard.metrics.base import setting  # noqa: E402
from dashboard.ui import bar, data_table, get_store, line, show_chart, t  # noqa: E402

store = get_store()
cur = store.cursor()

st.title(t("supervision.risk.title"))
st.caption(t("supervision.common.scope_caption", year=scope.year, as_of=scope.as_of.isoformat()))
st.info(t("supervision.risk.intro"))

warnings = risk.warnings(cur, scope)
counts = risk.warning_counts(cur, scope, warnings)

st.subheader(t("supervision.risk.counts"))
show_chart(bar(counts, "预警类型", "预警数", text="预警数"), key="risk_counts_chart")

st.subheader(t("supervision.risk.list"))
left, right = st.columns([3, 1])
kinds = left.multiselect(
    t("supervision.risk.kinds"),
    list(risk.WARNING_KINDS),
    default=list(risk.WARNING_KINDS),
    key="risk_kinds",
)
only_open = right.checkbox(t("supervision.risk.only_open"), key="risk_only_open")
shown = warnings[warnings["预警类型"].isin(kinds)]
if only_open:
    shown = shown[shown["已在任务中"] == "否"]
data_table(
    shown.reset_index(drop=True),
    key="risk_list",
    download_basename=t("supervision.risk.file"),
    empty=t("metrics.empty.risk_warnings"),
    empty_ok=True,
)

st.subheader(t("supervision.risk.history"))
codes = list(dict.fromkeys(shown["主体编码"]))
if codes:
    names = dict(zip(shown["主体编码"], shown["名称"], strict=True))
    code = st.selectbox(
        t("supervision.risk.pick"),
        codes,
        format_func=lambda c: f"{c}　{names.get(c) or ''}",
        key="risk_pick",
    )
    history = risk.score_history(cur, code, scope)
    if history.empty:
        st.info(t("supervision.risk.no_history"))
    else:
        fig = line(history, "月份", "风险指数")
        fig.update_traces(
            text=history["等级"], textposition="top center", mode="lines+markers+text"
        )
        fig.update_yaxes(range=[0, 100])
        show_chart(fig, key="risk_history_chart")

st.caption(
    t(
        "supervision.risk.rules",
        jump=setting(cur, "risk.score_jump"),
        days=setting(cur, "risk.uninspected_days"),
        expiry=setting(cur, "risk.licence_expiry_days"),
        repeated=setting(cur, "risk.repeated_findings"),
    )
)
cur.close()
