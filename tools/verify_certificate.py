#!/usr/bin/env python3
"""Verifiable draw, protocol v1 (DESIGN.md §6): the pure core, standard library only.

This one file is both the product's protocol module (`dashboard.draw.protocol`) and, byte for byte,
the stand-alone checker `tools/verify_certificate.py` (a test keeps the two identical), so the rules
that make a draw and the rules that check it cannot drift apart.

    python tools/verify_certificate.py CERT.json      # prints 通过/不通过 per check; exit 0 all pass, 1 otherwise

Rules (v1):
  pool hash = sha256 hex of the UTF-8 text of one line "entity_code|stratum\\n" per pool member, sorted by code;
  n_s       = ceil(N_s × r_s) in exact decimal arithmetic, capped at N_s;
  seed      = sha256 hex of "v1|{task_code}|{pool_hash}|{public_value}" (public value stripped of white space);
  targets   = per stratum the n_s smallest sha256 hex of "{seed}/{entity_code}";
  teams     = per target, among inspector_pool minus its recused: first per unit (in `units` order) the
              inspector with the smallest sha256 hex of "{seed}/{entity_code}/{inspector_code}", then the
              smallest remaining keys up to k = max(min_inspectors, 2); fewer than k eligible → unstaffed;
              a record with no units (return-visit draws, v1) has no inspector matching: assignments = [];
  record_hash = sha256 hex of previous_hash + canonical JSON of the record
              (json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)).
Return-visit (回访) draws use the same rules; a pool member's code is "{task_code}/{entity_code}" and its
stratum is the responsible unit.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from fractions import Fraction

PROTOCOL = "v1"
ZERO_HASH = "0" * 64
MIN_TEAM = 2

RECORD_KEYS = (
    "protocol",
    "draw_id",
    "task_code",
    "draw_date",
    "operator",
    "public_value",
    "pool_hash",
    "seed",
    "min_inspectors",
    "units",
    "strata",
    "selections",
    "assignments",
    "unstaffed",
    "inspector_pool",
    "supersedes",
    "reason",
    "created_at",
    "previous_hash",
)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalise_public_value(value: str) -> str:
    """The public value as stored and used: leading and trailing white space removed."""
    return str(value).strip()


def parse_ratio(text: str) -> Fraction:
    """The exact value of a ratio's decimal text (e.g. "0.14"); ValueError if not a decimal in [0, 1]."""
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        raise ValueError(f"抽查比例“{text}”不是小数") from None
    if not value.is_finite() or value < 0 or value > 1:
        raise ValueError(f"抽查比例“{text}”应是 0 到 1 之间的小数")
    return Fraction(value)


def stratum_size(pool_size: int, ratio_text: str) -> int:
    """n_s = ceil(N_s × r_s), capped at N_s; exact (ceil(50 × 0.14) = 7)."""
    exact = Fraction(pool_size) * parse_ratio(ratio_text)
    n = -((-exact.numerator) // exact.denominator)
    return min(int(n), pool_size)


def pool_text_lines(pool: Iterable[tuple[str, str]]) -> Iterable[str]:
    for code, stratum in pool:
        yield f"{code}|{stratum}\n"


def pool_hash(pool: Sequence[tuple[str, str]]) -> str:
    """Hash of the pool given as (entity_code, stratum) pairs sorted by entity_code."""
    h = hashlib.sha256()
    batch: list[str] = []
    for line in pool_text_lines(pool):
        batch.append(line)
        if len(batch) >= 65536:
            h.update("".join(batch).encode("utf-8"))
            batch.clear()
    h.update("".join(batch).encode("utf-8"))
    return h.hexdigest()


def compute_seed(task_code: str, pool_hash_hex: str, public_value: str) -> str:
    return sha256_hex(f"{PROTOCOL}|{task_code}|{pool_hash_hex}|{public_value}")


def entity_key(seed: str, entity_code: str) -> str:
    return sha256_hex(f"{seed}/{entity_code}")


def inspector_key(seed: str, entity_code: str, inspector_code: str) -> str:
    return sha256_hex(f"{seed}/{entity_code}/{inspector_code}")


def strata_counts(pool: Iterable[tuple[str, str]]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for _, stratum in pool:
        counts[stratum] += 1
    return dict(counts)


def compute_strata(counts: dict[str, int], ratios: dict[str, str]) -> list[dict]:
    """The record's `strata`: one entry per stratum of the pool, sorted by stratum."""
    out = []
    for stratum in sorted(counts):
        ratio = ratios[stratum]
        out.append(
            {
                "stratum": stratum,
                "pool_size": counts[stratum],
                "ratio": ratio,
                "size": stratum_size(counts[stratum], ratio),
            }
        )
    return out


def select_targets(pool: Iterable[tuple[str, str]], seed: str, sizes: dict[str, int]) -> list[dict]:
    """In each stratum the n_s smallest keys; sorted by stratum, then key."""
    by_stratum: dict[str, list[str]] = defaultdict(list)
    for code, stratum in pool:
        by_stratum[stratum].append(code)
    prefix = f"{seed}/"
    sha = hashlib.sha256
    out = []
    for stratum in sorted(by_stratum):
        n = sizes.get(stratum, 0)
        if n <= 0:
            continue
        codes = by_stratum[stratum]
        keyed = ((sha((prefix + c).encode("utf-8")).hexdigest(), c) for c in codes)
        for key, code in heapq.nsmallest(n, keyed):
            out.append({"entity_code": code, "stratum": stratum, "key": key})
    return out


def team_size(min_inspectors: int) -> int:
    return max(int(min_inspectors), MIN_TEAM)


def match_team(
    seed: str,
    entity_code: str,
    units: Sequence[str],
    candidates: Sequence[tuple[str, str]],
    k: int,
) -> tuple[list[str], bool]:
    """One target's team from its eligible (inspector_code, unit_code) pairs; returns (team, unstaffed)."""
    keyed = sorted(
        (inspector_key(seed, entity_code, code), code, unit) for code, unit in candidates
    )
    team: list[str] = []
    taken: set[str] = set()
    seen_units: set[str] = set()
    for unit in units:
        if unit in seen_units:
            continue
        seen_units.add(unit)
        for _, code, u in keyed:
            if u == unit and code not in taken:
                team.append(code)
                taken.add(code)
                break
    for _, code, _u in keyed:
        if len(team) >= k:
            break
        if code not in taken:
            team.append(code)
            taken.add(code)
    return team, len(keyed) < k


def compute_assignments(
    seed: str,
    selections: Sequence[dict],
    units: Sequence[str],
    inspector_pool: Sequence[dict],
    recused: dict[str, Sequence[str]],
    min_inspectors: int,
) -> tuple[list[dict], list[str]]:
    """Teams for every selection (selections' order) and the unstaffed targets."""
    if not units:
        return [], []
    k = team_size(min_inspectors)
    members = [(p["inspector_code"], p["unit_code"]) for p in inspector_pool]
    member_codes = {m[0] for m in members}
    assignments, unstaffed = [], []
    for sel in selections:
        code = sel["entity_code"]
        out = set(recused.get(code, ()))
        candidates = [m for m in members if m[0] not in out]
        team, short = match_team(seed, code, units, candidates, k)
        assignments.append(
            {
                "entity_code": code,
                "inspector_codes": team,
                "recused": sorted(out & member_codes),
            }
        )
        if short:
            unstaffed.append(code)
    return assignments, unstaffed


def canonical_json(record: dict) -> str:
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def record_hash(previous_hash: str, record: dict) -> str:
    return sha256_hex(previous_hash + canonical_json(record))


def record_of(cert: dict) -> dict:
    """The record inside a certificate (the certificate minus record_hash and pool)."""
    return {k: v for k, v in cert.items() if k not in ("record_hash", "pool")}


# -- checking a certificate --------------------------------------------------------------------


def _first_difference(expected: list, actual: list) -> str:
    if len(expected) != len(actual):
        return f"应有 {len(expected)} 项，证书中为 {len(actual)} 项"
    for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
        if e != a:
            return f"第 {i + 1} 项应为 {json.dumps(e, ensure_ascii=False)}，证书中为 {json.dumps(a, ensure_ascii=False)}"
    return "内容不同"


def check_certificate(cert: dict) -> list[tuple[str, bool, str]]:
    """Re-derive everything a certificate claims; returns (check name, passed, detail) per check."""
    checks: list[tuple[str, bool, str]] = []

    def add(name: str, ok: bool, detail: str = "") -> None:
        checks.append((name, bool(ok), detail))

    missing = [k for k in RECORD_KEYS if k not in cert] + [
        k for k in ("record_hash", "pool") if k not in cert
    ]
    extra = [k for k in cert if k not in RECORD_KEYS and k not in ("record_hash", "pool")]
    add(
        "字段完整",
        not missing and not extra and cert.get("protocol") == PROTOCOL,
        f"缺少 {missing}；多余 {extra}；协议 {cert.get('protocol')!r}" if missing or extra else "",
    )
    if missing:
        return checks
    try:
        pool = [(str(p["entity_code"]), str(p["stratum"])) for p in cert["pool"]]
    except (TypeError, KeyError):
        add("名录格式", False, "pool 每项应含 entity_code 与 stratum")
        return checks
    codes = [c for c, _ in pool]
    ordered = all(codes[i] < codes[i + 1] for i in range(len(codes) - 1))
    add(
        "名录按编码排序且不重复",
        ordered,
        "" if ordered else "pool 未按 entity_code 升序排列或有重复",
    )

    ph = pool_hash(sorted(pool))
    add("名录哈希 pool_hash", ph == cert["pool_hash"], f"重算为 {ph}，证书中为 {cert['pool_hash']}")

    pv = cert["public_value"]
    add(
        "公开随机值",
        isinstance(pv, str) and pv != "" and pv == normalise_public_value(pv),
        "公开随机值为空或含首尾空白",
    )
    seed = compute_seed(cert["task_code"], cert["pool_hash"], pv)
    add("种子 seed", seed == cert["seed"], f"重算为 {seed}，证书中为 {cert['seed']}")

    counts = strata_counts(pool)
    try:
        ratios = {s["stratum"]: s["ratio"] for s in cert["strata"]}
        strata = compute_strata(counts, ratios)
        add(
            "各层数量与抽取数 strata",
            strata == cert["strata"],
            _first_difference(strata, cert["strata"]),
        )
        sizes = {s["stratum"]: s["size"] for s in strata}
    except (KeyError, ValueError, TypeError) as exc:
        add("各层数量与抽取数 strata", False, f"无法重算：{exc}")
        sizes = {s.get("stratum"): s.get("size", 0) for s in cert["strata"] if isinstance(s, dict)}

    selections = select_targets(sorted(pool), cert["seed"], sizes)
    add(
        "抽中对象 selections",
        selections == cert["selections"],
        _first_difference(selections, cert["selections"]),
    )

    try:
        recused = {a["entity_code"]: list(a["recused"]) for a in cert["assignments"]}
        assignments, unstaffed = compute_assignments(
            cert["seed"],
            cert["selections"],
            cert["units"],
            cert["inspector_pool"],
            recused,
            cert["min_inspectors"],
        )
        add(
            "检查组 assignments",
            assignments == cert["assignments"],
            _first_difference(assignments, cert["assignments"]),
        )
        add(
            "人员不足 unstaffed",
            unstaffed == cert["unstaffed"],
            _first_difference(unstaffed, cert["unstaffed"]),
        )
    except (KeyError, TypeError) as exc:
        add("检查组 assignments", False, f"无法重算：{exc}")

    rh = record_hash(cert["previous_hash"], record_of(cert))
    add(
        "记录哈希 record_hash",
        rh == cert["record_hash"],
        f"重算为 {rh}，证书中为 {cert['record_hash']}",
    )
    return checks


def certificate_differences(cert: dict) -> list[str]:
    """The failed checks of a certificate as sentences (empty list = the certificate holds)."""
    return [f"{name}：{detail}" for name, ok, detail in check_certificate(cert) if not ok]


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1 or args[0] in ("-h", "--help"):
        print("用法：python verify_certificate.py 证书.json", file=sys.stderr)
        return 2
    try:
        with open(args[0], encoding="utf-8") as fh:
            cert = json.load(fh)
    except (OSError, ValueError) as exc:
        print(f"无法读取证书 {args[0]}：{exc}", file=sys.stderr)
        return 2
    if not isinstance(cert, dict):
        print(f"证书 {args[0]} 不是 JSON 对象。", file=sys.stderr)
        return 2
    checks = check_certificate(cert)
    print(
        f"抽取证书 {cert.get('draw_id')}（任务 {cert.get('task_code')}，协议 {cert.get('protocol')}）"
    )
    for name, ok, detail in checks:
        line = f"  {'通过' if ok else '不通过'}  {name}"
        if not ok and detail:
            line += f"：{detail}"
        print(line)
    passed = all(ok for _, ok, _ in checks)
    print("结论：通过" if passed else "结论：不通过")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
