"""What the 随机抽取 page shows around a draw: the typed ratios and names, the inspector pool per unit,
the strata, the internal review of the targets and teams, the confirmation deadline and the ledger in
Chinese. Reads only; the draw itself is dashboard.draw.service.
"""

from __future__ import annotations

import re
from datetime import date

import pandas as pd

from dashboard import config
from dashboard.domain import workdays
from dashboard.draw.ledger import names_for
from dashboard.draw.service import load_record
from dashboard.scope import Scope
from dashboard.store import Store, lookups
from dashboard.store.calendar import load_overrides

STATUS_LABELS = {"current": "有效", "superseded": "已被取代", "confirmed": "已确认"}


def split_list(text: str) -> list[str]:
    """Names entered in one field, separated by spaces, commas, semicolons or 、."""
    return [p for p in re.split(r"[\s,，;；、]+", (text or "").strip()) if p]


def current_draw(store: Store, task_code: str) -> str | None:
    """The task's draw that no other draw supersedes (None before the first draw)."""
    return store.scalar(
        "SELECT max(draw_id) FROM draws AS d WHERE task_code = ? AND kind = 'task'"
        " AND NOT EXISTS (SELECT 1 FROM draws AS s WHERE s.supersedes = d.draw_id)",
        [task_code],
    )


def ratio_args(text: str) -> list[str] | None:
    """ "0.05" or "A=1% B=3% U=5%" (separated by spaces, commas or semicolons) → parse_ratio_args input."""
    return split_list(text) or None


def inspector_pool_by_unit(store: Store, pool: list[dict], units_: list[str]) -> pd.DataFrame:
    """Eligible inspectors per unit of the task (zero rows shown for a unit without any)."""
    unit_names = lookups.unit_names(store)
    names = dict(store.rows("SELECT inspector_code, name FROM inspectors"))
    rows = []
    for u in units_:
        members = [p["inspector_code"] for p in pool if p["unit_code"] == u]
        rows.append(
            {
                "单位编码": u,
                "单位名称": unit_names.get(u, u),
                "可抽人数": len(members),
                "执法人员": "、".join(f"{names.get(c, '')}（{c}）" for c in members),
            }
        )
    return pd.DataFrame(rows, columns=["单位编码", "单位名称", "可抽人数", "执法人员"])


def strata_frame(strata: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(strata, columns=["stratum", "pool_size", "ratio", "size"])
    return df.rename(
        columns={"stratum": "分层", "pool_size": "名录数 N", "ratio": "比例 r", "size": "抽取数 n"}
    )


def targets_frame(store: Store, draw_id: str) -> pd.DataFrame:
    """Internal review of one draw: target, stratum, key order, team (一企一表), unstaffed flag."""
    record, _row = load_record(store, draw_id)
    names = names_for(store, record)
    teams = {a["entity_code"]: a["inspector_codes"] for a in record["assignments"]}
    short = set(record["unstaffed"])
    rows = []
    for i, s in enumerate(record["selections"], start=1):
        code = s["entity_code"]
        team = teams.get(code, [])
        rows.append(
            {
                "序号": i,
                "主体编码": code,
                "名称": names["entities"].get(code.split("/", 1)[-1], ""),
                "分层": s["stratum"],
                "检查组": "、".join(f"{names['inspectors'].get(c, '')}（{c}）" for c in team),
                "人员不足": "是" if code in short else "",
            }
        )
    return pd.DataFrame(rows, columns=["序号", "主体编码", "名称", "分层", "检查组", "人员不足"])


def confirm_deadline(store: Store, draw_date: date) -> date:
    """Draw date + confirm_limit_workdays working days (DOMAIN.md §1)."""
    n = int(config.get_setting(store, "confirm_limit_workdays"))
    draw_date = pd.Timestamp(draw_date).date()
    return workdays.deadline(draw_date, n, load_overrides(store))


def ledger_view(df: pd.DataFrame) -> pd.DataFrame:
    """The ledger with Chinese headers and status 有效 / 已被取代 / 已确认."""
    if df.empty:
        return pd.DataFrame(
            columns=[
                "抽取编号",
                "状态",
                "任务编码",
                "任务名称",
                "取代",
                "被取代于",
                "重抽原因",
                "操作人",
                "见证人",
                "抽取日期",
                "名录数",
                "抽中数",
                "人员不足",
                "确认人",
                "确认期限",
            ]
        )
    status = [
        STATUS_LABELS["superseded"]
        if s == "superseded"
        else STATUS_LABELS["confirmed"]
        if pd.notna(c) and c
        else STATUS_LABELS["current"]
        for s, c in zip(df["status"], df["confirmed_by"], strict=True)
    ]
    out = pd.DataFrame(
        {
            "抽取编号": df["draw_id"],
            "状态": status,
            "任务编码": df["task_code"],
            "任务名称": df["task_name"],
            "取代": df["supersedes"],
            "被取代于": df["superseded_by"],
            "重抽原因": df["reason"],
            "操作人": df["operator"],
            "见证人": df["witnesses"],
            "抽取日期": df["draw_date"],
            "名录数": df["pool_size"],
            "抽中数": df["selected"],
            "人员不足": df["unstaffed"],
            "确认人": df["confirmed_by"],
            "确认期限": df["confirm_deadline"],
        }
    )
    return out


def redraw_units_text(store: Store, scope: Scope | None = None) -> str:
    """ "单位名（n 次）、…" of the units with redraws in scope ('' when none) — the 总览 warning."""
    from dashboard.draw.ledger import redraws_per_unit

    df = redraws_per_unit(store, scope)
    df = df[df["redraws"] > 0]
    return "、".join(
        f"{r.unit_name or r.unit_code}（{int(r.redraws)} 次）" for r in df.itertuples(index=False)
    )
