"""The audit log's hash chain (issue 13, migration 030).

Each audit row written by `Store.audit` carries `previous_hash` (the row_hash of the newest chained row
before it, or 64 zeros for the first) and `row_hash` = SHA-256 of previous_hash followed by the row's
canonical JSON: [audit_id, happened_at (ISO, microseconds), actor, action, table_name, record_key,
old_value, new_value, detail]. Rows from before migration 030 have no hashes; the chain starts after
them. `verify_audit_chain` recomputes every link. Together with the triggers that refuse UPDATE and
DELETE, a change to a past row, a deleted row in the middle or a row inserted without its hash shows
up; the newest rows can only be vouched for by a head written down outside the store (see
dashboard/draw/README.md, “外部可核对的内容”).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

ZERO_HASH = "0" * 64
FIELDS = (
    "audit_id",
    "happened_at",
    "actor",
    "action",
    "table_name",
    "record_key",
    "old_value",
    "new_value",
    "detail",
)


def _text(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="microseconds")
    return value


def row_hash(previous_hash: str, row: dict) -> str:
    body = json.dumps([_text(row[f]) for f in FIELDS], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((previous_hash + body).encode("utf-8")).hexdigest()


def head(cur) -> str:
    """The newest chained row's hash as seen by `cur` (inside the writing transaction)."""
    found = cur.execute(
        "SELECT row_hash FROM audit_log WHERE row_hash IS NOT NULL ORDER BY audit_id DESC LIMIT 1"
    ).fetchall()
    return found[0][0] if found else ZERO_HASH


def chain_head(store) -> tuple[int, str]:
    """(number of chained rows, newest row_hash): the audit log's head to write down outside."""
    n, last = store.rows(
        "SELECT count(row_hash), coalesce(max_by(row_hash, audit_id), ?) FROM audit_log"
        " WHERE row_hash IS NOT NULL",
        [ZERO_HASH],
    )[0]
    return int(n), last


def verify_audit_chain(store) -> list[str]:
    """Differences in the audit chain, one Chinese sentence each ([] = it holds)."""
    cols = ", ".join(FIELDS)
    rows = store.rows(f"SELECT {cols}, previous_hash, row_hash FROM audit_log ORDER BY audit_id")
    out: list[str] = []
    previous = ZERO_HASH
    chained = False
    for values in rows:
        row = dict(zip(FIELDS, values[: len(FIELDS)], strict=True))
        prev, rhash = values[len(FIELDS)], values[len(FIELDS) + 1]
        if rhash is None:
            if chained:
                out.append(
                    f"审计记录 {row['audit_id']}（{row['action']}）没有哈希，却在已入链的记录之后"
                    "（被绕过程序直接写入？）"
                )
            continue
        chained = True
        if prev != previous:
            out.append(
                f"审计记录 {row['audit_id']} 的 previous_hash 与前一条入链记录的哈希不同"
                "（其前有记录被删除、插入或改动）"
            )
        expected = row_hash(prev or "", row)
        if expected != rhash:
            out.append(
                f"审计记录 {row['audit_id']}（{row['action']}）的内容与其哈希不符（被改动过）"
            )
        previous = rhash
    return out
