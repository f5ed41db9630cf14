"""Pivot results against values computed by hand from the fixture (see test_analysis_support)."""

from __future__ import annotations

import pytest
from test_analysis_support import load_fixture, scope_for

from dashboard.analysis.pivot import (
    TOTAL,
    PivotError,
    dimensions,
    figure,
    figure_html,
    measures_for,
    pivot,
)
from dashboard.analysis.views import analysis_views
from dashboard.store import open_store


@pytest.fixture(scope="module")
def views():
    store = open_store(":memory:")
    load_fixture(store)
    out = {k: v.table.to_pandas() for k, v in analysis_views(store, scope_for()).items()}
    store.close()
    return out


def cells(df, row_col):
    return {r[row_col]: {c: r[c] for c in df.attrs["value_columns"]} for _, r in df.iterrows()}


def test_count_by_town_and_year_with_totals(views):
    df = pivot(views["v_inspections"], ["town"], ["year"], "count", totals=True)
    assert df.columns.tolist() == ["town", "2025", "2026", TOTAL]
    assert cells(df, "town") == {
        "赞皇镇": {"2025": 1, "2026": 2},
        "院头镇": {"2025": 0, "2026": 2},
        TOTAL: {"2025": 1, "2026": 4},
    }
    assert df.set_index("town")[TOTAL].to_dict() == {"赞皇镇": 3, "院头镇": 2, TOTAL: 5}


def test_problem_rate_by_lead_unit(views):
    # has a result: T1/E1 (A), T1/E2 (1), T2/E3 (1), T3/E1 (E); T2/E4 has none and is left out
    df = pivot(views["v_inspections"], ["lead_unit"], [], "problem_rate", totals=True)
    assert df.set_index("lead_unit")["问题发现率"].to_dict() == {
        "CHK": 0.0,
        "DHK": 1.0,
        "KCK": 0.5,
        TOTAL: 0.5,
    }


def test_on_time_rates(views):
    df = pivot(views["v_inspections"], ["lead_unit"], [], "entry_on_time_rate", totals=True)
    assert df.set_index("lead_unit")["按时录入率"].to_dict() == {
        "CHK": 0.5,
        "DHK": 1.0,
        "KCK": 0.5,
        TOTAL: 0.6,
    }
    df = pivot(views["v_inspections"], [], ["year"], "publish_on_time_rate", totals=True)
    # 2025: T3/E1 on time → 1.0; 2026: T1/E1, T2/E3 on time of 4 → 0.5; all: 3/5
    assert df.iloc[0].to_dict() == {"2025": 1.0, "2026": 0.5, TOTAL: 0.6}


def test_rate_with_zero_denominator_is_none(views):
    df = pivot(views["v_inspections"], ["entity_code"], [], "problem_rate")
    # E4 was inspected once with no result code entered: no denominator
    assert df.set_index("entity_code")["问题发现率"].to_dict() == {
        "E1": 1.0,
        "E2": 0.0,
        "E3": 0.0,
        "E4": None,
    }


def test_distinct_entities_and_filters(views):
    df = pivot(views["v_inspections"], [], ["year"], "distinct_entities", totals=True)
    assert df.iloc[0].to_dict() == {"2025": 1, "2026": 4, TOTAL: 4}
    filters = [
        {"column": "year", "op": "in", "value": [2026]},
        {"column": "has_finding", "op": "in", "value": ["否"]},
    ]
    df = pivot(views["v_inspections"], ["item_code"], [], "count", filters)
    assert df.set_index("item_code")["记录数"].to_dict() == {"I1": 1, "I2": 2}
    between = [{"column": "inspected_on", "op": "between", "value": ["2026-04-12", "2026-05-06"]}]
    df = pivot(views["v_inspections"], ["entity_code"], [], "count", between)
    assert df["entity_code"].tolist() == ["E2", "E3", "E4"]
    contains = [{"column": "inspectors", "op": "contains", "value": "P1"}]
    df = pivot(views["v_inspections"], [], [], "count", contains)
    assert df.iloc[0, 0] == 3
    excluded = [{"column": "town", "op": "not_in", "value": ["赞皇镇"]}]
    assert pivot(views["v_inspections"], [], [], "count", excluded).iloc[0, 0] == 2


def test_followup_and_grade_dimensions(views):
    df = pivot(views["v_followups"], ["responsible_unit"], [], "closed_rate")
    assert df.values.tolist() == [["KCK", 1.0]]
    df = pivot(views["v_inspections"], ["grade"], [], "count")
    assert df.set_index("grade")["记录数"].to_dict() == {"B": 1, "C": 1, "（空）": 3}


def test_measures_and_dimensions_offered(views):
    assert measures_for(views["v_inspections"]) == [
        "count",
        "distinct_entities",
        "problem_rate",
        "entry_on_time_rate",
        "publish_on_time_rate",
    ]
    assert measures_for(views["v_followups"]) == [
        "count",
        "distinct_entities",
        "closed_rate",
        "backfill_on_time_rate",
    ]
    dims = dimensions(views["v_inspections"])
    assert "town" in dims and "item_codes" not in dims and "inspectors" not in dims


def test_errors(views):
    with pytest.raises(PivotError, match="不能同时"):
        pivot(views["v_inspections"], ["town"], ["town"], "count")
    with pytest.raises(PivotError, match="未知的指标"):
        pivot(views["v_inspections"], ["town"], [], "nope")
    with pytest.raises(PivotError, match="没有列"):
        pivot(views["v_units"], ["unit_code"], [], "problem_rate")


@pytest.mark.parametrize("kind", ["bar", "line", "heatmap"])
def test_figures(views, kind):
    df = pivot(views["v_inspections"], ["town"], ["year"], "count", totals=True)
    fig = figure(df, kind)
    if kind == "heatmap":
        trace = fig.data[0]
        assert list(trace.x) == ["2025", "2026"] and list(trace.y) == ["赞皇镇", "院头镇"]
        assert [list(r) for r in trace.z] == [[1, 2], [0, 2]]
    else:
        assert [t.name for t in fig.data] == ["2025", "2026"]
        assert list(fig.data[1].y) == [2, 2] and list(fig.data[0].x) == ["赞皇镇", "院头镇"]
    html = figure_html(fig)
    # plotly.js is inlined (no <script src=…> to a CDN): the file works without internet
    assert b"<html" in html and b"<script src=" not in html and len(html) > 1_000_000


def test_figure_colours_by_column_value(views):
    df = pivot(views["v_inspections"], ["lead_unit"], ["grade"], "count")
    fig = figure(df, "bar", color_map={"B": "#4c8bf5", "C": "#f0a020"})
    colours = {t.name: t.marker.color for t in fig.data}
    assert colours == {"B": "#4c8bf5", "C": "#f0a020", "（空）": None}
