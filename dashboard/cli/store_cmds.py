"""`dashboard init` and `dashboard demo`."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from dashboard import config
from dashboard.cli.common import ADMIN, FILE, add_db_option, store_from_args
from dashboard.store import LATEST_SCHEMA_VERSION, StoreError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("init", help="新建一个空数据库（完整表结构，无数据、无默认账号）")
    add_db_option(p)
    p.set_defaults(func=cmd_init, access=ADMIN)

    p = sub.add_parser("demo", help="生成确定性的演示数据库（同一种子得到同样的数据）")
    add_db_option(p)
    p.add_argument("--seed", type=int, default=2026, help="随机种子（默认 2026）")
    p.add_argument(
        "--scale",
        default="county",
        help="规模：county（默认，约2000个检查对象）或 large / xlarge / province（约800万）",
    )
    p.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=None,
        help="演示数据截至日期 YYYY-MM-DD（默认今天；同一种子和日期得到同样的数据）",
    )
    p.add_argument(
        "--force", action="store_true", help="数据库已存在时覆盖（须先关闭正在使用它的程序）"
    )
    p.add_argument(
        "--confirm",
        metavar="FILENAME",
        default=None,
        help="覆盖一个不是演示库的数据库时须写上它的文件名以确认；覆盖前自动备份",
    )
    p.set_defaults(func=cmd_demo, access=FILE)

    from dashboard.cli import backup_cmds  # backup / restore (issue 13)

    backup_cmds.register(sub)


def cmd_init(args: argparse.Namespace) -> int:
    path = args.db or config.db_path()
    existed = path.exists()
    store = store_from_args(args)
    verb = "已升级" if existed else "已创建"
    print(f"{verb}数据库 {path}（表结构版本 {store.schema_version}/{LATEST_SCHEMA_VERSION}）。")
    if not existed:
        print("尚无账号：请用 `dashboard user add 用户名 --role admin` 创建第一个管理员。")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from dashboard.demo import build_demo_store

    path = args.db or config.db_path()
    if path.exists() and not args.force:
        raise StoreError(f"数据库 {path} 已存在；如要用演示数据覆盖，请加 --force。")

    def progress(fraction: float, message: str) -> None:
        print(f"[{fraction:5.0%}] {message}", file=sys.stderr)

    summary = build_demo_store(
        path,
        seed=args.seed,
        scale=args.scale,
        as_of=args.as_of,
        progress=progress,
        replace_records=args.confirm is not None and args.confirm == path.name,
    )
    print(f"演示数据库已生成：{path}")
    for table, count in summary.items():
        print(f"  {table}: {count}")
    return 0
