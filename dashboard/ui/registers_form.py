"""The add-or-correct forms of 工作台账, drawn from the interchange spec of each register (one widget per
column: dates, numbers, choices, the attendees), so the form and the import take the same fields."""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from dashboard.entry import registers as reg
from dashboard.entry.service import EntryError
from dashboard.ingest import spec as S
from dashboard.ui.components import error
from dashboard.ui.i18n import t


def _key_text(spec: S.TableSpec, row: dict[str, Any]) -> str:
    key = " / ".join(str(row[k]) for k in spec.key)
    label = next(
        (row[c] for c in ("topic", "title", "name", "period") if c in row and c not in spec.key),
        "",
    )
    return f"{key}　{label or ''}".strip()


def register_form(store, user, table: str, *, key: str) -> None:
    """Pick a row to correct (or a new one), fill the fields, save through dashboard.entry.registers."""
    spec = S.SPECS[table]
    units = reg.writable_units(store, user)
    if not units:
        st.caption(t("registers.no_units"))
        return
    rows = reg.editable_rows(store, user, table)
    picks = [None, *range(len(rows))]
    chosen = st.selectbox(
        t("registers.form_pick"),
        picks,
        format_func=lambda i: t("registers.form_new") if i is None else _key_text(spec, rows[i]),
        key=f"{key}_pick",
    )
    old = rows[chosen] if chosen is not None else {}
    unit_names = dict(units)
    inspectors = dict(reg.inspector_choices(store)) if table == "trainings" else {}
    with st.form(f"{key}_form", clear_on_submit=False):
        values: dict[str, Any] = {}
        grid = st.columns(2)
        for i, col in enumerate(spec.columns):
            box = grid[i % 2]
            label = col.zh + (" *" if col.required else "")
            wkey = f"{key}_{chosen}_{col.name}"
            current = old.get(col.name)
            if col.name == "unit_code":
                codes = list(unit_names)
                index = codes.index(current) if current in codes else 0
                values[col.name] = box.selectbox(
                    t("registers.unit_choice"),
                    codes,
                    index=index,
                    format_func=lambda c: f"{unit_names[c]}（{c}）",
                    key=wkey,
                )
            elif col.name == "attendees":
                values[col.name] = box.multiselect(
                    label,
                    list(inspectors),
                    default=[c for c in (current or []) if c in inspectors],
                    format_func=lambda c: inspectors.get(c, c),
                    help=t("registers.attendees_help"),
                    key=wkey,
                    placeholder="",
                )
            elif col.enum is not None:
                options = list(col.enum)
                index = options.index(current) if current in options else 0
                values[col.name] = box.selectbox(label, options, index=index, key=wkey)
            elif col.type == S.DATE:
                values[col.name] = box.date_input(
                    label, value=current, key=wkey, format="YYYY-MM-DD"
                )
            elif col.type == S.NUMBER:
                values[col.name] = box.number_input(
                    label,
                    value=None if current is None else float(current),
                    min_value=0.0,
                    max_value=float(col.maximum or 1e6),
                    step=0.5,
                    key=wkey,
                )
            else:
                help_text = t("registers.period_help") if col.type == S.REPORT_PERIOD else None
                values[col.name] = box.text_input(
                    label, value=current or "", key=wkey, help=help_text, disabled=False
                )
        submitted = st.form_submit_button(t("registers.save"), type="primary")
    if submitted:
        _save(lambda: reg.save_register(store, user, table, values, today=date.today()))


def followup_form(store, user, scope, *, key: str) -> None:
    """The transfer, penalty and credit-record dates of one follow-up of the scope."""
    choices = reg.followup_choices(store, user, scope)
    if choices.empty:
        st.caption(t("registers.followup_form.none"))
        return
    spec = S.SPECS["followups"]
    labels = reg.followup_choice_labels(choices)
    index = st.selectbox(
        t("registers.followup_form.pick"),
        range(len(choices)),
        format_func=labels.__getitem__,
        key=f"{key}_pick",
    )
    row = choices.iloc[index].to_dict()
    with st.form(f"{key}_form"):
        values: dict[str, Any] = {}
        grid = st.columns(2)
        for i, name in enumerate(reg.FOLLOWUP_FIELDS):
            col = spec.column(name)
            wkey = f"{key}_{index}_{name}"
            if col.type == S.DATE:
                values[name] = grid[i % 2].date_input(
                    col.zh, value=row.get(name), key=wkey, format="YYYY-MM-DD"
                )
            else:
                values[name] = grid[i % 2].text_input(col.zh, value=row.get(name) or "", key=wkey)
        submitted = st.form_submit_button(t("registers.save"), type="primary")
    if submitted:
        _save(
            lambda: reg.save_followup_register(
                store, user, row["task_code"], row["entity_code"], values, today=date.today()
            )
        )


def _save(write) -> None:
    try:
        action = write()
    except EntryError as exc:
        error(str(exc))
        return
    st.cache_data.clear()
    st.session_state["registers.flash"] = t(f"registers.saved_{action}")
    st.rerun()
