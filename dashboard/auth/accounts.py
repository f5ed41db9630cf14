"""Users, roles, log-in with lock-out, and account administration (the `users` table of 001).

Every change and every log-in attempt is written to audit_log; passwords and hashes never are.
User names are case-insensitive: they are trimmed and lower-cased before use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

import pandas as pd

from dashboard import config
from dashboard.auth import passwords
from dashboard.auth.sessions import revoke_user_sessions
from dashboard.scope import Scope

if TYPE_CHECKING:
    from dashboard.store import Store

ROLES = {"admin": "办公室管理员", "leader": "领导", "unit": "单位用户", "readonly": "只读"}
ALL_UNIT_ROLES = frozenset({"admin", "leader"})  # see every unit
UNIT_SCOPED_ROLES = frozenset({"unit", "readonly"})  # see only their own units (at least one)
# the role a new account starts with where a form offers a default: the least privilege (issue 12)
DEFAULT_ROLE = "readonly"

# audit_log.action values written here, with Chinese labels for the audit page.
AUDIT_ACTIONS = {
    "auth.login": "登录成功",
    "auth.fail": "登录失败",
    "auth.lockout": "账号锁定",
    "auth.locked": "锁定期间尝试登录",
    "auth.disabled": "停用账号尝试登录",
    "auth.logout": "退出登录",
    "auth.timeout": "会话超时退出",
    "user.create": "新建用户",
    "user.update": "修改用户",
    "user.reset_password": "重置密码",
    "user.change_password": "修改密码",
    "user.disable": "停用用户",
    "user.enable": "启用用户",
    "user.unlock": "解锁账号",
}

WRONG_CREDENTIALS = "用户名或密码错误。"
_USERNAME = re.compile(r"[a-z0-9][a-z0-9_.\-]{1,31}")


class AuthError(Exception):
    """A log-in or account problem; str(e) is one Chinese sentence."""


@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    role: str
    unit_codes: tuple[str, ...] = ()
    must_change_password: bool = False

    @property
    def allowed_units(self) -> frozenset[str] | None:
        """None = every unit (admin, leader); otherwise the user's own units."""
        if self.role in ALL_UNIT_ROLES:
            return None
        return frozenset(self.unit_codes)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    def can_write_unit(self, unit_code: str) -> bool:
        """admin: any unit; unit user: own units; leader and readonly: none."""
        if self.role == "admin":
            return True
        if self.role == "unit":
            return unit_code in self.unit_codes
        return False


def scope_for(user: User, year: int, as_of: date | None = None, **filters) -> Scope:
    """The Scope of `user` for year Y and as-of date T (T defaults as in Scope.for_year)."""
    return Scope.for_year(
        year,
        as_of,
        allowed_units=user.allowed_units,
        role=user.role,
        username=user.username,
        **filters,
    )


def session_expired(last_activity: datetime, now: datetime, timeout_minutes: int) -> bool:
    """True when more than `timeout_minutes` passed since `last_activity` (0 or less: never expires)."""
    if timeout_minutes is None or timeout_minutes <= 0:
        return False
    return now - last_activity > timedelta(minutes=timeout_minutes)


# -- reading ---------------------------------------------------------------------------------

_COLUMNS = (
    "username, display_name, role, unit_codes, password_hash, active, failed_attempts,"
    " locked_until, must_change_password"
)


def normalise_username(username: str) -> str:
    return (username or "").strip().lower()


def _row(store: Store, username: str) -> dict | None:
    rows = store.rows(f"SELECT {_COLUMNS} FROM users WHERE username = ?", [username])
    if not rows:
        return None
    keys = [c.strip() for c in _COLUMNS.split(",")]
    return dict(zip(keys, rows[0], strict=True))


def _user(row: dict) -> User:
    return User(
        username=row["username"],
        display_name=row["display_name"],
        role=row["role"],
        unit_codes=tuple(row["unit_codes"] or ()),
        must_change_password=bool(row["must_change_password"]),
    )


def get_user(store: Store, username: str) -> User | None:
    """The user (active or not), or None."""
    row = _row(store, normalise_username(username))
    return None if row is None else _user(row)


def list_users(store: Store) -> pd.DataFrame:
    """Every account without its hash: username, display_name, role, role_label, unit_codes, active, …"""
    frame = store.df(
        "SELECT username, display_name, role, unit_codes, active, failed_attempts, locked_until,"
        " must_change_password, created_at FROM users ORDER BY username"
    )
    frame.insert(3, "role_label", frame["role"].map(ROLES))
    frame["unit_codes"] = frame["unit_codes"].map(lambda v: list(v) if v is not None else [])
    return frame


# -- logging in ------------------------------------------------------------------------------


def _setting_int(store: Store, key: str) -> int:
    try:
        return int(config.get_setting(store, key))
    except (TypeError, ValueError):
        return int(config.DEFAULTS[key])


def _audit(store: Store, actor: str, action: str, record_key: str | None, detail: str) -> None:
    with store.transaction(raise_as=AuthError, changes_data=False) as cur:
        store.audit(cur, actor, action, table_name="users", record_key=record_key, detail=detail)


def lock_minutes(store: Store, lockouts: int) -> int:
    """The lock-out after `lockouts` lock-outs in a row: lockout_minutes, doubled each time, capped at
    lockout_max_minutes (never for ever)."""
    base = _setting_int(store, "lockout_minutes")
    cap = max(_setting_int(store, "lockout_max_minutes"), base)
    return min(base * 2 ** max(lockouts - 1, 0), cap)


def _throttle_key(name: str) -> str:
    # a password typed into the name field (symbols, too long) is never stored as a name
    return name if _USERNAME.fullmatch(name) else "（无效用户名）"


def _clear_lock(cur, name: str) -> None:
    """Forget the failures and lock-outs of `name` (inside the caller's transaction)."""
    cur.execute("DELETE FROM login_throttle WHERE name = ?", [name])
    cur.execute(
        "UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE username = ?", [name]
    )


def _check_password(store: Store, username: str, password: str, now: datetime) -> User:
    """Verify a password with lock-out bookkeeping; raises AuthError, returns the user on success.

    Known and unknown names are treated alike (issue 13): the same one password verification, the
    same failure count and lock-out, the same answers, so the answer does not say which accounts
    exist. Each lock-out in a row lasts longer (lock_minutes), never for ever; a successful log-in,
    an administrator's unlock or a password reset clears it."""
    name = normalise_username(username)
    row = _row(store, name) if name else None
    key = _throttle_key(name)
    # the same work whatever the name and state: one Argon2 verification
    if row is not None:
        matches = passwords.verify_password(row["password_hash"], password or "")
    else:
        passwords.burn_time(password or "")
        matches = False
    throttle = store.rows(
        "SELECT failed_attempts, lockouts, locked_until, last_failed_at FROM login_throttle"
        " WHERE name = ?",
        [key],
    )
    failed, lockouts, locked_until, last_failed = throttle[0] if throttle else (0, 0, None, None)
    if locked_until is not None and locked_until > now:
        _audit(
            store,
            key,
            "auth.locked",
            name if row else None,
            f"锁定至 {locked_until:%Y-%m-%d %H:%M}",
        )
        same_day = locked_until.date() == now.date()
        when = f"{locked_until:%H:%M}" if same_day else f"{locked_until:%Y-%m-%d %H:%M}"
        raise AuthError(f"账号已被锁定，请在 {when} 之后再试，或请办公室管理员解锁。")
    if matches and row["active"]:
        return _user(row)
    if matches:  # the right password of a disabled account
        _audit(store, name, "auth.disabled", name, "账号已停用")
        raise AuthError("该账号已停用，请联系办公室管理员。")

    attempts = _setting_int(store, "lockout_attempts")
    if last_failed is not None and (now - last_failed).total_seconds() > 86400:
        failed, lockouts = 0, 0  # a quiet day forgets earlier failures and lock-outs
    failed += 1
    locked_now = attempts > 0 and failed >= attempts
    until, minutes = None, 0
    if locked_now:
        lockouts += 1
        minutes = lock_minutes(store, lockouts)
        until = now + timedelta(minutes=minutes)
    with store.transaction(raise_as=AuthError, changes_data=False) as cur:
        cur.execute(
            "INSERT INTO login_throttle VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET"
            " failed_attempts = excluded.failed_attempts, lockouts = excluded.lockouts,"
            " locked_until = excluded.locked_until, last_failed_at = excluded.last_failed_at",
            [key, 0 if locked_now else failed, lockouts, until, now],
        )
        if row is not None:  # shown on 用户管理
            cur.execute(
                "UPDATE users SET failed_attempts = ?, locked_until = ? WHERE username = ?",
                [0 if locked_now else failed, until, name],
            )
        if row is None:  # the audit (administrators only) still says the name is unknown
            detail = "未知用户名"
        else:
            detail = "密码错误" + ("（账号已停用）" if not row["active"] else "")
            detail += f"（连续第 {failed} 次）"
        store.audit(
            cur, key, "auth.fail", table_name="users", record_key=name if row else None,
            detail=detail,
        )  # fmt: skip
        if locked_now:
            store.audit(
                cur, key, "auth.lockout", table_name="users", record_key=name if row else None,
                detail=f"连续 {failed} 次失败，第 {lockouts} 次锁定，锁定 {minutes} 分钟至 {until:%Y-%m-%d %H:%M}",
            )  # fmt: skip
    if locked_now:
        raise AuthError(f"用户名或密码错误；连续 {failed} 次失败，账号已锁定 {minutes} 分钟。")
    raise AuthError(WRONG_CREDENTIALS)


def is_locked(store: Store, username: str, now: datetime | None = None) -> bool:
    until = store.scalar(
        "SELECT locked_until FROM login_throttle WHERE name = ?", [normalise_username(username)]
    )
    return until is not None and until > (now or datetime.now())


def unlock_user(store: Store, username: str, *, actor: str) -> None:
    """An administrator lifts a lock-out (and forgets the failures) of an account."""
    row = _require(store, username)
    name = row["username"]
    with store.transaction(raise_as=AuthError, changes_data=False) as cur:
        _clear_lock(cur, name)
        store.audit(
            cur, actor, "user.unlock", table_name="users", record_key=name, detail="管理员解锁账号"
        )


def authenticate(
    store: Store, username: str, password: str, *, now: datetime | None = None
) -> User:
    """Log in: the User, or AuthError (wrong name or password — the same message —, locked, disabled).

    `lockout_attempts` consecutive failures (setting, default 5) lock the account for `lockout_minutes`
    (default 15). `now` is naive local time (as the store's timestamps).
    """
    now = now or datetime.now()
    user = _check_password(store, username, password, now)
    name = user.username
    row = _row(store, name)
    with store.transaction(raise_as=AuthError, changes_data=False) as cur:
        _clear_lock(cur, name)
        if passwords.needs_rehash(row["password_hash"]):
            cur.execute(
                "UPDATE users SET password_hash = ? WHERE username = ?",
                [passwords.hash_password(password), name],
            )
        store.audit(cur, name, "auth.login", table_name="users", record_key=name, detail="登录成功")
    return user


def record_logout(store: Store, username: str, *, reason: str = "logout", detail: str = "") -> None:
    """Write the end of a session to audit_log, as `authenticate` writes its start.

    reason "logout" (the 退出登录 button, or the account was disabled meanwhile) → auth.logout;
    "timeout" (session_timeout_minutes without activity) → auth.timeout. detail: one Chinese phrase.
    """
    action = "auth.timeout" if reason == "timeout" else "auth.logout"
    name = normalise_username(username)
    _audit(store, name, action, name, detail or AUDIT_ACTIONS[action])


# -- administration --------------------------------------------------------------------------


def _require(store: Store, username: str) -> dict:
    name = normalise_username(username)
    row = _row(store, name) if name else None
    if row is None:
        raise AuthError(f"用户“{name or username}”不存在。")
    return row


def _check_policy(password: str, username: str) -> None:
    problem = passwords.policy_problem(password, username)
    if problem:
        raise AuthError(problem)


def _clean_units(store: Store, role: str, unit_codes) -> list[str]:
    units: list[str] = []
    for code in unit_codes or ():
        code = str(code).strip()
        if code and code not in units:
            units.append(code)
    if role in ALL_UNIT_ROLES:
        if units:
            raise AuthError(
                f"{ROLES[role]}可查看全部单位，不需要指定所属单位（请去掉 {'、'.join(units)}）。"
            )
        return units
    if not units:
        raise AuthError(f"{ROLES[role]}账号至少要指定一个所属单位。")
    known = {
        r[0]
        for r in store.rows(
            "SELECT unit_code FROM units WHERE list_contains(?::VARCHAR[], unit_code)", [units]
        )
    }
    for code in units:
        if code not in known:
            raise AuthError(f"单位编码“{code}”不存在，请先导入单位名录（units.csv）。")
    return units


def _check_role(role: str) -> None:
    if role not in ROLES:
        choices = "、".join(f"{k}（{v}）" for k, v in ROLES.items())
        raise AuthError(f"角色“{role}”无效，应为 {choices} 之一。")


def _active_admins(store: Store) -> int:
    return store.scalar("SELECT count(*) FROM users WHERE role = 'admin' AND active")


def validate_new_user(
    store: Store, username: str, display_name: str, role: str, unit_codes
) -> tuple[str, str, list[str]]:
    """Check everything about a new account but its password; (username, display_name, units) or AuthError."""
    name = normalise_username(username)
    if not _USERNAME.fullmatch(name):
        raise AuthError(
            f"用户名“{username}”不合规：须为 2–32 位字母、数字、下划线、点或连字符，且以字母或数字开头。"
        )
    if _row(store, name) is not None:
        raise AuthError(f"用户名“{name}”已存在。")
    _check_role(role)
    display = (display_name or "").strip() or name
    units = _clean_units(store, role, unit_codes)
    return name, display, units


def create_user(
    store: Store,
    username: str,
    display_name: str,
    role: str,
    unit_codes,
    password: str,
    *,
    actor: str,
    must_change_password: bool = False,
) -> User:
    """Create an account; raises AuthError (one Chinese sentence) on any invalid input."""
    name, display, units = validate_new_user(store, username, display_name, role, unit_codes)
    _check_policy(password, name)
    password_hash = passwords.hash_password(password)
    with store.transaction(changes_data=False) as cur:
        cur.execute(
            "INSERT INTO users (username, display_name, role, unit_codes, password_hash,"
            " must_change_password) VALUES (?, ?, ?, ?, ?, ?)",
            [name, display, role, units, password_hash, must_change_password],
        )
        store.audit(
            cur, actor, "user.create", table_name="users", record_key=name,
            new_value={"username": name, "display_name": display, "role": role, "unit_codes": units},
        )  # fmt: skip
    return User(name, display, role, tuple(units), must_change_password)


def update_user(
    store: Store,
    username: str,
    *,
    actor: str,
    display_name: str | None = None,
    role: str | None = None,
    unit_codes=None,
) -> User:
    """Change name, role or units (unchanged when None); the last active admin keeps the admin role."""
    row = _require(store, username)
    name = row["username"]
    new_role = row["role"] if role is None else role
    _check_role(new_role)
    display = row["display_name"] if display_name is None else (display_name.strip() or name)
    if unit_codes is None:
        units = [] if new_role in ALL_UNIT_ROLES else list(row["unit_codes"] or ())
    else:
        units = list(unit_codes)
    units = _clean_units(store, new_role, units)
    if (
        row["role"] == "admin"
        and new_role != "admin"
        and row["active"]
        and _active_admins(store) <= 1
    ):
        raise AuthError("不能修改最后一个有效管理员的角色，请先创建另一个管理员。")
    old = {
        "display_name": row["display_name"],
        "role": row["role"],
        "unit_codes": list(row["unit_codes"] or ()),
    }
    new = {"display_name": display, "role": new_role, "unit_codes": units}
    with store.transaction(changes_data=False) as cur:
        cur.execute(
            "UPDATE users SET display_name = ?, role = ?, unit_codes = ? WHERE username = ?",
            [display, new_role, units, name],
        )
        store.audit(
            cur,
            actor,
            "user.update",
            table_name="users",
            record_key=name,
            old_value=old,
            new_value=new,
        )
    return User(name, display, new_role, tuple(units), bool(row["must_change_password"]))


def reset_password(store: Store, username: str, new_password: str, *, actor: str) -> None:
    """Set a new password chosen by an administrator; unlocks, and the user must change it at log-in."""
    row = _require(store, username)
    name = row["username"]
    _check_policy(new_password, name)
    password_hash = passwords.hash_password(new_password)
    with store.transaction(changes_data=False) as cur:
        cur.execute(
            "UPDATE users SET password_hash = ?, failed_attempts = 0, locked_until = NULL,"
            " must_change_password = true WHERE username = ?",
            [password_hash, name],
        )
        revoke_user_sessions(cur, name, "password_reset")
        _clear_lock(cur, name)
        store.audit(
            cur, actor, "user.reset_password", table_name="users", record_key=name,
            detail="管理员重置密码（已解锁，下次登录须修改密码）",
        )  # fmt: skip


def change_password(store: Store, username: str, old_password: str, new_password: str) -> None:
    """The user changes their own password (a wrong old password counts toward the lock-out)."""
    try:
        user = _check_password(store, username, old_password, datetime.now())
    except AuthError as exc:
        if str(exc) == WRONG_CREDENTIALS:
            raise AuthError("原密码不正确。") from None
        raise
    if new_password == old_password:
        raise AuthError("新密码不能与原密码相同。")
    _check_policy(new_password, user.username)
    password_hash = passwords.hash_password(new_password)
    with store.transaction(changes_data=False) as cur:
        cur.execute(
            "UPDATE users SET password_hash = ?, failed_attempts = 0, locked_until = NULL,"
            " must_change_password = false WHERE username = ?",
            [password_hash, user.username],
        )
        revoke_user_sessions(cur, user.username, "password_change")
        store.audit(
            cur, user.username, "user.change_password", table_name="users",
            record_key=user.username, detail="用户修改了自己的密码",
        )  # fmt: skip


def disable_user(store: Store, username: str, *, actor: str) -> None:
    """Disable an account (kept for the audit trail); never the last active administrator or oneself."""
    row = _require(store, username)
    name = row["username"]
    if not row["active"]:
        return
    if normalise_username(actor) == name:
        raise AuthError("不能停用自己正在使用的账号。")
    if row["role"] == "admin" and _active_admins(store) <= 1:
        raise AuthError("不能停用最后一个有效的管理员账号，请先创建另一个管理员。")
    with store.transaction(changes_data=False) as cur:
        cur.execute("UPDATE users SET active = false WHERE username = ?", [name])
        revoke_user_sessions(cur, name, "disabled")
        store.audit(
            cur, actor, "user.disable", table_name="users", record_key=name,
            old_value={"active": True}, new_value={"active": False},
        )  # fmt: skip


def enable_user(store: Store, username: str, *, actor: str) -> None:
    """Re-enable an account (also clears a lock)."""
    row = _require(store, username)
    name = row["username"]
    if row["active"]:
        return
    with store.transaction(changes_data=False) as cur:
        cur.execute(
            "UPDATE users SET active = true, failed_attempts = 0, locked_until = NULL WHERE username = ?",
            [name],
        )
        _clear_lock(cur, name)
        store.audit(
            cur, actor, "user.enable", table_name="users", record_key=name,
            old_value={"active": False}, new_value={"active": True},
        )  # fmt: skip


# -- demo accounts ---------------------------------------------------------------------------

DEMO_ACCOUNTS: list[dict] = [
    {"username": "admin", "password": "Admin@2026", "role": "admin", "unit_codes": [],
     "display_name": "办公室管理员"},
    {"username": "leader", "password": "Leader@2026", "role": "leader", "unit_codes": [],
     "display_name": "局领导"},
    {"username": "kck", "password": "Unit@2026", "role": "unit", "unit_codes": ["KCK"],
     "display_name": "矿产资源管理股联络员"},
    {"username": "chk", "password": "Unit@2026", "role": "unit", "unit_codes": ["CHK"],
     "display_name": "测绘地理信息股联络员"},
    {"username": "viewer", "password": "Read@2026", "role": "readonly", "unit_codes": ["DHK"],
     "display_name": "地质环境股（只读）"},
]  # fmt: skip

DEMO_ACTOR = "演示数据"


def create_demo_accounts(store: Store) -> None:
    """Create the demo accounts that do not exist yet (units KCK, CHK, DHK must exist)."""
    for account in DEMO_ACCOUNTS:
        if _row(store, account["username"]) is not None:
            continue
        create_user(
            store,
            account["username"],
            account["display_name"],
            account["role"],
            account["unit_codes"],
            account["password"],
            actor=DEMO_ACTOR,
        )
