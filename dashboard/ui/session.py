"""Log-in state of one browser session: the user, last activity, expiry (issue #7).

The only way in is `log_in` after dashboard.auth.authenticate. Tests may preset
st.session_state[USER_KEY] with a dashboard.auth.User (the explicit test hook); nothing reads env for this.
"""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from dashboard import config

USER_KEY = "auth_user"
ACTIVITY_KEY = "auth_last_activity"
NOTICE_KEY = "auth_notice"


def current_user():
    """The logged-in dashboard.auth.User of this session, or None."""
    return st.session_state.get(USER_KEY)


def log_in(user) -> None:
    st.session_state[USER_KEY] = user
    st.session_state[ACTIVITY_KEY] = datetime.now()
    st.session_state.pop(NOTICE_KEY, None)


def log_out(
    notice: str | None = None, *, store=None, reason: str = "logout", detail: str = ""
) -> None:
    """Forget the user and everything session-specific (scope choices stay harmlessly).

    With `store`, the log-out is audited (dashboard.auth.record_logout: auth.logout, or auth.timeout
    for reason "timeout"); the session is cleared even if that write fails.
    """
    user = current_user()
    try:
        if store is not None and user is not None:
            from dashboard.auth import record_logout

            record_logout(store, user.username, reason=reason, detail=detail)
    finally:
        for key in (USER_KEY, ACTIVITY_KEY):
            st.session_state.pop(key, None)
        if notice:
            st.session_state[NOTICE_KEY] = notice
        else:
            st.session_state.pop(NOTICE_KEY, None)


def check_expiry(store, now: datetime | None = None) -> bool:
    """Log out after `session_timeout_minutes` of inactivity, or when the account was disabled or
    removed meanwhile; True if that just happened. Otherwise the stored account is re-read (a changed
    role or unit applies at once) and the activity clock is reset to now (every run counts as activity).
    """
    user = current_user()
    if user is None:
        return False
    from dashboard import admin
    from dashboard.auth import get_user
    from dashboard.ui.i18n import t

    stored = get_user(store, user.username)
    if stored is None or not admin.user_is_active(store, user.username):
        log_out(t("common.account_disabled"), store=store, detail="账号已停用或删除，强制退出")
        return True
    if stored != user:
        st.session_state[USER_KEY] = stored
    now = now or datetime.now()
    last = st.session_state.get(ACTIVITY_KEY)
    if last is not None:
        from dashboard.auth import session_expired

        try:
            timeout = int(config.get_setting(store, "session_timeout_minutes"))
        except Exception:
            timeout = int(config.DEFAULTS["session_timeout_minutes"])
        if session_expired(last, now, timeout):
            log_out(
                t("common.session_expired", minutes=timeout),
                store=store,
                reason="timeout",
                detail=f"{timeout} 分钟未操作，会话超时",
            )
            return True
    st.session_state[ACTIVITY_KEY] = now
    return False
