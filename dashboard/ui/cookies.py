"""The session cookie in the browser, written by a tiny st.components.v2 component (Streamlit's own API,
no third-party package) and read back with st.context.cookies when a new tab or a reload starts a session.

The cookie holds only the signed token of dashboard.auth.sessions; whether it still holds is decided on
the server, so a copied or stale cookie is worth nothing after 退出登录, a password change or its expiry.
"""

from __future__ import annotations

import streamlit as st

COOKIE_NAME = "sjs_session"

_JS = """
export default function (component) {
  const data = component.data || {};
  if (!data.name) return;
  let text = data.name + "=" + encodeURIComponent(data.value || "") + "; path=/; SameSite=Strict";
  text += "; max-age=" + Math.max(0, Math.floor(data.max_age || 0));
  if (window.location.protocol === "https:") text += "; Secure";
  if (window.__sjsCookie !== text) {
    document.cookie = text;
    window.__sjsCookie = text;
  }
}
"""

_component = None


def _writer():
    global _component
    if _component is None:
        _component = st.components.v2.component("dashboard_session_cookie", js=_JS)
    return _component


def read_cookie() -> str | None:
    """The token the browser sent when this session's connection opened (None in AppTest)."""
    try:
        value = st.context.cookies.get(COOKIE_NAME)
    except Exception:  # noqa: BLE001 - no request context (AppTest, bare mode)
        return None
    if not value:
        return None
    from urllib.parse import unquote

    return unquote(value)


def write_cookie(value: str | None, max_age_seconds: int) -> None:
    """Set (value) or delete (None) the session cookie; drawn in a hidden container of the sidebar."""
    box = st.sidebar.container(key="session_cookie_box")
    with box:
        _writer()(
            key="session_cookie_writer",
            data={
                "name": COOKIE_NAME,
                "value": value or "",
                "max_age": max_age_seconds if value else 0,
            },
            height=0,
        )
