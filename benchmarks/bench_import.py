"""Benchmark of `dashboard import` on a large entity directory (prints the figures; not a timed test).

    uv run python benchmarks/bench_import.py                 # 1,000,000 entity rows
    uv run python benchmarks/bench_import.py --rows 200000

It writes a CSV of N entity rows (valid USCCs, tags, towns, dates; 1 in 1,000 with a wrong check
character, so the warnings path is exercised too) into a temporary folder, then imports it into a
fresh store with full validation, twice: a dry run and the real import. For each it prints wall
seconds and the process's peak resident memory growth. As a baseline measured in the same run, it
prints DuckDB's own `read_csv` of the same file into a table (what no validation at all costs), and
the ratio. Issue 16's goal: the real import of 1,000,000 rows in ≤ 15 s on 2 cores.
"""

from __future__ import annotations

import argparse
import csv
import resource
import tempfile
import threading
import time
from pathlib import Path

import duckdb

from dashboard.domain.uscc import make_uscc
from dashboard.ingest.importer import run_import
from dashboard.store import Store

CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def write_entities(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["entity_code", "name", "entity_kind", "town", "address", "tags", "status",
                    "registered_on", "closed_on"])  # fmt: skip
        for i in range(n):
            body = f"9113012{i:010d}"
            code = make_uscc(body)
            if i % 1000 == 999:  # a wrong check character: a warning, not an error
                code = body + ("0" if code[-1] != "0" else "1")
            w.writerow([code, f"测试企业{i}有限公司", "企业", f"镇{i % 17}", f"某路{i}号",
                        "ZR-KC-001;ZR-GH-002" if i % 3 else "ZR-KC-001", "存续",
                        f"20{10 + i % 15}-0{1 + i % 9}-1{i % 9}", ""])  # fmt: skip


class PeakRss:
    """Samples this process's RSS every 20 ms (ru_maxrss only ever grows, so it cannot show a step)."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()

    @staticmethod
    def now() -> int:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * resource.getpagesize()

    def __enter__(self):
        self.start = self.now()
        self.peak = self.start
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self.now())

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._t.join()
        self.peak = max(self.peak, self.now())

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.start) / 2**20


def seed_store(store: Store) -> None:
    with store.transaction() as cur:
        cur.execute("INSERT INTO units (unit_code, unit_name) VALUES ('U1', '测试股')")
        cur.execute(
            "INSERT INTO items (item_code, item_name, owner_unit) VALUES"
            " ('ZR-KC-001', '矿产', 'U1'), ('ZR-GH-002', '规划', 'U1')"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        csv_path = folder / "entities.csv"
        t = time.perf_counter()
        write_entities(csv_path, args.rows)
        print(f"wrote {args.rows:,} rows ({csv_path.stat().st_size / 2**20:.0f} MB) "
              f"in {time.perf_counter() - t:.1f} s")  # fmt: skip

        con = duckdb.connect(str(Path(tmp) / "baseline.duckdb"))
        with PeakRss() as mem:
            t = time.perf_counter()
            con.execute(f"CREATE TABLE e AS SELECT * FROM read_csv('{csv_path}', all_varchar=true)")
            baseline = time.perf_counter() - t
        con.close()
        print(
            f"baseline  DuckDB read_csv into a table: {baseline:6.2f} s, +{mem.growth_mb:,.0f} MB"
        )

        for dry in (True, False):
            store = Store(Path(tmp) / f"store_{dry}.duckdb")
            seed_store(store)
            with PeakRss() as mem:
                t = time.perf_counter()
                report = run_import(store, folder, actor="bench", dry_run=dry)
                took = time.perf_counter() - t
            label = "dry run" if dry else "import "
            print(
                f"{label}   {took:6.2f} s, +{mem.growth_mb:,.0f} MB peak, "
                f"{len(report.errors)} errors, {len(report.warnings)} warnings, "
                f"written={report.written}  ({took / baseline:.1f}× the baseline)"
            )
            if not dry:
                stored = store.scalar("SELECT count(*) FROM entities")
                print(f"          entities stored: {stored:,}")
            store.close()


if __name__ == "__main__":
    main()
