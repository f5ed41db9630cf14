"""Issue 13 point 3: the SQL console's limits hold for heavy single expressions.

`SELECT length(repeat('x', 3000000000))` used to answer "timeout" after 10 s but run on for 20–28 s, and
the server reached 3–6 GB despite the 1 GB limit. The console's DuckDB now runs in a worker process with
an address-space limit that is killed at the deadline or past its memory bound; these tests run such
queries and measure the time and the server's (this process's) resident memory.
"""

from __future__ import annotations

import os
import resource
import time

import pytest
from test_analysis_support import load_fixture, scope_for

from dashboard.analysis.console import ConsoleError, SqlConsole
from dashboard.analysis.views import analysis_views
from dashboard.store import open_store

LIMIT_MS = 2000
HEAVY = [
    "SELECT length(repeat('x', 3000000000))",
    "SELECT length(repeat(repeat('x', 100000000), 40))",
    "SELECT max(length(repeat('y', 50000000 + i))) FROM range(200) AS t(i)",
    "SELECT string_agg(repeat('z', 1000000), ',') FROM range(5000)",
    "SELECT list(repeat('w', 1000)) FROM range(20000000)",
    "SELECT count(*) FROM range(100000000000) AS a, range(1000) AS b",
]


def _rss() -> int:
    with open(f"/proc/{os.getpid()}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


@pytest.fixture(scope="module")
def console():
    store = open_store(":memory:")
    load_fixture(store)
    c = SqlConsole(analysis_views(store, scope_for()), row_cap=1000, time_limit_ms=LIMIT_MS)
    yield c
    c.close()
    store.close()


@pytest.mark.parametrize("sql", HEAVY)
def test_heavy_expression_is_stopped_in_time_and_memory(console, sql):
    console.run("SELECT 1")  # a worker is up
    rss_before = _rss()
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    started = time.monotonic()
    with pytest.raises(ConsoleError) as info:
        console.run(sql)
    elapsed = time.monotonic() - started
    assert elapsed < LIMIT_MS / 1000 + 1.5, (sql, elapsed)
    message = str(info.value)
    assert "时间限制" in message or "内存" in message, message
    # the server did not grow: its resident memory and its peak stay where they were (±150 MB)
    assert _rss() - rss_before < 150 * 2**20
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - peak_before < 150 * 2**20
    # the console answers again at once (a new worker took the place of a killed one)
    started = time.monotonic()
    assert console.run("SELECT count(*) AS n FROM v_inspections").df["n"][0] == 5
    assert time.monotonic() - started < 5


def test_the_worker_is_bounded_and_the_bound_is_known(console):
    console.run("SELECT 1")
    info = console.worker_info
    assert info["pid"] != os.getpid()
    assert 0 < info["address_space_limit"] < 8 * 2**30
    assert console.rss_limit_bytes < 3 * 2**30


def _cpu_seconds(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    if fields[0] == "Z":
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_after_the_answer_nothing_keeps_running(console):
    """The old console answered "timeout" and kept computing for 20 s; now the query's process is
    either gone or idle once the answer is given."""
    console.run("SELECT 1")
    pid = console.worker_info["pid"]
    for sql in HEAVY[:1] + HEAVY[-1:]:
        with pytest.raises(ConsoleError):
            console.run(sql)
        first = _cpu_seconds(pid)
        time.sleep(0.5)
        second = _cpu_seconds(pid)
        assert first is None or second is None or second - first < 0.1
        console.run("SELECT 1")
        pid = console.worker_info["pid"]
