"""Issue 13 point 6: two page crashes — a pivot with nothing left after its filters, and a download of a
console result holding DuckDB's ±infinity timestamps."""

from __future__ import annotations

import importlib
import io
from datetime import date

import duckdb
import openpyxl
import pytest

from dashboard.analysis.console import SqlConsole
from dashboard.analysis.views import analysis_views
from dashboard.reports.safe import to_csv_bytes, to_xlsx_bytes
from dashboard.scope import Scope

P = importlib.import_module("dashboard.analysis.pivot")


@pytest.fixture(scope="module")
def inspections(demo_store):
    views = analysis_views(demo_store, Scope(year=2026, as_of=date(2026, 11, 27)))
    return views["v_inspections"].table.to_pandas()


@pytest.mark.parametrize("kind", sorted(P.CHART_KINDS))
@pytest.mark.parametrize(
    ("rows", "columns"), [(["task_code"], []), (["task_code"], ["has_finding"]), ([], [])]
)
def test_a_pivot_with_nothing_after_its_filters_draws_an_empty_chart(
    inspections, kind, rows, columns
):
    nothing = [{"column": "task_code", "op": "in", "values": ["没有这个任务"]}]
    for totals in (False, True):
        result = P.pivot(inspections, rows, columns, "count", nothing, totals=totals)
        if not totals:
            assert result.empty or rows == []
        fig = P.figure(result, kind)
        assert all(len(trace.x if trace.x is not None else []) <= 1 for trace in fig.data)


def test_infinite_timestamps_download_as_text():
    df = duckdb.sql(
        "SELECT '-infinity'::TIMESTAMP AS a, 'infinity'::TIMESTAMP AS b,"
        " TIMESTAMP '2026-01-02 03:04:05' AS c, '0001-01-01'::TIMESTAMP AS d, NULL::TIMESTAMP AS e"
    ).df()
    csv = to_csv_bytes(df).decode("utf-8-sig").splitlines()
    # '-infinity' starts with "-", so it is also quote-prefixed like any formula-like cell
    assert csv == ["a,b,c,d,e", "'-infinity,infinity,2026-01-02 03:04:05,0001-01-01,"]
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(df))).active
    values = [cell.value for cell in sheet[2]]
    assert values[:2] == ["'-infinity", "infinity"] and values[3] == "0001-01-01"
    assert str(values[2]).startswith("2026-01-02 03:04:05")  # an ordinary date stays a date


def test_console_result_with_infinity_downloads(demo_store):
    console = SqlConsole.for_scope(demo_store, Scope(year=2026, as_of=date(2026, 11, 27)))
    try:
        result = console.run("SELECT '-infinity'::TIMESTAMP AS t, 1 AS n")
    finally:
        console.close()
    assert to_csv_bytes(result.df).decode("utf-8-sig").splitlines()[1] == "'-infinity,1"
    assert to_xlsx_bytes(result.df)
