"""Log-in state of one browser session: the user, last activity, expiry (issues #7, #12).

The only way in is `log_in` after dashboard.auth.authenticate. It also issues a signed session token
(dashboard.auth.sessions) that the browser keeps in a cookie, so a reload or a new tab of the same
browser resumes the log-in (`check_expiry` reads it back); 退出登录 revokes it in every tab. Tests may
preset st.session_state[USER_KEY] with a dashboard.auth.User (the explicit test hook, no token then);
nothing reads env for this.
"""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from dashboard import config

USER_KEY = "auth_user"
ACTIVITY_KEY = "auth_last_activity"
NOTICE_KEY = "auth_notice"
TOKEN_KEY = "auth_token"
SESSION_ID_KEY = "auth_session_id"
# do not resume from the cookie this tab's connection started with (it was used up or refused)
NO_RESUME_KEY = "auth_no_resume"
# delete the browser's cookie (after 退出登录, a timeout, a disabled account)
CLEAR_COOKIE_KEY = "auth_clear_cookie"


def current_user():
    """The logged-in dashboard.auth.User of this session, or None."""
    return st.session_state.get(USER_KEY)


def _setting(store, key: str) -> int:
    try:
        return int(config.get_setting(store, key))
    except Exception:  # noqa: BLE001 - a broken setting never locks everybody out
        return int(config.DEFAULTS[key])


def log_in(user, store=None) -> None:
    """Start the session of `user`; with `store`, also a token the browser keeps (reload, new tab)."""
    st.session_state[USER_KEY] = user
    st.session_state[ACTIVITY_KEY] = datetime.now()
    st.session_state.pop(NOTICE_KEY, None)
    st.session_state.pop(CLEAR_COOKIE_KEY, None)
    st.session_state[NO_RESUME_KEY] = True
    if store is not None:
        from dashboard.auth.sessions import issue_session

        token, session_id = issue_session(
            store, user.username, hours=_setting(store, "session_token_hours")
        )
        st.session_state[TOKEN_KEY] = token
        st.session_state[SESSION_ID_KEY] = session_id


def renew_token(store) -> None:
    """A fresh token for this tab after its own password change (which revoked every session)."""
    user = current_user()
    if user is not None and st.session_state.get(SESSION_ID_KEY):
        log_in(user, store)


def log_out(
    notice: str | None = None,
    *,
    store=None,
    reason: str = "logout",
    detail: str = "",
    clear_cookie: bool = True,
) -> None:
    """Forget the user and everything session-specific (scope choices stay harmlessly).

    With `store`, the log-out is audited (dashboard.auth.record_logout: auth.logout, or auth.timeout
    for reason "timeout") and the session token is revoked, so every tab of the browser is logged out;
    the session is cleared even if that write fails. `clear_cookie` False leaves the browser's cookie
    alone (another tab may have put a newer token there).
    """
    user = current_user()
    session_id = st.session_state.get(SESSION_ID_KEY)
    try:
        if store is not None and user is not None:
            from dashboard.auth import record_logout

            record_logout(store, user.username, reason=reason, detail=detail)
        if store is not None and session_id:
            from dashboard.auth.sessions import revoke_session

            revoke_session(store, session_id, reason)
    finally:
        for key in (USER_KEY, ACTIVITY_KEY, TOKEN_KEY, SESSION_ID_KEY):
            st.session_state.pop(key, None)
        st.session_state[NO_RESUME_KEY] = True
        if clear_cookie:
            st.session_state[CLEAR_COOKIE_KEY] = True
        if notice:
            st.session_state[NOTICE_KEY] = notice
        else:
            st.session_state.pop(NOTICE_KEY, None)


def _resume_from_cookie(store) -> None:
    """A reload or a new tab: log in again from the browser's token when it still holds."""
    if st.session_state.get(NO_RESUME_KEY):
        return
    st.session_state[NO_RESUME_KEY] = True  # one try per connection
    from dashboard.ui.cookies import read_cookie

    token = read_cookie()
    if not token:
        return
    from dashboard.auth import get_user, sessions
    from dashboard.auth.sessions import check_token

    try:
        found = check_token(store, token, idle_minutes=_setting(store, "session_timeout_minutes"))
    except Exception:  # noqa: BLE001 - a read-only or broken store: just show the log-in form
        return
    if not found.ok:
        if found.reason in ("idle", "expired"):
            from dashboard.ui.i18n import t

            st.session_state[NOTICE_KEY] = t("common.session_token_expired")
        return
    user = get_user(store, found.username)
    if user is None or not sessions.user_is_active(store, found.username):
        return
    st.session_state[USER_KEY] = user
    st.session_state[ACTIVITY_KEY] = datetime.now()
    st.session_state[TOKEN_KEY] = token
    st.session_state[SESSION_ID_KEY] = found.session_id
    st.session_state.pop(NOTICE_KEY, None)


def check_expiry(store, now: datetime | None = None) -> bool:
    """Log out after `session_timeout_minutes` of inactivity, when the session's token was revoked (退出
    登录 in another tab, a password change) or has expired, or when the account was disabled or removed
    meanwhile; True if that just happened. Without a user, resume one from the browser's cookie.
    Otherwise the stored account is re-read (a changed role or unit applies at once) and the activity
    clock is reset to now (every run counts as activity).
    """
    if current_user() is None:
        _resume_from_cookie(store)
    user = current_user()
    if user is None:
        return False
    from dashboard.auth import get_user, sessions
    from dashboard.ui.i18n import t

    stored = get_user(store, user.username)
    if stored is None or not sessions.user_is_active(store, user.username):
        log_out(t("common.account_disabled"), store=store, detail="账号已停用或删除，强制退出")
        return True
    if stored != user:
        st.session_state[USER_KEY] = stored
    now = now or datetime.now()
    timeout = _setting(store, "session_timeout_minutes")
    token = st.session_state.get(TOKEN_KEY)
    if token:  # the shared clock of every tab of this browser: the token's last use
        from dashboard.auth.sessions import check_token

        found = check_token(store, token, idle_minutes=timeout, now=now)
        if not found.ok:
            if found.reason == "idle":
                log_out(
                    t("common.session_expired", minutes=timeout),
                    store=store,
                    reason="timeout",
                    detail=f"{timeout} 分钟未操作，会话超时",
                )
            elif found.reason == "expired":
                log_out(t("common.session_token_expired"), store=store, reason="timeout",
                        detail="登录保持时长已到")  # fmt: skip
            else:  # revoked: 退出登录 in another tab, a password change or reset
                st.session_state.pop(SESSION_ID_KEY, None)
                log_out(t("common.session_revoked"), clear_cookie=False)
            return True
        st.session_state[ACTIVITY_KEY] = now
        return False
    last = st.session_state.get(ACTIVITY_KEY)
    if last is not None:
        from dashboard.auth import session_expired

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


def sync_cookie(store) -> None:
    """Keep the browser's cookie in step with this session: the token while logged in (for the
    reload / new-tab resume), deleted after a log-out. Called by every page (page_setup)."""
    from dashboard.ui.cookies import write_cookie

    token = st.session_state.get(TOKEN_KEY)
    if token and current_user() is not None:
        write_cookie(token, _setting(store, "session_token_hours") * 3600)
    elif st.session_state.get(CLEAR_COOKIE_KEY):
        write_cookie(None, 0)
