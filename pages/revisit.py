"""回访 — draw return visits with the verifiable draw engine (strata = units), record the outcome
(整改到位/未到位/无法核实) and show the return-visit rate (issue #5)."""

from dashboard.ui import page_setup

scope = page_setup("revisit")

from datetime import date  # noqa: E402

import streamlit as st  # noqa: E402

from dashboard import draw  # noqa: E402
from dashboard.domain.codes import REVISIT_RESULTS  # noqa: E402
from dashboard.entry import rules, service  # noqa: E402
from dashboard.ui import current_user, data_table, error, get_store, t  # noqa: E402

store = get_store()
user = current_user()
today = date.today()
PREVIEW = "revisit.preview"
FLASH = "revisit.flash"

st.title(t("entry.rv.title"))
st.caption(t("entry.rv.caption"))
flash = st.session_state.pop(FLASH, None)
if flash:
    st.success(flash)

# -- 1. the rate --------------------------------------------------------------------------------------
rate = service.revisit_rate(store, scope.year, scope.unit_filter)
c1, c2, c3, c4 = st.columns(4)
c1.metric(
    t("entry.rv.rate", year=scope.year),
    "—" if rate["rate"] is None else f"{rate['rate']:.1%}",
    help=t("entry.rv.rate_help"),
)
c2.metric(t("entry.rv.closed"), rate["closed"])
c3.metric(t("entry.rv.revisited"), rate["revisited"])
c4.metric(t("entry.rv.not_ok"), rate["未到位"])

# -- 2. the draw (the office) ------------------------------------------------------------------------
if user.is_admin:
    with st.expander(t("entry.rv.draw_title"), expanded=False):
        with st.form("rv_draw_form"):
            a, b, c = st.columns(3)
            batch = a.text_input(t("entry.rv.batch"), value=f"HF{today:%Y%m%d}", key="rv_batch")
            ratio = b.text_input(t("entry.rv.ratio"), value="0.2", key="rv_ratio")
            draw_date = c.date_input(
                t("entry.rv.date"), value=today, key="rv_date", format="YYYY-MM-DD"
            )
            do_preview = st.form_submit_button(t("entry.rv.preview"), key="rv_preview")
        if do_preview:
            try:
                st.session_state[PREVIEW] = (
                    draw.revisit_preview(store, batch, draw_date, ratio),
                    ratio,
                )
            except draw.DrawError as exc:
                error(str(exc))
        prev, prev_ratio = st.session_state.get(PREVIEW) or (None, None)
        if prev is not None:
            st.caption(
                t(
                    "entry.rv.pool",
                    n=prev.pool_size,
                    total=prev.total_size,
                    hash=prev.pool_hash[:16],
                )
            )
            st.dataframe(
                prev.strata_df().rename(columns=lambda c: t(f"entry.rv.strata.{c}")),
                hide_index=True,
            )
            for w in prev.warnings:
                st.warning(w)
            with st.form("rv_run_form"):
                public = st.text_input(
                    t("entry.rv.public"), key="rv_public", help=t("entry.rv.public_help")
                )
                witnesses = st.text_input(t("entry.rv.witnesses"), key="rv_witnesses")
                run = st.form_submit_button(t("entry.rv.run"), type="primary", key="rv_run")
            if run:
                try:
                    rec = draw.run_revisit_draw(
                        store, prev.task_code, public, operator=user.username,
                        draw_date=prev.draw_date,
                        ratios=prev_ratio,
                        witnesses=[w for w in witnesses.replace("，", ",").split(",") if w.strip()],
                        expected_pool_hash=prev.pool_hash, previewed=prev,
                    )  # fmt: skip
                except draw.DrawError as exc:
                    error(str(exc))
                else:
                    st.session_state.pop(PREVIEW, None)
                    st.session_state[FLASH] = t(
                        "entry.rv.drawn", draw_id=rec["draw_id"], n=len(rec["selections"])
                    )
                    st.rerun()

# -- 3. record outcomes ------------------------------------------------------------------------------
st.subheader(t("entry.rv.record_title"))
draws = service.revisit_draws(store)
if draws.empty:
    st.info(t("entry.rv.no_draws"))
    st.stop()
labels = {
    r.draw_id: f"{r.batch}（{r.draw_date}，{r.selected} {t('entry.rv.items')}）"
    for r in draws.itertuples()
}
draw_id = st.selectbox(t("entry.rv.pick_draw"), list(labels), format_func=labels.get, key="rv_draw")
targets = service.revisit_targets(store, draw_id, user)
data_table(
    targets.rename(columns=lambda c: t(f"entry.rv.col.{c}")),
    key="rv_targets",
    download_basename=t("entry.rv.file"),
    column_config={
        t(f"entry.rv.col.{c}"): st.column_config.DateColumn(format="YYYY-MM-DD")
        for c in ("closed_on", "revisit_on")
    },
)
writable = [
    f"{r.task_code}/{r.entity_code}"
    for r in targets.itertuples()
    if service.can_write_task(user, service.followup_units(store, r.task_code, r.unit_code))
]
if not writable:
    st.info(t("entry.rv.readonly"))
    st.stop()
recorded = {
    f"{r.task_code}/{r.entity_code}"
    for r in targets.itertuples()
    if isinstance(r.revisit_result, str)
}
pending = [w for w in writable if w not in recorded]
with st.form("rv_form"):
    pick = st.selectbox(
        t("entry.rv.pick"),
        writable,
        index=writable.index(pending[0]) if pending else 0,
        key="rv_pick",
    )
    a, b = st.columns(2)
    visit_on = a.date_input(
        t("entry.rv.visit_on"), value=today, key="rv_visit_on", format="YYYY-MM-DD"
    )
    outcome = b.radio(
        t("entry.rv.outcome"), list(REVISIT_RESULTS), key="rv_outcome", horizontal=True
    )
    submitted = st.form_submit_button(t("entry.save"), type="primary", key="rv_submit")
if submitted:
    task_code, entity_code = pick.split("/", 1)
    try:
        service.record_revisit(store, user, task_code, entity_code, visit_on, outcome, today=today)
    except service.EntryError as exc:
        error(str(exc))
        for issue in exc.issues:
            st.error(f"{rules.FIELD_LABELS.get(issue.field, issue.field)}：{issue.message}")
    else:
        st.session_state[FLASH] = t("entry.saved.update", target=pick)
        st.rerun()
