"""The `dashboard` command. Each submodule registers its subcommands; handlers return the exit code.

Exit codes: 0 success, 1 validation errors / verification differences, 2 usage or store errors, a
failed log-in, or a command refused to the `--as` account.

`dashboard --as USERNAME COMMAND …` runs the command under that account (dashboard.cli.common.CliSession):
its role decides which commands it may run, its units scope what read commands show, and its user name
is the audit actor. Without --as the CLI has administrator rights (it reads the store file directly).
"""

from __future__ import annotations

import argparse
import importlib
import sys

from dashboard.cli.common import PASSWORD_ENV, CliRefused, CliSession
from dashboard.store import StoreError

# Submodules of dashboard.cli, each with `register(subparsers)`.
COMMAND_MODULES = ("store_cmds", "ingest_cmds", "kpi_cmds", "draw_cmds", "user_cmds", "ops_cmds")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors exit 2 with a Chinese hint
        self.print_usage(sys.stderr)
        print(f"参数错误：{message}（用 --help 查看用法）", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="dashboard", description="双随机监管驾驶舱 命令行工具")
    parser.add_argument(
        "--as",
        dest="as_user",
        metavar="USERNAME",
        default=None,
        help=f"以该账号的权限和审计名称运行命令（放在命令之前；密码取自环境变量 {PASSWORD_ENV}，"
        "否则提示输入）。不加 --as 时命令行直接读数据库文件，具有管理员权限",
    )
    parser.add_argument(
        "--version",
        action="store_true",
        help="显示程序版本和数据库的表结构版本（默认位置或环境变量 DASHBOARD_DB 指定的数据库）",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"dashboard.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"dashboard.cli.{name}":
                continue
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from dashboard.cli.ops_cmds import version_text

        print(version_text())
        return 0
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    session: CliSession | None = None
    try:
        if args.as_user is not None:
            session = CliSession(args)  # log-in and role check; sets args.as_account
        return int(args.func(args) or 0)
    except (StoreError, CliRefused) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 2
    finally:
        if session is not None:
            session.close()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
