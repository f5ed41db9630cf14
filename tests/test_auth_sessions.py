"""Session tokens (issue 12 point 2): signed, expiring, revoked at log-out, password change or reset,
and when the account is disabled; the idle timeout counts from the token's last use."""

from __future__ import annotations

from datetime import datetime, timedelta

from dashboard import auth
from dashboard.auth.sessions import check_token, issue_session, live_sessions, revoke_session


def _user(store, name="clerk", role="admin"):
    auth.create_user(store, name, "办事员", role, [], "Clerk@2026x", actor="test")
    if role == "admin":  # keep one other admin so the clerk can be disabled
        auth.create_user(store, "boss", "主任", "admin", [], "Boss@2026xx", actor="test")


def test_token_holds_until_revoked(store):
    _user(store)
    token, sid = issue_session(store, "clerk", hours=12)
    found = check_token(store, token, idle_minutes=30)
    assert found.ok and found.username == "clerk" and found.session_id == sid
    revoke_session(store, sid)
    assert check_token(store, token, idle_minutes=30).reason == "revoked"


def test_forged_or_mangled_tokens_are_refused(store):
    _user(store)
    token, _ = issue_session(store, "clerk", hours=12)
    sid, expires, sig = token.split(".")
    assert check_token(store, f"{sid}.{int(expires) + 3600}.{sig}", idle_minutes=30).reason == (
        "malformed"
    )
    assert check_token(store, "x.y", idle_minutes=30).reason == "malformed"
    assert check_token(store, None, idle_minutes=30).reason == "malformed"


def test_expiry_and_idle(store):
    _user(store)
    now = datetime(2026, 11, 27, 9, 0)
    token, _ = issue_session(store, "clerk", hours=1, now=now)
    assert check_token(store, token, idle_minutes=30, now=now + timedelta(minutes=20)).ok
    # used at 09:20, so still alive at 09:45, idle at 09:51
    assert check_token(store, token, idle_minutes=30, now=now + timedelta(minutes=45)).ok
    assert check_token(store, token, idle_minutes=30, now=now + timedelta(minutes=76)).reason in (
        "idle",
        "expired",
    )
    token2, _ = issue_session(store, "clerk", hours=1, now=now)
    late = now + timedelta(minutes=61)
    assert check_token(store, token2, idle_minutes=0, now=late).reason == "expired"


def test_password_change_reset_and_disable_revoke_every_session(store):
    _user(store)
    t1, _ = issue_session(store, "clerk", hours=12)
    t2, _ = issue_session(store, "clerk", hours=12)
    assert live_sessions(store, "clerk") == 2
    auth.change_password(store, "clerk", "Clerk@2026x", "Clerk@2027yy")
    assert live_sessions(store, "clerk") == 0
    assert check_token(store, t1, idle_minutes=30).reason == "revoked"

    t3, _ = issue_session(store, "clerk", hours=12)
    auth.reset_password(store, "clerk", "Reset@2026zz", actor="boss")
    assert check_token(store, t3, idle_minutes=30).reason == "revoked"

    t4, _ = issue_session(store, "clerk", hours=12)
    auth.disable_user(store, "clerk", actor="boss")
    assert check_token(store, t4, idle_minutes=30).reason == "revoked"
    assert t2 != t1
