"""KPI cards and percent-formatted metric tables shared by the supervision pages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import streamlit as st

from dashboard.metrics.kpi import KPI_PAGES, Kpi, format_fraction, format_target, format_value
from dashboard.ui.components import data_table, kpi_card
from dashboard.ui.i18n import t


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
                    key=f"{key_prefix}_{key}",
                )


def percent_columns(df: pd.DataFrame) -> dict:
    """Column config showing every rate (…率) and share (…占比) column as a percentage."""
    return {
        c: st.column_config.NumberColumn(format="percent")
        for c in df.columns
        if c.endswith("率") or c.endswith("占比")
    }


def metric_table(df: pd.DataFrame, key: str, file_key: str) -> None:
    """A drill-down list with rates as percentages and CSV/XLSX downloads named by `file_key`."""
    data_table(df, key=key, download_basename=t(file_key), column_config=percent_columns(df))
