"""自助分析 — no-code pivot, read-only SQL console, saved analyses (issue #6)."""

from dashboard.ui import page_setup

scope = page_setup("analysis")

import time  # noqa: E402

import pandas as pd  # noqa: E402
import streamlit as st  # noqa: E402

from dashboard.analysis import (  # noqa: E402
    CHART_KINDS,
    DATASETS,
    EXAMPLE_QUERIES,
    MEASURES,
    ConsoleError,
    PivotError,
    SavedAnalysisError,
    SqlConsole,
    delete_analysis,
    figure,
    figure_html,
    list_analyses,
    load_analysis,
    pivot,
    save_analysis,
)
from dashboard.analysis.pivot import measures_for, value_label  # noqa: E402
from dashboard.ui import (  # noqa: E402
    GRADE_COLORS,
    current_user,
    download_buttons,
    error,
    get_store,
    show_chart,
    t,
)

store = get_store()
user = current_user()
REFRESH_SECONDS = 300
FILTER_SLOTS = 2
NONE = ""
DEFAULT_ROWS = {
    "v_inspections": ["lead_unit_name"],
    "v_followups": ["responsible_unit_name"],
    "v_draws": ["stratum"],
    "v_entities": ["town"],
    "v_tasks": ["lead_unit_name"],
    "v_inspectors": ["unit_name"],
}


def _scope_key() -> tuple:
    return (
        str(store.path),
        scope.year,
        scope.as_of,
        scope.allowed_units,
        scope.unit,
        scope.item,
        scope.town,
        scope.role,
        scope.username,
    )


# At most this many consoles (each: Arrow views of every table under the scope, and a worker) live in
# the process, shared by the sessions of one user, scope and data version (issue 17: at 1 M entities a
# console is ≈ 1.5 GB and every session built its own).
MAX_CONSOLES = 2


@st.cache_resource(show_spinner=False)
def _consoles() -> dict:
    """The process's consoles: {"lock", "items": OrderedDict key → (built at, console)}."""
    import threading
    from collections import OrderedDict

    return {"lock": threading.Lock(), "items": OrderedDict()}


def session_console(force: bool = False) -> SqlConsole:
    """The console of this user, scope and data version, shared by their sessions (rebuilt after any
    write, after REFRESH_SECONDS or on 刷新); the least recently used beyond MAX_CONSOLES is closed."""
    from dashboard.metrics.cache import version_of

    key = (*_scope_key(), version_of(store))
    registry = _consoles()
    with registry["lock"]:
        found = registry["items"].get(key)
        if found is not None and not force and time.monotonic() - found[0] < REFRESH_SECONDS:
            registry["items"].move_to_end(key)
            return found[1]
        if found is not None:
            registry["items"].pop(key)
    if found is not None:
        found[1].close()
    with st.spinner(t("analysis.loading")):
        console = SqlConsole.for_scope(store, scope)
    evicted = []
    with registry["lock"]:
        registry["items"][key] = (time.monotonic(), console)
        while len(registry["items"]) > MAX_CONSOLES:
            evicted.append(registry["items"].popitem(last=False)[1][1])
    for old in evicted:  # a session still holding one restarts its worker on its next query
        old.close()
    return console


def show_sql_error(message: str) -> None:
    """One Chinese sentence; DuckDB's own English words only in a folded box."""
    from dashboard.ui.sql_errors import split

    chinese, detail = split(message)
    error(chinese)
    if detail:
        with st.expander(t("analysis.sql.error_detail"), expanded=False):
            st.code(detail, language=None)


def short(text: str) -> str:
    return text.split("（", 1)[0]


def column_label(docs: dict, column: str) -> str:
    """The column's Chinese name (its SQL name is listed under 数据表说明 of the SQL tab)."""
    return short(docs.get(column, column))


def can_save() -> bool:
    return user is not None and user.role != "readonly"


def is_owner_or_admin(owner: str) -> bool:
    return user is not None and (user.role == "admin" or owner == user.username)


def column_config(result, measure: str) -> dict:
    if not MEASURES[measure].is_rate:
        return {}
    return {
        c: st.column_config.NumberColumn(c, format="percent")
        for c in result.attrs.get("value_columns", [])
    } | (
        {"合计": st.column_config.NumberColumn("合计", format="percent")}
        if "合计" in result.columns
        else {}
    )


def _arrow_dimensions(table) -> list[str]:
    """pivot.dimensions of the view, read from its Arrow schema (no pandas copy of the view): every
    column but those holding lists (issue 17)."""
    import pyarrow as pa

    nested = (
        pa.types.is_list,
        pa.types.is_large_list,
        pa.types.is_fixed_size_list,
        pa.types.is_map,
    )
    return [
        f.name
        for f in table.schema
        if not (any(test(f.type) for test in nested) and table[f.name].null_count < len(table))
    ]


def _pivot_frame(table, spec: dict):
    """The view as pandas, only the columns the spec groups, filters and measures by (issue 17: at
    1 M rows converting every column on every rerun took most of the page's time)."""
    measure = MEASURES.get(spec.get("measure"))
    wanted = {
        *spec.get("rows", []),
        *spec.get("columns", []),
        *(f.get("column") for f in spec.get("filters", [])),
        *(measure.needs if measure else ()),
        "entity_code",
    }
    names = [c for c in table.column_names if c in wanted]
    return table.select(names).to_pandas()


def show_pivot_result(spec: dict, console: SqlConsole, key: str) -> None:
    """Table, chart and downloads of a pivot spec run on the current scope's views."""
    view = console.views.get(spec["view"])
    if view is None:
        error(t("analysis.pivot.no_dataset"))
        return
    try:
        result = pivot(
            _pivot_frame(view.table, spec),
            spec.get("rows", []),
            spec.get("columns", []),
            spec["measure"],
            spec.get("filters", []),
            totals=spec.get("totals", False),
        )
        columns = spec.get("columns", [])
        graded = len(columns) == 1 and columns[0] in ("grade", "stratum")
        fig = figure(result, spec.get("chart", "bar"), color_map=GRADE_COLORS if graded else None)
    except PivotError as exc:
        error(str(exc))
        return
    if result.empty:
        st.info(t("analysis.pivot.empty"))
        return
    # row dimensions get their Chinese names on screen and in the downloads
    shown = result.rename(columns={r: short(view.columns.get(r, r)) for r in result.attrs["rows"]})
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        column_config=column_config(result, spec["measure"]),
        key=f"{key}_table",
    )
    download_buttons(shown, t("analysis.pivot.basename"), key=f"{key}_dl")
    show_chart(fig, key=f"{key}_chart")
    st.download_button(
        t("analysis.chart_html"),
        data=figure_html(fig),
        file_name=f"{t('analysis.pivot.basename')}.html",
        mime="text/html",
        key=f"{key}_html",
        icon=":material/download:",
        on_click="ignore",
    )
    st.caption(t("analysis.png_hint"))


def save_form(kind: str, spec: dict, key: str) -> None:
    if not can_save():
        st.caption(t("analysis.save.readonly"))
        return
    with st.expander(t("analysis.save.title"), icon=":material/bookmark_add:"):
        with st.form(f"{key}_form", clear_on_submit=True):
            name = st.text_input(t("analysis.save.name"), max_chars=100)
            description = st.text_area(t("analysis.save.description"), height=80)
            shared = st.checkbox(t("analysis.save.shared"))
            if st.form_submit_button(t("analysis.save.submit"), icon=":material/save:"):
                try:
                    save_analysis(
                        store,
                        owner=user.username,
                        name=name,
                        kind=kind,
                        spec=spec,
                        description=description,
                        shared=shared,
                    )
                except SavedAnalysisError as exc:
                    error(str(exc))
                else:
                    st.success(t("analysis.save.done", name=name.strip()))


# -- 透视分析 ----------------------------------------------------------------------------------------
def pivot_tab(console: SqlConsole) -> None:
    st.caption(t("analysis.pivot.intro"))
    left, right = st.columns(2)
    view = left.selectbox(
        t("analysis.pivot.dataset"),
        list(DATASETS),
        format_func=lambda v: DATASETS[v],
        key="an_p_view",
    )
    table = console.views[view].table  # Arrow; columns converted to pandas only when used
    docs = console.views[view].columns
    dims = _arrow_dimensions(table)
    measure = right.selectbox(
        t("analysis.pivot.measure"),
        measures_for(pd.DataFrame(columns=table.column_names)),
        format_func=lambda m: MEASURES[m].label,
        key=f"an_p_measure_{view}",
    )
    if f"an_p_rows_{view}" not in st.session_state:
        st.session_state[f"an_p_rows_{view}"] = [c for c in DEFAULT_ROWS.get(view, []) if c in dims]
    rows = left.multiselect(
        t("analysis.pivot.rows"),
        dims,
        format_func=lambda c: column_label(docs, c),
        max_selections=3,
        placeholder=t("analysis.pivot.placeholder"),
        key=f"an_p_rows_{view}",
    )
    columns = right.multiselect(
        t("analysis.pivot.columns"),
        [d for d in dims if d not in rows],
        format_func=lambda c: column_label(docs, c),
        max_selections=2,
        placeholder=t("analysis.pivot.placeholder"),
        key=f"an_p_cols_{view}",
    )
    # labels computed here, not inside format_func (which may run outside the script run)
    no_filter = t("analysis.pivot.no_filter")
    chart_labels = {k: t(f"analysis.chart.{k}") for k in CHART_KINDS}
    filters = []
    with st.expander(t("analysis.pivot.filters"), expanded=True, icon=":material/filter_alt:"):
        slots = st.columns(FILTER_SLOTS + 1)
        if "year" in table.column_names:
            years = sorted({int(y) for y in table["year"].unique().to_pylist() if y is not None})
            if f"an_p_year_{view}" not in st.session_state:
                st.session_state[f"an_p_year_{view}"] = [y for y in years if y == scope.year]
            chosen = slots[0].multiselect(t("analysis.pivot.year"), years, key=f"an_p_year_{view}")
            if chosen:
                filters.append({"column": "year", "op": "in", "value": chosen})
        for i in range(FILTER_SLOTS):
            box = slots[i + 1]
            column = box.selectbox(
                t("analysis.pivot.filter_column", n=i + 1),
                [NONE] + [d for d in dims if d != "year"],
                format_func=lambda c: no_filter if c == NONE else column_label(docs, c),
                key=f"an_p_fcol{i}_{view}",
            )
            if column != NONE:
                one = table.select([column]).to_pandas()[column]
                values = sorted({value_label(v) for v in one.unique()})[:500]
                picked = box.multiselect(
                    t("analysis.pivot.filter_values"),
                    values,
                    placeholder=t("analysis.pivot.placeholder"),
                    key=f"an_p_fval{i}_{view}_{column}",
                )
                if picked:
                    filters.append({"column": column, "op": "in", "value": picked})
    opts = st.columns([2, 1, 3])
    chart = opts[0].radio(
        t("analysis.pivot.chart"),
        list(CHART_KINDS),
        format_func=chart_labels.get,
        horizontal=True,
        key="an_p_kind",
    )
    totals = opts[1].checkbox(t("analysis.pivot.totals"), value=True, key="an_p_totals")
    spec = {
        "view": view,
        "rows": rows,
        "columns": columns,
        "measure": measure,
        "filters": filters,
        "chart": chart,
        "totals": totals,
    }
    if not rows and not columns:
        st.info(t("analysis.pivot.pick_dims"))
    show_pivot_result(spec, console, "an_p")
    save_form("pivot", spec, "an_p_save")


# -- SQL 查询 ----------------------------------------------------------------------------------------
def load_example() -> None:
    chosen = st.session_state.get("an_sql_example")
    st.session_state["an_sql"] = dict(EXAMPLE_QUERIES).get(chosen, "")


def schema_browser(console: SqlConsole) -> None:
    st.markdown(f"**{t('analysis.sql.schema')}**")
    schema = console.schema()
    for name, view in console.views.items():
        with st.expander(
            f"{name} · {short(view.description.split('：')[0])}", icon=":material/table:"
        ):
            st.caption(f"{view.description}（{t('analysis.sql.rows', n=view.table.num_rows)}）")
            st.dataframe(
                schema[schema["视图"] == name].drop(columns=["视图"]),
                hide_index=True,
                width="stretch",
                key=f"an_schema_{name}",
            )


def sql_tab(console: SqlConsole) -> None:
    st.caption(
        t(
            "analysis.sql.intro",
            rows=console.row_cap,
            seconds=f"{console.time_limit_ms / 1000:g}",
        )
    )
    left, right = st.columns([1, 2])
    with left:
        schema_browser(console)
    with right:
        ex_col, btn_col = st.columns([3, 1], vertical_alignment="bottom")
        ex_col.selectbox(
            t("analysis.sql.examples"), [name for name, _ in EXAMPLE_QUERIES], key="an_sql_example"
        )
        btn_col.button(
            t("analysis.sql.use_example"), on_click=load_example, key="an_sql_use_example"
        )
        if "an_sql" not in st.session_state:
            st.session_state["an_sql"] = EXAMPLE_QUERIES[0][1]
        sql = st.text_area(t("analysis.sql.editor"), height=220, key="an_sql")
        if st.button(
            t("analysis.sql.run"), type="primary", icon=":material/play_arrow:", key="an_sql_run"
        ):
            try:
                st.session_state["an_sql_result"] = (sql, console.run(sql))
            except ConsoleError as exc:
                st.session_state["an_sql_result"] = (sql, str(exc))
    ran = st.session_state.get("an_sql_result")
    if ran is not None:
        ran_sql, outcome = ran
        if isinstance(outcome, str):
            show_sql_error(outcome)
        else:
            (st.warning if outcome.truncated else st.caption)(outcome.message)
            st.dataframe(
                outcome.df, hide_index=True, width="stretch", placeholder="—", key="an_sql_table"
            )
            download_buttons(outcome.df, t("analysis.sql.basename"), key="an_sql_dl")
            save_form("sql", {"sql": ran_sql}, "an_sql_save")


# -- 已保存 ------------------------------------------------------------------------------------------
def open_in_editor(saved_id: int) -> None:
    try:
        saved = load_analysis(store, saved_id, user.username, is_admin=user.role == "admin")
    except SavedAnalysisError as exc:
        st.toast(str(exc), icon=":material/error:")
        return
    spec = saved.spec
    if saved.kind == "sql":
        st.session_state["an_sql"] = spec["sql"]
        st.session_state.pop("an_sql_result", None)
        st.toast(t("analysis.saved.edited"), icon=":material/edit:")
        return
    view = spec["view"]
    st.session_state["an_p_view"] = view
    st.session_state[f"an_p_measure_{view}"] = spec["measure"]
    st.session_state[f"an_p_rows_{view}"] = spec["rows"]
    st.session_state[f"an_p_cols_{view}"] = spec["columns"]
    st.session_state["an_p_kind"] = spec.get("chart", "bar")
    st.session_state["an_p_totals"] = spec.get("totals", True)
    st.session_state[f"an_p_year_{view}"] = []
    slot = 0
    for f in spec.get("filters", []):
        if f.get("column") == "year" and f.get("op") == "in":
            st.session_state[f"an_p_year_{view}"] = [int(v) for v in f["value"]]
        elif f.get("op") == "in" and slot < FILTER_SLOTS:
            st.session_state[f"an_p_fcol{slot}_{view}"] = f["column"]
            st.session_state[f"an_p_fval{slot}_{view}_{f['column']}"] = list(f["value"])
            slot += 1
    st.toast(t("analysis.saved.edited"), icon=":material/edit:")


def saved_tab(console: SqlConsole) -> None:
    listing = list_analyses(store, user.username, is_admin=user.role == "admin")
    if listing.empty:
        st.info(t("analysis.saved.none"))
        return
    shown = listing.assign(
        kind=listing["kind"].map(
            {"pivot": t("analysis.kind.pivot"), "sql": t("analysis.kind.sql")}
        ),
        shared=listing["shared"].map({True: t("analysis.yes"), False: t("analysis.no")}),
    ).rename(
        columns={
            "query_id": t("analysis.saved.col_id"),
            "name": t("analysis.saved.col_name"),
            "description": t("analysis.saved.col_description"),
            "kind": t("analysis.saved.col_kind"),
            "owner": t("analysis.saved.col_owner"),
            "shared": t("analysis.saved.col_shared"),
            "updated_at": t("analysis.saved.col_updated"),
        }
    )
    st.dataframe(shown, hide_index=True, width="stretch", placeholder="—", key="an_saved_table")
    names = dict(zip(listing["query_id"], listing["name"], strict=True))
    owners = dict(zip(listing["query_id"], listing["owner"], strict=True))
    chosen = st.selectbox(
        t("analysis.saved.choose"),
        list(names),
        format_func=lambda q: f"{names[q]}（#{q}，{owners[q]}）",
        key="an_saved_choice",
    )
    buttons = st.columns([1, 1, 1, 3])
    run = buttons[0].button(
        t("analysis.saved.open"), icon=":material/play_arrow:", key="an_saved_open"
    )
    buttons[1].button(
        t("analysis.saved.edit"),
        icon=":material/edit:",
        key="an_saved_edit",
        on_click=open_in_editor,
        args=(int(chosen),),
    )
    if is_owner_or_admin(owners[chosen]):
        if buttons[2].button(
            t("analysis.saved.delete"), icon=":material/delete:", key="an_saved_delete"
        ):
            try:
                delete_analysis(
                    store, int(chosen), actor=user.username, is_admin=user.role == "admin"
                )
            except SavedAnalysisError as exc:
                error(str(exc))
            else:
                st.session_state.pop("an_saved_open_id", None)
                st.rerun()
    if run:
        st.session_state["an_saved_open_id"] = int(chosen)
    open_id = st.session_state.get("an_saved_open_id")
    if open_id is None or open_id not in names:
        return
    try:
        saved = load_analysis(store, open_id, user.username, is_admin=user.role == "admin")
    except SavedAnalysisError as exc:
        error(str(exc))
        return
    st.subheader(saved.name)
    if saved.description:
        st.caption(saved.description)
    st.caption(t("analysis.saved.current_scope"))
    if saved.kind == "sql":
        st.code(saved.spec["sql"], language="sql")
        try:
            result = console.run(saved.spec["sql"])
        except ConsoleError as exc:
            show_sql_error(str(exc))
            return
        (st.warning if result.truncated else st.caption)(result.message)
        st.dataframe(
            result.df, hide_index=True, width="stretch", placeholder="—", key="an_saved_sql_table"
        )
        download_buttons(result.df, saved.name, key="an_saved_sql_dl")
    else:
        show_pivot_result(saved.spec, console, "an_saved_pivot")


# -- page ----------------------------------------------------------------------------------------------
head, refresh = st.columns([5, 1], vertical_alignment="bottom")
head.title(t("analysis.title"))
force = refresh.button(t("analysis.refresh"), icon=":material/refresh:", key="an_refresh")
console = session_console(force=force)
st.caption(t("analysis.scope_note"))
tab_pivot, tab_sql, tab_saved = st.tabs(
    [t("analysis.tab.pivot"), t("analysis.tab.sql"), t("analysis.tab.saved")]
)
with tab_pivot:
    pivot_tab(console)
with tab_sql:
    sql_tab(console)
with tab_saved:
    saved_tab(console)
