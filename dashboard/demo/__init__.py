"""The deterministic demo store (DESIGN.md §3: a new user sees a working dashboard at once).

`build_demo_store(path)` creates a new store file filled with the demo county; `populate_demo(store)`
fills an empty open store. Same seed + same as_of → identical data. What is generated and which
problems are planted: README.md beside this file; the manifest of planted problems is stored as JSON in
store_meta 'demo_planted' (read it with `dashboard.demo.planted.load_planted(store)`).
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa

from dashboard.auth import create_demo_accounts
from dashboard.demo.generator import FIRST_AS_OF, LAST_AS_OF, SCALES, Progress, generate
from dashboard.store import Store, StoreError, close_store, open_store

__all__ = ["SCALES", "build_demo_store", "populate_demo"]

_STR = pa.string()
_LIST = pa.list_(pa.string())
_DATE = pa.date32()

# Arrow types per column (anything not listed is a string); column order = the table's order.
_TYPES: dict[str, dict[str, pa.DataType]] = {
    "units": {"external": pa.bool_()},
    "items": {"min_inspectors": pa.int32()},
    "entities": {"tags": _LIST, "registered_on": _DATE, "closed_on": _DATE},
    "risk_grades": {"score": pa.float64()},
    "inspectors": {"cert_valid_until": _DATE, "specialties": _LIST, "active": pa.bool_()},
    "conflicts": {},
    "checklists": {"added_on": _DATE},
    "plans": {
        "year": pa.int32(),
        "base_count": pa.int32(),
        "planned_start": _DATE,
        "planned_end": _DATE,
        "joint_units": _LIST,
        "published_on": _DATE,
    },
    "plan_changes": {"changed_on": _DATE, "republished_on": _DATE},
    "tasks": {
        "item_codes": _LIST,
        "partner_units": _LIST,
        "uses_risk_grades": pa.bool_(),
        "start_on": _DATE,
        "end_on": _DATE,
    },
    "inspections": {
        "inspectors": _LIST,
        "inspected_on": _DATE,
        "result_codes": _LIST,
        "entered_on": _DATE,
        "published_on": _DATE,
    },
    "followups": {
        "due_on": _DATE,
        "closed_on": _DATE,
        "backfilled_on": _DATE,
        "revisit_on": _DATE,
        "transferred_on": _DATE,
        "penalty_decided_on": _DATE,
        "penalty_published_on": _DATE,
        "credit_recorded_on": _DATE,
    },
    "trainings": {"held_on": _DATE, "attendees": _LIST, "hours": pa.float64()},
    "publicity": {"published_on": _DATE},
    "liaisons": {"since": _DATE},
    "submissions": {"due_on": _DATE, "submitted_on": _DATE},
    "supervisions": {"held_on": _DATE, "rectify_due": _DATE, "rectified_on": _DATE},
}


def _arrow(table: str, columns: dict[str, list]) -> pa.Table:
    types = _TYPES[table]
    return pa.table(
        {name: pa.array(values, types.get(name, _STR)) for name, values in columns.items()}
    )


def _insert(cur, table: str, columns: dict[str, list]) -> int:
    if not columns or not next(iter(columns.values())):
        return 0
    data = _arrow(table, columns)
    names = ", ".join(data.column_names)
    cur.register("demo_in", data)
    try:
        cur.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM demo_in")
    finally:
        cur.unregister("demo_in")
    return data.num_rows


def _check_args(scale: str, as_of: date) -> None:
    """Bad arguments are a StoreError (one Chinese sentence; the CLI exits with code 2)."""
    if scale not in SCALES:
        raise StoreError(f"未知的演示规模“{scale}”，可选 county、large、xlarge 或 province。")
    if not FIRST_AS_OF <= as_of <= LAST_AS_OF:
        raise StoreError(
            f"演示数据的基准日须在 {FIRST_AS_OF} 至 {LAST_AS_OF} 之间（工作日历覆盖的范围），"
            f"收到 {as_of}。"
        )


def populate_demo(
    store: Store,
    *,
    seed: int = 2026,
    scale: str = "county",
    as_of: date | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Fill an empty open store with the demo county; returns row counts per table."""
    as_of = as_of or date.today()
    _check_args(scale, as_of)
    report = progress or (lambda f, m: None)
    if store.scalar("SELECT count(*) FROM entities") or store.scalar("SELECT count(*) FROM units"):
        raise StoreError("数据库中已有数据，演示数据只能写入空数据库；请换一个文件或先删除它。")
    gen, data = generate(seed, scale, as_of, report)
    counts: dict[str, int] = {}
    order = ("units", "items", "entities")
    rest = (
        "inspectors",
        "conflicts",
        "checklists",
        "plans",
        "plan_changes",
        "tasks",
        "inspections",
        "followups",
        "trainings",
        "publicity",
        "liaisons",
        "submissions",
        "supervisions",
    )
    report(0.65, "写入数据库")
    with store.transaction() as cur:
        for name in order:
            counts[name] = _insert(cur, name, data.tables[name])
        counts["risk_grades"] = 0
        for chunk in gen.grade_chunks():
            counts["risk_grades"] += _insert(cur, "risk_grades", chunk)
        report(0.8, "写入抽查任务与检查结果")
        for name in rest:
            counts[name] = _insert(cur, name, data.tables[name])
        if scale != "province":  # a province: the base is committed first, meta after the copies
            _finish_demo(store, cur, seed, as_of, scale, data, counts)
    if scale == "province":  # the other counties of the province, in SQL (bulk_sql.py)
        from dashboard.demo import bulk_sql

        for name, added in bulk_sql.multiply(store, progress=report).items():
            counts[name] += added
        with store.transaction() as cur:
            _finish_demo(store, cur, seed, as_of, scale, data, counts)
    report(0.95, "创建演示账号")
    create_demo_accounts(store)
    report(1.0, "演示数据已生成")
    return {name: counts[name] for name in (*order, "risk_grades", *rest)}


def _finish_demo(store, cur, seed, as_of, scale, data, counts) -> None:
    """The demo's meta rows (seed, as-of, scale, planted manifest), the latest grades kept beside
    risk_grades (every county's of a province: this runs after bulk_sql's copies) and its audit entry."""
    from dashboard.store.grades import refresh_latest_grades

    refresh_latest_grades(cur)
    store.set_meta(cur, "demo", "true")
    store.set_meta(cur, "demo_seed", str(seed))
    store.set_meta(cur, "demo_as_of", as_of.isoformat())
    store.set_meta(cur, "demo_scale", scale)
    store.set_meta(
        cur, "demo_planted", json.dumps(data.manifest, ensure_ascii=False, sort_keys=True)
    )
    store.audit(
        cur,
        "系统",
        "生成演示数据",
        detail=f"种子 {seed}，基准日 {as_of.isoformat()}，规模 {scale}",
        new_value=counts,
    )


def build_demo_store(
    path: str | Path,
    *,
    seed: int = 2026,
    scale: str = "county",
    as_of: date | None = None,
    progress: Progress | None = None,
    replace_records: bool = False,
) -> dict[str, int]:
    """Create a NEW store file at `path` filled with the demo county.

    An existing file is replaced only while this call holds its lock (StoreLockedError, the usual
    "store in use" sentence, while another program has it open): the demo is built in a temporary file
    that is renamed over the old one before the old one is let go. A store that is not a demo store
    (it has records or accounts) is replaced only with `replace_records=True`, and backed up first
    (dashboard.store.backup, reason before-demo)."""
    from dashboard.store import backup

    path = Path(path)
    _check_args(scale, as_of or date.today())
    close_store(path)
    with backup.exclusive(path) as held:
        if held is not None and not _is_demo_or_empty(held):
            if not replace_records:
                raise StoreError(
                    f"数据库 {path} 不是演示库，其中有办公室的记录或账号，未做任何修改；"
                    "确认要用演示数据覆盖时须明确确认（命令行：--force --confirm "
                    f"{path.name}），覆盖前会自动备份到 {backup.backup_dir(path)}。"
                )
            backup._write_backup(held, path.resolve(), "before-demo", None, datetime.now())
        if progress is not None:
            progress(0.0, "新建数据库")
        tmp = path.with_name(f"{path.name}.building-{os.getpid()}")
        for leftover in (tmp, Path(str(tmp) + ".wal")):
            leftover.unlink(missing_ok=True)
        try:
            if scale == "county":
                store = open_store(tmp)
            else:  # a large build: half the machine's memory, no statement time limit
                store = open_store(tmp, memory_limit_mb=_build_memory_mb(), max_execution_ms=0)
            summary = populate_demo(store, seed=seed, scale=scale, as_of=as_of, progress=progress)
        finally:
            close_store(tmp)
        Path(str(path) + ".wal").unlink(missing_ok=True)
        os.replace(tmp, path)
    return summary


def _build_memory_mb() -> int:
    """A large demo is written in one transaction: its build connection may use half the machine's
    memory (the store's own `store.memory_limit_mb`, 1 GB by default, applies when it is reopened)."""
    try:
        total_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    except (ValueError, OSError, AttributeError):
        total_mb = 8192
    return max(2048, total_mb // 2)


def _is_demo_or_empty(con) -> bool:
    """A demo store, or one without units, entities and accounts (say, just made by `init`)."""
    try:
        if con.execute("SELECT value FROM store_meta WHERE key = 'demo'").fetchall() == [("true",)]:
            return True
        counts = con.execute(
            "SELECT (SELECT count(*) FROM units) + (SELECT count(*) FROM entities)"
            " + (SELECT count(*) FROM users)"
        ).fetchone()[0]
    except Exception:  # noqa: BLE001 - not a store of this program: never overwrite it silently
        return False
    return counts == 0
