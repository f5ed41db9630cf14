"""`dashboard import`, `dashboard export` and `dashboard templates` (DESIGN.md §4).

With `--as`: import is administrator-only (audited under the account's name); export writes every unit's
rows in the interchange format, so like the 数据管理 page it is refused to accounts limited to their own
units (unit, readonly); templates hold no data.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dashboard.cli.common import ADMIN, ALL_UNITS, ANY, actor_name, add_db_option, store_from_args


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help="导入交换格式的数据（CSV 文件夹、单个 CSV 或 XLSX 工作簿）")
    add_db_option(p)
    p.add_argument("path", type=Path, help="CSV 文件夹、.csv 文件或 .xlsx 工作簿")
    p.add_argument("--dry-run", action="store_true", help="只检查并统计，不写入数据库")
    p.add_argument(
        "--mapping",
        metavar="名称",
        help="按已保存的列映射读取表头对不上任何一张表的文件（映射在“数据管理”页面保存；"
        "dashboard mappings 列出全部）",
    )
    p.set_defaults(func=cmd_import, access=ADMIN)

    p = sub.add_parser("mappings", help="列出已保存的导入列映射（在“数据管理”页面保存）")
    add_db_option(p)
    p.set_defaults(func=cmd_mappings, access=ANY)

    p = sub.add_parser("export", help="把全部 17 张表（含工作台账）导出为 CSV（可再导入）")
    add_db_option(p)
    p.add_argument("directory", type=Path, help="输出文件夹（不存在时自动创建）")
    p.set_defaults(func=cmd_export, access=ALL_UNITS)

    p = sub.add_parser("templates", help="生成导入模板（每表一个 CSV 和一个 XLSX 工作簿）")
    p.add_argument("directory", type=Path, help="输出文件夹（不存在时自动创建）")
    p.set_defaults(func=cmd_templates, access=ANY)


def _progress(fraction: float, message: str) -> None:
    print(f"[{fraction:5.0%}] {message}", file=sys.stderr, flush=True)


def cmd_import(args: argparse.Namespace) -> int:
    from dashboard.ingest import run_import
    from dashboard.ingest.problems import SEVERITY_ZH

    if not args.path.exists():
        print(f"参数错误：找不到 {args.path}，请检查路径。", file=sys.stderr)
        return 2
    store = store_from_args(args)
    report = run_import(
        store,
        args.path,
        actor=actor_name(args),
        dry_run=args.dry_run,
        progress=_progress,
        mapping=args.mapping,
    )
    listed, more = report.listed()
    for p in listed:
        row = "" if p.row is None else str(p.row)
        print(
            f"{SEVERITY_ZH[p.severity]}\t{p.file}\t{row}\t{p.column or ''}\t{p.value or ''}\t{p.message}"
        )
    if more:
        print(report.more_text(more))
    for sheet in report.unmatched:
        print(
            f"提示：{sheet.file} 的表头（第 {sheet.header_row} 行）对不上任何一张表；"
            "请在“数据管理”页面为它做列映射并保存，再用 --mapping 名称 导入。"
        )
    if report.counts:
        print("表\t新增\t更新\t未变")
        for table, c in report.counts.items():
            print(f"{table}\t{c['added']}\t{c['updated']}\t{c['unchanged']}")
    n_err, n_warn = report.error_count, report.warning_count
    if n_err:
        print(f"发现 {n_err} 个错误、{n_warn} 个警告：未写入任何数据，请改正后重新导入。")
        return 1
    if args.dry_run:
        print(f"试导入通过（{n_warn} 个警告），未写入数据；去掉 --dry-run 即可正式导入。")
    else:
        print(f"导入完成（{n_warn} 个警告），导入记录编号 {report.import_id}。")
    return 0


def cmd_mappings(args: argparse.Namespace) -> int:
    from dashboard.ingest.mapping import load_mappings
    from dashboard.ingest.spec import SPECS

    store = store_from_args(args)
    mappings = load_mappings(store)
    if not mappings:
        print("还没有保存的列映射；请在“数据管理”页面上传文件后做列映射并保存。")
        return 0
    print("名称\t表\t字段 ← 列\t保存人")
    for m in mappings:
        spec = SPECS[m.table]
        pairs = "；".join(f"{spec.column(f).zh} ← {c}" for f, c in m.columns.items())
        print(f"{m.name}\t{spec.zh}（{m.table}）\t{pairs}\t{m.created_by or ''}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from dashboard.ingest import export_store

    store = store_from_args(args)
    try:
        paths = export_store(store, args.directory)
    except OSError as exc:
        print(
            f"无法写入 {args.directory}：{exc.strerror or exc}，请换一个文件夹。", file=sys.stderr
        )
        return 2
    for path in paths:
        print(path)
    print(f"已导出 {len(paths)} 个文件到 {args.directory}。")
    return 0


def cmd_templates(args: argparse.Namespace) -> int:
    from dashboard.ingest import write_templates

    try:
        paths = write_templates(args.directory)
    except OSError as exc:
        print(
            f"无法写入 {args.directory}：{exc.strerror or exc}，请换一个文件夹。", file=sys.stderr
        )
        return 2
    for path in paths:
        print(path)
    return 0
