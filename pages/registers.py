"""工作台账 — the office's work registers (DESIGN.md §8): one tab per register with its figures per unit,
its problems and its entries (downloadable), and a form to add or correct an entry (a unit user for its
own units, the office for all; leaders and read-only users read)."""

from dashboard.ui import page_setup

scope = page_setup("registers")

import streamlit as st  # noqa: E402

from dashboard.metrics import registers as R  # noqa: E402
from dashboard.metrics.base import scope_units_text, setting  # noqa: E402
from dashboard.ui import current_user, data_table, get_store, t  # noqa: E402
from dashboard.ui.registers_form import followup_form, register_form  # noqa: E402

store = get_store()
user = current_user()
can_write = user.role in ("admin", "unit")
cur = store.cursor()

st.title(t("registers.title"))
st.caption(t("registers.caption"))
flash = st.session_state.pop("registers.flash", None)
if flash:
    st.success(flash, icon=":material/check_circle:")
st.caption(
    t(
        "registers.scope_note",
        year=scope.year,
        as_of=scope.as_of.isoformat(),
        units=scope_units_text(cur, scope),
    )
)
if not can_write:
    st.info(t("registers.read_only"), icon=":material/visibility:")

raw = R.by_unit_raw(cur, scope)
figures = R.figures(cur, scope, raw)
per_unit = R.by_unit(cur, scope, raw)


def cards(keys: list[str]) -> None:
    cols = st.columns(len(keys))
    for col, key in zip(cols, keys, strict=True):
        f = figures[key]
        if f.is_ratio:
            shown = "暂无数据" if f.value is None else f"{f.value:.1%}"
        else:
            shown = f"{f.value:,}"
        extra = (
            ""
            if f.denominator is None
            else t("registers.figure.of", num=f.numerator, den=f.denominator)
        )
        col.metric(t(f"registers.figure.{key}"), shown, help=extra.strip() or None)
        if extra:
            col.caption(extra.strip())


RATE_COLUMNS = ("执法人员参训率", "按时报送率")


def unit_table(columns: list[str], key: str) -> None:
    st.markdown(f"**{t('registers.by_unit')}**")
    rates = {
        c: st.column_config.NumberColumn(c, format="percent") for c in columns if c in RATE_COLUMNS
    }
    data_table(
        per_unit[["单位", *columns]],
        key=key,
        download_basename=f"{t('registers.title')}_{key}",
        column_config=rates or None,
    )


def problem(title: str, df, key: str) -> None:
    st.markdown(f"**{title}**")
    if df.empty:
        st.success(t("registers.problem.none"), icon=":material/check_circle:")
    else:
        data_table(df, key=key, download_basename=title[:20])


def form(table: str) -> None:
    if can_write:
        with st.expander(t("registers.form"), icon=":material/edit:"):
            register_form(store, user, table, key=f"form_{table}")


tabs = st.tabs([t(f"registers.tab.{k}") for k in (
    "trainings", "publicity", "submissions", "followups", "supervisions", "revisits"
)])  # fmt: skip
with tabs[0]:
    cards(["trainings", "trained_share"])
    unit_table(
        ["业务培训", "系统使用培训", "工作规范培训", "其他培训", "培训场次",
         "参训执法人员", "在岗执法人员", "执法人员参训率"],
        "reg_tr_units",
    )  # fmt: skip
    idle = per_unit[(per_unit["培训场次"] == 0)][["单位编码", "单位"]]
    problem(t("registers.problem.no_training"), idle, "reg_tr_idle")
    problem(
        t("registers.problem.untrained"), R.untrained_inspectors(cur, scope), "reg_tr_untrained"
    )
    st.markdown(f"**{t('registers.list')}**")
    data_table(
        R.trainings(cur, scope),
        key="reg_tr_list",
        download_basename="培训记录",
        empty=t("metrics.empty.reg_trainings"),
    )
    form("trainings")
with tabs[1]:
    cards(["publicity"])
    unit_table(["宣传报道"], "reg_pb_units")
    st.markdown(f"**{t('registers.list')}**")
    data_table(
        R.publicity(cur, scope),
        key="reg_pb_list",
        download_basename="宣传报道",
        empty=t("metrics.empty.reg_publicity"),
    )
    form("publicity")
with tabs[2]:
    cards(["reports_on_time", "reports_missing"])
    unit_table(
        ["信息联络员", "按时报送", "应报送", "按时报送率", "逾期报送", "逾期未报送"], "reg_sb_units"
    )
    liaisons = R.liaisons(cur, scope)
    problem(
        t("registers.problem.no_liaison"),
        liaisons[liaisons["信息联络员"].isna()][["单位编码", "单位"]],
        "reg_no_liaison",
    )
    st.markdown(f"**{t('registers.problem.submissions')}**")
    data_table(
        R.submissions(cur, scope),
        key="reg_sb_list",
        download_basename="信息报送",
        empty=t("metrics.empty.reg_submissions"),
    )
    form("submissions")
    form("liaisons")
with tabs[3]:
    cards(["transfers_incomplete", "penalties_late", "credit_missing"])
    unit_table(
        ["移送信息缺失", "应移送", "处罚公示超期", "未纳入信用记录", "处罚决定"], "reg_fu_units"
    )
    limit = int(setting(cur, "register.penalty_publish_workdays"))
    problem(
        t("registers.problem.transfer"), R.followup_problems(cur, scope, "transfer"), "reg_fu_tr"
    )
    problem(
        t("registers.problem.penalty", limit=limit),
        R.followup_problems(cur, scope, "penalty"),
        "reg_fu_pen",
    )
    problem(t("registers.problem.credit"), R.followup_problems(cur, scope, "credit"), "reg_fu_cr")
    if can_write:
        with st.expander(t("registers.form"), icon=":material/edit:"):
            followup_form(store, user, scope, key="form_followups")
with tabs[4]:
    cards(["supervision_overdue"])
    unit_table(["督查发现问题", "督查整改逾期"], "reg_sv_units")
    st.markdown(f"**{t('registers.problem.supervision')}**")
    data_table(
        R.supervisions(cur, scope),
        key="reg_sv_list",
        download_basename="专项督查",
        empty=t("metrics.empty.reg_supervisions"),
    )
    form("supervisions")
with tabs[5]:
    cards(["revisit_contradictions"])
    unit_table(["已回访", "回访与结果矛盾"], "reg_rv_units")
    problem(t("registers.problem.revisit"), R.followup_problems(cur, scope, "revisit"), "reg_rv")
