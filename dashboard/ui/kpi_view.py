"""KPI cards, percent-formatted metric tables and tabs of drill-down lists shared by the supervision pages.

A drill-down list is a `Table` (caption, widgets or chart above it, then the rows with CSV/XLSX downloads);
`table_tabs` lays out one tab a list. Rate (…率) and share (…占比) columns always show as percentages.

Drill-down (issue 12 point 6): a KPI card's 查看明细 opens its page with ``?list=<list id>`` (see
`KPI_LISTS`), and `list_tabs` / `table_tabs` select the tab of that list, so the first thing shown is the
list behind the number, under the same sidebar scope (the scope's own query parameters are kept).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from dashboard.metrics import due_soon
from dashboard.metrics.base import unit_names
from dashboard.metrics.kpi import KPI_PAGES, Kpi, format_fraction, format_target, format_value
from dashboard.scope import Scope
from dashboard.ui.components import data_table, kpi_card
from dashboard.ui.i18n import t

# the query parameter naming the list a page opens first
LIST_PARAM = "list"

# KPI → the id of the list behind its number on the KPI's page (dashboard.metrics.kpi.KPI_PAGES). A count
# KPI's list has one row per counted item; a ratio's list is the one its numerator and denominator add
# up from (coverage by town, joint shares by kind, closure by unit) or, where there is one, the items
# that keep the ratio below 100% (tasks not joint, not risk-graded; publications late or overdue; entries
# late — the entries overdue are the entry_overdue list next to it).
KPI_LISTS: dict[str, str] = {
    "coverage": "coverage_by_town",
    "high_risk_uninspected": "high_risk_uninspected",
    "joint_task_share": "non_joint_tasks",
    "joint_household_share": "joint_by_kind",
    "risk_graded_share": "non_graded_tasks",
    "entry_on_time": "late_entries",
    "publish_on_time": "late_publications",
    "entry_overdue": "entry_overdue",
    "followup_closed": "timeliness_by_unit",
    "followup_overdue": "followup_overdue",
    "backfill_late": "backfill_late",
    "problem_rate": "q_findings",
    "followup_missing": "followup_missing",
}


def requested_list() -> str | None:
    """The list id the URL asks to open first (``?list=…``), or None."""
    try:
        value = st.query_params.get(LIST_PARAM)
    except Exception:  # noqa: BLE001 - the URL is a convenience, never a reason to fail a page
        return None
    return str(value) if value else None


def kpi_link_query(key: str) -> dict[str, str]:
    """The query parameters of a KPI card's 查看明细: the sidebar scope the URL carries, plus the list."""
    from dashboard.ui.sidebar import QUERY_PARAMS

    query: dict[str, str] = {}
    try:
        for name in QUERY_PARAMS.values():
            if name in st.query_params:
                query[name] = str(st.query_params[name])
    except Exception:  # noqa: BLE001
        pass
    if key in KPI_LISTS:
        query[LIST_PARAM] = KPI_LISTS[key]
    return query


def list_tabs(tabs: Sequence[tuple[str, str]]):
    """st.tabs of (list id, label): the tab whose list the URL names (?list=) is the one selected."""
    labels = [label for _, label in tabs]
    want = requested_list()
    default = next((label for list_id, label in tabs if list_id == want), None)
    return st.tabs(labels, default=default)


def kpi_cards(
    kpis: Mapping[str, Kpi],
    keys: Sequence[str],
    *,
    numbers: Mapping[str, object],
    key_prefix: str,
    per_row: int = 3,
    links: bool = False,
) -> None:
    """One card per KPI (value, target, colour, numerator/denominator, definition), `per_row` a row."""
    for start in range(0, len(keys), per_row):
        row = keys[start : start + per_row]
        for col, key in zip(st.columns(per_row), row, strict=False):
            k = kpis[key]
            with col:
                kpi_card(
                    t(f"metrics.kpi.{key}"),
                    format_value(k.kind, k.value),
                    format_target(k.kind, k.target) or t("metrics.common.no_target"),
                    k.status,
                    t("metrics.common.fraction", value=format_fraction(k))
                    if k.kind == "ratio"
                    else t("metrics.common.count", value=k.numerator),
                    help=t(f"metrics.def.{key}", **numbers),
                    link_page=KPI_PAGES[key] if links else None,
                    link_query=kpi_link_query(key) if links else None,
                    key=f"{key_prefix}_{key}",
                    no_data=k.value is None,  # a ratio over nothing (0/0): 暂无数据, not 不考核
                )


def units_text(con, scope: Scope) -> str:
    """The units of the scope's unit filter in words: 全部单位, or their names."""
    units = scope.unit_filter
    if units is None:
        return t("metrics.common.all_units")
    if not units:
        return t("metrics.common.no_units")
    names = unit_names(con)
    return "、".join(names.get(u, u) for u in units)


def scope_line(con, scope: Scope) -> str:
    """'范围：2026 年度，截至 2026-11-27；全部单位' — the scope a list or a count covers (§5: one name,
    one number: a figure that is not a KPI says what it counts over)."""
    who = units_text(con, scope)
    extra = ""
    if scope.item:
        extra += t("metrics.common.item_filter", item=scope.item)
    if scope.town:
        extra += t("metrics.common.town_filter", town=scope.town)
    return t(
        "metrics.common.list_scope",
        year=scope.year,
        as_of=scope.as_of.isoformat(),
        units=who,
        filters=extra,
    )


def due_soon_caption(con, scope: Scope) -> str:
    """The due-soon window of ``scope`` in words (or why there is none), with the scope line."""
    win = due_soon.window(con, scope)
    if win.end is None:
        text = t("metrics.due_soon.window_none")
    else:
        text = t(
            "metrics.due_soon.window",
            start=win.start.isoformat(),
            end=win.end.isoformat(),
            n=win.workdays,
        )
    return f"{text}　{scope_line(con, scope)}"


def percent_columns(df: pd.DataFrame) -> dict:
    """Column config showing every rate (…率) and share (…占比) column as a percentage."""
    return {
        c: st.column_config.NumberColumn(format="percent")
        for c in df.columns
        if c.endswith("率") or c.endswith("占比")
    }


def metric_table(
    df: pd.DataFrame,
    key: str,
    file_key: str,
    *,
    column_config: Mapping | None = None,
    empty: str | None = None,
    empty_ok: bool = True,
) -> None:
    """A drill-down list with rates as percentages and CSV/XLSX downloads named by `file_key`.

    `column_config` adds to (or overrides) the percent columns, e.g. a p-value format. `empty` is the
    locale key of what an empty list means (good news, shown green, unless `empty_ok` is False).
    """
    config = percent_columns(getattr(df, "first_rows", df)) | dict(column_config or {})
    data_table(
        df,
        key=key,
        download_basename=t(file_key),
        column_config=config,
        empty=t(empty) if empty else None,
        empty_ok=empty_ok,
    )


@dataclass(frozen=True)
class Table:
    """One drill-down list as `show_table` draws it: caption, chart, table, downloads.

    `rows` is a DataFrame or a function returning one; a function is called where the table stands, so
    any widget it draws (a filter checkbox, a number input) appears between the caption and the table.
    `key` is the table's widget key (downloads: `<key>_dl_csv` / `<key>_dl_xlsx`); `file`, `help` are
    locale keys (download file name; caption above, formatted with `help_args`); `chart(df)` is drawn
    above the table when there are rows; `columns` is extra column config over `percent_columns`;
    `empty` the locale key of what an empty list means ("没有超期未录入的检查结果"; green when
    `empty_ok`), instead of the generic 没有符合条件的记录.
    """

    key: str
    file: str
    rows: pd.DataFrame | Callable[[], pd.DataFrame]
    help: str | None = None
    help_args: Mapping[str, object] = field(default_factory=dict)
    chart: Callable[[pd.DataFrame], None] | None = None
    columns: Mapping | None = None
    empty: str | None = None
    empty_ok: bool = True


def show_table(table: Table) -> pd.DataFrame:
    """Draw one `Table` in the current container and return the rows shown."""
    if table.help:
        st.caption(t(table.help, **table.help_args))
    df = table.rows() if callable(table.rows) else table.rows
    if table.chart is not None and not getattr(df, "first_rows", df).empty:
        table.chart(df)
    metric_table(
        df,
        table.key,
        table.file,
        column_config=table.columns,
        empty=table.empty,
        empty_ok=table.empty_ok,
    )
    return df


def tab_list_id(title: str, content: Table | Callable[[], None]) -> str:
    """The list id of one tab of `table_tabs`: its Table's key, else the last part of its title key."""
    return content.key if isinstance(content, Table) else title.rsplit(".", 1)[-1]


def table_tabs(tabs: Sequence[tuple[str, Table | Callable[[], None]]]) -> None:
    """One st.tab a (title locale key, content): a `Table`, or a function drawing the tab itself.
    The tab whose list id (`tab_list_id`) the URL names (?list=) is selected."""
    containers = list_tabs([(tab_list_id(title, content), t(title)) for title, content in tabs])
    for tab, (_, content) in zip(containers, tabs, strict=True):
        with tab:
            if isinstance(content, Table):
                show_table(content)
            else:
                content()
