"""修改密码 — every logged-in user changes their own password."""

from dashboard.ui import page_setup

scope = page_setup("account", needs_scope=False)

import streamlit as st  # noqa: E402

from dashboard import auth  # noqa: E402
from dashboard.ui import current_user, get_store, t  # noqa: E402

store = get_store()
user = current_user()

st.title(t("common.page.account"))
st.caption(
    t(
        "auth.account.who",
        name=user.display_name,
        username=user.username,
        role=auth.ROLES.get(user.role, user.role),
    )
)
with st.form("change_password", clear_on_submit=True):
    old = st.text_input(t("auth.account.old"), type="password", key="pw_old")
    new = st.text_input(
        t("auth.account.new"), type="password", key="pw_new", help=t("auth.account.rules")
    )
    again = st.text_input(t("auth.account.again"), type="password", key="pw_again")
    submitted = st.form_submit_button(
        t("auth.account.submit"), type="primary", icon=":material/key:"
    )
if submitted:
    if not old or not new:
        st.error(t("auth.account.missing"))
    elif new != again:
        st.error(t("auth.account.mismatch"))
    else:
        try:
            auth.change_password(store, user.username, old, new)
        except auth.AuthError as exc:
            st.error(str(exc), icon=":material/error:")
        else:
            from dashboard.ui.session import log_in

            refreshed = auth.get_user(store, user.username)
            if refreshed is not None:  # a new token: the change revoked every session of the user
                log_in(refreshed, store)
            st.success(t("auth.account.done"), icon=":material/check_circle:")
