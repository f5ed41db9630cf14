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
from dashboard.ingest.mapping import ColumnMapping, get_mapping, load_mappings
from dashboard.ingest.parse import Limits, Source, Unmatched, read_source
from dashboard.ingest.problems import ERROR, SEVERITY_ZH, WARNING, Problem, ProblemLog
from dashboard.ingest.validate import check_batch, count_changes, parse_table, rows_arrow
from dashboard.store import Store
from dashboard.store.grades import refresh_latest_grades

Progress = Callable[[float, str], None]

PROBLEM_COLUMNS = ("文件", "行", "列", "值", "问题", "级别")


@dataclass
class ImportReport:
    source: str = ""
    problems: ProblemLog = field(default_factory=ProblemLog)
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

    unmatched: list[Unmatched] = field(default_factory=list)  # sheets that need a column mapping

    @property
    def error_count(self) -> int:
        return (
            self.problems.total(ERROR)
            if isinstance(self.problems, ProblemLog)
            else len(self.errors)
        )

    @property
    def warning_count(self) -> int:
        if isinstance(self.problems, ProblemLog):
            return self.problems.total(WARNING)
        return len(self.warnings)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def limit(self) -> int:
        return getattr(self.problems, "limit", 10_000)

    def listed(self) -> tuple[list[Problem], int]:
        """The problems a page or a download lists (errors first, at most `limit`), and how many more."""
        ordered = sorted(self.problems, key=lambda p: p.severity != ERROR)
        total = self.error_count + self.warning_count
        shown = ordered[: self.limit]
        return shown, total - len(shown)

    def more_text(self, more: int) -> str:
        return (
            f"……另有 {more:,} 条问题未列出（最多列出 {self.limit:,} 条）；"
            "请先改正上面列出的问题，再试导入一次。"
        )

    def problems_frame(self) -> pd.DataFrame:
        """The listed problems with Chinese column names (文件/行/列/值/问题/级别), errors first; when
        some are not listed, a last row says how many more there are."""
        ordered, more = self.listed()
        frame = pd.DataFrame(
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
        if more:
            tail = pd.DataFrame(
                [[None, None, None, None, self.more_text(more), None]],
                columns=list(PROBLEM_COLUMNS),
            )
            frame = pd.concat([frame, tail.astype({"行": "Int64"})], ignore_index=True)
        return frame

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
            "errors": self.error_count,
            "warnings": self.warning_count,
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
    mapping: str | ColumnMapping | None = None,
) -> ImportReport:
    """Import a folder / .csv / .xlsx path, or uploads as [(filename, bytes)] (DESIGN.md §4).

    Everything is validated before anything is written; with any error nothing is written. Rows whose
    key exists update that row (only the columns the file carries); unchanged rows are not rewritten.
    Breaches of working rules are warnings: the import keeps the office's record as it is.
    `mapping`: a saved mapping's name (or a mapping made on screen) to read every file with; without
    it, files are recognised by name or header, then by a saved mapping with the same header.
    """
    # A real import holds the store's write lock from validation to commit, so the rows it compared
    # and referred to cannot change in between (the lock is re-entrant; transaction() takes it again).
    lock = getattr(store, "_write_lock", None) if not dry_run else None
    with lock if lock is not None else nullcontext():
        return _run(store, source, actor=actor, dry_run=dry_run, progress=progress, mapping=mapping)


def limits(store: Store) -> tuple[Limits, int]:
    """The import's limits from the settings (import.*), and the problem list's length."""
    from dashboard.config import get_setting

    upload_mb = int(get_setting(store, "import.max_upload_mb"))
    return (
        Limits(
            max_cells=int(get_setting(store, "import.max_cells")),
            max_unpacked_bytes=10 * upload_mb * 2**20,
            max_cell_chars=int(get_setting(store, "import.max_cell_chars")),
        ),
        int(get_setting(store, "import.problem_limit")),
    )


def _run(store, source, *, actor, dry_run, progress, mapping) -> ImportReport:
    def step(fraction: float, message: str) -> None:
        if progress is not None:
            progress(fraction, message)

    limit, problem_limit = limits(store)
    report = ImportReport(dry_run=dry_run, problems=ProblemLog(problem_limit))
    if isinstance(mapping, str):
        name, mapping = mapping, get_mapping(store, mapping)
        if mapping is None:
            report.problems.append(
                Problem(
                    name,
                    None,
                    None,
                    None,
                    f"没有名为“{name}”的列映射，请用 dashboard mappings 查看已保存的映射。",
                )
            )
            return report
    step(0.0, "读取文件")
    raws, report.source, unreadable = read_source(
        source,
        report.problems,
        mappings=load_mappings(store),
        forced=mapping,
        limits=limit,
        unmatched=report.unmatched,
    )
    parsed = {}
    for i, raw in enumerate(sorted(raws, key=lambda r: S.TABLE_ORDER.index(r.table))):
        step(0.05 + 0.35 * i / max(len(raws), 1), f"检查 {raw.file}")
        table = parse_table(raw, report.problems, max_cell_chars=limit.max_cell_chars)
        raw.rows = []  # the typed rows are all that is needed from here: free the cells as read
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
    if not report.ok:
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
            if writes.get("risk_grades"):  # kept beside risk_grades in the same transaction
                refresh_latest_grades(tx)
            summary = json.dumps(report.summary() | {"written": True}, ensure_ascii=False)
            tx.execute(
                "INSERT INTO import_log (actor, source, summary, warnings) VALUES (?, ?, ?, ?)"
                " RETURNING import_id",
                [actor, report.source, summary, report.warning_count],
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
