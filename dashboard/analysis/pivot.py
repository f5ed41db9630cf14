"""The no-code pivot: filter a view, group by row and column dimensions, compute one measure.

Pure pandas on a view's DataFrame (`views[name].table.to_pandas()`), so it is testable without a store.
A rate is numerator ÷ denominator per cell; a zero denominator gives None, never 0 or 1 (DESIGN.md §5).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd
import plotly.graph_objects as go

TOTAL = "合计"
EMPTY = "（空）"
SEPARATOR = " / "


class PivotError(Exception):
    """A pivot that cannot be computed, explained in one Chinese sentence."""


def _truthy(series: pd.Series) -> pd.Series:
    return series.astype("boolean").fillna(False).astype(bool)


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    needs: tuple[str, ...]
    # (numerator per row, denominator per row or None); None for a distinct count
    parts: Callable[[pd.DataFrame], tuple[pd.Series, pd.Series | None]] | None
    is_rate: bool = False


def _count(df):
    return pd.Series(1, index=df.index), None


def _problem(df):
    has_result = _truthy(df["has_result"])
    return (_truthy(df["has_finding"]) & has_result).astype(int), has_result.astype(int)


def _flag_rate(column: str):
    def parts(df):
        known = df[column].notna()
        return (_truthy(df[column]) & known).astype(int), known.astype(int)

    return parts


MEASURES: dict[str, Measure] = {
    m.key: m
    for m in (
        Measure("count", "记录数", (), _count),
        Measure("distinct_entities", "对象数（去重）", ("entity_code",), None),
        Measure("problem_rate", "问题发现率", ("has_finding", "has_result"), _problem, True),
        Measure(
            "entry_on_time_rate",
            "按时录入率",
            ("entry_on_time",),
            _flag_rate("entry_on_time"),
            True,
        ),
        Measure(
            "publish_on_time_rate",
            "按时公示率",
            ("publish_on_time",),
            _flag_rate("publish_on_time"),
            True,
        ),
        Measure("closed_rate", "完结率", ("is_closed",), _flag_rate("is_closed"), True),
        Measure(
            "backfill_on_time_rate",
            "按时回填率",
            ("backfill_on_time",),
            _flag_rate("backfill_on_time"),
            True,
        ),
    )
}

# Datasets offered in the pivot (analysis view name → label).
DATASETS: dict[str, str] = {
    "v_inspections": "检查结果",
    "v_followups": "后续处理",
    "v_draws": "抽取记录",
    "v_entities": "检查对象",
    "v_tasks": "抽查任务",
    "v_inspectors": "执法人员",
    "v_trainings": "培训记录",
    "v_submissions": "信息报送",
    "v_supervisions": "专项督查",
}

FILTER_OPS = {"in": "属于", "not_in": "不属于", "between": "介于", "contains": "列表包含"}


def measures_for(df: pd.DataFrame) -> list[str]:
    """The measure keys that the columns of `df` support."""
    return [k for k, m in MEASURES.items() if all(c in df.columns for c in m.needs)]


def dimensions(df: pd.DataFrame) -> list[str]:
    """Columns usable as row/column dimensions (scalar values, not lists)."""
    out = []
    for column in df.columns:
        sample = df[column].dropna()
        if len(sample) and isinstance(sample.iloc[0], list | tuple | set | np.ndarray):
            continue
        out.append(column)
    return out


def _label(value) -> str:
    if value is None or (not isinstance(value, list | tuple) and pd.isna(value)):
        return EMPTY
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "是" if value else "否"
    if isinstance(value, pd.Timestamp | datetime):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _labels(series: pd.Series) -> pd.Series:
    """`series.map(_label)`, labelling each distinct value once (issue 17: 10⁵–10⁶ rows per rerun)."""
    try:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
    except TypeError:  # unhashable values (lists): one by one
        return series.map(_label)
    names = np.array([_label(v) for v in uniques] + [EMPTY], dtype=object)
    return pd.Series(names[codes], index=series.index, dtype=object)


def value_label(value) -> str:
    """The text a value is grouped and filtered by (是/否, ISO dates, （空） for missing)."""
    return _label(value)


def _as_comparable(series: pd.Series, value):
    """A filter bound converted to the series' kind (dates compare as dates)."""
    sample = series.dropna()
    if len(sample) and isinstance(sample.iloc[0], date | datetime | pd.Timestamp):
        return pd.to_datetime(series), pd.Timestamp(value) if value not in (None, "") else None
    if pd.api.types.is_numeric_dtype(series) and isinstance(value, str) and value.strip():
        return series, float(value)
    return series, value


def apply_filters(df: pd.DataFrame, filters: list[dict] | None) -> pd.DataFrame:
    """Rows of `df` matching every filter {"column", "op", "value"} (op in FILTER_OPS)."""
    if not filters:  # no copy of a million-row view for nothing (issue 17)
        return df
    mask = pd.Series(True, index=df.index)
    for f in filters or []:
        column, op, value = f.get("column"), f.get("op", "in"), f.get("value")
        if column not in df.columns:
            raise PivotError(f"筛选条件中的列“{column}”在该数据集中不存在，请重新选择。")
        series = df[column]
        if op in ("in", "not_in"):
            wanted = {_label(v) for v in (value if isinstance(value, list) else [value])}
            hit = _labels(series).isin(wanted)
            mask &= hit if op == "in" else ~hit
        elif op == "between":
            low, high = (
                (list(value) + [None, None])[:2]
                if isinstance(value, list | tuple)
                else (value, None)
            )
            s, lo = _as_comparable(series, low)
            _, hi = _as_comparable(series, high)
            if lo is not None:
                mask &= s >= lo
            if hi is not None:
                mask &= s <= hi
        elif op == "contains":
            mask &= series.map(lambda v, x=value: v is not None and x in list(v))
        else:
            raise PivotError(f"不支持的筛选方式“{op}”。")
    return df[mask.fillna(False).astype(bool)]


def aggregate(df: pd.DataFrame, dims: list[str], measure: str) -> pd.DataFrame:
    """Long form: one row per combination of `dims`, with 分子, 分母 (rates) and 值."""
    if measure not in MEASURES:
        raise PivotError(f"未知的指标“{measure}”。")
    m = MEASURES[measure]
    missing = [c for c in (*m.needs, *dims) if c not in df.columns]
    if missing:
        raise PivotError(f"该数据集没有列“{missing[0]}”，不能计算“{m.label}”或按它分组。")
    keys = pd.DataFrame({d: _labels(df[d]) for d in dims}, index=df.index)
    if m.parts is None:
        work = keys.assign(_v=df["entity_code"])
        grouped = work.groupby(dims, sort=True)["_v"].nunique() if dims else None
        if grouped is None:
            return pd.DataFrame({"值": [work["_v"].nunique()]})
        return grouped.rename("值").reset_index()
    num, den = m.parts(df)
    work = keys.assign(_n=num.values)
    if den is not None:
        work = work.assign(_d=den.values)
    if dims:
        summed = work.groupby(dims, sort=True).sum(numeric_only=True).reset_index()
    else:
        summed = pd.DataFrame([work[[c for c in ("_n", "_d") if c in work]].sum()])
    if den is None:
        return summed.rename(columns={"_n": "值"})
    summed["值"] = [(n / d if d else None) for n, d in zip(summed["_n"], summed["_d"], strict=True)]
    return summed.rename(columns={"_n": "分子", "_d": "分母"})


def pivot(
    view_df: pd.DataFrame,
    rows: list[str],
    columns: list[str] | None,
    measure: str,
    filters: list[dict] | None = None,
    *,
    totals: bool = False,
) -> pd.DataFrame:
    """A wide table: row dimensions as the first columns, one value column per column-dimension value.

    Without column dimensions the single value column is named after the measure. With `totals`, a
    合计 row (and a 合计 column when there are column dimensions) is computed over the filtered rows, so a
    rate's total is its overall ratio, not a sum of cells. Labels are text (是/否, ISO dates, （空）).
    """
    rows, columns = list(rows or []), list(columns or [])
    if set(rows) & set(columns):
        raise PivotError("同一列不能同时作为行和列，请重新选择。")
    if measure not in MEASURES:
        raise PivotError(f"未知的指标“{measure}”。")
    label = MEASURES[measure].label
    is_rate = MEASURES[measure].is_rate
    data = apply_filters(view_df, filters)
    long = aggregate(data, rows + columns, measure)

    def widen(frame: pd.DataFrame, row_dims: list[str]) -> pd.DataFrame:
        if not columns:
            out = frame[row_dims + ["值"]].rename(columns={"值": label})
            return out
        frame = frame.assign(_col=frame[columns].astype(str).agg(SEPARATOR.join, axis=1))
        if row_dims:
            wide = frame.pivot_table(
                index=row_dims, columns="_col", values="值", aggfunc="first", dropna=False
            )
            if not is_rate:
                wide = wide.fillna(0).astype("int64")
            wide = wide.reset_index()
        else:
            wide = frame.set_index("_col")[["值"]].T.reset_index(drop=True)
        wide.columns.name = None
        return wide

    result = widen(long, rows) if rows else widen(long, [])
    if not rows and not columns:
        result = pd.DataFrame({label: long["值"]})
    if columns:
        value_columns = [c for c in result.columns if c not in rows]
    else:
        value_columns = [label]
    if totals:
        if columns:
            by_row = aggregate(data, rows, measure) if rows else aggregate(data, [], measure)
            if rows:
                result = result.merge(
                    by_row[rows + ["值"]].rename(columns={"值": TOTAL}), on=rows, how="left"
                )
            else:
                result[TOTAL] = by_row["值"].iloc[0]
        if rows:
            total_row = {r: (TOTAL if i == 0 else "") for i, r in enumerate(rows)}
            if columns:
                by_col = widen(aggregate(data, columns, measure), [])
                for c in value_columns:
                    total_row[c] = by_col[c].iloc[0] if c in by_col else (None if is_rate else 0)
                total_row[TOTAL] = aggregate(data, [], measure)["值"].iloc[0]
            else:
                total_row[label] = aggregate(data, [], measure)["值"].iloc[0]
            result = pd.concat([result, pd.DataFrame([total_row])], ignore_index=True)
    result = result.astype({c: "object" for c in value_columns if c in result.columns})
    result = result.where(result.notna(), None)
    result.attrs.update(
        rows=rows,
        columns=columns,
        measure=measure,
        label=label,
        value_columns=value_columns,
        totals=totals,
    )
    return result


CHART_KINDS = {"bar": "柱状图", "line": "折线图", "heatmap": "热力图"}


def figure(
    pivot_df: pd.DataFrame,
    kind: str = "bar",
    *,
    title: str | None = None,
    color_map: dict[str, str] | None = None,
) -> go.Figure:
    """A Plotly chart of a `pivot()` result (its 合计 row and column left out).

    `color_map` gives series colours by column value (e.g. the product's grade colours A–D).
    """
    attrs = pivot_df.attrs
    rows = attrs.get("rows", [])
    value_columns = [c for c in attrs.get("value_columns", []) if c != TOTAL]
    label = attrs.get("label", "")
    df = pivot_df
    if rows and attrs.get("totals"):
        df = df[df[rows[0]] != TOTAL]
    if df.empty:  # nothing after the filters: an empty chart (the page says so), not a crash
        x = []
    elif rows:
        x = df[rows].astype(str).agg(SEPARATOR.join, axis=1).tolist()
    else:
        x = [label] * len(df)
    fig = go.Figure()
    if kind == "heatmap":
        z = [[_num(v) for v in df[c]] for c in value_columns]
        fig.add_trace(
            go.Heatmap(
                z=[list(r) for r in zip(*z, strict=True)] if z else [],
                x=value_columns,
                y=x,
                colorscale="Blues",
                texttemplate="%{z:.0%}" if _is_rate(attrs) else "%{z}",
                hoverongaps=False,
                colorbar={"title": label},
                hovertemplate="%{y} · %{x}：%{z}<extra></extra>",
            )
        )
        fig.update_yaxes(type="category", autorange="reversed")
        fig.update_xaxes(type="category")
    elif kind in ("bar", "line"):
        for c in value_columns:
            y = [_num(v) for v in df[c]]
            colour = (color_map or {}).get(str(c))
            if kind == "bar":
                fig.add_trace(go.Bar(name=str(c), x=x, y=y, marker_color=colour))
            else:
                fig.add_trace(
                    go.Scatter(
                        name=str(c),
                        x=x,
                        y=y,
                        mode="lines+markers",
                        marker_color=colour,
                        line_color=colour,
                    )
                )
        fig.update_layout(barmode="group", yaxis_title=label)
        fig.update_xaxes(type="category")
        if _is_rate(attrs):
            fig.update_yaxes(tickformat=".0%")
    else:
        raise PivotError(f"不支持的图表类型“{kind}”，可选：柱状图、折线图、热力图。")
    fig.update_layout(
        title=title or label,
        legend_title_text=SEPARATOR.join(attrs.get("columns", [])) or None,
        margin={"l": 40, "r": 20, "t": 50, "b": 40},
        font={"family": "WenQuanYi Micro Hei, Noto Sans CJK SC, Microsoft YaHei, sans-serif"},
    )
    return fig


def _is_rate(attrs: dict) -> bool:
    measure = MEASURES.get(attrs.get("measure", ""))
    return bool(measure and measure.is_rate)


def _num(value):
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value


def figure_html(fig: go.Figure) -> bytes:
    """A self-contained HTML file of the chart (plotly.js inlined: works without internet)."""
    return fig.to_html(include_plotlyjs=True, full_html=True).encode("utf-8")
