"""单位排名 — the configurable unit scorecard (weights editable, ranking recomputed) and the 通报 download."""

from dashboard.ui import page_setup

scope = page_setup("ranking")

import streamlit as st  # noqa: E402

from dashboard.metrics import registers, scorecard  # noqa: E402
from dashboard.reports.notice import notice_xlsx  # noqa: E402
from dashboard.ui import XLSX_MIME, bar, data_table, error, get_store, show_chart, t  # noqa: E402

store = get_store()

st.title(t("supervision.ranking.title"))
st.caption(t("supervision.common.scope_caption", year=scope.year, as_of=scope.as_of.isoformat()))

weights: dict[str, float] = {}
with st.expander(t("supervision.ranking.weights"), expanded=False):
    st.caption(t("supervision.ranking.weights_help"))
    st.caption(t("supervision.ranking.formula"))
    configured = scorecard.configured_weights(store)  # the settings weight.* (系统设置)
    cols = st.columns(4)
    for i, (key, (label, _default)) in enumerate(scorecard.INDICATORS.items()):
        weights[key] = cols[i % 4].number_input(
            label,
            min_value=0.0,
            max_value=100.0,
            value=float(configured[key]),
            step=5.0,
            key=f"rank_w_{key}",
        )


@st.cache_data(ttl=600, show_spinner=False)
def unit_indicators(_store, scope, data_version: int):
    """The per-unit indicator values: the slow part, cached until the data changes."""
    return scorecard.unit_indicators(_store, scope)


indicators = unit_indicators(store, scope, store.data_version())
try:
    board = scorecard.scorecard(store, scope, weights, indicators=indicators)
except scorecard.WeightError as exc:
    error(str(exc))
    st.stop()

if not board.empty:
    fig = bar(board, "单位名称", "总分", text="总分", title=t("supervision.ranking.chart"))
    fig.update_yaxes(range=[0, 100])
    show_chart(fig, key="rank_chart")
    config = {
        label: st.column_config.NumberColumn(format="percent")
        for label in scorecard.LABELS.values()
    } | {
        c: st.column_config.NumberColumn(format="%.2f")
        for c in board.columns
        if c == "总分" or c.endswith("扣分")
    }
    data_table(
        board,
        key="rank_table",
        download_basename=t("supervision.ranking.file"),
        column_config=config,
    )
    st.download_button(
        t("supervision.ranking.notice"),
        data=notice_xlsx(board, scope, weights, registers=registers.by_unit(store, scope)),
        file_name=f"{t('supervision.ranking.notice_file')}_{scope.year}.xlsx",
        mime=XLSX_MIME,
        key="rank_notice",
        icon=":material/download:",
        on_click="ignore",
    )
else:
    st.info(t("common.table.empty"))
st.caption(t("supervision.ranking.rules"))
