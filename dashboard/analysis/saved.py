"""Saved analyses: a pivot or a SQL query with a name, kept in the store's `saved_queries` table.

A saved analysis stores only its definition (spec JSON), never its result, so reopening it runs it again
with the current user's scope. Everyone sees their own analyses and those shared with the office; only
the owner may change one; the owner or an administrator may delete it. Every write is audited.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from dashboard.store import Store

from .console import ConsoleError, check_sql
from .pivot import DATASETS, MEASURES

KINDS = {"pivot": "透视分析", "sql": "SQL 查询"}
NAME_MAX = 100


class SavedAnalysisError(Exception):
    """A refused save/load/delete, explained in one Chinese sentence."""


@dataclass(frozen=True)
class SavedAnalysis:
    query_id: int
    name: str
    description: str | None
    kind: str
    spec: dict
    owner: str
    shared: bool
    created_at: datetime
    updated_at: datetime


def validate_spec(kind: str, spec: dict) -> dict:
    """The spec checked and normalised; SavedAnalysisError if it is not a usable pivot or query."""
    if kind == "sql":
        sql = (spec or {}).get("sql", "")
        try:
            check_sql(sql)
        except ConsoleError as exc:
            raise SavedAnalysisError(f"不能保存该查询：{exc}") from exc
        return {"sql": sql.strip()}
    if kind == "pivot":
        spec = dict(spec or {})
        if spec.get("view") not in DATASETS:
            raise SavedAnalysisError("不能保存该透视分析：请先选择一个数据集。")
        if spec.get("measure") not in MEASURES:
            raise SavedAnalysisError("不能保存该透视分析：请先选择一个指标。")
        return {
            "view": spec["view"],
            "rows": list(spec.get("rows") or []),
            "columns": list(spec.get("columns") or []),
            "measure": spec["measure"],
            "filters": list(spec.get("filters") or []),
            "chart": spec.get("chart") or "bar",
            "totals": bool(spec.get("totals", False)),
        }
    raise SavedAnalysisError(f"未知的分析类型“{kind}”，应为透视分析或 SQL 查询。")


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise SavedAnalysisError("请填写分析名称。")
    if len(name) > NAME_MAX:
        raise SavedAnalysisError(f"分析名称最长 {NAME_MAX} 个字，请缩短。")
    return name


def save_analysis(
    store: Store,
    *,
    owner: str,
    name: str,
    kind: str,
    spec: dict,
    description: str | None = None,
    shared: bool = False,
    query_id: int | None = None,
) -> int:
    """Create (or, with query_id, update the owner's own) saved analysis; returns its query_id."""
    name = _clean_name(name)
    spec = validate_spec(kind, spec)
    spec_text = json.dumps(spec, ensure_ascii=False, sort_keys=True)
    description = (description or "").strip() or None
    with store.transaction() as cur:
        if query_id is None:
            new_id = cur.execute(
                "INSERT INTO saved_queries (name, description, kind, spec, owner, shared)"
                " VALUES (?, ?, ?, ?, ?, ?) RETURNING query_id",
                [name, description, kind, spec_text, owner, bool(shared)],
            ).fetchone()[0]
            store.audit(
                cur,
                owner,
                "analysis.save",
                table_name="saved_queries",
                record_key=str(new_id),
                new_value={"name": name, "kind": kind, "shared": bool(shared), "spec": spec},
            )
            return int(new_id)
        row = cur.execute(
            "SELECT owner, name, kind, spec, shared FROM saved_queries WHERE query_id = ?",
            [query_id],
        ).fetchone()
        if row is None:
            raise SavedAnalysisError(f"编号为 {query_id} 的已保存分析不存在，可能已被删除。")
        if row[0] != owner:
            raise SavedAnalysisError("只有创建者本人可以修改这个已保存的分析，请另存为新的分析。")
        cur.execute(
            "UPDATE saved_queries SET name = ?, description = ?, kind = ?, spec = ?, shared = ?,"
            " updated_at = current_localtimestamp() WHERE query_id = ?",
            [name, description, kind, spec_text, bool(shared), query_id],
        )
        store.audit(
            cur,
            owner,
            "analysis.update",
            table_name="saved_queries",
            record_key=str(query_id),
            old_value={
                "name": row[1],
                "kind": row[2],
                "spec": json.loads(row[3]),
                "shared": row[4],
            },
            new_value={"name": name, "kind": kind, "spec": spec, "shared": bool(shared)},
        )
        return int(query_id)


def list_analyses(store: Store, username: str, *, is_admin: bool = False) -> pd.DataFrame:
    """The user's own analyses and those shared with the office (an administrator sees all)."""
    return store.df(
        "SELECT query_id, name, description, kind, owner, shared, updated_at FROM saved_queries"
        " WHERE ? OR owner = ? OR shared ORDER BY lower(name), query_id",
        [bool(is_admin), username],
    )


def load_analysis(
    store: Store, query_id: int, username: str, *, is_admin: bool = False
) -> SavedAnalysis:
    row = store.rows(
        "SELECT query_id, name, description, kind, spec, owner, shared, created_at, updated_at"
        " FROM saved_queries WHERE query_id = ?",
        [int(query_id)],
    )
    if not row:
        raise SavedAnalysisError(f"编号为 {query_id} 的已保存分析不存在，可能已被删除。")
    qid, name, description, kind, spec, owner, shared, created, updated = row[0]
    if not (is_admin or owner == username or shared):
        raise SavedAnalysisError("这个分析未共享，只有创建者本人可以打开。")
    return SavedAnalysis(
        int(qid), name, description, kind, json.loads(spec), owner, bool(shared), created, updated
    )


def delete_analysis(store: Store, query_id: int, *, actor: str, is_admin: bool = False) -> None:
    """Delete a saved analysis: only its owner or an administrator may."""
    with store.transaction() as cur:
        row = cur.execute(
            "SELECT owner, name, kind, spec, shared FROM saved_queries WHERE query_id = ?",
            [int(query_id)],
        ).fetchone()
        if row is None:
            raise SavedAnalysisError(f"编号为 {query_id} 的已保存分析不存在，可能已被删除。")
        if not (is_admin or row[0] == actor):
            raise SavedAnalysisError("只有创建者本人或管理员可以删除这个已保存的分析。")
        cur.execute("DELETE FROM saved_queries WHERE query_id = ?", [int(query_id)])
        store.audit(
            cur,
            actor,
            "analysis.delete",
            table_name="saved_queries",
            record_key=str(query_id),
            old_value={"name": row[1], "kind": row[2], "owner": row[0], "spec": json.loads(row[3])},
        )
