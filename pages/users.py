"""用户管理 (admin) — list, add, reset password, disable via dashboard.auth."""

from dashboard.ui import page_setup

scope = page_setup("users", roles={"admin"}, needs_scope=False)

import streamlit as st  # noqa: E402

from dashboard import auth  # noqa: E402
from dashboard.auth.accounts import DEFAULT_ROLE  # noqa: E402
from dashboard.store import lookups  # noqa: E402
from dashboard.ui import current_user, data_table, get_store, t  # noqa: E402

store = get_store()
user = current_user()

st.title(t("common.page.users"))

users = auth.list_users(store)
labels = {
    "username": t("auth.users.col.username"),
    "display_name": t("auth.users.col.display_name"),
    "role": t("auth.users.col.role"),
    "unit_codes": t("auth.users.col.unit_codes"),
    "active": t("auth.users.col.active"),
    "failed_attempts": t("auth.users.col.failed_attempts"),
    "locked_until": t("auth.users.col.locked_until"),
    "must_change_password": t("auth.users.col.must_change_password"),
    "created_at": t("auth.users.col.created_at"),
}
shown = users.drop(columns=["role_label"], errors="ignore")
if "role" in shown.columns:
    shown["role"] = shown["role"].map(lambda r: auth.ROLES.get(r, r))
if "unit_codes" in shown.columns:
    shown["unit_codes"] = shown["unit_codes"].map(
        lambda v: "、".join(v) if v is not None and not isinstance(v, str) else (v or "")
    )
data_table(
    shown.rename(columns=labels), key="users_table", download_basename=t("auth.users.basename")
)

units = lookups.unit_choices(store)
unit_names = dict(units)
usernames = users["username"].tolist() if "username" in users.columns else []

add_tab, reset_tab, disable_tab = st.tabs(
    [t("auth.users.add.title"), t("auth.users.reset.title"), t("auth.users.disable.title")]
)
with add_tab, st.form("user_add", clear_on_submit=False):
    username = st.text_input(t("auth.users.col.username"), key="ua_username")
    display_name = st.text_input(t("auth.users.col.display_name"), key="ua_display")
    role = st.selectbox(
        t("auth.users.col.role"),
        list(auth.ROLES),
        index=list(auth.ROLES).index(DEFAULT_ROLE),  # least privilege until the admin chooses
        format_func=auth.ROLES.get,
        key="ua_role",
        help=t("auth.users.add.role_help"),
    )
    unit_codes = st.multiselect(
        t("auth.users.col.unit_codes"),
        list(unit_names),
        format_func=lambda c: f"{unit_names.get(c, c)}（{c}）",
        key="ua_units",
        placeholder=t("auth.users.add.units_placeholder"),
        help=t("auth.users.add.units_help"),
    )
    password = st.text_input(
        t("auth.users.add.password"),
        type="password",
        key="ua_password",
        help=t("auth.account.rules"),
    )
    if st.form_submit_button(
        t("auth.users.add.submit"), type="primary", icon=":material/person_add:"
    ):
        try:
            auth.create_user(
                store,
                username.strip(),
                display_name.strip(),
                role,
                unit_codes,
                password,
                actor=user.username,
                must_change_password=True,
            )
        except (auth.AuthError, ValueError) as exc:
            st.error(str(exc), icon=":material/error:")
        else:
            st.toast(
                t("auth.users.add.done", username=username.strip()), icon=":material/check_circle:"
            )
            st.rerun()

with reset_tab, st.form("user_reset", clear_on_submit=True):
    target = st.selectbox(t("auth.users.col.username"), usernames, key="ur_user")
    new_password = st.text_input(
        t("auth.users.reset.password"),
        type="password",
        key="ur_password",
        help=t("auth.account.rules"),
    )
    if st.form_submit_button(t("auth.users.reset.submit"), icon=":material/lock_reset:"):
        try:
            auth.reset_password(store, target, new_password, actor=user.username)
        except (auth.AuthError, ValueError) as exc:
            st.error(str(exc), icon=":material/error:")
        else:
            st.success(t("auth.users.reset.done", username=target))

with reset_tab, st.form("user_unlock"):  # a lock-out lifted without changing the password
    locked = [u for u in usernames if auth.is_locked(store, u)]
    st.caption(t("auth.users.unlock.help"))
    target = st.selectbox(t("auth.users.col.username"), locked, key="uu_user")
    if st.form_submit_button(t("auth.users.unlock.submit"), icon=":material/lock_open:"):
        if target:
            try:
                auth.unlock_user(store, target, actor=user.username)
            except (auth.AuthError, ValueError) as exc:
                st.error(str(exc), icon=":material/error:")
            else:
                st.success(t("auth.users.unlock.done", username=target))

with disable_tab, st.form("user_disable"):
    others = [u for u in usernames if u != user.username]
    target = st.selectbox(t("auth.users.col.username"), others, key="ud_user")
    sure = st.checkbox(t("auth.users.disable.confirm"), key="ud_sure")
    if st.form_submit_button(t("auth.users.disable.submit"), icon=":material/person_off:"):
        if not sure:
            st.error(t("auth.users.disable.need_confirm"))
        elif target:
            try:
                auth.disable_user(store, target, actor=user.username)
            except (auth.AuthError, ValueError) as exc:
                st.error(str(exc), icon=":material/error:")
            else:
                st.toast(
                    t("auth.users.disable.done", username=target), icon=":material/check_circle:"
                )
                st.rerun()
