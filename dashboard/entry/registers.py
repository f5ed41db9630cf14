"""Writing the work registers from the 工作台账 forms (DESIGN.md §8): a unit user for its own units,
the office for all; leaders and read-only users only read.

A form row is parsed by the same cell rules as an import (dashboard.ingest.validate.parse_cell and the
interchange spec), so a form and a file accept exactly the same values. On top of them the forms keep
the working rules as errors for a new entry (as the result forms do): no date in the future, a
rectification or a publication not before what it follows, a transfer (measures 4 and 6) with its
receiving body and date. Each write is one transaction under the store's write lock that re-reads the
stored row, writes it and records old and new in the audit log (the history of a register row); the
follow-up's register columns also get an entry_history row, like every follow-up edit.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd

from dashboard.domain.codes import TRANSFER_MEASURES
from dashboard.entry.service import EntryError, _history, task_units
from dashboard.ingest import spec as S
from dashboard.ingest.validate import typed_value
from dashboard.store import Store

REGISTER_TABLES = ("trainings", "publicity", "liaisons", "submissions", "supervisions")
FOLLOWUP_FIELDS = (
    "transferred_to",
    "transferred_on",
    "penalty_decided_on",
    "penalty_published_on",
    "credit_recorded_on",
)
# (earlier, later) date pairs a form refuses in the wrong order, per table
_ORDERS = {
    "supervisions": (("held_on", "rectify_due"), ("held_on", "rectified_on")),
    "followups": (
        ("penalty_decided_on", "penalty_published_on"),
        ("penalty_decided_on", "credit_recorded_on"),
    ),
}
# dates that cannot lie after today (a due date or a rectification deadline can)
_PAST_ONLY = {
    "held_on",
    "published_on",
    "submitted_on",
    "since",
    "rectified_on",
    "transferred_on",
    "penalty_decided_on",
    "penalty_published_on",
    "credit_recorded_on",
}


def _parse(spec: S.TableSpec, names: tuple[str, ...], raw: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in names:
        col = spec.column(name)
        cell = raw.get(name)
        if isinstance(cell, list | tuple):  # a multiselect gives a list; the cell rule reads text
            cell = ";".join(str(c) for c in cell)
        value, error = typed_value(col, cell)
        if error is None and value is None and col.not_null:
            error = "为必填项，请填写"
        if error:
            raise EntryError(f"{col.zh}{error}。")
        if value is None and col.default is not None:
            value = list(col.default) if col.type == S.LIST else col.default
        values[name] = value
    return values


def _check_dates(table: str, values: dict[str, Any], today: date, labels) -> None:
    for name, value in values.items():
        if name in _PAST_ONLY and isinstance(value, date) and value > today:
            raise EntryError(
                f"{labels(name)}（{value.isoformat()}）晚于今天，不能填写将来的日期，请改正。"
            )
    for early, late in _ORDERS.get(table, ()):
        a, b = values.get(early), values.get(late)
        if a is not None and b is not None and b < a:
            raise EntryError(
                f"{labels(late)}（{b.isoformat()}）早于{labels(early)}（{a.isoformat()}），请改正其中一个日期。"
            )


def _require_unit(user, unit_code: str) -> None:
    if user is None or not user.can_write_unit(unit_code):
        raise EntryError(
            f"您没有登记单位 {unit_code} 台账的权限：单位用户只能登记本单位的台账，领导和只读用户只能查看。"
        )


def _known(cur, table: str, column: str, values: list[str]) -> list[str]:
    if not values:
        return []
    rows = cur.execute(
        f'SELECT "{column}" FROM "{table}" WHERE list_contains(?, "{column}")', [values]
    ).fetchall()
    found = {r[0] for r in rows}
    return [v for v in values if v not in found]


def _row(cur, spec: S.TableSpec, key: tuple) -> dict[str, Any] | None:
    cols = ", ".join(f'"{c}"' for c in spec.column_names)
    where = " AND ".join(f'"{k}" = ?' for k in spec.key)
    rows = cur.execute(f'SELECT {cols} FROM "{spec.name}" WHERE {where}', list(key)).fetchall()
    return dict(zip(spec.column_names, rows[0], strict=True)) if rows else None


def save_register(
    store: Store, user, table: str, raw: dict[str, Any], *, today: date | None = None
) -> str:
    """Add or correct one row of a register; returns 'insert', 'update' or 'unchanged'."""
    if table not in REGISTER_TABLES:
        raise EntryError(f"未知的台账：{table}。")
    today = today or date.today()
    spec = S.SPECS[table]
    values = _parse(spec, spec.column_names, raw)
    _require_unit(user, values["unit_code"])
    _check_dates(table, values, today, lambda n: spec.column(n).zh)
    key = tuple(values[k] for k in spec.key)
    with store.transaction() as cur:
        if _known(cur, "units", "unit_code", [values["unit_code"]]):
            raise EntryError(f"单位编码“{values['unit_code']}”不存在，请从列表中选择单位。")
        if table == "trainings":
            unknown = _known(cur, "inspectors", "inspector_code", list(values["attendees"]))
            if unknown:
                raise EntryError(
                    f"参训人员 {'、'.join(unknown)} 不在执法人员名单中，请核对人员编码。"
                )
        old = _row(cur, spec, key)
        if old is not None:
            _require_unit(user, old["unit_code"])  # a row of another unit cannot be taken over
            same = all(_same(old[c], values[c]) for c in spec.column_names)
            if same:
                return "unchanged"
        cols = ", ".join(f'"{c}"' for c in spec.column_names)
        marks = ", ".join("?" for _ in spec.column_names)
        others = [c for c in spec.column_names if c not in spec.key]
        sets = ", ".join(f'"{c}" = excluded."{c}"' for c in others)
        keys = ", ".join(f'"{k}"' for k in spec.key)
        cur.execute(
            f'INSERT INTO "{table}" ({cols}) VALUES ({marks}) ON CONFLICT ({keys}) DO UPDATE SET {sets}',
            [values[c] for c in spec.column_names],
        )
        action = "insert" if old is None else "update"
        store.audit(
            cur,
            user.username,
            f"register.{action}",
            table_name=table,
            record_key="/".join(str(k) for k in key),
            old_value=old,
            new_value=values,
        )
    return action


def save_followup_register(
    store: Store,
    user,
    task_code: str,
    entity_code: str,
    raw: dict[str, Any],
    *,
    today: date | None = None,
) -> str:
    """Record a follow-up's transfer, penalty and credit-record dates; returns 'update'/'unchanged'."""
    today = today or date.today()
    spec = S.SPECS["followups"]
    values = _parse(spec, FOLLOWUP_FIELDS, raw)
    _check_dates("followups", values, today, lambda n: spec.column(n).zh)
    with store.transaction() as cur:
        cols = ", ".join(("measure_code", "responsible_unit", *FOLLOWUP_FIELDS))
        rows = cur.execute(
            f"SELECT {cols} FROM followups WHERE task_code = ? AND entity_code = ?",
            [task_code, entity_code],
        ).fetchall()
        if not rows:
            raise EntryError(
                f"没有任务 {task_code}、主体 {entity_code} 的后续处理记录，请先在“后续处理”页面登记。"
            )
        measure, responsible, *stored = rows[0]
        units = [responsible] if responsible else (task_units(store, task_code) or [])
        if not any(user is not None and user.can_write_unit(u) for u in units):
            raise EntryError(
                f"您没有登记这条后续处理的权限：它属于 {'、'.join(units) or '未指定单位'}。"
            )
        if measure in TRANSFER_MEASURES and (
            not (values["transferred_to"] or "").strip() or values["transferred_on"] is None
        ):
            raise EntryError(
                f"处置措施为“{measure}”（移送）的后续处理须同时填写移送机关和移送日期。"
            )
        old = dict(zip(FOLLOWUP_FIELDS, stored, strict=True))
        if all(_same(old[c], values[c]) for c in FOLLOWUP_FIELDS):
            return "unchanged"
        sets = ", ".join(f"{c} = ?" for c in FOLLOWUP_FIELDS)
        cur.execute(
            f"UPDATE followups SET {sets} WHERE task_code = ? AND entity_code = ?",
            [*(values[c] for c in FOLLOWUP_FIELDS), task_code, entity_code],
        )
        _history(
            cur, store, user.username, "followups", (task_code, entity_code), "update", old,
            values, published=False, reason="工作台账：移送、处罚公示和信用记录", source="form",
        )  # fmt: skip
        store.audit(
            cur,
            user.username,
            "register.followup",
            table_name="followups",
            record_key=f"{task_code}/{entity_code}",
            old_value=old,
            new_value=values,
        )
    return "update"


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, tuple | list) or isinstance(b, tuple | list):
        return list(a or []) == list(b or [])
    if isinstance(a, datetime):
        a = a.date()
    return a == b


def editable_rows(store: Store, user, table: str, limit: int = 500) -> list[dict[str, Any]]:
    """The newest rows of a register the user may correct (its units; the office all)."""
    spec = S.SPECS[table]
    cols = ", ".join(f'"{c}"' for c in spec.column_names)
    date_col = next((c.name for c in spec.columns if c.type == S.DATE), spec.key[0])
    units = None if user.is_admin else list(user.unit_codes)
    if user.role not in ("admin", "unit"):
        return []
    rows = store.rows(
        f'SELECT {cols} FROM "{table}" WHERE ? IS NULL OR list_contains(?, unit_code)'
        f' ORDER BY "{date_col}" DESC NULLS LAST, {", ".join(spec.key)} LIMIT {int(limit)}',
        [units, units],
    )
    return [dict(zip(spec.column_names, r, strict=True)) for r in rows]


def writable_units(store: Store, user) -> list[tuple[str, str]]:
    """(unit_code, unit_name) the user may enter registers for: internal units for the office."""
    if user is None or user.role not in ("admin", "unit"):
        return []
    rows = store.rows(
        "SELECT unit_code, unit_name FROM units WHERE NOT coalesce(external, false)"
        " AND coalesce(unit_kind, '') <> '外部门' ORDER BY unit_code"
    )
    return [(c, n) for c, n in rows if user.can_write_unit(c)]


def inspector_choices(store: Store) -> list[tuple[str, str]]:
    """(inspector_code, '姓名（单位）') of every inspector, active first."""
    rows = store.rows(
        "SELECT i.inspector_code, i.name, coalesce(u.unit_name, i.unit_code) FROM inspectors AS i"
        " LEFT JOIN units AS u ON u.unit_code = i.unit_code ORDER BY NOT i.active, i.inspector_code"
    )
    return [(c, f"{n}（{u}）") for c, n, u in rows]


def followup_choices(store: Store, user, scope) -> pd.DataFrame:
    """The follow-ups of Y the user may record register columns for, with their current values (a
    frame: a province has ≈ 225,000, too many to turn into dicts on every rerun)."""
    from dashboard.metrics.base import run_df

    df = run_df(store.cursor(), "registers_followup_choices", scope)
    if user.is_admin:  # may write every unit: no per-row check
        return df
    keep = [
        any(user.can_write_unit(u) for u in ([unit] if unit else list(task_units)))
        for unit, task_units in zip(df["responsible_unit"], df["task_units"], strict=True)
    ]
    return df[keep].reset_index(drop=True)


def followup_choice_labels(choices: pd.DataFrame) -> list[str]:
    """'task / entity　name（处置措施 code）' for each row of followup_choices, built column-wise."""
    measure = choices["measure_code"].fillna("").astype(str).replace("", "—")
    return (
        choices["task_code"]
        + " / "
        + choices["entity_code"]
        + "　"
        + choices["entity_name"].fillna("")
        + "（处置措施 "
        + measure
        + "）"
    ).tolist()
