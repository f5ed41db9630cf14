"""The tasks a draw starts from: planned tasks in scope, their display texts, and 临时任务 (ad-hoc tasks)
created on the 随机抽取 page, audited. No streamlit, no SQL in the page.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from dashboard.draw.service import DrawError
from dashboard.scope import Scope
from dashboard.store import Store, lookups

JOINT_KINDS = {"none": "单一单位", "internal": "局内联合", "cross": "跨部门联合"}


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
        "lead": lookups.labelled(task["lead_unit"], unit_names),
        "partners": "、".join(lookups.labelled(u, unit_names) for u in partners),
        "items": "；".join(
            lookups.labelled(i, item_names) for i in _as_list(task.get("item_codes")) if i
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
