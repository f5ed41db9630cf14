"""The sidebar every page shares: demo badge, user + log-out, scope controls, language switch.

Scope choices live in st.session_state under "scope.*" (persistent keys), so they survive page changes;
each widget uses its own key that is re-seeded from the persistent one on every run (Streamlit drops the
state of widgets that are not drawn, e.g. on admin pages without scope controls). They are also written
to the URL's query parameters (?year=2026&asof=2026-11-27&unit=KCK…), so a reload, a new tab or a copied
link shows the same view; a new session takes its first choices from there (issue 12).
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from dashboard.scope import Scope
from dashboard.store import lookups
from dashboard.ui.i18n import LANG_STATE_KEY, LANGUAGES, t
from dashboard.ui.session import current_user, log_out

ALL = "__all__"
YEAR, AS_OF, UNIT, ITEM, TOWN = (
    "scope.year",
    "scope.as_of",
    "scope.unit",
    "scope.item",
    "scope.town",
)


@st.cache_data(ttl=60, show_spinner=False)
def _options(db_key: str, _store) -> dict:
    return {
        "years": lookups.task_years(_store),
        "units": lookups.unit_choices(_store),
        "items": lookups.item_choices(_store),
        "towns": lookups.town_choices(_store),
    }


def scope_options(store) -> dict:
    return _options(f"{store.path}", store)


# persistent key → query parameter
QUERY_PARAMS = {YEAR: "year", AS_OF: "asof", UNIT: "unit", ITEM: "item", TOWN: "town"}


def _from_query(persistent_key: str, options: list | None = None):
    """The choice the URL carries for `persistent_key` when this session has none yet (else None)."""
    if persistent_key in st.session_state:
        return None
    try:
        raw = st.query_params.get(QUERY_PARAMS[persistent_key])
    except Exception:  # noqa: BLE001
        return None
    if raw is None:
        return None
    if persistent_key == AS_OF:
        try:
            return date.fromisoformat(raw)
        except ValueError:
            return None
    for option in options or []:
        if str(option) == raw:
            return option
    return None


def _write_query(values: dict[str, object]) -> None:
    """Put the scope choices into the URL (only the ones not at "all"), leaving other parameters."""
    try:
        for persistent_key, name in QUERY_PARAMS.items():
            value = values.get(persistent_key)
            if value is None or value == ALL:
                if name in st.query_params:
                    del st.query_params[name]
                continue
            text = value.isoformat() if isinstance(value, date) else str(value)
            if st.query_params.get(name) != text:
                st.query_params[name] = text
    except Exception:  # noqa: BLE001 - the URL is a convenience, never a reason to fail a page
        pass


def _sync(widget_key: str, persistent_key: str) -> None:
    st.session_state[persistent_key] = st.session_state[widget_key]


def _seed(widget_key: str, persistent_key: str, options: list, default) -> None:
    from_url = _from_query(persistent_key, options)
    if from_url is not None:
        st.session_state[persistent_key] = from_url
    value = st.session_state.get(persistent_key, default)
    if value not in options:
        value = default if default in options else options[0]
    st.session_state[persistent_key] = value
    st.session_state[widget_key] = value


def _select(label: str, persistent_key: str, options: list, default, fmt, help_text=None) -> object:
    widget_key = "_w_" + persistent_key
    _seed(widget_key, persistent_key, options, default)
    return st.selectbox(
        label,
        options,
        key=widget_key,
        format_func=fmt,
        on_change=_sync,
        args=(widget_key, persistent_key),
        help=help_text,
    )


def draw_user_box(store) -> None:
    from dashboard.auth import ROLES

    user = current_user()
    if store is not None and store.is_demo:
        st.sidebar.badge(t("common.demo_badge"), color="orange")
    if user is None:
        return
    role = ROLES.get(user.role, user.role)
    name = user.display_name or user.username
    st.sidebar.markdown(f"**{name}**" + (f"（{role}）" if role != name else ""))
    if st.sidebar.button(t("common.logout"), icon=":material/logout:", key="_logout"):
        log_out(store=store, detail="主动退出登录")
        st.rerun()


def draw_language_switch() -> None:
    widget_key = "_w_" + LANG_STATE_KEY
    options = list(LANGUAGES)
    _seed(widget_key, LANG_STATE_KEY, options, "zh_CN")
    st.sidebar.segmented_control(
        t("common.language"),
        options,
        key=widget_key,
        format_func=LANGUAGES.get,
        on_change=_sync_lang,
        selection_mode="single",
    )
    if (
        st.session_state.get(LANG_STATE_KEY) == "en"
    ):  # what the switch does not translate, said once
        st.sidebar.caption(t("common.language_leaves"))


def _sync_lang() -> None:
    value = st.session_state.get("_w_" + LANG_STATE_KEY)
    if value:  # segmented_control can be deselected; keep the previous language then
        st.session_state[LANG_STATE_KEY] = value


def default_as_of(year: int, today: date | None = None) -> date:
    """Today for the current year, Dec 31 for a past year, Jan 1 for a future one."""
    today = today or date.today()
    if year < today.year:
        return date(year, 12, 31)
    if year > today.year:
        return date(year, 1, 1)
    return today


def draw_scope(store, user, *, today: date | None = None) -> Scope:
    """The scope widgets in the sidebar; returns the Scope for the user and the choices."""
    today = today or date.today()
    opts = scope_options(store)
    allowed = user.allowed_units
    with st.sidebar:
        st.markdown(f"**{t('common.scope.title')}**")
        years = opts["years"] or [today.year]
        if today.year not in years and today.year > years[-1]:
            years = [*years, today.year]
        default_year = today.year if today.year in years else years[-1]
        year_options = sorted(years, reverse=True)
        year = _select(t("common.scope.year"), YEAR, year_options, default_year, str)

        # as-of date: re-defaults when the year changes (a date in the URL wins in a new session)
        url_as_of = _from_query(AS_OF)
        if url_as_of is not None and url_as_of.year in (year, year + 1):
            st.session_state[AS_OF] = url_as_of
            st.session_state["scope.as_of_year"] = year
        if st.session_state.get("scope.as_of_year") != year or AS_OF not in st.session_state:
            st.session_state[AS_OF] = default_as_of(year, today)
            st.session_state["scope.as_of_year"] = year
        as_of_key = "_w_" + AS_OF
        low, high = date(year, 1, 1), date(year + 1, 12, 31)
        if (
            not isinstance(st.session_state[AS_OF], date)
            or not low <= st.session_state[AS_OF] <= high
        ):
            st.session_state[AS_OF] = default_as_of(year, today)
        st.session_state[as_of_key] = st.session_state[AS_OF]
        as_of = st.date_input(
            t("common.scope.as_of"),
            key=as_of_key,
            min_value=low,
            max_value=high,
            on_change=_sync,
            args=(as_of_key, AS_OF),
            format="YYYY-MM-DD",
            help=t("common.scope.as_of_help"),
        )

        units = [(c, n) for c, n in opts["units"] if allowed is None or c in allowed]
        names = dict(units)
        unit_options = (
            [ALL] + [c for c, _ in units]
            if (allowed is None or len(units) > 1)
            else [c for c, _ in units]
        )
        if not unit_options:
            unit_options = [ALL]
        all_label = t("common.scope.all") if allowed is None else t("common.scope.all_mine")
        unit = _select(
            t("common.scope.unit"),
            UNIT,
            unit_options,
            unit_options[0],
            lambda c: all_label if c == ALL else f"{names.get(c, c)}",
        )

        item_names = dict(opts["items"])
        item = _select(
            t("common.scope.item"),
            ITEM,
            [ALL] + list(item_names),
            ALL,
            lambda c: t("common.scope.all") if c == ALL else f"{item_names.get(c, c)}",
        )
        town = _select(
            t("common.scope.town"),
            TOWN,
            [ALL] + opts["towns"],
            ALL,
            lambda c: t("common.scope.all") if c == ALL else c,
        )

        from dashboard.domain.workdays import fallback_years

        if fallback_years(year, year):  # provisional (暂定): statutory days and 补假 only, no 调休
            st.warning(t("common.scope.fallback_calendar", year=year), icon=":material/event_busy:")
            if user.role == "admin":
                from dashboard.ui import nav

                try:
                    st.page_link(
                        nav.BY_KEY["settings"].path,
                        label=t("common.scope.fallback_calendar_link"),
                        icon=":material/edit_calendar:",
                    )
                except Exception:  # noqa: BLE001 - the page is not in this run's navigation
                    pass

    as_of = as_of if isinstance(as_of, date) else default_as_of(year, today)
    _write_query({YEAR: year, AS_OF: as_of, UNIT: unit, ITEM: item, TOWN: town})
    return Scope(
        year=int(year),
        as_of=as_of,
        allowed_units=allowed,
        unit=None if unit == ALL else unit,
        item=None if item == ALL else item,
        town=None if town == ALL else town,
        role=user.role,
        username=user.username,
    )


def plain_scope(user, *, today: date | None = None) -> Scope:
    """The scope for pages without scope controls: this year, today, the user's units."""
    today = today or date.today()
    year = st.session_state.get(YEAR, today.year)
    return Scope(
        year=int(year),
        as_of=st.session_state.get(AS_OF, default_as_of(int(year), today)),
        allowed_units=user.allowed_units,
        role=user.role,
        username=user.username,
    )
