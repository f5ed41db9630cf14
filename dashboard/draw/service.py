"""Running draws against the store: preview (dry run), draw, redraw, return-visit draws, confirmation.

A draw is computed outside the write lock (pool, keys, teams) and recorded in one transaction that
re-checks the task's status, appends the ledger record to the hash chain, freezes the pool, stores the
selections, moves the task to `drawn` and writes the audit entry. Two draws of one task at the same
time: the second finds the task drawn and is refused.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dashboard.draw import engine, protocol
from dashboard.draw.inputs import (  # noqa: F401 - re-exported: callers import them from service
    DEFAULT_RATIO_KEY,
    DrawError,
    _as_date,
    _clean_list,
    _min_inspectors,
    _require_reason,
    _status_error,
    _strata,
    _task,
    _task_ratios,
    inspector_pool,
    parse_grade_ratios,
    parse_ratio_args,
    recused_for,
    resolve_revisit_pool,
    resolve_task_pool,
)
from dashboard.store import Store

TASK_KIND, REVISIT_KIND = "task", "revisit"
ID_PREFIX = {TASK_KIND: "DR", REVISIT_KIND: "RV"}


@dataclass
class DrawPreview:
    """What the operator sees before entering the public value (the dry run)."""

    kind: str
    task_code: str
    task_name: str
    draw_date: date
    pool: pa.Table = field(repr=False)
    pool_hash: str
    strata: list[dict]  # stratum, pool_size, ratio (text or None), size (int or None)
    units: list[str]
    min_inspectors: int
    inspector_pool: list[dict]
    ratio_source: str  # "plan" or "operator"
    warnings: list[str] = field(default_factory=list)
    # what was asked (preview_request) and the store's data version before the pool was read

    request: tuple = ()
    data_version: int | None = None

    @property
    def pool_size(self) -> int:
        return self.pool.num_rows

    def is_current(self, store: Store, request: tuple) -> bool:
        """Made for `request` (preview_request) and nothing written to the store since: its pool
        is the pool such a preview would resolve now."""
        return self.request == request and self.data_version == store.data_version()

    @property
    def ready(self) -> bool:
        """True when every stratum has a ratio (so the draw can run)."""
        return all(s["ratio"] is not None for s in self.strata)

    @property
    def missing_ratios(self) -> list[str]:
        return [s["stratum"] for s in self.strata if s["ratio"] is None]

    @property
    def total_size(self) -> int:
        return sum(s["size"] or 0 for s in self.strata)

    def strata_df(self) -> pd.DataFrame:
        return pd.DataFrame(self.strata, columns=["stratum", "pool_size", "ratio", "size"])

    def pool_df(self, limit: int | None = None) -> pd.DataFrame:
        table = self.pool if limit is None else self.pool.slice(0, limit)
        return table.to_pandas()


# -- inputs ------------------------------------------------------------------------------------


def _warnings(units: list[str], pool_members: list[dict], min_inspectors: int) -> list[str]:
    out = []
    if not units:
        return out
    have = {p["unit_code"] for p in pool_members}
    for u in units:
        if u not in have:
            out.append(f"单位 {u} 在抽取日没有符合条件的执法人员（在岗、执法证有效、专长相符）。")
    k = protocol.team_size(min_inspectors)
    if len(pool_members) < k:
        out.append(f"符合条件的执法人员只有 {len(pool_members)} 人，少于每个对象所需的 {k} 人。")
    return out


def preview_request(
    code: Any, draw_date: Any = None, ratios: Any = None, units: Any = None, kind: str = TASK_KIND
) -> tuple:
    """What a preview or a draw asks for, normalised: equal requests resolve the same pool."""
    entered = tuple(sorted(parse_ratio_args(ratios).items()))
    return (kind, str(code).strip(), _as_date(draw_date), entered, tuple(_clean_list(units)))


@engine.gc_paused()
def preview(
    store: Store, task_code: str, draw_date: date | str | None = None, ratios: Any = None
) -> DrawPreview:
    """The dry run: pool per stratum, N_s, r_s, n_s and the pool hash, before the public value exists."""
    task_code = str(task_code).strip()
    d = _as_date(draw_date)
    version = store.data_version()
    task = _task(store, task_code)
    if task["status"] == "voided":
        raise DrawError(f"任务 {task_code} 已作废，不能抽取。")
    pool = resolve_task_pool(store, task["item_codes"], d)
    counts = engine.strata_counts(pool)
    ratio_map, source = _task_ratios(task, sorted(counts), ratios)
    min_insp = _min_inspectors(store, task["item_codes"])
    members = inspector_pool(store, task["units"], task["item_codes"], d)
    warnings = _warnings(task["units"], members, min_insp)
    if pool.num_rows == 0:
        warnings.insert(0, "抽取日名录中没有符合条件的检查对象（存续、带有本任务的事项标签）。")
    return DrawPreview(
        kind=TASK_KIND,
        task_code=task_code,
        task_name=task["task_name"],
        draw_date=d,
        pool=pool,
        pool_hash=engine.pool_hash(pool),
        strata=_strata(counts, ratio_map),
        units=task["units"],
        min_inspectors=min_insp,
        inspector_pool=members,
        ratio_source=source,
        warnings=warnings,
        request=preview_request(task_code, d, ratios),
        data_version=version,
    )


def revisit_preview(
    store: Store,
    revisit_code: str,
    draw_date: date | str | None = None,
    ratios: Any = None,
    *,
    units: list[str] | None = None,
) -> DrawPreview:
    """Dry run of a return-visit draw (回访抽取): pool = closed follow-ups, strata = units.

    Ratios are entered by the operator (one for all units, or per unit). v1 return-visit draws do
    not match inspectors: the office assigns its own staff to return visits.
    """
    code = str(revisit_code).strip()
    if not code:
        raise DrawError("回访抽取需要一个批次编码（如 HF2026-01）。")
    if store.scalar("SELECT count(*) FROM tasks WHERE task_code = ?", [code]):
        raise DrawError(f"回访批次编码 {code} 与抽查任务编码重复，请换一个编码。")
    d = _as_date(draw_date)
    version = store.data_version()
    pool = resolve_revisit_pool(store, d, _clean_list(units) or None)
    counts = engine.strata_counts(pool)
    entered = parse_ratio_args(ratios)
    default = entered.get(DEFAULT_RATIO_KEY)
    ratio_map = {s: entered.get(s, default) for s in counts}
    warnings = [] if pool.num_rows else ["抽取日没有已完结、尚未回访的后续处理记录。"]
    return DrawPreview(
        kind=REVISIT_KIND,
        task_code=code,
        task_name=f"回访抽取 {code}",
        draw_date=d,
        pool=pool,
        pool_hash=engine.pool_hash(pool),
        strata=_strata(counts, ratio_map),
        units=[],
        min_inspectors=0,
        inspector_pool=[],
        ratio_source="operator",
        warnings=warnings,
        request=preview_request(code, d, ratios, units, REVISIT_KIND),
        data_version=version,
    )


# -- computing and recording -------------------------------------------------------------------


def _require_ratios(prev: DrawPreview) -> None:
    if not prev.ready:
        missing = "、".join(prev.missing_ratios)
        raise DrawError(
            f"分层 {missing} 没有抽查比例，请输入比例（如 --ratio 0.05 或 --ratio {prev.missing_ratios[0]}=0.05）。"
        )


@engine.gc_paused()
def compute_record(
    prev: DrawPreview,
    public_value: str,
    recused: dict[str, list[str]] | None = None,
    store: Store | None = None,
) -> dict:
    """Protocol steps 2–5 over a preview's pool: the record without ledger fields."""
    _require_ratios(prev)
    seed = protocol.compute_seed(prev.task_code, prev.pool_hash, public_value)
    sizes = {s["stratum"]: s["size"] for s in prev.strata}
    selections = engine.select_targets(prev.pool, seed, sizes)
    if recused is None:
        recused = (
            recused_for(store, [s["entity_code"] for s in selections], prev.inspector_pool)
            if store is not None and prev.units
            else {}
        )
    assignments, unstaffed = engine.compute_assignments(
        seed, selections, prev.units, prev.inspector_pool, recused, prev.min_inspectors
    )
    return {
        "protocol": protocol.PROTOCOL,
        "task_code": prev.task_code,
        "draw_date": prev.draw_date.isoformat(),
        "public_value": public_value,
        "pool_hash": prev.pool_hash,
        "seed": seed,
        "min_inspectors": prev.min_inspectors,
        "units": list(prev.units),
        "strata": [dict(s) for s in prev.strata],
        "selections": selections,
        "assignments": assignments,
        "unstaffed": unstaffed,
        "inspector_pool": [dict(p) for p in prev.inspector_pool],
    }


def _current_draw(cur, task_code: str, kind: str) -> str | None:
    """The task's draw not superseded by another (None if never drawn)."""
    row = cur.execute(
        "SELECT d.draw_id FROM draws AS d WHERE d.task_code = ? AND d.kind = ?"
        " AND NOT EXISTS (SELECT 1 FROM draws AS s WHERE s.supersedes = d.draw_id)"
        " ORDER BY d.chain_pos DESC LIMIT 1",
        [task_code, kind],
    ).fetchone()
    return row[0] if row else None


def _record(
    store: Store,
    make_preview: Callable[[], DrawPreview],
    public_value: str,
    *,
    operator: str,
    witnesses: list[str] | None,
    supersedes: str | None,
    reason: str | None,
    expected_pool_hash: str | None,
    request: tuple,
    previewed: DrawPreview | None,
    now: datetime | None,
) -> dict:
    """run_draw and run_revisit_draw after their own checks: the reason of a redraw, the preview,
    the public value, the pool hash seen at preview time and the ratios, then write_record (which
    checks the operator).

    A preview made for the same request (`previewed`, e.g. the one the page showed) is reused while
    the store's data version is unchanged: no write since, so the same pool; else the pool is
    resolved again and must have the previewed hash."""
    _require_reason(reason, supersedes)
    if previewed is not None and previewed.is_current(store, request):
        prev = previewed
    else:
        prev = make_preview()
        if previewed is not None and previewed.request == request:
            expected_pool_hash = expected_pool_hash or previewed.pool_hash
    public_value = protocol.normalise_public_value(public_value or "")
    if not public_value:
        raise DrawError("公开随机值不能为空：请输入事先公布或当众产生的随机数（如彩票开奖号码）。")
    if expected_pool_hash and expected_pool_hash != prev.pool_hash:
        raise DrawError("预览之后名录已发生变化（名录哈希不同），请重新预览后再抽取。")
    _require_ratios(prev)  # before the transaction, which starts freezing the pool at once
    return write_record(
        store,
        prev,
        partial(compute_record, prev, public_value, store=store),
        operator=operator,
        witnesses=witnesses,
        supersedes=supersedes,
        reason=reason,
        now=now,
    )


def _selections_table(record: dict) -> pa.Table:
    """The draw_selections rows of a record: selections with their teams (the assignments come in
    the selections' order, one per target, when the task has units)."""
    sel, teams = record["selections"], record["assignments"]
    listed = [s["entity_code"] for s in sel]
    codes = pa.array(listed, pa.string())
    if teams and [a["entity_code"] for a in teams] == listed:
        inspectors = pa.array([a["inspector_codes"] for a in teams], pa.list_(pa.string()))
    else:
        by_code = {a["entity_code"]: a["inspector_codes"] for a in teams}
        inspectors = pa.array(
            [by_code.get(s["entity_code"], []) for s in sel], pa.list_(pa.string())
        )
    return pa.table(
        {
            "entity_code": codes,
            "stratum": pa.array([s["stratum"] for s in sel], pa.string()),
            "key": pa.array([s["key"] for s in sel], pa.string()),
            "inspector_codes": inspectors,
            "unstaffed": pc.is_in(codes, pa.array(record["unstaffed"], pa.string())),
        }
    )


def _insert_rows(cur, table: str, draw_id: str, rows: pa.Table) -> None:
    """Append a draw's rows (the frozen pool, the selections) from Arrow."""
    cur.register("draw_rows_in", rows)
    columns = ", ".join(rows.column_names)
    cur.execute(
        f"INSERT INTO {table} (draw_id, {columns}) SELECT ?, {columns} FROM draw_rows_in",
        [draw_id],
    )
    cur.unregister("draw_rows_in")


def _insert_draw(cur, row: dict) -> None:
    """The ledger row; record_json arrives as the canonical JSON's UTF-8 bytes and goes in through
    Arrow (half the time of an 87 MB string parameter)."""
    row = dict(row)
    text = pa.array([row.pop("record_json")], pa.binary()).cast(pa.string())  # checks UTF-8
    cur.register("record_json_in", pa.table({"record_json": text}))
    cur.execute(
        f"INSERT INTO draws ({', '.join(row)}, record_json)"
        f" SELECT {', '.join('?' * len(row))}, record_json FROM record_json_in",
        list(row.values()),
    )
    cur.unregister("record_json_in")


@engine.gc_paused()
def write_record(
    store: Store,
    prev: DrawPreview,
    body: dict | Callable[[], dict],
    *,
    operator: str,
    witnesses: list[str] | None,
    supersedes: str | None,
    reason: str | None,
    now: datetime | None,
) -> dict:
    """The one transaction of a draw: re-check the status, number the draw, freeze the pool, chain
    the record, store the selections, move the task to `drawn`, audit.

    `body` is the record (compute_record's) or a function making it; a function runs while the pool
    is frozen on another thread: DuckDB compresses an 8,000,000-row pool on its own threads (about
    1 s on disk) while Python builds the record."""
    operator = str(operator or "").strip()
    reason = (reason or "").strip() or None
    if not operator:
        raise DrawError("请填写抽取操作人。")
    _require_reason(reason, supersedes)
    kind = prev.kind
    with store.transaction(raise_as=DrawError) as cur:
        current = _current_draw(cur, prev.task_code, kind)
        if kind == TASK_KIND:
            status = cur.execute(
                "SELECT status FROM tasks WHERE task_code = ?", [prev.task_code]
            ).fetchone()[0]
        if supersedes:
            row = cur.execute(
                "SELECT task_code, kind FROM draws WHERE draw_id = ?", [supersedes]
            ).fetchone()
            if row is None or row[0] != prev.task_code or row[1] != kind:
                raise DrawError(f"抽取 {supersedes} 不存在或不属于 {prev.task_code}。")
            if current != supersedes:
                raise DrawError(
                    f"抽取 {supersedes} 已被 {current} 取代，只能对最新的抽取重新抽取。"
                )
            if kind == TASK_KIND and status != "drawn":
                raise DrawError(f"任务 {prev.task_code} 已进入检查、已完成或已作废，不能重新抽取。")
        else:
            if kind == TASK_KIND:
                err = _status_error({"status": status, "task_code": prev.task_code}, current)
                if err is None and current is not None:
                    err = _status_error({"status": "drawn", "task_code": prev.task_code}, current)
                if err is not None:
                    raise err
            elif current is not None:
                raise DrawError(
                    f"回访批次 {prev.task_code} 已抽取（抽取编号 {current}），如需重抽请用重新抽取并说明原因。"
                )
        # under the write lock, after the status checks (their refusals say more): a write that
        # landed after the pool was read (say an import committed while this draw waited for the
        # lock) would make the frozen pool stale
        if prev.data_version is not None and prev.data_version != store.data_version(cur):
            raise DrawError("预览之后数据已有变更，名录可能不同，请重新预览后再抽取。")
        # fetchall: the cursor moves to the pool's thread next, with no result left open
        last = cur.execute(
            "SELECT chain_pos, record_hash FROM draws ORDER BY chain_pos DESC LIMIT 1"
        ).fetchall()
        chain_pos = (last[0][0] + 1) if last else 1
        previous_hash = last[0][1] if last else protocol.ZERO_HASH
        draw_id = f"{ID_PREFIX[kind]}-{chain_pos:06d}"
        created = (now or datetime.now().astimezone()).isoformat(timespec="seconds")
        ledger_fields = {
            "draw_id": draw_id,
            "operator": operator,
            "supersedes": supersedes,
            "reason": reason,
            "created_at": created,
            "previous_hash": previous_hash,
        }
        # the cursor's writes run in order on one background thread while Python builds the rest
        with ThreadPoolExecutor(1, thread_name_prefix="draw-write") as background:
            writes = [background.submit(_insert_rows, cur, "draw_pool", draw_id, prev.pool)]
            try:
                record = {**(body() if callable(body) else body), **ledger_fields}
                rjson = engine.canonical_json_bytes(record)
                rhash = engine.record_hash_of(previous_hash, rjson)
                row = {
                    **ledger_fields,
                    "chain_pos": chain_pos,
                    "kind": kind,
                    "task_code": prev.task_code,
                    "draw_date": prev.draw_date,
                    "witnesses": "；".join(_clean_list(witnesses)) or None,
                    "public_value": record["public_value"],
                    "pool_hash": prev.pool_hash,
                    "seed": record["seed"],
                    "record_json": rjson,
                    "record_hash": rhash,
                }
                writes.append(background.submit(_insert_draw, cur, row))
                selections = _selections_table(record)
                writes.append(
                    background.submit(_insert_rows, cur, "draw_selections", draw_id, selections)
                )
            finally:
                wait(writes)
            for done in writes:
                done.result()
        summary = {
            "task_code": prev.task_code,
            "kind": kind,
            "pool_hash": prev.pool_hash,
            "pool_size": prev.pool_size,
            "selected": len(record["selections"]),
            "unstaffed": len(record["unstaffed"]),
            "record_hash": rhash,
            # the ledger columns outside the hashed record, kept in the hash-chained audit log
            "witnesses": row["witnesses"],
        }
        store.audit(
            cur,
            operator,
            "redraw" if supersedes else "draw",
            table_name="draws",
            record_key=draw_id,
            old_value={"supersedes": supersedes} if supersedes else None,
            new_value=summary,
            detail=reason,
        )
        if kind == TASK_KIND and not supersedes:
            cur.execute("UPDATE tasks SET status = 'drawn' WHERE task_code = ?", [prev.task_code])
            store.audit(
                cur,
                operator,
                "task_drawn",
                table_name="tasks",
                record_key=prev.task_code,
                old_value={"status": "planned"},
                new_value={"status": "drawn", "draw_id": draw_id},
            )
    record["record_hash"] = rhash
    return record


def run_draw(
    store: Store,
    task_code: str,
    public_value: str,
    *,
    operator: str,
    draw_date: date | str | None = None,
    ratios: Any = None,
    witnesses: list[str] | None = None,
    supersedes: str | None = None,
    reason: str | None = None,
    expected_pool_hash: str | None = None,
    previewed: DrawPreview | None = None,
    now: datetime | None = None,
) -> dict:
    """Draw a planned task (or, with `supersedes` and a reason, redraw it). Returns the record with
    draw_id and record_hash. Raises DrawError (one Chinese sentence) when refused.

    `previewed`: the preview the operator saw (see _record)."""
    task_code = str(task_code).strip()
    task = _task(store, task_code)
    if not supersedes:
        with_draw = store.scalar(
            "SELECT max(draw_id) FROM draws AS d WHERE task_code = ? AND kind = 'task'"
            " AND NOT EXISTS (SELECT 1 FROM draws AS s WHERE s.supersedes = d.draw_id)",
            [task_code],
        )
        err = _status_error(task, with_draw)
        if err is None and with_draw:
            err = _status_error({**task, "status": "drawn"}, with_draw)
        if err is not None:
            raise err
    return _record(
        store,
        lambda: preview(store, task_code, draw_date, ratios),
        public_value,
        operator=operator,
        witnesses=witnesses,
        supersedes=supersedes,
        reason=reason,
        expected_pool_hash=expected_pool_hash,
        request=preview_request(task_code, draw_date, ratios),
        previewed=previewed,
        now=now,
    )


def run_revisit_draw(
    store: Store,
    revisit_code: str,
    public_value: str,
    *,
    operator: str,
    draw_date: date | str | None = None,
    ratios: Any = None,
    units: list[str] | None = None,
    witnesses: list[str] | None = None,
    supersedes: str | None = None,
    reason: str | None = None,
    expected_pool_hash: str | None = None,
    previewed: DrawPreview | None = None,
    now: datetime | None = None,
) -> dict:
    """A return-visit draw (kind 'revisit') over closed follow-ups; see revisit_preview."""
    return _record(
        store,
        lambda: revisit_preview(store, revisit_code, draw_date, ratios, units=units),
        public_value,
        operator=operator,
        witnesses=witnesses,
        supersedes=supersedes,
        reason=reason,
        expected_pool_hash=expected_pool_hash,
        request=preview_request(revisit_code, draw_date, ratios, units, REVISIT_KIND),
        previewed=previewed,
        now=now,
    )


def load_record(store: Store, draw_id: str) -> tuple[dict, dict]:
    """(parsed record, draws row) of one draw; DrawError if unknown."""
    df = store.df("SELECT * FROM draws WHERE draw_id = ?", [str(draw_id).strip()])
    if df.empty:
        raise DrawError(f"找不到抽取记录 {draw_id}。")
    row = df.iloc[0].to_dict()
    return json.loads(row["record_json"]), row


def redraw(
    store: Store,
    draw_id: str,
    public_value: str,
    *,
    reason: str,
    operator: str,
    draw_date: date | str | None = None,
    ratios: Any = None,
    witnesses: list[str] | None = None,
    now: datetime | None = None,
) -> dict:
    """A new draw of the same task that supersedes `draw_id`; the reason is required.

    Ratios: a plan task takes the plan's again; an ad-hoc task or a return visit reuses the ratios
    recorded in the superseded draw unless `ratios` are given. A return visit keeps its units.
    """
    _require_reason(reason)
    record, row = load_record(store, draw_id)
    if ratios is None:
        ratios = {s["stratum"]: s["ratio"] for s in record["strata"]}
        if row["kind"] == TASK_KIND and _task(store, record["task_code"])["plan_code"]:
            ratios = None
    run = run_draw
    if row["kind"] == REVISIT_KIND:
        run = partial(run_revisit_draw, units=[s["stratum"] for s in record["strata"]])
    return run(
        store,
        record["task_code"],
        public_value,
        operator=operator,
        draw_date=draw_date,
        ratios=ratios,
        witnesses=witnesses,
        supersedes=record["draw_id"],
        reason=reason,
        now=now,
    )


def confirm_draw(store: Store, draw_id: str, user: Any, *, now: datetime | None = None) -> None:
    """Confirm a draw's list (DOMAIN.md §1: within 2 working days); once, and only the current draw."""
    username = str(getattr(user, "username", user) or "").strip()
    if not username:
        raise DrawError("请填写确认人。")
    draw_id = str(draw_id).strip()
    with store.transaction(raise_as=DrawError) as cur:
        row = cur.execute(
            "SELECT task_code, kind FROM draws WHERE draw_id = ?", [draw_id]
        ).fetchone()
        if row is None:
            raise DrawError(f"找不到抽取记录 {draw_id}。")
        by = cur.execute("SELECT draw_id FROM draws WHERE supersedes = ?", [draw_id]).fetchone()
        if by is not None:
            raise DrawError(f"抽取 {draw_id} 已被 {by[0]} 取代，请确认最新的抽取。")
        if cur.execute(
            "SELECT count(*) FROM draw_confirmations WHERE draw_id = ?", [draw_id]
        ).fetchone()[0]:
            raise DrawError(f"抽取 {draw_id} 已确认过。")
        at = (now or datetime.now()).replace(microsecond=0)
        cur.execute("INSERT INTO draw_confirmations VALUES (?, ?, ?)", [draw_id, username, at])
        store.audit(
            cur,
            username,
            "confirm_draw",
            table_name="draw_confirmations",
            record_key=draw_id,
            new_value={"confirmed_by": username, "confirmed_at": at.isoformat()},
        )
