"""`dashboard user add|reset|disable|enable|list`: account administration from the command line.

Passwords are read with getpass (typed twice) unless --password is given; they are never printed
and never written to the audit log. Exit codes: 0 done, 1 refused (invalid input, unknown user), 2 store.
With `dashboard --as USERNAME` only an administrator account may use them, and the audit actor is its name.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from dashboard.cli.common import ADMIN, actor_name, add_db_option, store_from_args


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("user", help="账号管理：新建、重置密码、解锁、停用、启用、列出用户")
    users = p.add_subparsers(dest="user_command", metavar="ACTION", parser_class=type(p))
    p.set_defaults(func=lambda args: _usage(p), access=ADMIN)

    a = users.add_parser("add", help="新建用户")
    a.add_argument("username", metavar="USERNAME", help="用户名（字母、数字、_ . -，不区分大小写）")
    a.add_argument(
        "--role",
        required=True,
        choices=["admin", "leader", "unit", "readonly"],
        help="角色：admin 办公室管理员 / leader 领导 / unit 单位用户 / readonly 只读",
    )
    a.add_argument(
        "--unit",
        dest="units",
        action="extend",
        nargs="+",
        default=[],
        metavar="CODE",
        help="所属单位编码（单位用户和只读用户至少一个，可重复）",
    )
    a.add_argument("--name", default="", help="显示名（默认同用户名）")
    _password_option(a)
    add_db_option(a)
    a.set_defaults(func=cmd_add)

    r = users.add_parser("reset", help="重置密码（同时解锁；用户下次登录须修改密码）")
    r.add_argument("username", metavar="USERNAME")
    _password_option(r)
    add_db_option(r)
    r.set_defaults(func=cmd_reset)

    d = users.add_parser("disable", help="停用用户（保留记录）")
    d.add_argument("username", metavar="USERNAME")
    add_db_option(d)
    d.set_defaults(func=cmd_disable)

    e = users.add_parser("enable", help="重新启用用户（同时解锁）")
    e.add_argument("username", metavar="USERNAME")
    add_db_option(e)
    e.set_defaults(func=cmd_enable)

    u = users.add_parser("unlock", help="解锁被连续输错密码锁定的账号（不改密码）")
    u.add_argument("username", metavar="USERNAME")
    add_db_option(u)
    u.set_defaults(func=cmd_unlock)

    ls = users.add_parser("list", help="列出所有用户（不显示密码）")
    add_db_option(ls)
    ls.set_defaults(func=cmd_list)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _password_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--password",
        default=None,
        help="密码（不建议：会留在命令历史中；省略时提示输入两次）",
    )


def _read_password(args: argparse.Namespace) -> str | None:
    """--password, or typed twice without echo; None (after a message) when the two differ."""
    if args.password is not None:
        return args.password
    first = getpass.getpass("密码（至少 8 位，含字母和数字）：")
    second = getpass.getpass("再次输入密码：")
    if first != second:
        print("两次输入的密码不一致，未做任何修改。", file=sys.stderr)
        return None
    return first


def _refused(exc: Exception) -> int:
    print(str(exc), file=sys.stderr)
    return 1


def cmd_add(args: argparse.Namespace) -> int:
    from dashboard.auth import ROLES, AuthError, create_user, validate_new_user

    store = store_from_args(args)
    try:  # refuse before asking for a password
        validate_new_user(store, args.username, args.name, args.role, args.units)
    except AuthError as exc:
        return _refused(exc)
    password = _read_password(args)
    if password is None:
        return 1
    try:
        user = create_user(
            store, args.username, args.name, args.role, args.units, password, actor=actor_name(args)
        )
    except AuthError as exc:
        return _refused(exc)
    units = f"，单位：{'、'.join(user.unit_codes)}" if user.unit_codes else "，可查看全部单位"
    print(f"已创建用户 {user.username}（{user.display_name}，{ROLES[user.role]}{units}）。")
    return 0


def cmd_reset(args: argparse.Namespace) -> int:
    from dashboard.auth import AuthError, get_user, reset_password

    store = store_from_args(args)
    if get_user(store, args.username) is None:  # say so before asking for a password
        print(f"用户“{args.username}”不存在。", file=sys.stderr)
        return 1
    password = _read_password(args)
    if password is None:
        return 1
    try:
        reset_password(store, args.username, password, actor=actor_name(args))
    except AuthError as exc:
        return _refused(exc)
    print(
        f"已重置用户 {args.username.strip().lower()} 的密码并解除锁定；该用户下次登录后须修改密码。"
    )
    return 0


def cmd_disable(args: argparse.Namespace) -> int:
    from dashboard.auth import AuthError, disable_user

    store = store_from_args(args)
    try:
        disable_user(store, args.username, actor=actor_name(args))
    except AuthError as exc:
        return _refused(exc)
    print(f"已停用用户 {args.username.strip().lower()}。")
    return 0


def cmd_enable(args: argparse.Namespace) -> int:
    from dashboard.auth import AuthError, enable_user

    store = store_from_args(args)
    try:
        enable_user(store, args.username, actor=actor_name(args))
    except AuthError as exc:
        return _refused(exc)
    print(f"已启用用户 {args.username.strip().lower()}。")
    return 0


def cmd_unlock(args: argparse.Namespace) -> int:
    from dashboard.auth import AuthError, unlock_user

    store = store_from_args(args)
    try:
        unlock_user(store, args.username, actor=actor_name(args))
    except AuthError as exc:
        return _refused(exc)
    print(f"已解锁用户 {args.username.strip().lower()}。")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from datetime import datetime

    import pandas as pd

    from dashboard.auth import list_users

    store = store_from_args(args)
    frame = list_users(store)
    if frame.empty:
        print("尚无用户：请用 `dashboard user add 用户名 --role admin` 创建第一个管理员。")
        return 0
    now = datetime.now()
    print("用户名\t显示名\t角色\t所属单位\t状态")
    for row in frame.itertuples(index=False):
        if not row.active:
            status = "已停用"
        elif pd.notna(row.locked_until) and row.locked_until > now:
            status = f"锁定至 {row.locked_until:%Y-%m-%d %H:%M}"
        elif row.must_change_password:
            status = "有效（待改密码）"
        else:
            status = "有效"
        units = "、".join(row.unit_codes) if row.unit_codes else "全部"
        print(f"{row.username}\t{row.display_name}\t{row.role_label}\t{units}\t{status}")
    return 0
