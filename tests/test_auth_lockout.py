"""Issue 13 point 7: lock-out that cannot be abused.

Before: five wrong passwords locked any account (even the only admin) for the same fixed period again
and again, and an unknown name never locked, which told an outsider which names exist. Now unknown and
known names are answered and timed alike, each lock-out in a row lasts twice as long (setting
lockout_max_minutes caps it: never for ever), and the office has a way back: an administrator's
unlock, `dashboard user unlock` and `dashboard user reset`.
"""

from __future__ import annotations

import statistics
import time
from datetime import datetime, timedelta

import pytest
from argon2 import PasswordHasher

from dashboard import auth, config
from dashboard.auth import AuthError, passwords
from dashboard.cli import main
from dashboard.store import close_store, open_store

PW = "Secret2026"
T0 = datetime(2026, 11, 27, 9, 0, 0)


@pytest.fixture(autouse=True)
def cheap_hasher():
    old = passwords.set_hasher(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    yield
    passwords.set_hasher(old)


@pytest.fixture
def store():
    s = open_store(":memory:")
    auth.create_user(s, "chief", "主任", "admin", [], PW, actor="test")
    yield s
    s.close()


def _fail(store, name, n, now):
    messages = []
    for _ in range(n):
        with pytest.raises(AuthError) as err:
            auth.authenticate(store, name, "Wrong2026", now=now)
        messages.append(str(err.value))
    return messages


def test_unknown_and_known_names_get_the_same_answers_and_lock_alike(store):
    known = _fail(store, "chief", 5, T0)
    unknown = _fail(store, "nobody", 5, T0)
    assert known == unknown
    assert known[-1] == "用户名或密码错误；连续 5 次失败，账号已锁定 15 分钟。"
    locked_known = _fail(store, "chief", 1, T0 + timedelta(minutes=1))
    locked_unknown = _fail(store, "nobody", 1, T0 + timedelta(minutes=1))
    assert (
        locked_known
        == locked_unknown
        == ["账号已被锁定，请在 09:15 之后再试，或请办公室管理员解锁。"]
    )
    # the right password does not open a locked account either
    with pytest.raises(AuthError, match="已被锁定"):
        auth.authenticate(store, "chief", PW, now=T0 + timedelta(minutes=2))


def test_each_lock_out_in_a_row_is_longer_up_to_the_cap_never_for_ever(store):
    config.set_setting(store, "lockout_max_minutes", 60, "test")
    now, periods = T0, []
    for _ in range(5):
        message = _fail(store, "chief", 5, now)[-1]
        periods.append(int(message.split("锁定 ")[1].split(" 分钟")[0]))
        until = store.scalar("SELECT locked_until FROM login_throttle WHERE name = 'chief'")
        assert until == now + timedelta(minutes=periods[-1])
        now = until + timedelta(seconds=1)
    assert periods == [15, 30, 60, 60, 60]
    # once the lock has run out, the right password logs in and the count starts again
    assert auth.authenticate(store, "chief", PW, now=now).username == "chief"
    assert store.scalar("SELECT count(*) FROM login_throttle") == 0
    assert _fail(store, "chief", 5, now)[-1].endswith("账号已锁定 15 分钟。")


def test_a_quiet_day_forgets_earlier_lock_outs(store):
    _fail(store, "chief", 5, T0)
    later = T0 + timedelta(days=2)
    assert _fail(store, "chief", 5, later)[-1].endswith("账号已锁定 15 分钟。")


def test_admin_unlock_and_cli_unlock_and_reset_give_the_office_a_way_back(tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    s = open_store(db)
    auth.create_user(s, "chief", "主任", "admin", [], PW, actor="test")
    auth.create_user(s, "deputy", "副主任", "admin", [], PW, actor="test")
    now = datetime.now()
    _fail(s, "chief", 5, now)
    assert auth.is_locked(s, "chief")
    auth.unlock_user(s, "chief", actor="deputy")
    assert not auth.is_locked(s, "chief")
    assert auth.authenticate(s, "chief", PW).username == "chief"
    assert s.scalar("SELECT count(*) FROM audit_log WHERE action = 'user.unlock'") == 1

    _fail(s, "chief", 5, now)
    close_store(db)
    assert main(["user", "unlock", "chief", "--db", str(db)]) == 0
    assert "已解锁用户 chief" in capsys.readouterr().out
    s = open_store(db)
    assert not auth.is_locked(s, "chief")
    _fail(s, "chief", 5, now)
    close_store(db)
    new = "Fresh2026x"
    assert main(["user", "reset", "chief", "--db", str(db), "--password", new]) == 0
    s = open_store(db)
    assert not auth.is_locked(s, "chief")
    assert auth.authenticate(s, "chief", new).username == "chief"
    close_store(db)


def test_unknown_and_known_names_take_the_same_time():
    """Measured with the production Argon2 parameters: a wrong password for a known name, an unknown
    name and a locked name each cost one hash verification."""
    passwords.set_hasher(PasswordHasher())
    passwords._dummy_hash = None  # made again with these parameters
    s = open_store(":memory:")
    auth.create_user(s, "chief", "主任", "admin", [], PW, actor="test")
    _fail(s, "locked", 5, datetime.now())

    runs: dict[str, list[float]] = {"chief": [], "nobody2": [], "locked": []}
    for _ in range(7):  # interleaved, in CPU time: other processes on the machine do not count
        for name in runs:
            started = time.process_time()
            with pytest.raises(AuthError):
                auth.authenticate(s, name, "Wrong2026")
            runs[name].append(time.process_time() - started)
    known, unknown, locked = (statistics.median(runs[n]) for n in runs)
    for other in (unknown, locked):
        assert abs(other - known) < 0.35 * known, (known, unknown, locked)
    s.close()
    passwords._dummy_hash = None
