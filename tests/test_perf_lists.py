"""Long lists as pages show them (issue 17): the first rows with LIMIT and the count with count(*) in
SQL, the whole query only for a download — the same rows as the list functions return."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.metrics import coverage
from dashboard.metrics.base import HeadRows
from tests.test_metrics_lists import S, load_small


@pytest.fixture(scope="module")
def small():
    from dashboard.store import open_store

    s = open_store(":memory:")
    load_small(s)
    yield s
    s.close()


def test_first_rows_and_count_come_from_sql_in_the_lists_order(small):
    # the small county's never-inspected list (tests/test_metrics_lists.py): E06, E07, E10, E12, E11
    rows = coverage.never_inspected_rows(small, S, limit=2)
    assert isinstance(rows, HeadRows)
    assert list(rows.first_rows["主体编码"]) == ["E06", "E07"]
    assert rows.total == 5
    full = rows.fetch_all()
    assert list(full["主体编码"]) == ["E06", "E07", "E10", "E12", "E11"]
    pd.testing.assert_frame_equal(full, coverage.never_inspected(small, S))
    # a list no longer than its limit is not queried again for the download
    short = coverage.never_inspected_rows(small, S, limit=500)
    assert short.total == 5 and len(short.first_rows) == 5
    pd.testing.assert_frame_equal(short.fetch_all(), full)
    # the years parameter and the unit filter reach both queries
    assert coverage.never_inspected_rows(small, S.with_(unit="CHK")).total == 0
    one_year = coverage.never_inspected_rows(small, S, years=1, limit=1)
    assert one_year.total == len(coverage.never_inspected(small, S, years=1))
    # the dates stay dates, as in run_df
    assert full["成立日期"].map(lambda v: v is None or hasattr(v, "isoformat")).all()


def _table_script():
    import pandas as pd

    from dashboard.metrics.base import HeadRows
    from dashboard.ui.components import data_table

    calls = []
    first = pd.DataFrame({"主体编码": [f"E{i:03d}" for i in range(600)]})
    data_table(
        HeadRows(first, 950_000, lambda: calls.append(1) or first),
        key="t",
        download_basename="never",
    )
    import streamlit as st

    st.session_state["calls"] = len(calls)


def test_a_table_of_first_rows_says_the_total_and_does_not_query_the_rest():
    at = AppTest.from_function(_table_script).run()
    assert not at.exception
    assert [c.value for c in at.caption] == [
        "共 950000 行，这里按列表的排序显示前 500 行；下载的 CSV / Excel 含全部 950000 行。"
    ]
    assert len(at.dataframe[0].value) == 500
    assert (
        at.session_state["calls"] == 0
    )  # the whole list is queried only when a download is clicked


@pytest.mark.parametrize(
    "scope_args",
    [{}, {"unit": "KCK"}, {"unit": "CHK"}, {"year": 2025}],
)
@pytest.mark.parametrize("years", [1, 3])
def test_the_cheap_count_equals_the_lists_length_on_the_county_demo(demo_store, scope_args, years):
    from datetime import date

    from dashboard.scope import Scope

    args = {"year": 2026, **scope_args}
    scope = Scope(args.pop("year"), date(2026, 11, 27), **args)
    full = coverage.never_inspected(demo_store, scope, years=years)
    rows = coverage.never_inspected_rows(demo_store, scope, years=years, limit=50)
    assert rows.total == len(full)
    pd.testing.assert_frame_equal(rows.first_rows, full.head(50))


def test_the_county_demo_town_filter_reaches_the_count(demo_store):
    from datetime import date

    from dashboard.scope import Scope

    town = demo_store.scalar(
        "SELECT town FROM entities WHERE town IS NOT NULL GROUP BY town ORDER BY count(*) DESC, town LIMIT 1"
    )
    scope = Scope(2026, date(2026, 11, 27), town=town)
    rows = coverage.never_inspected_rows(demo_store, scope)
    assert 0 < rows.total == len(coverage.never_inspected(demo_store, scope))
    assert (
        rows.total
        < coverage.never_inspected_rows(demo_store, Scope(2026, date(2026, 11, 27))).total
    )
