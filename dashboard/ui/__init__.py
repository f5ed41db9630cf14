"""The only Streamlit-aware package: page setup (log-in, role, sidebar scope), texts, store, widgets.

Every page file starts with `scope = page_setup("<page_key>")` (DESIGN.md §7).
"""

from __future__ import annotations

import streamlit as st

from dashboard.scope import Scope
from dashboard.ui.components import (
    DOCX_MIME,
    GRADE_COLORS,
    STATUS_COLORS,
    TIMELINESS_COLORS,
    XLSX_MIME,
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
    "DOCX_MIME",
    "XLSX_MIME",
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


def ensure_navigation(*, rerun: bool) -> None:
    """Leave Streamlit's "pages directory" mode, in which it ran this page file without app.py.

    On a fresh server (and in every AppTest run) Streamlit runs a pages/ file straight from its URL and
    lists every file of pages/ in the sidebar, until some session has called st.navigation. With
    `rerun` the script starts again through app.py, whose navigation offers a visitor who is not logged
    in nothing but the log-in page; without it (a logged-in user, or the log-in form itself, whose
    pending click a rerun would drop) the mode is just switched off for the next run.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if not PagesManager.uses_pages_directory:
        return
    PagesManager.uses_pages_directory = False
    if rerun:
        st.rerun()


def page_setup(
    page_key: str, *, roles: set[str] | None = None, needs_scope: bool = True
) -> Scope | None:
    """Enforce log-in and role for this page, draw the shared sidebar, and return the Scope.

    Stops the page (st.stop) with a log-in prompt when nobody is logged in or the session expired,
    and with a one-sentence refusal when the user's role may not open the page.
    """
    from dashboard.store import StoreError
    from dashboard.ui import nav, sidebar, styles, zh_patch
    from dashboard.ui.session import check_expiry, sync_cookie

    try:
        store = get_store()
    except (
        StoreError
    ) as exc:  # e.g. the file is locked by another program: one sentence, no traceback
        st.error(str(exc), icon=":material/error:")
        st.stop()
    check_expiry(store)
    sync_cookie(store)
    styles.inject()
    zh_patch.install()
    if page_key == nav.LOGIN.key:  # the one page open to visitors: nothing to enforce, no scope
        ensure_navigation(rerun=False)
        return None
    ensure_navigation(rerun=current_user() is None)
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
    if st.session_state.pop("_page_not_found", False):
        st.info(t("common.page_not_found"), icon=":material/travel_explore:")
    if getattr(user, "must_change_password", False) and page_key != "account":
        st.warning(t("common.must_change_password"), icon=":material/key:")
        st.page_link(
            nav.BY_KEY["account"].path, label=t("common.page.account"), icon=":material/key:"
        )
        st.stop()
    if needs_scope:
        scope = sidebar.draw_scope(store, user)
    else:
        scope = sidebar.plain_scope(user)
    sidebar.draw_language_switch()
    return scope
