"""`dashboard kpi`: the §5 KPIs for a year, as JSON (`--json`) or a readable Chinese table; and
`dashboard registers`: the figures of the office's work registers (DESIGN.md §8), the same way.

With `--as` the KPIs are computed with the account's Scope (dashboard.auth.scope_for), so a unit user's
figures cover only its own units; `--unit` must then be one of them.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from dashboard import config
from dashboard.cli.common import SCOPED, CliRefused, add_db_option, cli_user, store_from_args
from dashboard.metrics.kpi import KPI_KEYS, compute_kpis, format_target, format_value, kpis_json
from dashboard.scope import Scope


def _as_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期“{text}”格式不对，应为 YYYY-MM-DD") from None


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("kpi", help="计算某年度的各项考核指标（DESIGN.md §5）")
    add_db_option(p)
    p.add_argument("--year", type=int, required=True, help="统计年度，如 2026")
    p.add_argument("--as-of", type=_as_of, default=None, help="统计截止日 YYYY-MM-DD（默认今天）")
    p.add_argument("--unit", default=None, help="只统计某单位（单位编码，如 KCK）")
    p.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
    p.set_defaults(func=cmd_kpi, access=SCOPED)

    p = sub.add_parser(
        "registers", help="工作台账的各项数字：培训、宣传、报送、移送、处罚公示、督查、回访"
    )
    add_db_option(p)
    p.add_argument("--year", type=int, required=True, help="统计年度，如 2026")
    p.add_argument("--as-of", type=_as_of, default=None, help="统计截止日 YYYY-MM-DD（默认今天）")
    p.add_argument("--unit", default=None, help="只统计某单位（单位编码，如 KCK）")
    p.add_argument("--json", action="store_true", help="输出一个 JSON 对象（含各单位的分子分母）")
    p.set_defaults(func=cmd_registers, access=SCOPED)


def _scope(args: argparse.Namespace):
    """(store, scope) for --year/--as-of/--unit and --as, or an exit code after one sentence."""
    if not 2000 <= args.year <= 2100:
        print(f"参数错误：年度 {args.year} 不在 2000–2100 之间。", file=sys.stderr)
        return None, 2
    path = args.db or config.db_path()
    if str(path) != ":memory:" and not Path(path).exists():
        print(
            f"数据库 {path} 不存在：请用 --db 指定数据库文件，或先运行 dashboard demo / dashboard init。",
            file=sys.stderr,
        )
        return None, 2
    store = store_from_args(args)
    if args.unit is not None:
        known = store.scalar("SELECT count(*) FROM units WHERE unit_code = ?", [args.unit])
        if not known:
            print(f"参数错误：单位编码“{args.unit}”不存在，请用单位表中的编码。", file=sys.stderr)
            return None, 2
    as_of = args.as_of or date.today()
    user = cli_user(args)
    if user is None:
        scope = Scope(year=args.year, as_of=as_of, unit=args.unit, username="命令行")
    else:
        from dashboard.auth import scope_for

        allowed = user.allowed_units
        if args.unit is not None and allowed is not None and args.unit not in allowed:
            raise CliRefused(
                f"账号 {user.username} 只能查看单位 {'、'.join(sorted(allowed))} 的数据，"
                f"不能查看单位“{args.unit}”。"
            )
        scope = scope_for(user, args.year, as_of, unit=args.unit)
    return (store, scope), 0


def cmd_kpi(args: argparse.Namespace) -> int:
    found, code = _scope(args)
    if found is None:
        return code
    store, scope = found
    cur = store.cursor()
    try:
        kpis = compute_kpis(cur, scope)
    finally:
        cur.close()
    if args.json:
        print(json.dumps(kpis_json(kpis), ensure_ascii=False))
        return 0
    if args.unit:
        unit = f"，单位 {args.unit}"
    elif scope.allowed_units is not None:
        unit = f"，账号 {scope.username} 的单位 {'、'.join(sorted(scope.allowed_units))}"
    else:
        unit = ""
    print(f"{scope.year} 年度考核指标（截至 {scope.as_of.isoformat()}{unit}）")
    header = ("指标", "数值", "分子", "分母", "目标", "状态")
    rows = [header]
    for key in KPI_KEYS:
        k = kpis[key]
        rows.append(
            (
                k.label_zh,
                format_value(k.kind, k.value),
                "—" if k.numerator is None else str(k.numerator),
                "—" if k.denominator is None else str(k.denominator),
                format_target(k.kind, k.target) or "—",
                k.status or "—",
            )
        )

    def width(s: str) -> int:
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)

    widths = [max(width(r[i]) for r in rows) for i in range(len(header))]
    for r in rows:
        print(
            "  ".join(cell + " " * (widths[i] - width(cell)) for i, cell in enumerate(r)).rstrip()
        )
    return 0


def cmd_registers(args: argparse.Namespace) -> int:
    from dashboard.metrics import registers

    found, code = _scope(args)
    if found is None:
        return code
    store, scope = found
    cur = store.cursor()
    try:
        report = registers.report(cur, scope)
    finally:
        cur.close()
    if args.json:
        print(json.dumps(report, ensure_ascii=False, default=str))
        return 0
    print(f"{scope.year} 年度工作台账（截至 {scope.as_of.isoformat()}）")
    for f in report["figures"].values():
        value = f["value"]
        shown = (
            "—" if value is None else (f"{value:.1%}" if isinstance(value, float) else str(value))
        )
        den = "" if f["denominator"] is None else f"（{f['numerator']} / {f['denominator']}）"
        print(f"{f['label']}\t{shown}{den}")
    kinds = "、".join(f"{k} {n}" for k, n in report["trainings_by_kind"].items())
    print(f"培训场次按类型\t{kinds}")
    return 0
