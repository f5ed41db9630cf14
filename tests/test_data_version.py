"""What counts as a change of data (issue 17): log-ins, failed log-ins, session touches and account
changes leave the data version alone — cached results and an open draw preview stay valid — while a
write of data (a setting, a draw) moves it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from test_draw_fixtures import D, build

from dashboard import auth, config, draw
from dashboard.auth.sessions import check_token, issue_session, revoke_session
from dashboard.metrics import cache as query_cache
from dashboard.metrics.base import run_row
from dashboard.scope import Scope


@pytest.fixture
def county(store):
    build(store)
    auth.create_user(store, "clerk", "办事员", "admin", [], "Clerk@2026x", actor="test")
    auth.create_user(store, "boss", "主任", "admin", [], "Boss@2026xx", actor="test")
    return store


def _account_traffic(store) -> None:
    """A morning at the office: log-ins, a wrong password, sessions touched and ended, a new user."""
    auth.authenticate(store, "clerk", "Clerk@2026x")
    with pytest.raises(auth.AuthError):
        auth.authenticate(store, "boss", "wrong-password")
    now = datetime.now()
    token, sid = issue_session(store, "clerk", hours=12, now=now)
    assert check_token(store, token, idle_minutes=30, now=now + timedelta(seconds=25)).ok  # touch
    revoke_session(store, sid)
    auth.record_logout(store, "clerk")
    auth.create_user(store, "reader", "读者", "leader", [], "Reader@2026x", actor="boss")


def test_account_events_keep_the_data_version(county):
    before = query_cache.version_of(county)
    audit_rows = county.scalar("SELECT count(*) FROM audit_log")
    _account_traffic(county)
    assert county.scalar("SELECT count(*) FROM audit_log") > audit_rows  # still audited
    assert query_cache.version_of(county) == before
    config.set_setting(county, "cache.max_mb", 128, actor="boss")
    after = query_cache.version_of(county)
    assert after[0] == before[0] + 1 and after[1] > before[1]


def test_cached_kpis_survive_a_log_in_and_follow_a_data_write(county):
    query_cache.activate(county)
    try:
        cache = query_cache.cache_for(county)
        scope = Scope(year=D.year, as_of=D)
        run_row(county, "kpi_values", scope)
        misses = cache.misses
        _account_traffic(county)
        run_row(county, "kpi_values", scope)
        assert cache.misses == misses  # served from the cache
        config.set_setting(county, "cache.max_mb", 128, actor="boss")
        run_row(county, "kpi_values", scope)
        assert cache.misses == misses + 1  # recomputed after the write
    finally:
        query_cache.deactivate()


def test_a_draw_preview_stays_current_while_others_log_in(county):
    prev = draw.preview(county, "T1", D)
    _account_traffic(county)
    assert prev.is_current(county, prev.request)
    # the draw reuses that preview instead of resolving the pool again (minutes at 8 M entities)
    draw.run_draw(county, "T1", "1", operator="王", draw_date=D, previewed=prev)
    stale = draw.preview(county, "T2", D)
    config.set_setting(county, "cache.max_mb", 128, actor="boss")
    assert not stale.is_current(county, stale.request)
