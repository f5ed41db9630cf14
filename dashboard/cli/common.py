"""Helpers shared by the CLI command modules: the store option, and acting as an account (`--as`).

Without `--as` the CLI reads the store file directly and acts with administrator rights under the audit
name 命令行 (whoever can read the file can read everything in it anyway). With `dashboard --as USERNAME`
the command runs under that account: the log-in goes through dashboard.auth.authenticate (wrong passwords
count toward the lock-out, the log-in is audited), the command must be allowed to the account's role
(`access`, below), read commands use the account's Scope, and writes are audited under its user name.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from dashboard import config
from dashboard.store import Store, open_store

CLI_ACTOR = "命令行"
PASSWORD_ENV = "DASHBOARD_PASSWORD"
PASSWORD_PROMPT = "请输入密码："

# What a command needs when run with --as (each command sets `access` with set_defaults; a command that
# does not say is administrator-only, so a new command is closed until someone decides otherwise).
ADMIN = "admin"  # writes: draws, redraws, confirmations, imports, users, init (as the web app)
ALL_UNITS = "all_units"  # every unit's rows at once (export): administrator and leader
SCOPED = "scoped"  # reads filtered to the account's units (kpi, draw-cert, verify): every role
ANY = "any"  # no store data at all (templates): every role
FILE = "file"  # replaces the whole file, accounts included (demo): never with --as

_REFUSALS = {
    ADMIN: "账号 {name}（{role}）无权执行 {command}：抽取、重新抽取、确认、导入、账号和设置管理"
    "仅限办公室管理员，未做任何修改。",
    ALL_UNITS: "账号 {name}（{role}）无权执行 {command}：导出全部数据仅限办公室管理员和领导，"
    "本单位的列表请在驾驶舱各页面下载。",
}


class CliRefused(Exception):
    """A command refused to the account (or a failed log-in); str(e) is one Chinese sentence. Exit 2."""


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        type=Path,
        default=None,
        help="数据库文件（默认 data/supervision.duckdb 或环境变量 DASHBOARD_DB）",
    )


def db_path_from_args(args: argparse.Namespace) -> Path:
    return getattr(args, "db", None) or config.db_path()


def store_from_args(args: argparse.Namespace) -> Store:
    """Open the store named by --db (raises StoreError with one Chinese sentence, e.g. when locked)."""
    return open_store(db_path_from_args(args))


# -- acting as an account (--as) -------------------------------------------------------------------


def cli_user(args: argparse.Namespace):
    """The dashboard.auth.User the command runs as (`--as`), or None (administrator rights, 命令行)."""
    return getattr(args, "as_account", None)


def actor_name(args: argparse.Namespace, given: str | None = None, option: str = "") -> str:
    """The name recorded as operator / audit actor: the --as account's user name, else `given` or 命令行.

    With --as, an option that names someone else (`--operator`, `--user`) is refused: the audit trail
    must name the account that logged in.
    """
    user = cli_user(args)
    if user is None:
        return (given or "").strip() or CLI_ACTOR
    if given is not None and given.strip() and given.strip() != user.username:
        raise CliRefused(f"使用 --as 时记录的人员就是账号 {user.username}，请去掉 {option}。")
    return user.username


def command_name(args: argparse.Namespace) -> str:
    sub = getattr(args, "user_command", None)
    return f"{args.command} {sub}" if sub else str(args.command)


def read_password() -> str:
    """DASHBOARD_PASSWORD if set (and not empty), else typed without echo (请输入密码：)."""
    password = os.environ.get(PASSWORD_ENV)
    if password:
        return password
    try:
        return getpass.getpass(PASSWORD_PROMPT)
    except EOFError:
        raise CliRefused(f"未输入密码：请在提示时输入，或设置环境变量 {PASSWORD_ENV}。") from None


class CliSession:
    """One command run as an account: log-in on open, the audited end of the session on close."""

    def __init__(self, args: argparse.Namespace) -> None:
        from dashboard.auth import ROLES, AuthError, authenticate

        self.store = None
        need = getattr(args, "access", ADMIN)
        if need == FILE:
            raise CliRefused(
                f"dashboard {command_name(args)} 新建或覆盖整个数据库文件（连同账号），"
                "不在账号权限之内：请不带 --as 运行。"
            )
        path = db_path_from_args(args)
        if str(path) != ":memory:" and not Path(path).exists():
            raise CliRefused(
                f"数据库 {path} 不存在，无法以账号 {args.as_user} 登录：请用 --db 指定数据库文件。"
            )
        store = open_store(path)
        try:
            user = authenticate(store, args.as_user, read_password())
        except AuthError as exc:  # wrong password (counted toward the lock-out), locked, disabled
            raise CliRefused(f"登录失败：{exc}") from None
        self.store, self.user = store, user
        self.command = command_name(args)
        if user.must_change_password:
            self.close(detail="须先修改密码")
            raise CliRefused(
                f"账号 {user.username} 的密码由管理员设置或重置，请先登录驾驶舱修改密码后再使用 --as。"
            )
        allowed = (
            need == ANY
            or need == SCOPED
            or (need == ALL_UNITS and user.allowed_units is None)
            or user.is_admin
        )
        if not allowed:
            self.close(detail="无权执行")
            raise CliRefused(
                _REFUSALS.get(need, _REFUSALS[ADMIN]).format(
                    name=user.username, role=ROLES.get(user.role, user.role), command=self.command
                )
            )
        args.as_account = user

    def close(self, *, detail: str = "结束") -> None:
        """Audit the end of the session once: auth.logout with the detail 命令行 <command> …"""
        from dashboard.auth import record_logout
        from dashboard.store import StoreError

        store, self.store = self.store, None
        if store is None:
            return
        try:
            record_logout(store, self.user.username, detail=f"命令行 {self.command} {detail}")
        except StoreError as exc:  # the command's own result stands; say why the log-out is missing
            print(f"提醒：未能记录退出登录：{exc}", file=sys.stderr)
