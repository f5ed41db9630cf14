"""Non-streamlit helpers of the 随机抽取 page: task lists, ad-hoc tasks, review tables (no SQL in pages)."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd

from dashboard import config
from dashboard.domain import workdays
from dashboard.draw.ledger import names_for
from dashboard.draw.service import DrawError, load_record
from dashboard.scope import Scope
from dashboard.store import Store, lookups
from dashboard.store.calendar import load_overrides

JOINT_KINDS = {"none": "单一单位", "internal": "局内联合", "cross": "跨部门联合"}
STATUS_LABELS = {"current": "有效", "superseded": "已被取代", "confirmed": "已确认"}


def units(store: Store) -> pd.DataFrame:
    return store.df("SELECT unit_code, unit_name, external FROM units ORDER BY unit_code")


def items(store: Store) -> pd.DataFrame:
    return store.df("SELECT item_code, item_name, owner_unit FROM items ORDER BY item_code")


def planned_tasks(store: Store, scope: Scope | None = None) -> pd.DataFrame:
    """Tasks waiting for a draw (status planned), limited to the scope's units."""
    units_in = scope.unit_filter if scope is not None else None
    return store.df(
        "SELECT t.task_code, t.task_name, t.plan_code, t.source, t.lead_unit, t.partner_units,"
        " t.joint_kind, t.item_codes, t.start_on, t.end_on, p.ratio AS plan_ratio, p.grade_ratios"
        " FROM tasks AS t LEFT JOIN plans AS p USING (plan_code)"
        " WHERE t.status = 'planned' AND (? OR list_contains(?, t.lead_unit)"
        " OR list_has_any(?, t.partner_units)) ORDER BY t.start_on NULLS LAST, t.task_code",
        [units_in is None, units_in or [""], units_in or [""]],
    )


def task_summary(store: Store, task: dict) -> dict[str, str]:
    """Display texts of a planned task: units, items and plan ratios by name."""
    unit_names, item_names = lookups.unit_names(store), lookups.item_names(store)
    partners = [u for u in _as_list(task.get("partner_units")) if u]
    if task.get("plan_code"):
        ratio = task.get("grade_ratios") or task.get("plan_ratio") or ""
    else:
        ratio = ""
    return {
        "lead": f"{unit_names.get(task['lead_unit'], task['lead_unit'])}（{task['lead_unit']}）",
        "partners": "、".join(f"{unit_names.get(u, u)}（{u}）" for u in partners),
        "items": "；".join(
            f"{item_names.get(i, i)}（{i}）" for i in _as_list(task.get("item_codes")) if i
        ),
        "joint": JOINT_KINDS.get(task.get("joint_kind") or "none", ""),
        "ratio": str(ratio),
        "period": f"{_day(task.get('start_on'))} 至 {_day(task.get('end_on'))}",
    }


def _as_list(value) -> list:
    return [] if value is None else list(value)


def _day(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return pd.Timestamp(value).date().isoformat()


def next_adhoc_code(store: Store, year: int) -> str:
    prefix = f"LS{year}"
    codes = [
        r[0]
        for r in store.rows("SELECT task_code FROM tasks WHERE task_code LIKE ?", [prefix + "%"])
    ]
    nums = [int(c[len(prefix) :]) for c in codes if c[len(prefix) :].isdigit()]
    return f"{prefix}{(max(nums) if nums else 0) + 1:03d}"


def joint_kind_for(store: Store, partner_units: list[str]) -> str:
    """none without partners; cross when a partner is an outside department; else internal."""
    if not partner_units:
        return "none"
    external = store.scalar(
        "SELECT count(*) FROM units WHERE external AND list_contains(?, unit_code)",
        [list(partner_units)],
    )
    return "cross" if external else "internal"


def create_adhoc_task(
    store: Store,
    *,
    name: str,
    item_codes: list[str],
    lead_unit: str,
    partner_units: list[str] | None = None,
    joint_kind: str | None = None,
    start_on: date | None = None,
    end_on: date | None = None,
    actor: str,
) -> str:
    """Create a 临时任务 (source adhoc, status planned); returns its code. DrawError when refused."""
    name = (name or "").strip()
    if not name:
        raise DrawError("请填写临时任务名称。")
    item_codes = [str(i).strip() for i in item_codes or [] if str(i).strip()]
    if not item_codes:
        raise DrawError("请至少选择一个抽查事项。")
    if not (lead_unit or "").strip():
        raise DrawError("请选择牵头单位。")
    partners = [u for u in dict.fromkeys(partner_units or []) if u and u != lead_unit]
    kind = joint_kind or joint_kind_for(store, partners)
    if kind not in JOINT_KINDS:
        raise DrawError(f"联合类型“{kind}”无效。")
    if kind == "none" and partners:
        raise DrawError("选择了配合单位，联合类型不能是“单一单位”。")
    if kind != "none" and not partners:
        raise DrawError("联合抽查需要至少一个配合单位。")
    if start_on and end_on and end_on < start_on:
        raise DrawError("检查结束日期不能早于开始日期。")
    year = (start_on or date.today()).year
    with store.transaction() as cur:
        code = next_adhoc_code(store, year)
        cur.execute(
            "INSERT INTO tasks (task_code, plan_code, task_name, item_codes, lead_unit, partner_units,"
            " joint_kind, source, uses_risk_grades, start_on, end_on, status)"
            " VALUES (?, NULL, ?, ?, ?, ?, ?, 'adhoc', false, ?, ?, 'planned')",
            [code, name, item_codes, lead_unit, partners, kind, start_on, end_on],
        )
        store.audit(
            cur,
            actor,
            "task_create",
            table_name="tasks",
            record_key=code,
            new_value={
                "task_name": name,
                "item_codes": item_codes,
                "lead_unit": lead_unit,
                "partner_units": partners,
                "joint_kind": kind,
                "source": "adhoc",
                "start_on": start_on.isoformat() if start_on else None,
                "end_on": end_on.isoformat() if end_on else None,
            },
        )
    return code


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
