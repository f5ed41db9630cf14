"""The only Streamlit-aware package: page setup (log-in, role, sidebar scope), texts, store, widgets.

Every page file starts with `scope = page_setup("<page_key>")` (DESIGN.md §7).
"""

from __future__ import annotations

import streamlit as st

from dashboard.scope import Scope
from dashboard.ui.components import (
    GRADE_COLORS,
    STATUS_COLORS,
    TIMELINESS_COLORS,
    bar,
    data_table,
    download_buttons,
    error,
    heatmap,
    kpi_card,
    line,
    show_chart,
    show_problems,
)
from dashboard.ui.i18n import t
from dashboard.ui.session import current_user
from dashboard.ui.store import get_store

__all__ = [
    "GRADE_COLORS",
    "STATUS_COLORS",
    "TIMELINESS_COLORS",
    "bar",
    "current_user",
    "data_table",
    "download_buttons",
    "error",
    "get_store",
    "heatmap",
    "kpi_card",
    "line",
    "page_setup",
    "show_chart",
    "show_problems",
    "t",
]


def ensure_navigation() -> None:
    """Declare app.py's navigation when Streamlit ran this page file without app.py.

    On a fresh server (and in every AppTest run) Streamlit runs a pages/ file straight from its URL and
    lists every file of pages/ in the sidebar until some session has called st.navigation (its "pages
    directory" mode). Calling the same st.navigation as app.py replaces that menu with the user's own
    (only the hidden log-in page when logged out) and switches the mode off for the process.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if not PagesManager.uses_pages_directory:
        return
    from dashboard.ui.shell import declare_navigation

    try:  # keep this page's widget identities: st.navigation re-points the active script hash
        from streamlit.runtime.scriptrunner_utils.script_run_context import ThreadState

        active = ThreadState.get().active_script_hash
    except (ImportError, RuntimeError, AttributeError):
        declare_navigation(current_user())
        return
    with ThreadState.scoped(active_script_hash=active):
        declare_navigation(current_user())


def page_setup(page_key: str, *, roles: set[str] | None = None, needs_scope: bool = True) -> Scope:
    """Enforce log-in and role for this page, draw the shared sidebar, and return the Scope.

    Stops the page (st.stop) with a log-in prompt when nobody is logged in or the session expired,
    and with a one-sentence refusal when the user's role may not open the page.
    """
    from dashboard.ui import nav, sidebar
    from dashboard.ui.session import check_expiry

    store = get_store()
    check_expiry(store)
    ensure_navigation()
    if current_user() is None:  # a page URL opened without log-in: the log-in form, never data
        from dashboard.ui.login import render

        st.info(t("common.login_required"), icon=":material/lock:")
        render()
        st.stop()
    user = current_user()
    spec = nav.page_spec(page_key)
    allowed_roles = set(roles) if roles is not None else (set(spec.roles) if spec else None)
    if allowed_roles is not None and user.role not in allowed_roles:
        sidebar.draw_user_box(store)
        st.error(t("common.no_permission"), icon=":material/block:")
        st.stop()
    sidebar.draw_user_box(store)
    if needs_scope:
        scope = sidebar.draw_scope(store, user)
    else:
        scope = sidebar.plain_scope(user)
    sidebar.draw_language_switch()
    return scope
