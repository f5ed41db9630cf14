"""Access control without UI: users, roles, unit scope, Argon2 password hashing, lock-out, audit.

The contract other packages build on (see /docs/ARCHITECTURE.md): ROLES, User, AuthError, authenticate,
create_user, reset_password, disable_user, change_password, list_users, session_expired, record_logout,
DEMO_ACCOUNTS, create_demo_accounts, scope_for.
"""

from dashboard.auth.accounts import (
    AUDIT_ACTIONS,
    DEMO_ACCOUNTS,
    ROLES,
    WRONG_CREDENTIALS,
    AuthError,
    User,
    authenticate,
    change_password,
    create_demo_accounts,
    create_user,
    disable_user,
    enable_user,
    get_user,
    list_users,
    normalise_username,
    record_logout,
    reset_password,
    scope_for,
    session_expired,
    update_user,
    validate_new_user,
)
from dashboard.auth.passwords import policy_problem

__all__ = [
    "AUDIT_ACTIONS",
    "DEMO_ACCOUNTS",
    "ROLES",
    "WRONG_CREDENTIALS",
    "AuthError",
    "User",
    "authenticate",
    "change_password",
    "create_demo_accounts",
    "create_user",
    "disable_user",
    "enable_user",
    "get_user",
    "list_users",
    "normalise_username",
    "policy_problem",
    "record_logout",
    "reset_password",
    "scope_for",
    "session_expired",
    "update_user",
    "validate_new_user",
]
