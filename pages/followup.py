"""后续处理 — the office's oversight under the sidebar scope (findings whose follow-up record is missing:
the followup_missing KPI and its list; follow-ups due soon), then the work list: open follow-ups per unit
with due dates and working days left; record measures, closure and backfill (late backfill allowed but
flagged) (issue #5)."""

from dashboard.ui import page_setup

scope = page_setup("followup")

from datetime import date  # noqa: E402

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from dashboard.domain.codes import FOLLOWUP_MEASURES  # noqa: E402
from dashboard.entry import rules, service  # noqa: E402
from dashboard.metrics import due_soon  # noqa: E402
from dashboard.metrics import followup as fu_metrics  # noqa: E402
from dashboard.metrics.kpi import compute_kpis  # noqa: E402
from dashboard.metrics.kpi import limits as kpi_limits  # noqa: E402
from dashboard.ui import current_user, download_buttons, error, get_store, t  # noqa: E402
from dashboard.ui.components import SHOWN_ROWS  # noqa: E402
from dashboard.ui.kpi_view import (  # noqa: E402
    Table,
    due_soon_caption,
    kpi_cards,
    scope_line,
    show_table,
    units_text,
)

store = get_store()
user = current_user()
today = date.today()
FLASH = "followup.flash"
LOADED = "followup.loaded"

st.title(t("entry.fu.title"))
lim = service.limits(store)
st.caption(t("entry.fu.caption", limit=lim["backfill_limit"]))
flash = st.session_state.pop(FLASH, None)
if flash:
    (st.success if flash[0] == "ok" else st.warning)(flash[1])

st.subheader(t("metrics.followup.oversight"))
cur = store.cursor()
st.caption(scope_line(cur, scope))
kpi_cards(
    compute_kpis(cur, scope),
    ["followup_missing"],
    numbers=kpi_limits(cur),
    key_prefix="fu_kpi",
    per_row=3,
)
missing = fu_metrics.missing_followups(cur, scope)
soon = due_soon.followups_due_soon(cur, scope)
tab_missing, tab_soon = st.tabs(
    [
        t("metrics.followup.missing_tab", n=len(missing)),
        t("metrics.followup.soon_tab", n=len(soon)),
    ]
)
with tab_missing:
    show_table(
        Table(
            "fu_missing",
            "metrics.followup.file_missing",
            missing,
            help="metrics.followup.missing_help",
            empty="metrics.empty.followup_missing",
        )
    )
with tab_soon:
    st.caption(due_soon_caption(cur, scope))
    show_table(
        Table(
            "fu_soon",
            "metrics.due_soon.file_followups",
            soon,
            help="metrics.due_soon.followups_help",
            empty="metrics.empty.followups_due_soon",
        )
    )
work_units = units_text(cur, scope)
cur.close()

st.subheader(t("metrics.followup.work"))
st.caption(t("metrics.followup.work_scope", today=today.isoformat(), units=work_units))
df = service.followups_for(store, user, today)
if scope.unit:  # the sidebar's unit filter: that unit's follow-ups
    df = df[df["responsible_unit"] == scope.unit].reset_index(drop=True)
overdue = int((df["state"] == "逾期未完结").sum())
backfill_overdue = int((df["state"] == "完结未回填（已逾期）").sum())
c1, c2, c3 = st.columns(3)
c1.metric(t("entry.fu.open"), len(df))
c2.metric(t("entry.fu.overdue"), overdue)
c3.metric(t("entry.fu.backfill_overdue"), backfill_overdue)

if df.empty:
    st.info(t("entry.fu.none"))
    st.stop()

st.markdown(f"**{t('entry.fu.by_unit')}**")
summary = service.followup_summary(df, service.unit_names(store))
st.dataframe(
    summary.rename(columns=lambda c: t(f"entry.fu.sum.{c}")), hide_index=True, key="fu_summary"
)
st.markdown(f"**{t('entry.fu.list')}**")

shown = df[
    ["state", "task_code", "entity_code", "name", "responsible_unit", "measure_code",
     "inspected_on", "due_on", "workdays_left", "closed_on", "backfill_deadline", "backfilled_on"]
]  # fmt: skip
shown = shown.rename(columns=lambda c: t(f"entry.fu.col.{c}")).copy()
state_col = t("entry.fu.col.state")


def _highlight(frame: pd.DataFrame) -> pd.DataFrame:  # one vectorised pass (issue 17)
    state = frame[state_col].astype(str)
    late = state.str.startswith("逾期") | state.str.contains("已逾期", regex=False)
    styles = pd.DataFrame("", index=frame.index, columns=frame.columns)
    styles.loc[late, :] = "background-color: #fdecee; color: #cf222e"
    return styles


DATE_COLS = ("inspected_on", "due_on", "closed_on", "backfill_deadline", "backfilled_on")
for col in [t(f"entry.fu.col.{c}") for c in DATE_COLS]:
    shown[col] = pd.to_datetime(shown[col]).dt.strftime("%Y-%m-%d").fillna("")
left_col = t("entry.fu.col.workdays_left")
shown[left_col] = pd.to_numeric(shown[left_col]).astype("Int64")
on_screen = shown.head(SHOWN_ROWS)  # the first rows on screen, every row in the download
if len(on_screen) < len(shown):
    st.caption(t("common.table.first_rows", shown=len(on_screen), total=len(shown)))
st.dataframe(
    on_screen.style.apply(_highlight, axis=None), hide_index=True, width="stretch", key="fu_table"
)
download_buttons(shown, t("entry.fu.file"), key="fu_dl")

writable = service.writable_followups(store, user, df)  # (task, entity, name): one query
if not writable:
    st.info(t("entry.fu.readonly"))
    st.stop()

st.subheader(t("entry.fu.record"))
labels = {f"{a}/{b}": f"{a} / {b} {name}" for a, b, name in writable}
pick = st.selectbox(t("entry.fu.pick"), list(labels), format_func=labels.get, key="fu_pick")
task_code, entity_code = pick.split("/", 1)
old = service.stored_followup(store, task_code, entity_code)
if st.session_state.get(LOADED) != pick:
    st.session_state["fu_measure"] = old.get("measure_code")
    st.session_state["fu_note"] = old.get("measure_note") or ""
    st.session_state["fu_due"] = service._date(old.get("due_on"))
    st.session_state["fu_closed"] = service._date(old.get("closed_on"))
    # never pre-filled with today (issue 12): empty until the backfill is really done
    st.session_state["fu_backfilled"] = service._date(old.get("backfilled_on"))
    st.session_state["fu_reason"] = ""
    st.session_state[LOADED] = pick

with st.form("fu_form"):
    a, b = st.columns(2)
    a.selectbox(
        t("entry.fu.measure"),
        list(FOLLOWUP_MEASURES),
        format_func=lambda m: f"{m} {FOLLOWUP_MEASURES[m]}",
        key="fu_measure",
        placeholder=t("entry.choose"),
    )
    b.date_input(t("entry.fu.due"), key="fu_due", format="YYYY-MM-DD")
    st.text_area(t("entry.fu.note"), key="fu_note", height=68)
    a, b = st.columns(2)
    a.date_input(t("entry.fu.closed"), key="fu_closed", format="YYYY-MM-DD")
    b.date_input(t("entry.fu.backfilled"), key="fu_backfilled", format="YYYY-MM-DD",
                 help=t("entry.fu.backfilled_help", limit=lim["backfill_limit"]))  # fmt: skip
    st.text_input(t("entry.fu.reason"), key="fu_reason")
    submitted = st.form_submit_button(t("entry.save"), type="primary", key="fu_submit")

if submitted:
    ss = st.session_state
    fu = service.followup_input(
        old,
        measure_code=ss["fu_measure"],
        measure_note=ss["fu_note"].strip() or None,
        due_on=ss["fu_due"],
        closed_on=ss["fu_closed"],
        backfilled_on=ss["fu_backfilled"] if ss["fu_closed"] else None,
    )
    try:
        result = service.save_followup(
            store, user, fu, reason=ss["fu_reason"].strip() or None, today=today
        )
    except service.EntryError as exc:
        error(str(exc))
        for issue in exc.issues:
            (st.error if issue.is_error else st.warning)(
                f"{rules.FIELD_LABELS.get(issue.field, issue.field)}：{issue.message}"
            )
    else:
        text = " ".join(
            [t(f"entry.saved.{result.action}", target=pick)] + [w.message for w in result.warnings]
        )
        st.session_state[FLASH] = ("warn" if result.warnings else "ok", text)
        st.session_state.pop(LOADED, None)
        st.rerun()
