"""Password hashing (Argon2id via argon2-cffi) and the password policy."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# argon2-cffi defaults (RFC 9106 low-memory profile: Argon2id, t=3, m=64 MiB, p=4), about 0.1 s a hash.
# Tests may swap in a cheaper hasher; production code always goes through `hasher()`.
_HASHER = PasswordHasher()

MIN_LENGTH = 8
MAX_LENGTH = 128
_LETTER = re.compile(r"[A-Za-z]")
_DIGIT = re.compile(r"[0-9]")


def hasher() -> PasswordHasher:
    return _HASHER


def set_hasher(new: PasswordHasher) -> PasswordHasher:
    """Replace the hasher (tests use a cheap one); returns the previous one."""
    global _HASHER
    old, _HASHER = _HASHER, new
    return old


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True if `password` matches; False on mismatch or an unreadable hash (never raises)."""
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return _HASHER.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


_dummy_hash: str | None = None


def burn_time(password: str) -> None:
    """Verify against a dummy hash so an unknown user takes as long as a wrong password."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _HASHER.hash("dummy-password-1")
    verify_password(_dummy_hash, password)


def policy_problem(password: str, username: str | None = None) -> str | None:
    """Why `password` is not allowed (one Chinese sentence), or None if it is acceptable.

    Policy: 8–128 characters, at least one ASCII letter and one digit, not the user name itself.
    """
    if not isinstance(password, str) or password == "":
        return "密码不能为空。"
    if len(password) < MIN_LENGTH:
        return f"密码至少需要 {MIN_LENGTH} 位，当前只有 {len(password)} 位。"
    if len(password) > MAX_LENGTH:
        return f"密码不能超过 {MAX_LENGTH} 位。"
    if not (_LETTER.search(password) and _DIGIT.search(password)):
        return "密码须同时包含字母和数字。"
    if username and password.strip().lower() == username.strip().lower():
        return "密码不能与用户名相同。"
    return None
