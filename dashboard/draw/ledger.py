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
from dashboard.store import Store


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


@engine.gc_paused()
def verify_store(store: Store, draw_id: str | None = None) -> list[Difference]:
    """Recompute every draw (or one) from its frozen pool and check the chain; [] = all holds."""
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
    item_names = dict(store.rows("SELECT item_code, item_name FROM items"))
    unit_names = dict(store.rows("SELECT unit_code, unit_name FROM units"))
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
    units = dict(store.rows("SELECT unit_code, unit_name FROM units"))
    task = store.rows("SELECT task_name FROM tasks WHERE task_code = ?", [cert.get("task_code")])
    return {
        "entities": ents,
        "inspectors": insp,
        "units": units,
        "task": {cert.get("task_code"): task[0][0] if task else ""},
    }
