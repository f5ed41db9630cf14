"""The ledger read side: certificates, verification of the stored chain, ledger lists, public list."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa

from dashboard import config
from dashboard.draw import engine, protocol
from dashboard.draw.service import (
    REVISIT_KIND,
    TASK_KIND,
    DrawError,
    _clean_list,
    _task,
    inspector_pool,
    load_record,
    recused_for,
)
from dashboard.scope import Scope
from dashboard.store import Store, lookups


@dataclass(frozen=True)
class Difference:
    """One thing verification found; `warning` = store drift (inputs changed later), not a failure."""

    draw_id: str
    check: str
    detail: str
    warning: bool = False

    def __str__(self) -> str:
        head = "提醒" if self.warning else "不一致"
        return f"[{head}] {self.draw_id} {self.check}：{self.detail}"


def frozen_pool(store: Store, draw_id: str) -> pa.Table:
    cur = store.cursor()
    try:
        table = cur.sql(
            "SELECT entity_code, stratum FROM draw_pool WHERE draw_id = $id ORDER BY entity_code",
            params={"id": draw_id},
        ).to_arrow_table()
    finally:
        cur.close()
    return table


def certificate(store: Store, draw_id: str) -> dict:
    """The JSON certificate: the record plus record_hash and the frozen pool (sorted by code)."""
    record, row = load_record(store, draw_id)
    pool = frozen_pool(store, row["draw_id"])
    cert = dict(record)
    cert["record_hash"] = row["record_hash"]
    cert["pool"] = [
        {"entity_code": c, "stratum": s}
        for c, s in zip(pool["entity_code"].to_pylist(), pool["stratum"].to_pylist(), strict=True)
    ]
    return cert


def verify_certificate(cert: dict) -> list[str]:
    """Differences found in one certificate (the same checks as tools/verify_certificate.py)."""
    return protocol.certificate_differences(cert)


def _first(expected: list, actual: list) -> str:
    return protocol._first_difference(expected, actual)


def _verify_one(store: Store, row: dict, expected_previous: str | None) -> list[Difference]:
    draw_id = row["draw_id"]
    out: list[Difference] = []

    def bad(check: str, detail: str, warning: bool = False) -> None:
        out.append(Difference(draw_id, check, detail, warning))

    try:
        record = json.loads(row["record_json"])
    except ValueError:
        bad("记录内容", "record_json 不是有效的 JSON")
        return out
    if protocol.canonical_json(record) != row["record_json"]:
        bad("记录内容", "record_json 不是规范 JSON 形式（被改动过）")
    rhash = protocol.sha256_hex(row["previous_hash"] + row["record_json"])
    if rhash != row["record_hash"]:
        bad("记录哈希", f"重算为 {rhash}，台账中为 {row['record_hash']}")
    if expected_previous is not None and row["previous_hash"] != expected_previous:
        bad(
            "哈希链",
            f"previous_hash 应为前一条记录的哈希 {expected_previous}，台账中为 {row['previous_hash']}",
        )
    if record.get("previous_hash") != row["previous_hash"]:
        bad("哈希链", "记录内的 previous_hash 与台账列不同")
    columns = (
        "draw_id",
        "task_code",
        "operator",
        "public_value",
        "pool_hash",
        "seed",
        "supersedes",
        "reason",
        "created_at",
    )
    for col in columns:
        value = row[col]
        value = None if value is None or (isinstance(value, float) and pd.isna(value)) else value
        if record.get(col) != value:
            bad(f"台账列 {col}", f"列值 {value!r} 与记录中的 {record.get(col)!r} 不同")
    if record.get("draw_date") != pd.Timestamp(row["draw_date"]).date().isoformat():
        bad(
            "台账列 draw_date", f"列值 {row['draw_date']} 与记录中的 {record.get('draw_date')} 不同"
        )

    pool = frozen_pool(store, draw_id)
    ph = engine.pool_hash(pool)
    if ph != record.get("pool_hash"):
        bad(
            "冻结名单", f"冻结名单的哈希为 {ph}，记录中为 {record.get('pool_hash')}（名单被改动过）"
        )
    seed = protocol.compute_seed(record["task_code"], record["pool_hash"], record["public_value"])
    if seed != record["seed"]:
        bad("种子", f"重算为 {seed}，记录中为 {record['seed']}")
    counts = engine.strata_counts(pool)
    try:
        strata = protocol.compute_strata(
            counts, {s["stratum"]: s["ratio"] for s in record["strata"]}
        )
    except (KeyError, ValueError) as exc:
        bad("分层数量", f"无法按冻结名单重算：{exc}")
        strata = None
    if strata is not None and strata != record["strata"]:
        bad("分层数量", _first(strata, record["strata"]))
    sizes = {s["stratum"]: s["size"] for s in (strata or record["strata"])}
    selections = engine.select_targets(pool, record["seed"], sizes)
    if selections != record["selections"]:
        bad("抽中对象", _first(selections, record["selections"]))
    recused = {a["entity_code"]: a["recused"] for a in record["assignments"]}
    assignments, unstaffed = engine.compute_assignments(
        record["seed"],
        record["selections"],
        record["units"],
        record["inspector_pool"],
        recused,
        record["min_inspectors"],
    )
    if assignments != record["assignments"]:
        bad("检查组", _first(assignments, record["assignments"]))
    if unstaffed != record["unstaffed"]:
        bad("人员不足名单", _first(unstaffed, record["unstaffed"]))

    stored = store.rows(
        "SELECT entity_code, stratum, key, inspector_codes, unstaffed FROM draw_selections"
        " WHERE draw_id = ? ORDER BY stratum, key",
        [draw_id],
    )
    teams = {a["entity_code"]: a["inspector_codes"] for a in record["assignments"]}
    short = set(record["unstaffed"])
    expected_rows = [
        (
            s["entity_code"],
            s["stratum"],
            s["key"],
            teams.get(s["entity_code"], []),
            s["entity_code"] in short,
        )
        for s in record["selections"]
    ]
    actual_rows = [(e, s, k, list(i), bool(u)) for e, s, k, i, u in stored]
    if expected_rows != actual_rows:
        bad("抽取结果表", "draw_selections " + _first(expected_rows, actual_rows))

    if row["supersedes"] is not None and not (isinstance(row["supersedes"], float)):
        target = store.rows(
            "SELECT task_code, chain_pos FROM draws WHERE draw_id = ?", [row["supersedes"]]
        )
        if not target or target[0][0] != row["task_code"] or target[0][1] >= row["chain_pos"]:
            bad("重新抽取", f"被取代的抽取 {row['supersedes']} 不存在、不属于同一任务或不在其之前")
        if not (record.get("reason") or "").strip():
            bad("重新抽取", "重新抽取没有原因")

    if row["kind"] == TASK_KIND:
        out.extend(_drift(store, record, draw_id))
    return out


def _drift(store: Store, record: dict, draw_id: str) -> list[Difference]:
    """Store drift: the inputs as stored now differ from what the record froze (a warning)."""
    out = []
    try:
        task = _task(store, record["task_code"])
    except DrawError:
        return [Difference(draw_id, "库内数据变化", f"任务 {record['task_code']} 已不在库中", True)]
    if task["units"] != record["units"]:
        out.append(
            Difference(
                draw_id,
                "库内数据变化",
                f"任务单位现为 {task['units']}，抽取时为 {record['units']}",
                True,
            )
        )
    d = pd.Timestamp(record["draw_date"]).date()
    now_pool = inspector_pool(store, record["units"], task["item_codes"], d)
    if now_pool != record["inspector_pool"]:
        out.append(
            Difference(
                draw_id,
                "库内数据变化",
                "执法人员名录（在岗、执法证、专长）与抽取时记录的人员库不同",
                True,
            )
        )
    now_rec = recused_for(
        store, [s["entity_code"] for s in record["selections"]], record["inspector_pool"]
    )
    then_rec = {a["entity_code"]: a["recused"] for a in record["assignments"] if a["recused"]}
    if now_rec != then_rec:
        out.append(Difference(draw_id, "库内数据变化", "回避关系与抽取时记录的回避名单不同", True))
    return out


# -- the chain head, anchored outside the store (issue 13) ----------------------------------------


def chain_head(store: Store) -> tuple[int, str]:
    """(number of draw records, the newest record_hash): the head printed on every 公示名单 and
    certificate, to be checked later with `dashboard verify --head N:HASH`."""
    found = store.rows("SELECT chain_pos, record_hash FROM draws ORDER BY chain_pos DESC LIMIT 1")
    return (int(found[0][0]), found[0][1]) if found else (0, protocol.ZERO_HASH)


def head_text(head: tuple[int, str]) -> str:
    return f"{head[0]}:{head[1]}"


def parse_head(text: str) -> tuple[int, str]:
    """ "N:HASH" → (N, HASH); DrawError (one Chinese sentence) when malformed."""
    count, _, digest = str(text or "").strip().partition(":")
    digest = digest.strip().lower()
    if (
        not count.strip().isdigit()
        or len(digest) != 64
        or any(c not in "0123456789abcdef" for c in digest)
    ):
        raise DrawError(
            f"台账链头“{text}”格式不对：应为“记录数:哈希”，如 12:3f5a…（64 位十六进制），"
            "照公示名单或证书上印的链头填写。"
        )
    return int(count), digest


def check_head(store: Store, head: tuple[int, str]) -> list[Difference]:
    """The store against a head published earlier: record N must still be there with that hash."""
    count, digest = head
    n, _ = chain_head(store)
    label = f"链头 {count}"
    if count == 0:
        return []
    if n < count:
        return [
            Difference(
                label,
                "台账链头",
                f"公示时台账有 {count} 条记录，现在只有 {n} 条：最新的 {count - n} 次抽取被删除",
            )
        ]
    found = store.rows("SELECT draw_id, record_hash FROM draws WHERE chain_pos = ?", [count])
    if not found or found[0][1] != digest:
        where = found[0][0] if found else "（缺失）"
        return [
            Difference(
                label,
                "台账链头",
                f"第 {count} 条记录 {where} 的哈希与公示的 {digest} 不同：该记录（或其前的记录）"
                "被改写或重新抽取过",
            )
        ]
    return []


def _audit_rows(store: Store, actions: tuple[str, ...]) -> dict[str, list[dict]]:
    rows = store.rows(
        "SELECT record_key, new_value FROM audit_log WHERE list_contains(?, action)"
        " ORDER BY audit_id",
        [list(actions)],
    )
    out: dict[str, list[dict]] = {}
    for key, value in rows:
        try:
            parsed = json.loads(value) if value else {}
        except ValueError:
            parsed = {}
        out.setdefault(key, []).append(parsed if isinstance(parsed, dict) else {})
    return out


def _against_audit(store: Store, rows: list[dict]) -> list[Difference]:
    """The ledger against the hash-chained audit log, where every draw and confirmation is also
    recorded (record hash, kind, witnesses; confirmer and time): catches a deleted newest draw, a
    re-run or rewritten record, edited witnesses or kind, and a confirmation inserted by hand."""
    out: list[Difference] = []
    audited = _audit_rows(store, ("draw", "redraw"))
    by_id = {r["draw_id"]: r for r in rows}
    for draw_id in audited:
        if draw_id not in by_id:
            out.append(
                Difference(
                    draw_id, "审计核对", "审计日志记有这次抽取，台账中却没有（抽取记录被删除）"
                )
            )
    for row in rows:
        entries = audited.get(row["draw_id"])
        if not entries:
            out.append(
                Difference(row["draw_id"], "审计核对", "审计日志中没有这次抽取（记录未经程序写入）")
            )
            continue
        if (
            len(entries) > 1
        ):  # each draw number is written once: twice means it was removed and redone
            out.append(
                Difference(
                    row["draw_id"],
                    "审计核对",
                    f"审计日志中编号 {row['draw_id']} 被抽取了 {len(entries)} 次"
                    "（原记录被删除后重新抽取）",
                )
            )
        entry = entries[0]
        if entry.get("record_hash") != row["record_hash"]:
            out.append(
                Difference(
                    row["draw_id"],
                    "审计核对",
                    f"审计日志记录的哈希为 {entry.get('record_hash')}，台账中为 {row['record_hash']}"
                    "（记录被改写或重新抽取）",
                )
            )
        if "kind" in entry and entry["kind"] != row["kind"]:
            out.append(
                Difference(
                    row["draw_id"],
                    "台账列 kind",
                    f"列值 {row['kind']!r} 与审计日志的 {entry['kind']!r} 不同",
                )
            )
        witnesses = None if pd.isna(row["witnesses"]) else row["witnesses"]
        if "witnesses" in entry and entry["witnesses"] != witnesses:
            out.append(
                Difference(
                    row["draw_id"],
                    "台账列 witnesses",
                    f"见证人 {witnesses!r} 与审计日志的 {entry['witnesses']!r} 不同",
                )
            )
    confirmed = _audit_rows(store, ("confirm_draw",))
    stored = {
        d: (by, at)
        for d, by, at in store.rows(
            "SELECT draw_id, confirmed_by, confirmed_at FROM draw_confirmations"
        )
    }
    for draw_id, (by, at) in stored.items():
        entries = confirmed.get(draw_id)
        at_text = at.isoformat() if hasattr(at, "isoformat") else str(at)
        if not entries:
            out.append(
                Difference(draw_id, "确认记录", "审计日志中没有这次确认（确认记录未经程序写入）")
            )
        elif (entries[-1].get("confirmed_by"), entries[-1].get("confirmed_at")) != (by, at_text):
            out.append(
                Difference(
                    draw_id,
                    "确认记录",
                    f"确认人/时间 {by} {at_text} 与审计日志的 {entries[-1].get('confirmed_by')} "
                    f"{entries[-1].get('confirmed_at')} 不同",
                )
            )
    for draw_id in confirmed:
        if draw_id not in stored:
            out.append(
                Difference(draw_id, "确认记录", "审计日志记有确认，确认记录却不见了（被删除）")
            )
    return out


def certificate_against_store(store: Store, cert: dict) -> list[Difference]:
    """A certificate compared with the ledger of the open store: same record, hash and pool."""
    draw_id = str(cert.get("draw_id"))
    found = store.df("SELECT * FROM draws WHERE draw_id = ?", [draw_id])
    if found.empty:
        return [
            Difference(draw_id, "证书与台账", "库中没有这次抽取（证书不属于本库，或记录被删除）")
        ]
    row = found.iloc[0].to_dict()
    out = []
    record = {k: v for k, v in cert.items() if k not in ("record_hash", "pool")}
    if protocol.canonical_json(record) != row["record_json"]:
        stored = json.loads(row["record_json"])
        changed = sorted(k for k in set(stored) | set(record) if stored.get(k) != record.get(k))
        out.append(
            Difference(draw_id, "证书与台账", f"证书内容与台账记录不同（{', '.join(changed)}）")
        )
    if cert.get("record_hash") != row["record_hash"]:
        out.append(
            Difference(
                draw_id,
                "证书与台账",
                f"证书的记录哈希 {cert.get('record_hash')} 与台账的 {row['record_hash']} 不同",
            )
        )
    pool = frozen_pool(store, draw_id)
    stored_pool = [
        {"entity_code": c, "stratum": s}
        for c, s in zip(pool["entity_code"].to_pylist(), pool["stratum"].to_pylist(), strict=True)
    ]
    if cert.get("pool") != stored_pool:
        out.append(Difference(draw_id, "证书与台账", "证书的冻结名录与库中的不同"))
    return out


@engine.gc_paused()
def verify_store(
    store: Store, draw_id: str | None = None, *, head: tuple[int, str] | None = None
) -> list[Difference]:
    """Recompute every draw (or one) from its frozen pool and check the chain; [] = all holds.

    The whole-store check also compares the ledger with the hash-chained audit log and checks that
    chain; `head` (N, HASH), published earlier, must still be record N's hash."""
    rows = store.df("SELECT * FROM draws ORDER BY chain_pos").to_dict("records")
    out: list[Difference] = []
    if draw_id is not None and not any(r["draw_id"] == draw_id for r in rows):
        raise DrawError(f"找不到抽取记录 {draw_id}。")
    previous = protocol.ZERO_HASH
    for pos, row in enumerate(rows, start=1):
        if row["chain_pos"] != pos:
            out.append(
                Difference(
                    row["draw_id"],
                    "哈希链",
                    f"序号应为 {pos}，台账中为 {row['chain_pos']}（有记录被删除或插入）",
                )
            )
        if draw_id is None or row["draw_id"] == draw_id:
            out.extend(_verify_one(store, row, previous))
        previous = row["record_hash"]
    orphans = store.rows(
        "SELECT DISTINCT draw_id FROM draw_confirmations WHERE draw_id NOT IN (SELECT draw_id FROM draws)"
    )
    for (orphan,) in orphans:
        out.append(Difference(orphan, "确认记录", "确认记录指向不存在的抽取"))
    if draw_id is None:
        from dashboard.store.audit_chain import verify_audit_chain

        out.extend(_against_audit(store, rows))
        out.extend(Difference("审计日志", "审计哈希链", d) for d in verify_audit_chain(store))
    if head is not None:
        out.extend(check_head(store, head))
    return out


# -- lists -------------------------------------------------------------------------------------


def _scope_filter(scope: Scope | None) -> tuple[str, list]:
    if scope is None:
        return "", []
    sql, params = " AND year(d.draw_date) = ?", [scope.year]
    units = scope.unit_filter
    if units is not None:
        sql += (
            " AND ((d.kind = 'task' AND (list_contains(?, t.lead_unit) OR list_has_any(?, t.partner_units)))"
            " OR (d.kind = 'revisit' AND EXISTS (SELECT 1 FROM draw_selections AS s"
            " WHERE s.draw_id = d.draw_id AND list_contains(?, s.stratum))))"
        )
        params += [units, units, units]
    return sql, params


def ledger(store: Store, scope: Scope | None = None) -> pd.DataFrame:
    """Every draw (in chain order) with status, supersession, reason, confirmation and its deadline."""
    limit = int(config.get_setting(store, "confirm_limit_workdays"))
    where, params = _scope_filter(scope)
    return store.df(
        f"""
        SELECT d.chain_pos, d.draw_id, d.kind, d.task_code, t.task_name, t.lead_unit, d.draw_date,
               d.operator, d.witnesses, d.public_value,
               (SELECT count(*) FROM draw_pool AS p WHERE p.draw_id = d.draw_id) AS pool_size,
               (SELECT count(*) FROM draw_selections AS s WHERE s.draw_id = d.draw_id) AS selected,
               (SELECT count(*) FROM draw_selections AS s WHERE s.draw_id = d.draw_id AND s.unstaffed)
                   AS unstaffed,
               CASE WHEN n.draw_id IS NULL THEN 'current' ELSE 'superseded' END AS status,
               n.draw_id AS superseded_by, d.supersedes, d.reason,
               c.confirmed_by, c.confirmed_at,
               workday_deadline(d.draw_date, {limit}) AS confirm_deadline,
               (c.confirmed_at IS NOT NULL AND c.confirmed_at::DATE > workday_deadline(d.draw_date, {limit}))
                   AS confirmed_late,
               d.created_at, d.pool_hash, d.seed, d.record_hash
        FROM draws AS d
        LEFT JOIN tasks AS t ON d.kind = 'task' AND t.task_code = d.task_code
        LEFT JOIN draws AS n ON n.supersedes = d.draw_id
        LEFT JOIN draw_confirmations AS c ON c.draw_id = d.draw_id
        WHERE true {where}
        ORDER BY d.chain_pos
        """,
        params,
    )


def redraws_per_unit(store: Store, scope: Scope | None = None) -> pd.DataFrame:
    """Per lead unit: task draws, redraws among them, and the redraw share (null when no draws)."""
    where, params = _scope_filter(scope)
    if scope is not None and scope.unit_filter is not None:
        where += " AND list_contains(?, t.lead_unit)"  # rows only for the units in scope
        params = [*params, scope.unit_filter]
    return store.df(
        f"""
        SELECT t.lead_unit AS unit_code, any_value(u.unit_name) AS unit_name,
               count(*) AS draws,
               count(*) FILTER (WHERE d.supersedes IS NOT NULL) AS redraws,
               CASE WHEN count(*) = 0 THEN NULL
                    ELSE count(*) FILTER (WHERE d.supersedes IS NOT NULL) / count(*) END AS redraw_share
        FROM draws AS d JOIN tasks AS t ON t.task_code = d.task_code
        LEFT JOIN units AS u ON u.unit_code = t.lead_unit
        WHERE d.kind = 'task' {where}
        GROUP BY t.lead_unit ORDER BY redraws DESC, t.lead_unit
        """,
        params,
    )


PUBLIC_COLUMNS = [
    "序号",
    "抽取编号",
    "任务编号",
    "任务名称",
    "检查对象名称",
    "主体编码",
    "乡镇",
    "抽查事项",
    "检查单位",
    "抽取日期",
]


def publication_with_head(store: Store, publication: pd.DataFrame) -> pd.DataFrame:
    """The 公示名单 as downloaded: its rows, then one line with the ledger's chain head (issue 13), so
    whoever keeps the published list can later check that no newer draw was removed or rewritten."""
    line = {c: "" for c in publication.columns}
    line[publication.columns[0]] = "台账链头"
    line[publication.columns[1]] = head_text(chain_head(store))
    if len(publication.columns) > 2:
        line[publication.columns[2]] = "（记录数:最新记录哈希，可用 dashboard verify --head 核对）"
    return pd.concat([publication.astype(object), pd.DataFrame([line])], ignore_index=True)


def publication_list(store: Store, draw_id: str) -> pd.DataFrame:
    """The 公示名单 of a draw: targets, items and units — never grades, strata or keys."""
    record, row = load_record(store, draw_id)
    codes = [s["entity_code"] for s in record["selections"]]
    if row["kind"] == REVISIT_KIND:
        pairs = [c.split("/", 1) if "/" in c else ["", c] for c in codes]
        task_codes = [p[0] for p in pairs]
        entity_codes = [p[1] for p in pairs]
    else:
        task_codes = [record["task_code"]] * len(codes)
        entity_codes = codes
    entities = {
        r[0]: r[1:]
        for r in store.rows(
            "SELECT entity_code, name, town FROM entities WHERE list_contains(?, entity_code)",
            [sorted(set(entity_codes))],
        )
    }
    tasks = {
        r[0]: r[1:]
        for r in store.rows(
            "SELECT task_code, task_name, item_codes, lead_unit, partner_units FROM tasks"
            " WHERE list_contains(?, task_code)",
            [sorted(set(task_codes))],
        )
    }
    item_names, unit_names = lookups.item_names(store), lookups.unit_names(store)
    rows = []
    for i, (tc, ec) in enumerate(zip(task_codes, entity_codes, strict=True), start=1):
        name, town = entities.get(ec, ("", ""))
        tname, items, lead, partners = tasks.get(tc, ("", [], "", []))
        units = _clean_list([lead, *(partners or [])])
        rows.append(
            [
                i,
                row["draw_id"],
                tc,
                tname,
                name,
                ec,
                town or "",
                "；".join(item_names.get(x, x) for x in _clean_list(items)),
                "；".join(unit_names.get(u, u) for u in units),
                record["draw_date"],
            ]
        )
    return pd.DataFrame(rows, columns=PUBLIC_COLUMNS)


def names_for(store: Store, cert: dict) -> dict[str, dict[str, str]]:
    """Display names for a certificate's codes: entities, inspectors, units, task."""
    codes = [s["entity_code"].split("/", 1)[-1] for s in cert.get("selections", [])]
    ents = dict(
        store.rows(
            "SELECT entity_code, name FROM entities WHERE list_contains(?, entity_code)", [codes]
        )
    )
    insp = dict(store.rows("SELECT inspector_code, name FROM inspectors"))
    units = lookups.unit_names(store)
    task = store.rows("SELECT task_name FROM tasks WHERE task_code = ?", [cert.get("task_code")])
    # the witnesses typed in: a ledger column outside the hashed record, printed on the certificate
    found = store.rows("SELECT witnesses FROM draws WHERE draw_id = ?", [cert.get("draw_id")])
    return {
        "witnesses": [w for w in (found[0][0] or "").split("；") if w.strip()] if found else [],
        "entities": ents,
        "inspectors": insp,
        "units": units,
        "task": {cert.get("task_code"): task[0][0] if task else ""},
        "chain_head": head_text(chain_head(store)),  # printed on every certificate (issue 13)
    }
