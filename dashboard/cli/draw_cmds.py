"""`dashboard draw`, `redraw`, `revisit-draw`, `confirm-draw`, `draw-cert` and `verify` (DESIGN.md §6).

With `--as`: draws, redraws and confirmations are administrator-only (as on the 随机抽取 page) and the
operator / confirmer is the account's user name; `draw-cert` and `verify` read only the draws in the
account's scoped ledger (dashboard.draw.ledger with its Scope): a unit user gets certificates of its own
units' draws, and `verify` checks the whole chain but details only the differences of those draws.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from dashboard.cli.common import (
    ADMIN,
    CLI_ACTOR,
    SCOPED,
    CliRefused,
    actor_name,
    add_db_option,
    cli_user,
    db_path_from_args,
    store_from_args,
)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "draw", help="对一个待抽取的任务进行可验证抽取（--dry-run 只预览名录与数量）"
    )
    add_db_option(p)
    p.add_argument("task_code", metavar="TASK_CODE", help="任务编码")
    _draw_options(p)
    p.add_argument(
        "--dry-run", action="store_true", help="只预览：各层名录数、比例、抽取数与名录哈希"
    )
    p.set_defaults(func=cmd_draw, access=ADMIN)

    p = sub.add_parser("redraw", help="重新抽取（取代原抽取，必须说明原因）")
    add_db_option(p)
    p.add_argument("draw_id", metavar="DRAW_ID", help="要取代的抽取编号")
    p.add_argument("--reason", default=None, help="重新抽取的原因（必填）")
    _draw_options(p)
    p.set_defaults(func=cmd_redraw, access=ADMIN)

    p = sub.add_parser("revisit-draw", help="回访抽取：从已完结的后续处理中按单位分层抽取")
    add_db_option(p)
    p.add_argument("revisit_code", metavar="CODE", help="回访批次编码，如 HF2026-01")
    _draw_options(p)
    p.add_argument("--unit", action="append", default=None, help="只抽这些责任单位（可重复）")
    p.add_argument("--dry-run", action="store_true", help="只预览")
    p.set_defaults(func=cmd_revisit, access=ADMIN)

    p = sub.add_parser("confirm-draw", help="确认抽取名单")
    add_db_option(p)
    p.add_argument("draw_id", metavar="DRAW_ID")
    p.add_argument(
        "--user", default=None, help=f"确认人（默认“{CLI_ACTOR}”；使用 --as 时为该账号）"
    )
    p.set_defaults(func=cmd_confirm, access=ADMIN)

    p = sub.add_parser("draw-cert", help="导出抽取证书（JSON + 可打印 HTML）")
    add_db_option(p)
    p.add_argument("draw_id", metavar="DRAW_ID")
    p.add_argument("--out", type=Path, default=Path("."), help="输出目录（默认当前目录）")
    p.add_argument("--public", action="store_true", help="另写一份不含风险分层的公示版 HTML")
    p.set_defaults(func=cmd_cert, access=SCOPED)

    p = sub.add_parser("verify", help="复核抽取台账（全部或一次抽取），或用 --cert 复核一份证书")
    add_db_option(p)
    p.add_argument("draw_id", metavar="DRAW_ID", nargs="?", default=None)
    p.add_argument(
        "--cert",
        type=Path,
        default=None,
        help="复核这份 JSON 证书；有数据库时（--db 或默认位置）还与库中的台账核对",
    )
    p.add_argument(
        "--head",
        default=None,
        metavar="N:HASH",
        help="与早先公示的台账链头核对（公示名单、证书上印的“记录数:哈希”），可发现被删除或改写的最新抽取",
    )
    p.set_defaults(func=cmd_verify, access=SCOPED)


def _draw_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--public-value", default=None, help="事先公布或当众产生的公开随机值")
    p.add_argument("--date", default=None, help="抽取日期 YYYY-MM-DD（默认今天）")
    p.add_argument(
        "--operator", default=None, help=f"操作人（默认“{CLI_ACTOR}”；使用 --as 时为该账号）"
    )
    p.add_argument(
        "--ratio",
        action="append",
        default=None,
        help="抽查比例：0.05（所有分层）或 A=0.01（某一分层），可重复；计划任务取计划的比例",
    )
    p.add_argument("--witness", action="append", default=None, help="见证人（可重复）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")


def _err(message: str) -> int:
    print(message, file=sys.stderr)
    return 2


def _print_preview(prev, as_json: bool) -> None:
    if as_json:
        print(
            json.dumps(
                {
                    "task_code": prev.task_code,
                    "kind": prev.kind,
                    "draw_date": prev.draw_date.isoformat(),
                    "pool_size": prev.pool_size,
                    "pool_hash": prev.pool_hash,
                    "strata": prev.strata,
                    "units": prev.units,
                    "min_inspectors": prev.min_inspectors,
                    "inspector_pool": prev.inspector_pool,
                    "ratio_source": prev.ratio_source,
                    "warnings": prev.warnings,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    print(f"预览：{prev.task_code} {prev.task_name}，抽取日期 {prev.draw_date}")
    print(f"名录对象 {prev.pool_size} 个，名录哈希 {prev.pool_hash}")
    print("分层  名录数  比例  抽取数")
    for s in prev.strata:
        ratio = s["ratio"] if s["ratio"] is not None else "（未输入）"
        size = s["size"] if s["size"] is not None else "-"
        print(f"{s['stratum']:<5} {s['pool_size']:>6}  {ratio}  {size}")
    print(f"合计抽取 {prev.total_size} 个；检查单位 {'、'.join(prev.units) or '（不匹配人员）'}")
    for w in prev.warnings:
        print(f"提醒：{w}")


def _print_record(record: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(record, ensure_ascii=False, indent=2))
        return
    print(f"抽取完成：{record['draw_id']}（任务 {record['task_code']}，{record['draw_date']}）")
    print(f"种子 {record['seed']}")
    teams = {a["entity_code"]: a["inspector_codes"] for a in record["assignments"]}
    for s in record["selections"]:
        team = "、".join(teams.get(s["entity_code"], []))
        print(f"  {s['stratum']}  {s['entity_code']}  {team}")
    if record["unstaffed"]:
        print(f"人员不足：{'、'.join(record['unstaffed'])}")
    print(f"记录哈希 {record['record_hash']}")


def _visible_draws(store, args: argparse.Namespace) -> set[str] | None:
    """Draw ids the --as account may read (its scoped ledger, every year); None = every draw."""
    from datetime import date

    from dashboard import draw
    from dashboard.auth import scope_for

    user = cli_user(args)
    if user is None or user.allowed_units is None:
        return None
    years = sorted({d.year for d in draw.ledger(store)["draw_date"]})
    visible: set[str] = set()
    for year in years:
        scope = scope_for(user, year, date(year, 12, 31))
        visible.update(draw.ledger(store, scope)["draw_id"])
    return visible


def _require_visible(store, args: argparse.Namespace, draw_id: str) -> None:
    visible = _visible_draws(store, args)
    if visible is None or draw_id in visible:
        return
    from dashboard import draw

    if draw_id not in set(draw.ledger(store)["draw_id"]):
        return  # unknown: the draw functions say so
    raise CliRefused(
        f"抽取 {draw_id} 不属于账号 {cli_user(args).username} 所在单位的任务，无权查看。"
    )


def _draw_errors(
    command: Callable[[argparse.Namespace], int],
) -> Callable[[argparse.Namespace], int]:
    """Every command of this module: a DrawError is printed (its one Chinese sentence) to stderr, exit 2."""

    @functools.wraps(command)
    def run(args: argparse.Namespace) -> int:
        from dashboard.draw import DrawError

        try:
            return command(args)
        except DrawError as exc:
            return _err(str(exc))

    return run


def _record_options(args: argparse.Namespace) -> dict:
    """The keyword arguments every draw takes from the shared options (_draw_options)."""
    return {
        "operator": actor_name(args, args.operator, "--operator"),
        "draw_date": args.date,
        "ratios": args.ratio,
        "witnesses": args.witness,
    }


def _preview_or_draw(
    args: argparse.Namespace, preview: Callable[[], object], run: Callable[[], dict]
) -> int:
    """`draw` and `revisit-draw`: the preview with --dry-run, else the draw (needs --public-value)."""
    if args.dry_run:
        _print_preview(preview(), args.json)
        return 0
    if not (args.public_value or "").strip():
        return _err("请用 --public-value 输入公开随机值（预览请加 --dry-run）。")
    _print_record(run(), args.json)
    return 0


@_draw_errors
def cmd_draw(args: argparse.Namespace) -> int:
    from dashboard import draw

    store = store_from_args(args)
    return _preview_or_draw(
        args,
        lambda: draw.preview(store, args.task_code, args.date, args.ratio),
        lambda: draw.run_draw(store, args.task_code, args.public_value, **_record_options(args)),
    )


@_draw_errors
def cmd_redraw(args: argparse.Namespace) -> int:
    from dashboard import draw

    if not (args.reason or "").strip():
        return _err("重新抽取必须说明原因，请用 --reason 填写原因。")
    if not (args.public_value or "").strip():
        return _err("请用 --public-value 输入新的公开随机值。")
    store = store_from_args(args)
    options = _record_options(args)
    _print_record(
        draw.redraw(store, args.draw_id, args.public_value, reason=args.reason, **options),
        args.json,
    )
    return 0


@_draw_errors
def cmd_revisit(args: argparse.Namespace) -> int:
    from dashboard import draw

    store = store_from_args(args)
    return _preview_or_draw(
        args,
        lambda: draw.revisit_preview(
            store, args.revisit_code, args.date, args.ratio, units=args.unit
        ),
        lambda: draw.run_revisit_draw(
            store, args.revisit_code, args.public_value, units=args.unit, **_record_options(args)
        ),
    )


@_draw_errors
def cmd_confirm(args: argparse.Namespace) -> int:
    from dashboard import draw

    draw.confirm_draw(store_from_args(args), args.draw_id, actor_name(args, args.user, "--user"))
    print(f"已确认抽取 {args.draw_id}。")
    return 0


@_draw_errors
def cmd_cert(args: argparse.Namespace) -> int:
    from dashboard import draw

    store = store_from_args(args)
    _require_visible(store, args, args.draw_id)
    cert = draw.certificate(store, args.draw_id)
    names = draw.names_for(store, cert)
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    draw_id = cert["draw_id"]
    (out / f"{draw_id}.json").write_text(
        json.dumps(cert, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    (out / f"{draw_id}.html").write_text(draw.certificate_html(cert, names), encoding="utf-8")
    written = [out / f"{draw_id}.json", out / f"{draw_id}.html"]
    if args.public:
        path = out / f"{draw_id}.public.html"
        path.write_text(draw.public_certificate_html(cert, names), encoding="utf-8")
        written.append(path)
    for path in written:
        print(f"已写出 {path}")
    print(f"台账链头（请随公示一并公布）：{draw.head_text(draw.chain_head(store))}")
    return 0


@_draw_errors
def cmd_verify(args: argparse.Namespace) -> int:
    from dashboard.draw import protocol

    if args.cert is not None:
        try:
            cert = json.loads(args.cert.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            return _err(f"无法读取证书 {args.cert}：{exc}")
        if not isinstance(cert, dict):
            return _err(f"证书 {args.cert} 不是 JSON 对象。")
        checks = protocol.check_certificate(cert)
        for name, ok, detail in checks:
            print(f"{'通过' if ok else '不通过'}  {name}" + ("" if ok else f"：{detail}"))
        passed = all(ok for _, ok, _ in checks)
        if args.draw_id and cert.get("draw_id") != args.draw_id:
            print(f"不通过  证书编号：证书为 {cert.get('draw_id')}，不是 {args.draw_id}")
            passed = False
        named = getattr(args, "db", None) is not None or bool(os.environ.get("DASHBOARD_DB"))
        db = db_path_from_args(args)
        if named or Path(db).exists():  # a store at hand: the certificate must be its record too
            from dashboard import draw
            from dashboard.store import StoreError

            try:
                store = store_from_args(args)
            except StoreError as exc:
                if named:
                    raise
                # the default store only happens to be there (perhaps open in the app): the file alone
                print(f"提醒  未能打开默认数据库（{exc}），只复核了证书本身")
                print("结论：证书复核通过。" if passed else "结论：证书复核不通过。")
                return 0 if passed else 1
            against = draw.certificate_against_store(store, cert)
            unknown = (
                not named
                and store.scalar(
                    "SELECT count(*) FROM draws WHERE draw_id = ?", [str(cert.get("draw_id"))]
                )
                == 0
            )
            if unknown:  # the default store, which never had this draw: say so, judge the file
                print(f"提醒  默认数据库 {db} 中没有抽取 {cert.get('draw_id')}，只复核了证书本身")
            else:
                for d in against:
                    print(f"不通过  {d.check}：{d.detail}")
                if not against:
                    print(f"通过  证书与数据库 {db} 中的台账记录一致")
                passed = passed and not against
        else:
            print("提醒  没有数据库可核对，只复核了证书本身（用 --db 指定数据库可与台账核对）")
        print("结论：证书复核通过。" if passed else "结论：证书复核不通过。")
        return 0 if passed else 1

    from dashboard import draw

    store = store_from_args(args)
    if args.draw_id:
        _require_visible(store, args, args.draw_id)
    head = draw.parse_head(args.head) if args.head else None
    found = draw.verify_store(store, args.draw_id, head=head)
    visible = _visible_draws(store, args)
    shown = found if visible is None else [d for d in found if d.draw_id in visible]
    hidden = [d for d in found if d not in shown and not d.warning]
    errors = [d for d in found if not d.warning]
    for d in shown:
        print(str(d))
    if hidden:
        print(f"另有 {len(hidden)} 处不一致属于其他单位的抽取（不显示明细），请告知办公室管理员。")
    if args.draw_id:
        scope = f"抽取 {args.draw_id}"
    elif visible is None:
        scope = f"全部 {store.scalar('SELECT count(*) FROM draws')} 次抽取"
    else:
        scope = f"哈希链及本账号单位的 {len(visible)} 次抽取"
    print(f"当前台账链头：{draw.head_text(draw.chain_head(store))}")
    if errors:
        print(f"结论：{scope}复核发现 {len(errors)} 处不一致。")
        return 1
    extra = f"，与公示的链头 {args.head} 相符" if head is not None else ""
    print(f"结论：{scope}与冻结名单、哈希链一致{extra}。")
    return 0
