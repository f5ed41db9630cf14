"""Audit trail of log-out (issue 7): the end of a session is written to audit_log like its start.

The 退出登录 button writes auth.logout, an expired session auth.timeout, an account disabled meanwhile
auth.logout with its reason; the session is cleared even if the audit write fails.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.auth import AUDIT_ACTIONS, authenticate, create_user, disable_user, record_logout
from dashboard.config import PROJECT_ROOT
from tests.browser_util import login_as

APP = str(PROJECT_ROOT / "app.py")
PAGE = str(PROJECT_ROOT / "pages" / "overview.py")


def _audit(store, username: str) -> list[tuple[str, str, str]]:
    return [
        (action, record_key, detail)
        for action, record_key, detail in store.rows(
            "SELECT action, record_key, detail FROM audit_log WHERE actor = ? AND action LIKE 'auth.%'"
            " ORDER BY audit_id",
            [username],
        )
    ]


def test_record_logout_writes_the_audit_log(store):
    with store.transaction() as cur:
        cur.execute("INSERT INTO units VALUES ('KCK', '矿产资源管理股', '股室', false)")
    create_user(store, "Zhang", "张三", "unit", ["KCK"], "Zhang@2026x", actor="admin")
    authenticate(store, "zhang", "Zhang@2026x")
    record_logout(store, " Zhang ")
    record_logout(store, "zhang", reason="timeout", detail="30 分钟未操作，会话超时")
    assert _audit(store, "zhang") == [
        ("auth.login", "zhang", "登录成功"),
        ("auth.logout", "zhang", "退出登录"),
        ("auth.timeout", "zhang", "30 分钟未操作，会话超时"),
    ]
    assert AUDIT_ACTIONS["auth.logout"] == "退出登录"
    assert AUDIT_ACTIONS["auth.timeout"] == "会话超时退出"
    # nothing secret in the trail
    text = " ".join(str(v) for row in store.rows("SELECT * FROM audit_log") for v in row)
    assert "Zhang@2026x" not in text and "$argon2" not in text


def _count(store, username: str, action: str) -> int:
    return sum(1 for a, *_ in _audit(store, username) if a == action)


def test_logout_button_is_audited(app_store):
    before = _count(app_store, "kck", "auth.logout")
    at = AppTest.from_file(APP, default_timeout=60)
    login_as(at, "kck", app_store)
    at.run()
    assert not at.exception, at.exception
    at.sidebar.button(key="_logout").click().run()
    assert "auth_user" not in at.session_state
    assert _count(app_store, "kck", "auth.logout") == before + 1
    assert _audit(app_store, "kck")[-1] == ("auth.logout", "kck", "主动退出登录")
    at.run()  # a rerun after log-out writes nothing more
    assert _count(app_store, "kck", "auth.logout") == before + 1


@pytest.mark.parametrize("target", [APP, PAGE])
def test_session_expiry_is_audited_once(app_store, target):
    before = _count(app_store, "viewer", "auth.timeout")
    at = AppTest.from_file(target, default_timeout=60)
    login_as(at, "viewer", app_store)
    at.session_state["auth_last_activity"] = datetime.now() - timedelta(minutes=31)
    at.run()
    assert not at.exception, at.exception
    assert "auth_user" not in at.session_state
    assert _count(app_store, "viewer", "auth.timeout") == before + 1
    action, key, detail = _audit(app_store, "viewer")[-1]
    assert (action, key) == ("auth.timeout", "viewer") and "30 分钟未操作" in detail


def test_disabled_account_is_logged_out_and_audited(app_store):
    create_user(app_store, "tmpunit", "临时", "unit", ["KCK"], "Tmp@2026xx", actor="admin")
    at = AppTest.from_file(APP, default_timeout=60)
    login_as(at, "tmpunit", app_store)
    at.run()
    assert at.session_state["auth_user"].username == "tmpunit"
    disable_user(app_store, "tmpunit", actor="admin")
    at.run()
    assert "auth_user" not in at.session_state
    assert _audit(app_store, "tmpunit")[-1] == (
        "auth.logout",
        "tmpunit",
        "账号已停用或删除，强制退出",
    )


def test_logout_clears_the_session_even_if_the_audit_fails(app_store, monkeypatch):
    import dashboard.auth

    def broken(*args, **kwargs):
        raise RuntimeError("audit write failed")

    monkeypatch.setattr(dashboard.auth, "record_logout", broken)
    at = AppTest.from_file(APP, default_timeout=60)
    login_as(at, "kck", app_store)
    at.run()
    at.sidebar.button(key="_logout").click().run()
    assert "auth_user" not in at.session_state
    assert at.exception  # the failed write is not hidden
