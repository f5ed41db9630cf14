"""dashboard.auth: Argon2 hashes, lock-out, audit without passwords, policy, roles and scope."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from argon2 import PasswordHasher

from dashboard import auth, config
from dashboard.auth import AuthError, User, passwords
from dashboard.scope import Scope
from dashboard.store import open_store

PW = "Secret2026"
T0 = datetime(2026, 11, 27, 9, 0, 0)


@pytest.fixture(autouse=True)
def cheap_hasher():
    """A fast Argon2id for the tests (the production parameters are checked separately)."""
    old = passwords.set_hasher(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    yield
    passwords.set_hasher(old)


@pytest.fixture(scope="module")
def shared_store():
    """One in-memory store for the module (building the calendar per test is the slow part)."""
    s = open_store(":memory:")
    with s.transaction() as cur:  # the audit log is append-only (issue 13); these tests reset it
        cur.execute("DROP TRIGGER audit_log_no_delete ON audit_log")
    yield s
    s.close()


@pytest.fixture
def store(shared_store):
    """The shared store emptied of everything these tests write."""
    with shared_store.transaction() as cur:
        for table in ("users", "audit_log", "settings", "units", "login_throttle"):
            cur.execute(f"DELETE FROM {table}")
    return shared_store


@pytest.fixture
def units_store(store):
    with store.transaction() as cur:
        cur.execute(
            "INSERT INTO units VALUES ('KCK', '矿产资源管理股', '股室', false),"
            " ('CHK', '测绘地理信息股', '股室', false), ('DHK', '地质环境股', '股室', false),"
            " ('SJJ', '县市场监督管理局', '外部门', true)"
        )
    return store


def audit_text(store) -> str:
    rows = store.rows(
        "SELECT actor, action, coalesce(table_name, ''), coalesce(record_key, ''),"
        " coalesce(old_value, ''), coalesce(new_value, ''), coalesce(detail, '') FROM audit_log"
    )
    return "\n".join("|".join(r) for r in rows)


def actions(store, key: str | None = None) -> list[str]:
    if key is None:
        return [r[0] for r in store.rows("SELECT action FROM audit_log ORDER BY audit_id")]
    return [
        r[0]
        for r in store.rows(
            "SELECT action FROM audit_log WHERE record_key = ? ORDER BY audit_id", [key]
        )
    ]


# -- User ------------------------------------------------------------------------------------


def test_user_roles_and_units():
    admin = User("a", "管理员", "admin", ())
    leader = User("l", "领导", "leader", ())
    unit = User("u", "矿管股", "unit", ("KCK", "CHK"))
    ro = User("r", "只读", "readonly", ("DHK",))
    assert admin.allowed_units is None and leader.allowed_units is None
    assert unit.allowed_units == frozenset({"KCK", "CHK"})
    assert ro.allowed_units == frozenset({"DHK"})
    assert admin.is_admin and not leader.is_admin and not unit.is_admin
    assert admin.can_write_unit("ZFD")
    assert unit.can_write_unit("KCK") and unit.can_write_unit("CHK")
    assert not unit.can_write_unit("DHK")
    assert not leader.can_write_unit("KCK")
    assert not ro.can_write_unit("DHK")
    assert auth.ROLES == {
        "admin": "办公室管理员",
        "leader": "领导",
        "unit": "单位用户",
        "readonly": "只读",
    }
    assert unit.role_label == "单位用户"


def test_scope_for():
    unit = User("kck", "矿管股", "unit", ("KCK",))
    scope = auth.scope_for(unit, 2026, date(2026, 11, 27))
    assert scope == Scope(
        year=2026,
        as_of=date(2026, 11, 27),
        allowed_units=frozenset({"KCK"}),
        role="unit",
        username="kck",
    )
    assert scope.unit_filter == ["KCK"]
    assert scope.with_(unit="CHK").unit_filter == []  # a unit outside the user's is empty, not all
    leader = auth.scope_for(User("leader", "领导", "leader", ()), 2025)
    assert leader.allowed_units is None and leader.unit_filter is None
    assert leader.as_of == (date.today() if date.today().year == 2025 else date(2025, 12, 31))


def test_session_expired():
    assert not auth.session_expired(T0, T0 + timedelta(minutes=30), 30)
    assert auth.session_expired(T0, T0 + timedelta(minutes=30, seconds=1), 30)
    assert not auth.session_expired(T0, T0 + timedelta(minutes=29), 30)
    assert auth.session_expired(T0, T0 + timedelta(minutes=6), 5)
    assert not auth.session_expired(T0, T0 + timedelta(days=9), 0)  # 0 disables the timeout


# -- password policy and hashing ------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("", "不能为空"),
        ("abc123", "至少需要 8 位，当前只有 6 位"),
        ("abcdefgh", "同时包含字母和数字"),
        ("12345678", "同时包含字母和数字"),
        ("密码密码密码密码1", "同时包含字母和数字"),
        ("x1" * 65, "不能超过 128 位"),
        ("Zhangsan1", "不能与用户名相同"),
    ],
)
def test_policy_problems(password, fragment):
    assert fragment in passwords.policy_problem(password, "zhangsan1")


def test_policy_accepts():
    for password in ("abcdefg1", "Admin@2026", "Unit@2026", "1234567a", "长密码也可以abc123"):
        assert passwords.policy_problem(password, "admin") is None, password


def test_default_hasher_is_argon2id():
    default = PasswordHasher()
    h = default.hash(PW)
    assert h.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert default.verify(h, PW)


def test_hash_roundtrip_and_bad_hash():
    h = passwords.hash_password(PW)
    assert h.startswith("$argon2id$") and PW not in h
    assert passwords.verify_password(h, PW)
    assert not passwords.verify_password(h, PW + "x")
    assert not passwords.verify_password("not-a-hash", PW)
    assert passwords.needs_rehash("not-a-hash")


# -- create and authenticate ----------------------------------------------------------------


def test_create_and_login(units_store):
    store = units_store
    user = auth.create_user(
        store, " Zhang.San ", "张三", "unit", ["KCK", " CHK", "KCK"], PW, actor="admin"
    )
    assert user == User("zhang.san", "张三", "unit", ("KCK", "CHK"))
    stored = store.rows("SELECT password_hash, unit_codes, active FROM users")[0]
    assert stored[0].startswith("$argon2id$") and PW not in stored[0]
    assert stored[1] == ["KCK", "CHK"] and stored[2] is True
    # user names are case-insensitive
    assert auth.authenticate(store, "ZHANG.SAN", PW, now=T0) == user
    assert actions(store) == ["user.create", "auth.login"]
    assert store.scalar("SELECT actor FROM audit_log WHERE action = 'user.create'") == "admin"
    assert PW not in audit_text(store)
    assert "$argon2" not in audit_text(store)


def test_unknown_user_and_wrong_password_same_message(units_store):
    store = units_store
    auth.create_user(store, "kck", "矿管股", "unit", ["KCK"], PW, actor="admin")
    with pytest.raises(AuthError) as unknown:
        auth.authenticate(store, "nobody", PW, now=T0)
    with pytest.raises(AuthError) as wrong:
        auth.authenticate(store, "kck", "Wrong2026", now=T0)
    assert str(unknown.value) == str(wrong.value) == "用户名或密码错误。"
    assert actions(store)[-2:] == ["auth.fail", "auth.fail"]
    details = [
        r[0]
        for r in store.rows(
            "SELECT detail FROM audit_log WHERE action = 'auth.fail' ORDER BY audit_id"
        )
    ]
    assert details == ["未知用户名", "密码错误（连续第 1 次）"]
    assert "Wrong2026" not in audit_text(store) and PW not in audit_text(store)
    assert store.scalar("SELECT actor FROM audit_log WHERE detail = '未知用户名'") == "nobody"


def test_password_typed_as_user_name_is_not_logged(units_store):
    with pytest.raises(AuthError, match="^用户名或密码错误。$"):
        auth.authenticate(units_store, "Admin@2026!", "", now=T0)
    assert units_store.rows("SELECT actor, action, detail FROM audit_log") == [
        ("（无效用户名）", "auth.fail", "未知用户名")
    ]


def test_lockout_after_five_failures_then_unlocks(units_store):
    store = units_store
    auth.create_user(store, "kck", "矿管股", "unit", ["KCK"], PW, actor="admin")
    for i in range(4):
        with pytest.raises(AuthError, match="^用户名或密码错误。$"):
            auth.authenticate(store, "kck", f"Bad{i}pass", now=T0)
    assert store.scalar("SELECT failed_attempts FROM users") == 4
    with pytest.raises(AuthError, match="连续 5 次失败，账号已锁定 15 分钟"):
        auth.authenticate(store, "kck", "Bad5pass", now=T0)
    assert store.scalar("SELECT locked_until FROM users") == T0 + timedelta(minutes=15)
    assert actions(store).count("auth.lockout") == 1
    # locked: even the right password is refused, and the attempt is recorded
    with pytest.raises(AuthError, match="账号已被锁定，请在 09:15 之后再试"):
        auth.authenticate(store, "kck", PW, now=T0 + timedelta(minutes=14, seconds=59))
    assert actions(store)[-1] == "auth.locked"
    # after the lock the right password works and the counter is clear
    user = auth.authenticate(store, "kck", PW, now=T0 + timedelta(minutes=15, seconds=1))
    assert user.username == "kck"
    assert store.rows("SELECT failed_attempts, locked_until FROM users") == [(0, None)]
    text = audit_text(store)
    for i in range(4):
        assert f"Bad{i}pass" not in text
    assert "Bad5pass" not in text and PW not in text


def test_success_resets_the_consecutive_count(units_store):
    store = units_store
    auth.create_user(store, "kck", "矿管股", "unit", ["KCK"], PW, actor="admin")
    for _ in range(4):
        with pytest.raises(AuthError):
            auth.authenticate(store, "kck", "Wrong2026", now=T0)
    auth.authenticate(store, "kck", PW, now=T0)
    for _ in range(4):
        with pytest.raises(AuthError, match="^用户名或密码错误。$"):
            auth.authenticate(store, "kck", "Wrong2026", now=T0)
    assert store.scalar("SELECT locked_until FROM users") is None
    assert store.scalar("SELECT failed_attempts FROM users") == 4


def test_lockout_settings_are_used(units_store):
    store = units_store
    config.set_setting(store, "lockout_attempts", 2, "admin")
    config.set_setting(store, "lockout_minutes", 60, "admin")
    auth.create_user(store, "kck", "矿管股", "unit", ["KCK"], PW, actor="admin")
    with pytest.raises(AuthError, match="^用户名或密码错误。$"):
        auth.authenticate(store, "kck", "Wrong2026", now=T0)
    with pytest.raises(AuthError, match="连续 2 次失败，账号已锁定 60 分钟"):
        auth.authenticate(store, "kck", "Wrong2026", now=T0)
    with pytest.raises(AuthError, match="10:00 之后"):
        auth.authenticate(store, "kck", PW, now=T0 + timedelta(minutes=59))
    assert auth.authenticate(store, "kck", PW, now=T0 + timedelta(minutes=61)).username == "kck"


def test_disabled_user(units_store):
    store = units_store
    auth.create_user(store, "boss", "管理员", "admin", [], PW, actor="命令行")
    auth.create_user(store, "kck", "矿管股", "unit", ["KCK"], PW, actor="boss")
    auth.disable_user(store, "kck", actor="boss")
    assert store.scalar("SELECT active FROM users WHERE username = 'kck'") is False
    with pytest.raises(AuthError, match="已停用"):
        auth.authenticate(store, "kck", PW, now=T0)
    # a wrong password on a disabled account reveals nothing more
    with pytest.raises(AuthError, match="^用户名或密码错误。$"):
        auth.authenticate(store, "kck", "Wrong2026", now=T0)
    assert actions(store, "kck") == ["user.create", "user.disable", "auth.disabled", "auth.fail"]
    auth.enable_user(store, "kck", actor="boss")
    assert auth.authenticate(store, "kck", PW, now=T0).username == "kck"


def test_cannot_disable_last_admin_or_self(units_store):
    store = units_store
    auth.create_user(store, "boss", "管理员", "admin", [], PW, actor="命令行")
    with pytest.raises(AuthError, match="最后一个有效的管理员"):
        auth.disable_user(store, "boss", actor="命令行")
    auth.create_user(store, "boss2", "管理员2", "admin", [], PW, actor="boss")
    with pytest.raises(AuthError, match="不能停用自己"):
        auth.disable_user(store, "boss", actor="boss")
    auth.disable_user(store, "boss", actor="boss2")
    with pytest.raises(AuthError, match="最后一个有效的管理员"):
        auth.disable_user(store, "boss2", actor="命令行")
    with pytest.raises(AuthError, match="最后一个有效管理员的角色"):
        auth.update_user(store, "boss2", role="leader", actor="命令行")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("张三", "张三", "unit", ["KCK"], PW), "用户名“张三”不合规"),
        (("a", "a", "unit", ["KCK"], PW), "不合规"),
        (("kck", "矿管股", "boss", ["KCK"], PW), "角色“boss”无效"),
        (("kck", "矿管股", "unit", [], PW), "单位用户账号至少要指定一个所属单位"),
        (("ro", "只读", "readonly", [], PW), "只读账号至少要指定一个所属单位"),
        (("kck", "矿管股", "unit", ["XYZ"], PW), "单位编码“XYZ”不存在"),
        (("boss", "管理员", "admin", ["KCK"], PW), "不需要指定所属单位"),
        (("kck", "矿管股", "unit", ["KCK"], "short1"), "至少需要 8 位"),
        (("kck", "矿管股", "unit", ["KCK"], "onlyletters"), "同时包含字母和数字"),
    ],
)
def test_create_user_validation(units_store, args, fragment):
    with pytest.raises(AuthError, match=fragment):
        auth.create_user(units_store, *args, actor="admin")
    assert units_store.scalar("SELECT count(*) FROM users") == 0
    assert units_store.scalar("SELECT count(*) FROM audit_log") == 0


def test_duplicate_username(units_store):
    auth.create_user(units_store, "kck", "矿管股", "unit", ["KCK"], PW, actor="admin")
    with pytest.raises(AuthError, match="用户名“kck”已存在"):
        auth.create_user(units_store, "KCK", "x", "unit", ["CHK"], PW, actor="admin")


def test_external_unit_user_allowed_and_display_name_default(units_store):
    user = auth.create_user(units_store, "sjj", "", "unit", ["SJJ"], PW, actor="admin")
    assert user.display_name == "sjj" and user.unit_codes == ("SJJ",)


def test_reset_password(units_store):
    store = units_store
    auth.create_user(store, "kck", "矿管股", "unit", ["KCK"], PW, actor="admin")
    for _ in range(5):
        with pytest.raises(AuthError):
            auth.authenticate(store, "kck", "Wrong2026", now=T0)
    assert store.scalar("SELECT locked_until FROM users") is not None
    with pytest.raises(AuthError, match="至少需要 8 位"):
        auth.reset_password(store, "kck", "New1", actor="admin")
    auth.reset_password(store, "kck", "Fresh2026", actor="admin")
    # unlocked at once; the old password no longer works; the user must change the new one
    with pytest.raises(AuthError, match="^用户名或密码错误。$"):
        auth.authenticate(store, "kck", PW, now=T0)
    user = auth.authenticate(store, "kck", "Fresh2026", now=T0)
    assert user.must_change_password is True
    assert "Fresh2026" not in audit_text(store)
    with pytest.raises(AuthError, match="用户“ghost”不存在"):
        auth.reset_password(store, "ghost", "Fresh2026", actor="admin")


def test_change_password(units_store):
    store = units_store
    auth.create_user(store, "kck", "矿管股", "unit", ["KCK"], PW, actor="admin")
    auth.reset_password(store, "kck", "Temp2026x", actor="admin")
    with pytest.raises(AuthError, match="^原密码不正确。$"):
        auth.change_password(store, "kck", "Wrong2026", "Mine2026")
    assert store.scalar("SELECT failed_attempts FROM users") == 1  # counts toward the lock-out
    with pytest.raises(AuthError, match="新密码不能与原密码相同"):
        auth.change_password(store, "kck", "Temp2026x", "Temp2026x")
    with pytest.raises(AuthError, match="同时包含字母和数字"):
        auth.change_password(store, "kck", "Temp2026x", "abcdefghij")
    auth.change_password(store, "kck", "Temp2026x", "Mine2026")
    user = auth.authenticate(store, "kck", "Mine2026", now=T0)
    assert user.must_change_password is False
    assert actions(store, "kck")[-2:] == ["user.change_password", "auth.login"]
    text = audit_text(store)
    assert "Mine2026" not in text and "Temp2026x" not in text


def test_update_user(units_store):
    store = units_store
    auth.create_user(store, "kck", "矿管股", "unit", ["KCK"], PW, actor="admin")
    user = auth.update_user(store, "kck", unit_codes=["KCK", "DHK"], actor="admin")
    assert user.unit_codes == ("KCK", "DHK")
    user = auth.update_user(store, "kck", role="leader", unit_codes=[], actor="admin")
    assert user.role == "leader" and user.allowed_units is None
    assert auth.get_user(store, "KCK") == user
    with pytest.raises(AuthError, match="单位用户账号至少要指定一个所属单位"):
        auth.update_user(store, "kck", role="unit", actor="admin")
    assert auth.get_user(store, "nobody") is None


def test_list_users_never_shows_hashes(units_store):
    store = units_store
    auth.create_user(store, "kck", "矿管股", "unit", ["KCK"], PW, actor="admin")
    auth.create_user(store, "boss", "管理员", "admin", [], PW, actor="admin")
    frame = auth.list_users(store)
    assert list(frame["username"]) == ["boss", "kck"]
    assert "password_hash" not in frame.columns
    assert list(frame["role_label"]) == ["办公室管理员", "单位用户"]
    assert frame.loc[frame.username == "kck", "unit_codes"].iloc[0] == ["KCK"]
    assert not frame.astype(str).apply(lambda col: col.str.contains("argon2")).any().any()


def test_demo_accounts(units_store):
    store = units_store
    auth.create_demo_accounts(store)
    auth.create_demo_accounts(store)  # idempotent
    frame = auth.list_users(store)
    assert sorted(frame["username"]) == ["admin", "chk", "kck", "leader", "viewer"]
    expected = {
        "admin": ("admin", ()),
        "leader": ("leader", ()),
        "kck": ("unit", ("KCK",)),
        "chk": ("unit", ("CHK",)),
        "viewer": ("readonly", ("DHK",)),
    }
    for account in auth.DEMO_ACCOUNTS:
        user = auth.authenticate(store, account["username"], account["password"], now=T0)
        assert (user.role, user.unit_codes) == expected[user.username]
        assert user.must_change_password is False
    assert {a["password"] for a in auth.DEMO_ACCOUNTS} == {
        "Admin@2026", "Leader@2026", "Unit@2026", "Read@2026"
    }  # fmt: skip
    assert "@2026" not in audit_text(store)


def test_demo_accounts_need_units(store):
    with pytest.raises(AuthError, match="单位编码“KCK”不存在"):
        auth.create_demo_accounts(store)


def test_rehash_on_login_when_parameters_change(units_store):
    store = units_store
    auth.create_user(store, "kck", "矿管股", "unit", ["KCK"], PW, actor="admin")
    old_hash = store.scalar("SELECT password_hash FROM users")
    passwords.set_hasher(PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    auth.authenticate(store, "kck", PW, now=T0)
    new_hash = store.scalar("SELECT password_hash FROM users")
    assert new_hash != old_hash and "m=16,t=2,p=1" in new_hash
    assert auth.authenticate(store, "kck", PW, now=T0).username == "kck"
