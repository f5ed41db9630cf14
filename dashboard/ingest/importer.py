"""run_import: read → validate everything → (unless dry run or any error) write in one transaction."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date

import duckdb
import pandas as pd

from dashboard.ingest import spec as S
from dashboard.ingest.parse import Source, read_source
from dashboard.ingest.problems import ERROR, SEVERITY_ZH, WARNING, Problem
from dashboard.ingest.validate import check_batch, count_changes, parse_table, rows_arrow
from dashboard.store import Store

Progress = Callable[[float, str], None]

PROBLEM_COLUMNS = ("文件", "行", "列", "值", "问题", "级别")


@dataclass
class ImportReport:
    source: str = ""
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # in dependency order
    written: bool = False
    dry_run: bool = False
    import_id: int | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def problems_frame(self) -> pd.DataFrame:
        """Every problem with Chinese column names (文件/行/列/值/问题/级别), errors first."""
        ordered = sorted(self.problems, key=lambda p: p.severity != ERROR)
        return pd.DataFrame(
            [
                (
                    p.file,
                    p.row,
                    _column_label(p),
                    p.value,
                    p.message,
                    SEVERITY_ZH[p.severity],
                )
                for p in ordered
            ],
            columns=list(PROBLEM_COLUMNS),
        ).astype({"行": "Int64"})

    def counts_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                (t, S.SPECS[t].zh, c["added"], c["updated"], c["unchanged"])
                for t, c in self.counts.items()
            ],
            columns=["表", "表名", "新增", "更新", "未变"],
        )

    def summary(self) -> dict:
        return {
            "counts": self.counts,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "dry_run": self.dry_run,
            "written": self.written,
        }


def _column_label(p: Problem) -> str | None:
    if p.column is None:
        return None
    for t in S.TABLES:
        if p.file.endswith((t.file_name, f"{t.zh}.csv", f":{t.name}", f":{t.zh}")):
            try:
                return t.label(p.column)
            except KeyError:
                return p.column
    return p.column


def _commit_message(exc: Exception) -> str:
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"写入数据库时出错（{first}），本次导入没有写入任何数据，请改正后重新导入。"


def run_import(
    store: Store,
    source: Source,
    *,
    actor: str,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a folder / .csv / .xlsx path, or uploads as [(filename, bytes)] (DESIGN.md §4).

    Everything is validated before anything is written; with any error nothing is written. Rows whose
    key exists update that row (only the columns the file carries); unchanged rows are not rewritten.
    """
    # A real import holds the store's write lock from validation to commit, so the rows it compared
    # and referred to cannot change in between (the lock is re-entrant; transaction() takes it again).
    lock = getattr(store, "_write_lock", None) if not dry_run else None
    with lock if lock is not None else nullcontext():
        return _run(store, source, actor=actor, dry_run=dry_run, progress=progress)


def _run(store, source, *, actor, dry_run, progress) -> ImportReport:
    def step(fraction: float, message: str) -> None:
        if progress is not None:
            progress(fraction, message)

    report = ImportReport(dry_run=dry_run)
    step(0.0, "读取文件")
    raws, report.source, unreadable = read_source(source, report.problems)
    parsed = {}
    for i, raw in enumerate(sorted(raws, key=lambda r: S.TABLE_ORDER.index(r.table))):
        step(0.05 + 0.35 * i / max(len(raws), 1), f"检查 {raw.file}")
        table = parse_table(raw, report.problems)
        if table is not None:
            parsed[raw.table] = table
        else:
            unreadable.add(raw.table)
    step(0.4, "检查引用和日期")
    cur = store.cursor()
    try:
        check_batch(cur, parsed, report.problems, unjudged=unreadable)
    finally:
        cur.close()
    # The entry rules of the forms (dashboard.entry.rules) apply to imported results too.
    from dashboard.entry.bulk import check_parsed, record_import_history

    history_reason = f"数据导入（{report.source}）"
    report.problems += check_parsed(
        store, parsed, date.today(), existing=report.problems, reason=history_reason, record=True
    )

    writes = {}
    for name in S.TABLE_ORDER:
        if name in parsed:
            counts, to_write = count_changes(parsed[name])
            report.counts[name] = counts
            writes[name] = to_write
    if report.errors:
        step(1.0, "发现错误，未写入")
        return report
    if dry_run:
        step(1.0, "试导入完成，未写入")
        return report

    step(0.6, "写入数据库")
    try:
        with store.transaction() as tx:
            record_import_history(tx, store, actor, parsed, reason=history_reason)
            total = max(len(writes), 1)
            for i, (name, rows) in enumerate(writes.items()):
                if rows:
                    step(0.6 + 0.35 * i / total, f"写入 {S.SPECS[name].zh}（{len(rows)} 行）")
                    _upsert(tx, parsed[name], rows)
            summary = json.dumps(report.summary() | {"written": True}, ensure_ascii=False)
            tx.execute(
                "INSERT INTO import_log (actor, source, summary, warnings) VALUES (?, ?, ?, ?)"
                " RETURNING import_id",
                [actor, report.source, summary, len(report.warnings)],
            )
            report.import_id = tx.fetchone()[0]
            store.audit(
                tx,
                actor,
                "import",
                table_name="import_log",
                record_key=str(report.import_id),
                new_value=report.counts,
                detail=report.source,
            )
    except duckdb.Error as exc:
        report.problems.append(Problem(report.source, None, None, None, _commit_message(exc)))
        report.import_id = None
        step(1.0, "写入失败，未写入")
        return report
    report.written = True
    step(1.0, "导入完成")
    return report


def _upsert(cur, table, rows) -> None:
    spec = table.spec
    name = f"ingest_rows_{spec.name}"
    cur.register(name, rows_arrow(table, rows))
    try:
        cols = ", ".join(f'"{c}"' for c in table.present)
        keys = ", ".join(f'"{k}"' for k in spec.key)
        others = [c for c in table.present if c not in spec.key]
        if others:
            action = "DO UPDATE SET " + ", ".join(f'"{c}" = excluded."{c}"' for c in others)
        else:
            action = "DO NOTHING"
        cur.execute(
            f'INSERT INTO "{spec.name}" ({cols}) SELECT {cols} FROM {name} '
            f"ON CONFLICT ({keys}) {action}"
        )
    finally:
        cur.unregister(name)
