"""`dashboard backup` and `dashboard restore` (issue 13): while the app is stopped.

The running app makes its own backups (on a schedule, and from 数据管理); from the command line the store
file must not be open elsewhere, since a backup takes the file's lock (the usual "store in use"
sentence otherwise). A restore first backs up the current state, then replaces the file.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from dashboard.cli.common import FILE, add_db_option, db_path_from_args
from dashboard.store import StoreError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("backup", help="备份数据库（驾驶舱须已停止；保留最近若干份）")
    add_db_option(p)
    p.add_argument("--list", action="store_true", help="只列出已有的备份，不新建")
    p.add_argument(
        "--keep", type=int, default=None, help="保留的备份份数（默认取设置 backup_keep）"
    )
    p.set_defaults(func=cmd_backup, access=FILE)

    p = sub.add_parser("restore", help="从备份恢复数据库（先自动备份当前状态；驾驶舱须已停止）")
    add_db_option(p)
    p.add_argument("backup", help="备份文件路径，或 latest（最近一份）")
    p.set_defaults(func=cmd_restore, access=FILE)


def _keep(path: Path, given: int | None) -> int:
    from dashboard import config

    if given is not None:
        if given < 1:
            raise StoreError("--keep 须为不小于 1 的整数。")
        return given
    try:
        import duckdb

        con = duckdb.connect(str(path), read_only=True)
        try:
            row = con.execute("SELECT value FROM settings WHERE key = 'backup_keep'").fetchone()
        finally:
            con.close()
        if row is not None:
            return int(float(row[0]))
    except Exception:  # noqa: BLE001 - the default then
        pass
    return int(config.DEFAULTS["backup_keep"])


def cmd_backup(args: argparse.Namespace) -> int:
    from dashboard.store import backup

    path = db_path_from_args(args)
    if args.list:
        found = backup.list_backups(path)
        if not found:
            print(f"数据库 {path} 还没有备份（备份目录 {backup.backup_dir(path)}）。")
        for info in found:
            print(
                f"{info.created_at:%Y-%m-%d %H:%M:%S}  {info.label}  {info.size:,} 字节  {info.path}"
            )
        return 0
    if not Path(path).exists():
        raise StoreError(f"数据库 {path} 不存在，无法备份。")
    keep = _keep(Path(path), args.keep)
    target = backup.make_backup(path, "manual", keep=keep)
    print(f"已备份到 {target}（保留最近 {keep} 份）。")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from dashboard.store import backup

    path = db_path_from_args(args)
    if args.backup == "latest":
        found = backup.list_backups(path)
        if not found:
            raise StoreError(f"数据库 {path} 还没有备份，无法恢复。")
        source = found[0].path
    else:
        source = Path(args.backup)
    keep = _keep(Path(path), None) if Path(path).exists() else None
    restored, before = backup.restore_backup(source, path, keep=keep)
    print(f"已从 {source} 恢复数据库 {restored}。")
    if before is not None:
        print(f"恢复前的状态已备份为 {before}（如需撤销，可再从它恢复）。")
    return 0
