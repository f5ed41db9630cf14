"""The column mapping of 数据管理: a sheet whose header fits no table is mapped to one table's fields
on screen (DESIGN.md §4). The proposal and the saved mappings live in dashboard.ingest.mapping; this
module only draws them."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.ingest import spec as S
from dashboard.ingest.mapping import (
    ColumnMapping,
    best_table,
    delete_mapping,
    load_mappings,
    normal,
    propose,
    save_mapping,
)
from dashboard.ingest.parse import Unmatched
from dashboard.ui.components import data_table, error
from dashboard.ui.i18n import t


def _preview_frame(sheet: Unmatched) -> pd.DataFrame:
    names = []
    for i, h in enumerate(sheet.header):
        text = normal(h) or f"（第{i + 1}列）"
        while text in names:
            text += "′"
        names.append(text)
    rows = [[("" if c is None else str(c)) for c in r[: len(names)]] for r in sheet.preview(5)]
    rows = [r + [""] * (len(names) - len(r)) for r in rows]
    return pd.DataFrame(rows, columns=names)


def mapping_editor(store, sheet: Unmatched, *, actor: str, key: str) -> ColumnMapping | None:
    """Draw the mapping of one sheet; returns the mapping once the user asks for a dry run with it."""
    st.markdown(f"**{t('data.mapping.title', file=sheet.file)}**")
    st.caption(t("data.mapping.intro", row=sheet.header_row))
    st.markdown(t("data.mapping.preview"))
    st.dataframe(_preview_frame(sheet), hide_index=True, key=f"{key}_preview")
    tables = list(S.SPECS)
    guess = best_table(sheet.header) or tables[0]
    table = st.selectbox(
        t("data.mapping.table"),
        tables,
        index=tables.index(guess),
        format_func=lambda name: f"{S.SPECS[name].zh}（{name}）",
        key=f"{key}_table",
    )
    spec = S.SPECS[table]
    proposal = propose(sheet.header, table)
    options = [""] + [normal(h) for h in sheet.header if normal(h)]
    columns: dict[str, str] = {}
    grid = st.columns(3)
    for i, col in enumerate(spec.columns):
        label = f"{col.zh}（{col.name}）" + (" *" if col.name in spec.required else "")
        chosen = grid[i % 3].selectbox(
            label,
            options,
            index=options.index(proposal[col.name]) if col.name in proposal else 0,
            format_func=lambda v: v or t("data.mapping.skip"),
            key=f"{key}_{table}_{col.name}",
        )
        if chosen:
            columns[col.name] = chosen
    mapping = ColumnMapping(table, columns)
    missing = mapping.missing_required()
    if missing:
        st.warning(
            t("data.mapping.missing", fields="、".join(spec.label(c) for c in missing)),
            icon=":material/warning:",
        )
    c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
    name = c1.text_input(
        t("data.mapping.name"), placeholder=t("data.mapping.name_placeholder"), key=f"{key}_name"
    )
    if c2.button(t("data.mapping.save"), icon=":material/save:", key=f"{key}_save"):
        mapping.name = name.strip()
        try:
            save_mapping(store, mapping, sheet.header, actor=actor)
        except ValueError as exc:
            error(str(exc))
        else:
            st.success(t("data.mapping.saved", name=mapping.name), icon=":material/check_circle:")
    apply = st.button(
        t("data.mapping.apply"),
        type="primary",
        icon=":material/fact_check:",
        key=f"{key}_apply",
        disabled=bool(missing),
    )
    if apply:
        mapping.name = name.strip() or None
        return mapping
    return None


def saved_mappings(store, *, actor: str, can_edit: bool) -> None:
    """The saved mappings, and (for the office) deleting one."""
    mappings = load_mappings(store)
    if not mappings:
        st.caption(t("data.mapping.saved_none"))
        return
    frame = pd.DataFrame(
        [
            {
                t("data.mapping.col_name"): m.name,
                t("data.mapping.col_table"): f"{S.SPECS[m.table].zh}（{m.table}）",
                t("data.mapping.col_columns"): "；".join(
                    f"{S.SPECS[m.table].column(f).zh} ← {c}" for f, c in m.columns.items()
                ),
                t("data.mapping.col_by"): m.created_by,
            }
            for m in mappings
        ]
    )
    data_table(frame, key="saved_mappings")
    if can_edit:
        c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
        name = c1.selectbox(t("data.mapping.pick"), [m.name for m in mappings], key="mapping_pick")
        if c2.button(t("data.mapping.delete"), icon=":material/delete:", key="mapping_delete"):
            if delete_mapping(store, name, actor=actor):
                st.success(t("data.mapping.deleted", name=name))
                st.rerun()
