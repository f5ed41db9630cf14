"""`dashboard serve`, `dashboard doctor` and `dashboard bundle` (issue 15: run it for real on an intranet)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from dashboard import config
from dashboard.cli.common import ADMIN, ANY, add_db_option
from dashboard.ops import PROGRAM_NAME, StoreInUse, program_version, read_schema_version
from dashboard.ops import serve as S
from dashboard.ops.bundle import DEFAULT_GLIBC, DEFAULT_PYTHONS


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "serve",
        help="以正式运行的设置启动驾驶舱（不收集使用统计、不向用户显示错误详情、XSRF 防护、不监视文件）",
    )
    p.add_argument(
        "--host",
        default=S.DEFAULT_HOST,
        help="监听地址（默认 127.0.0.1，供本机反向代理；局域网直接访问用 0.0.0.0）",
    )
    p.add_argument(
        "--port", type=int, default=S.DEFAULT_PORT, help=f"端口（默认 {S.DEFAULT_PORT}）"
    )
    p.add_argument(
        "--base-path",
        default="",
        help="网址前缀，例如 dashboard（反向代理在 /dashboard/ 下转发时）",
    )
    p.add_argument(
        "--log-file",
        type=Path,
        default=None,
        help="日志写入该文件（按 10 MB 轮换，保留 5 份）；默认写到标准输出",
    )
    add_db_option(p)
    p.set_defaults(func=cmd_serve, access=ADMIN)

    p = sub.add_parser(
        "doctor", help="体检：数据库、备份、导入、暂定日历年份、磁盘空间、运行状态，以及怎么处理"
    )
    add_db_option(p)
    p.add_argument(
        "--url", default=None, help="驾驶舱健康检查地址（默认按 --port/--base-path 推算）"
    )
    p.add_argument(
        "--port", type=int, default=S.DEFAULT_PORT, help=f"驾驶舱端口（默认 {S.DEFAULT_PORT}）"
    )
    p.add_argument("--base-path", default="", help="驾驶舱的网址前缀（如有）")
    p.set_defaults(func=cmd_doctor, access=ANY)

    p = sub.add_parser(
        "bundle",
        help="生成离线安装包：项目、目标平台的全部 wheel（取自 uv.lock）和安装步骤（需联网的机器上运行）",
    )
    p.add_argument(
        "--platform",
        default="linux-x86_64",
        choices=("linux-x86_64", "windows-amd64"),
        help="目标平台（默认 linux-x86_64）",
    )
    p.add_argument("--out", type=Path, required=True, help="输出文件夹（不存在或为空）")
    p.add_argument(
        "--python",
        default=",".join(DEFAULT_PYTHONS),
        help=f"目标机器可能的 Python 版本，逗号分隔（默认 {','.join(DEFAULT_PYTHONS)}）",
    )
    p.add_argument(
        "--glibc",
        default=DEFAULT_GLIBC,
        help=f"Linux 目标的最低 glibc 版本（默认 {DEFAULT_GLIBC}）",
    )
    p.add_argument(
        "--cache", type=Path, default=None, help="下载缓存（默认 ~/.cache/dashboard-bundle）"
    )
    p.set_defaults(func=cmd_bundle, access=ANY)


def version_text(db: Path | None = None) -> str:
    """`dashboard --version`: the program's version, the schema version it brings, and the store's."""
    from dashboard.store import LATEST_SCHEMA_VERSION

    path = db or config.db_path()
    lines = [f"{PROGRAM_NAME} {program_version()}（表结构版本 {LATEST_SCHEMA_VERSION}）"]
    try:
        found = read_schema_version(path)
    except StoreInUse:
        lines.append(
            f"数据库 {path}：正被另一个程序（通常是驾驶舱）占用，表结构版本见“数据管理”页面。"
        )
    except Exception as exc:  # noqa: BLE001 - one sentence
        lines.append(f"数据库 {path}：无法读取（{exc}）。")
    else:
        if found is None:
            lines.append(
                f"数据库 {path}：{'不存在' if not Path(path).exists() else '尚无表结构'}。"
            )
        elif found < LATEST_SCHEMA_VERSION:
            lines.append(
                f"数据库 {path}：表结构版本 {found}，下次打开时先备份再升级到 {LATEST_SCHEMA_VERSION}。"
            )
        else:
            lines.append(f"数据库 {path}：表结构版本 {found}。")
    return "\n".join(lines)


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        flags = S.production_flags(args.host, args.port, args.base_path)
    except S.ServeError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    # absolute, since the server runs in the project folder
    db = Path(args.db or config.db_path()).resolve()
    os.environ["DASHBOARD_DB"] = str(db)
    if args.log_file is not None:
        log = S.RotatingLog(args.log_file.resolve())
        sys.stdout = sys.stderr = log
    try:
        read_schema_version(db)
    except StoreInUse:
        print(
            f"数据库 {db} 正被另一个程序占用（驾驶舱可能已在运行）：请先停止它，"
            "或用 dashboard doctor 查看运行状态。",
            file=sys.stderr,
        )
        return 2
    print(version_text(db))
    if not db.exists():
        print(
            "数据库不存在：首次打开网页时将生成演示数据；正式使用请先运行 dashboard init 并创建管理员。"
        )
    print(f"健康检查：{S.health_url(args.host, args.port, args.base_path)}", flush=True)
    from dashboard.ui.server import run_server

    return run_server(flags)


def cmd_doctor(args: argparse.Namespace) -> int:
    from dashboard.ops import doctor

    db = Path(args.db or config.db_path())
    try:
        url = args.url or S.health_url("127.0.0.1", args.port, args.base_path)
    except S.ServeError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    checks = doctor.run_checks(db, health=url)
    print(doctor.render(checks))
    return 1 if any(c.status == doctor.PROBLEM for c in checks) else 0


def cmd_bundle(args: argparse.Namespace) -> int:
    from dashboard.ops.bundle import BundleError, main_cli

    pythons = [p.strip() for p in args.python.split(",") if p.strip()]
    try:
        return main_cli(args.out, args.platform, pythons, args.glibc, args.cache)
    except BundleError as exc:
        print(str(exc), file=sys.stderr)
        return 2
