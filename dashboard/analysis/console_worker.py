"""The SQL console's worker process (issue 13): the private DuckDB lives here, not in the server.

One worker per console. It receives the analysis views as Arrow IPC bytes, builds its in-memory DuckDB
(external access off, no temp directory, memory_limit, threads, max_execution_time, configuration
locked), then caps its own address space (RLIMIT_AS) at what it uses plus the query budget, so a single
expression that allocates outside DuckDB's buffer manager (say `repeat('x', 3000000000)`) fails inside
the worker instead of growing the server. The parent kills it at the deadline, or when its resident
memory passes the bound, and starts another. Messages on the pipe: ("ready", info) once, then
("ok", df, truncated) or ("error", sentence) per query.
"""

from __future__ import annotations

import os
import resource

import duckdb
import pandas as pd
import pyarrow as pa

IDLE_SECONDS = 1800  # a console nobody used for half an hour ends its worker (started again on use)


def vm_size() -> int:
    """This process's virtual size in bytes (Linux /proc)."""
    with open(f"/proc/{os.getpid()}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _build(payload: dict) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(
        ":memory:",
        config={
            "autoload_known_extensions": False,
            "autoinstall_known_extensions": False,
            "python_enable_replacements": False,
        },
    )
    for name, (ipc, description, columns) in payload["views"].items():
        table = pa.ipc.open_stream(ipc).read_all()
        con.register("__analysis_src", table)
        con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM __analysis_src')
        con.unregister("__analysis_src")
        con.execute(f"COMMENT ON TABLE \"{name}\" IS '{_quote(description)}'")
        for column, text in columns.items():
            con.execute(f'COMMENT ON COLUMN "{name}"."{column}" IS \'{_quote(text)}\'')
    for statement in (
        "SET temp_directory = ''",
        "SET allowed_directories = []",
        "SET allowed_paths = []",
        f"SET memory_limit = '{payload['memory_limit']}'",
        f"SET threads = {int(payload['threads'])}",
        f"SET GLOBAL max_execution_time = {int(payload['time_limit_ms'])}",
        "SET enable_external_access = false",
        "SET lock_configuration = true",
    ):
        con.execute(statement)
    return con


def _quote(text: str) -> str:
    return text.replace("'", "''")


def main(conn, payload: dict) -> None:
    """The worker's loop (the target of the process)."""
    from dashboard.analysis.console import _explain, _first_line  # the same sentences as before

    con = _build(payload)
    limit = vm_size() + int(payload["address_space_extra"])
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):
        limit = 0
    conn.send(("ready", {"pid": os.getpid(), "address_space_limit": limit}))
    row_cap, time_limit_ms = int(payload["row_cap"]), int(payload["time_limit_ms"])
    while conn.poll(IDLE_SECONDS):
        try:
            sql = conn.recv()
        except EOFError:
            return
        if sql is None:
            return
        cur = con.cursor()
        try:
            cur.execute(sql)
            chunks, count = [], 0
            while count <= row_cap:
                chunk = cur.fetch_df_chunk(1, date_as_object=True)
                if chunk is None or len(chunk) == 0:
                    break
                chunks.append(chunk)
                count += len(chunk)
            if chunks:
                df = pd.concat(chunks, ignore_index=True)
            else:
                df = pd.DataFrame(columns=[d[0] for d in (cur.description or [])])
            truncated = len(df) > row_cap
            if truncated:
                df = df.iloc[:row_cap].reset_index(drop=True)
            reply = ("ok", df, truncated)
        except duckdb.Error as exc:
            reply = ("error", _explain(exc, time_limit_ms))
        except MemoryError:
            reply = ("error", "查询占用内存过多，已被中止；请增加筛选条件或减少连接的表。")
        except Exception as exc:  # noqa: BLE001 - one sentence to the parent
            reply = ("error", f"查询执行出错：{_first_line(exc)}")
        finally:
            try:
                cur.close()
            except duckdb.Error:
                pass
        try:
            conn.send(reply)
        except MemoryError:
            conn.send(("error", "查询结果占用内存过多，已被中止；请用 LIMIT 或筛选条件缩小结果。"))


if __name__ == "__main__":  # python -m dashboard.analysis.console_worker FD
    import sys
    from multiprocessing.connection import Connection

    connection = Connection(int(sys.argv[1]))
    try:
        main(connection, connection.recv())
    except (EOFError, OSError, KeyboardInterrupt):
        pass
