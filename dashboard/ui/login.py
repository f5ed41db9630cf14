"""The log-in page (Chinese; demo accounts listed only on a demo store)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.ui.i18n import t
from dashboard.ui.session import NOTICE_KEY, current_user, log_in
from dashboard.ui.store import get_store


def render() -> None:
    from dashboard.ui import ensure_navigation
    from dashboard.ui.sidebar import draw_language_switch

    store = get_store()
    ensure_navigation(rerun=False)
    if current_user() is not None:  # already logged in (e.g. another tab): go to the start page
        from dashboard.ui import nav

        default = nav.page_spec(nav.default_page_key(nav.visible_pages(current_user().role)) or "")
        if default is not None:
            st.switch_page(default.path)
        st.stop()

    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        st.title(t("auth.login.title"))
        st.caption(t("auth.login.subtitle"))
        if st.session_state.pop("_page_not_found", False):
            st.info(t("common.page_not_found"), icon=":material/travel_explore:")
        notice = st.session_state.get(NOTICE_KEY)
        if notice:
            st.warning(notice, icon=":material/timer_off:")
        with st.form("login_form", border=True):
            username = st.text_input(t("auth.login.username"), key="login_username")
            password = st.text_input(
                t("auth.login.password"), type="password", key="login_password"
            )
            submitted = st.form_submit_button(
                t("auth.login.submit"), type="primary", icon=":material/login:", width="stretch"
            )
        if submitted:
            from dashboard.auth import AuthError, authenticate

            if not username.strip() or not password:
                st.error(t("auth.login.missing"))
            else:
                try:
                    user = authenticate(store, username.strip(), password)
                except AuthError as exc:
                    st.error(str(exc), icon=":material/error:")
                else:
                    log_in(user, store)
                    st.rerun()
        if store.is_demo:
            from dashboard.auth import DEMO_ACCOUNTS, ROLES

            st.info(t("auth.login.demo_hint"), icon=":material/science:")
            frame = pd.DataFrame(
                [
                    {
                        t("auth.login.col_username"): a["username"],
                        t("auth.login.col_password"): a["password"],
                        t("auth.login.col_role"): ROLES.get(a["role"], a["role"]),
                        t("auth.login.col_name"): a.get("display_name", ""),
                    }
                    for a in DEMO_ACCOUNTS
                ]
            )
            st.table(frame.set_index(frame.columns[0]))
    draw_language_switch()
