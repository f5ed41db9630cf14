"""自助分析 (issue 17): the sessions of one user, scope and data version share one console (its views
are ≈ 1.5 GB at 1 M entities), a write or another scope gets a new one, and at most MAX_CONSOLES live."""

from __future__ import annotations

import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard.analysis import SqlConsole
from dashboard.auth import User
from dashboard.config import PROJECT_ROOT
from dashboard.ui.session import USER_KEY

PAGE = str(PROJECT_ROOT / "pages" / "analysis.py")
ADMIN = User("admin", "管理员", "admin", ())
KCK = User("kck", "矿产股用户", "unit", ("KCK",))


def test_sessions_share_a_console_until_a_write(monkeypatch, fresh_demo_copy):
    monkeypatch.setenv("DASHBOARD_DB", str(fresh_demo_copy))
    built, closed = [], []
    original_for_scope = SqlConsole.for_scope.__func__
    original_close = SqlConsole.close

    def for_scope(cls, store, scope):
        built.append(scope.username)
        return original_for_scope(cls, store, scope)

    def close(self):
        closed.append(id(self))
        return original_close(self)

    monkeypatch.setattr(SqlConsole, "for_scope", classmethod(for_scope))
    monkeypatch.setattr(SqlConsole, "close", close)
    st.cache_resource.clear()

    def session(user) -> AppTest:
        at = AppTest.from_file(PAGE, default_timeout=120)
        at.session_state[USER_KEY] = user
        at.run()
        assert not at.exception, at.exception
        return at

    first = session(ADMIN)
    session(ADMIN)  # a second session (another tab, a reload): the same console
    first.run()  # a rerun: the same console
    assert built == ["admin"] and closed == []
    from dashboard.store import open_store

    store = open_store(fresh_demo_copy)
    with store.transaction() as cur:  # any write: a new data version, a new console
        store.set_meta(cur, "perf_test", "1")
    session(ADMIN)
    assert built == ["admin", "admin"]
    session(KCK)  # a third console: the least recently used one (the old data version) is closed
    assert built == ["admin", "admin", "kck"]
    assert len(closed) == 1
    st.cache_resource.clear()
