"""Log-in sessions that outlive one browser tab: signed, expiring tokens kept in a cookie (issue 12).

A token is `<session_id>.<expires unix seconds>.<signature>`: session_id is 32 random bytes (URL-safe
base64), the signature an HMAC-SHA256 over the first two parts with a per-store secret (store_meta
`session_secret`, made on first use). A token holds while its row in `login_sessions` is not revoked, its
absolute expiry has not passed and it was used within the idle timeout. Revocation is per session
(退出登录) or per user (password change or reset, account disabled: `revoke_user_sessions`).

Kept apart from the log-in and lock-out code of accounts.py on purpose: nothing here counts failures.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from dashboard.store import Store

SECRET_KEY = "session_secret"
# a row's last_seen is written at most this often (every Streamlit rerun would otherwise write)
TOUCH_EVERY = timedelta(seconds=20)


@dataclass(frozen=True)
class SessionCheck:
    """What `check_token` found: the username when the token holds, else why not."""

    username: str | None
    session_id: str | None
    reason: str | None = (
        None  # None (valid) | "malformed" | "unknown" | "revoked" | "expired" | "idle"
    )

    @property
    def ok(self) -> bool:
        return self.username is not None


def _secret(store: Store) -> bytes:
    value = store.scalar("SELECT value FROM store_meta WHERE key = ?", [SECRET_KEY])
    if not value:
        value = secrets.token_hex(32)
        with store.transaction(changes_data=False) as cur:
            cur.execute(
                "INSERT INTO store_meta VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                [SECRET_KEY, value],
            )
        value = store.scalar("SELECT value FROM store_meta WHERE key = ?", [SECRET_KEY])
    return str(value).encode()


def _sign(store: Store, payload: str) -> str:
    mac = hmac.new(_secret(store), payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def issue_session(
    store: Store, username: str, *, hours: float, now: datetime | None = None
) -> tuple[str, str]:
    """A new session for `username`: (token for the cookie, session_id)."""
    now = now or datetime.now()
    session_id = secrets.token_urlsafe(32)
    expires = now + timedelta(hours=hours)
    with store.transaction(changes_data=False) as cur:
        cur.execute(
            "INSERT INTO login_sessions (session_id, username, created_at, expires_at, last_seen)"
            " VALUES (?, ?, ?, ?, ?)",
            [session_id, username, now, expires, now],
        )
    payload = f"{session_id}.{int(expires.timestamp())}"
    return f"{payload}.{_sign(store, payload)}", session_id


def check_token(
    store: Store, token: str | None, *, idle_minutes: int, now: datetime | None = None
) -> SessionCheck:
    """Whether `token` (from the cookie) is a live session; touches its last_seen when it is."""
    now = now or datetime.now()
    parts = (token or "").split(".")
    if len(parts) != 3:
        return SessionCheck(None, None, "malformed")
    session_id, expires_text, signature = parts
    if not hmac.compare_digest(_sign(store, f"{session_id}.{expires_text}"), signature):
        return SessionCheck(None, None, "malformed")
    rows = store.rows(
        "SELECT username, expires_at, last_seen, revoked_at FROM login_sessions WHERE session_id = ?",
        [session_id],
    )
    if not rows:
        return SessionCheck(None, session_id, "unknown")
    username, expires_at, last_seen, revoked_at = rows[0]
    if revoked_at is not None:
        return SessionCheck(None, session_id, "revoked")
    if now >= expires_at or not expires_text.isdigit() or now.timestamp() >= int(expires_text):
        return SessionCheck(None, session_id, "expired")
    if idle_minutes and idle_minutes > 0 and now - last_seen > timedelta(minutes=idle_minutes):
        return SessionCheck(None, session_id, "idle")
    if now - last_seen >= TOUCH_EVERY:
        with store.transaction(changes_data=False) as cur:
            cur.execute(
                "UPDATE login_sessions SET last_seen = ? WHERE session_id = ?", [now, session_id]
            )
    return SessionCheck(username, session_id)


def revoke_session(store: Store, session_id: str | None, reason: str = "logout") -> None:
    """End one session (退出登录 in any tab ends it in every tab of that browser)."""
    if not session_id:
        return
    with store.transaction(changes_data=False) as cur:
        cur.execute(
            "UPDATE login_sessions SET revoked_at = ?, revoked_reason = ?"
            " WHERE session_id = ? AND revoked_at IS NULL",
            [datetime.now(), reason, session_id],
        )


def revoke_user_sessions(cur, username: str, reason: str, *, keep: str | None = None) -> None:
    """End every session of `username` inside the caller's write transaction `cur` (password change
    or reset, account disabled); `keep` spares one session (the tab that changed its own password)."""
    cur.execute(
        "UPDATE login_sessions SET revoked_at = ?, revoked_reason = ?"
        " WHERE username = ? AND revoked_at IS NULL AND session_id IS DISTINCT FROM ?",
        [datetime.now(), reason, username, keep],
    )


def live_sessions(store: Store, username: str) -> int:
    """How many sessions of `username` are not revoked (for tests and the users page)."""
    return int(
        store.scalar(
            "SELECT count(*) FROM login_sessions WHERE username = ? AND revoked_at IS NULL",
            [username],
        )
    )


def user_is_active(store: Store, username: str) -> bool:
    """True if the account exists and is not disabled (checked on every run of a logged-in session)."""
    return bool(store.scalar("SELECT active FROM users WHERE username = ?", [username]))
