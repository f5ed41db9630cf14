"""Shared widgets: KPI cards, colour maps, Plotly helpers, tables with downloads, problems, errors.

Charts use Plotly through st.plotly_chart (bundled with Streamlit, no CDN). Fonts: a CJK-capable font
stack so Chinese labels render on the intranet machines (DESIGN.md §7).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from functools import partial

import pandas as pd
import streamlit as st

from dashboard.reports.safe import to_csv_bytes, to_xlsx_bytes
from dashboard.ui.i18n import t

# -- colours ---------------------------------------------------------------------------------------
# Credit-risk grades (A best … D worst, U = no grade) — used by every chart and table of grades.
GRADE_COLORS: dict[str, str] = {
    "AAA": "#1a7f37",
    "AA": "#2da44e",
    "A": "#2da44e",
    "B": "#4c8bf5",
    "C": "#f0a020",
    "D": "#d1242f",
    "U": "#9aa4b2",
}
GRADE_ORDER = ["A", "B", "C", "D", "U"]

# Timeliness of entry / publication / backfill.
TIMELINESS_COLORS: dict[str, str] = {
    "on_time": "#2da44e",
    "late": "#f0a020",
    "overdue": "#d1242f",
    "pending": "#9aa4b2",
    "按时": "#2da44e",
    "逾期完成": "#f0a020",
    "超期未办": "#d1242f",
    "未到期": "#9aa4b2",
}

# KPI status → (border/text colour, background)
STATUS_COLORS: dict[str, tuple[str, str]] = {
    "达标": ("#1a7f37", "#e9f6ec"),
    "预警": ("#9a6700", "#fff8e1"),
    "未达标": ("#cf222e", "#fdecee"),
}
NEUTRAL = ("#57606a", "#f4f6f8")

# A sober sequence for categories that are not grades or timeliness (units, items …).
SEQUENCE = ["#2f5d8a", "#5b8cc0", "#8fb3d9", "#6e7f91", "#a9b7c6", "#3d7a6e", "#c08a3e", "#8a5a9c"]

FONT_FAMILY = (
    '"Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Source Han Sans SC", '
    "SimHei, sans-serif"
)

STATUS_LABEL_KEYS = {
    "达标": "common.status.ok",
    "预警": "common.status.warn",
    "未达标": "common.status.fail",
}


# A list longer than this shows its first rows on screen (and says so); the downloads carry all rows.
SHOWN_ROWS = 500
# Shown for a missing value in tables (e.g. a rate whose denominator is zero), instead of "None".
MISSING = "—"
# download types of the Office files the pages offer
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def kpi_card(
    label: str,
    value_text: str,
    target_text: str | None = None,
    status: str | None = None,
    detail: str | None = None,
    help: str | None = None,  # noqa: A002 - mirrors Streamlit's parameter name
    link_page: str | None = None,
    *,
    key: str | None = None,
    link_query: Mapping[str, str] | None = None,
    no_data: bool = False,
) -> None:
    """One KPI: big value, target, coloured status, numerator/denominator and a link to its drill-down.

    `status` is '达标' | '预警' | '未达标' | None; `link_page` a page file path such as
    "pages/timeliness.py" (shown only when that page is in the current navigation), opened with the
    query parameters `link_query` (e.g. ?list=entry_overdue: the list behind the number). Without a
    status the card reads 暂无数据 when `no_data` (a ratio over nothing, 0/0), else 不考核 (no target).
    """
    colour, background = STATUS_COLORS.get(status or "", NEUTRAL)
    if status is None and no_data:
        status_text = t("common.status.no_data")
    else:
        status_text = t(STATUS_LABEL_KEYS.get(status or "", "common.status.none"))
    with st.container(border=True, key=key):
        st.markdown(
            f'<div style="border-left:6px solid {colour};background:{background};'
            f'padding:0.25rem 0.6rem;border-radius:4px;color:{colour};font-weight:600">'
            f"{_escape(status_text)}</div>",
            unsafe_allow_html=True,
        )
        st.metric(label, value_text, help=help)
        lines = []
        if target_text:
            lines.append(f"{t('common.kpi.target')}：{target_text}")
        if detail:
            lines.append(detail)
        if lines:
            st.caption("　".join(lines))
        if link_page:
            try:
                st.page_link(
                    link_page,
                    label=t("common.kpi.details"),
                    icon=":material/arrow_forward:",
                    query_params=dict(link_query) if link_query else None,
                )
            except Exception:  # page not in this user's navigation (or not built yet)
                pass


def _escape(text: str) -> str:
    return (
        str(text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
    )


# -- charts ----------------------------------------------------------------------------------------
# the unit an axis title carries, by how its column's name ends (first match wins)
AXIS_UNITS: tuple[tuple[str, str], ...] = (
    ("率", "%"),
    ("占比", "%"),
    ("户次", "户次"),
    ("户数", "户"),
    ("次数", "次"),
    ("人数", "人"),
    ("件数", "件"),
    ("预警数", "条"),
    ("总分", "分"),
    ("风险指数", "0–100"),
    ("天数", "天"),
)


def axis_title(name: str | None) -> str | None:
    """An axis title with its unit: '覆盖率' → '覆盖率（%）', '检查户数' → '检查户数（户）'."""
    if not name:
        return None
    if "（" in name:
        return name
    for ending, unit in AXIS_UNITS:
        if name.endswith(ending):
            return f"{name}（{unit}）"
    return name


def _is_date(df: pd.DataFrame, col) -> bool:
    """A column of dates (datetime64, or Python dates in an object column)."""
    if not isinstance(col, str) or col not in df.columns:
        return False
    if pd.api.types.is_datetime64_any_dtype(df[col]):
        return True
    first = df[col].dropna().head(1).tolist()
    if not first:
        return False
    if isinstance(first[0], date):
        return True
    # text Plotly reads as dates ("2026-01", "2026-01-31")
    return isinstance(first[0], str) and bool(re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", first[0]))


def _layout(
    fig,
    title: str | None = None,
    height: int | None = None,
    *,
    x_title: str | None = None,
    y_title: str | None = None,
    x_is_date: bool = False,
):
    # the title sits at the very top and the legend row below it, so they never overlap
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "y": 1, "yanchor": "top", "pad": {"t": 6}}
        if title
        else None,
        font={"family": FONT_FAMILY, "size": 13},
        margin={"l": 10, "r": 10, "t": 72 if title else 10, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "title": None},
        colorway=SEQUENCE,
        plot_bgcolor="white",
        separators=".,",
    )
    if height:
        fig.update_layout(height=height)
    fig.update_xaxes(gridcolor="#e6e9ee", title=x_title)
    fig.update_yaxes(gridcolor="#e6e9ee", title=y_title)
    if x_is_date:  # Chinese dates, never Plotly's English month names ("Jan 2026")
        fig.update_xaxes(tickformat="%Y年%-m月", hoverformat="%Y年%-m月%-d日")
    return fig


def bar(
    df: pd.DataFrame,
    x: str,
    y: str | Sequence[str],
    *,
    color: str | None = None,
    color_map: Mapping[str, str] | None = None,
    title: str | None = None,
    orientation: str = "v",
    barmode: str = "relative",
    height: int | None = 360,
    text: str | None = None,
    labels: Mapping[str, str] | None = None,
    x_title: str | None = None,
    y_title: str | None = None,
):
    """A Plotly bar figure with the product's fonts and colours (pass GRADE_COLORS etc. as color_map).

    Axis titles default to the column names with their units (`axis_title`); a chart of several
    columns passes `y_title` (or `x_title` for horizontal bars)."""
    import plotly.express as px

    kwargs = {}
    if color_map:
        kwargs["color_discrete_map"] = dict(color_map)
    fig = px.bar(
        df,
        x=x if orientation == "v" else y,
        y=y if orientation == "v" else x,
        color=color,
        orientation=orientation,
        barmode=barmode,
        text=text,
        labels=dict(labels or {}),
        color_discrete_sequence=SEQUENCE,
        **kwargs,
    )
    if text and color is None:  # one series: numbers above the bars stay legible on short bars
        fig.update_traces(textposition="outside", cliponaxis=False)
    category, value = (x, y) if orientation == "v" else (y, x)
    value_title = y_title if orientation == "v" else x_title
    category_title = x_title if orientation == "v" else y_title
    titles = (
        axis_title(category_title or (category if isinstance(category, str) else None)),
        axis_title(value_title or (value if isinstance(value, str) else None)),
    )
    x_axis, y_axis = titles if orientation == "v" else titles[::-1]
    return _layout(fig, title, height, x_title=x_axis, y_title=y_axis, x_is_date=_is_date(df, x))


def line(
    df: pd.DataFrame,
    x: str,
    y: str | Sequence[str],
    *,
    color: str | None = None,
    color_map: Mapping[str, str] | None = None,
    title: str | None = None,
    height: int | None = 360,
    markers: bool = True,
    labels: Mapping[str, str] | None = None,
    x_title: str | None = None,
    y_title: str | None = None,
):
    """A Plotly line figure; axis titles as for `bar`, date axes in Chinese."""
    import plotly.express as px

    kwargs = {"color_discrete_map": dict(color_map)} if color_map else {}
    fig = px.line(
        df,
        x=x,
        y=y,
        color=color,
        markers=markers,
        labels=dict(labels or {}),
        color_discrete_sequence=SEQUENCE,
        **kwargs,
    )
    return _layout(
        fig,
        title,
        height,
        x_title=axis_title(x_title or (x if isinstance(x, str) else None)),
        y_title=axis_title(y_title or (y if isinstance(y, str) else None)),
        x_is_date=_is_date(df, x),
    )


def heatmap(
    df: pd.DataFrame,
    x: str,
    y: str,
    z: str,
    *,
    title: str | None = None,
    height: int | None = 420,
    colorscale: str | list = "Blues",
    text_format: str = ".0f",
):
    """A heatmap from long data (x, y, z columns), values written in the cells."""
    import plotly.graph_objects as go

    pivot = df.pivot_table(index=y, columns=x, values=z, aggfunc="sum")
    fig = go.Figure(
        go.Heatmap(
            z=pivot.values,
            x=[str(c) for c in pivot.columns],
            y=[str(i) for i in pivot.index],
            colorscale=colorscale,
            texttemplate="%{z:" + text_format + "}",
            hoverongaps=False,
        )
    )
    return _layout(fig, title, height)


def show_chart(fig, *, key: str | None = None) -> None:
    """Render a Plotly figure full width, without the Plotly logo link."""
    st.plotly_chart(fig, width="stretch", key=key, config={"displaylogo": False, "locale": "zh-CN"})


# -- tables ----------------------------------------------------------------------------------------
def download_buttons(df: pd.DataFrame, basename: str, *, key: str) -> None:
    """CSV (UTF-8 BOM) and XLSX downloads of df, formula-injection safe.

    The files are built only when a button is clicked (Streamlit runs the callable then, on a thread of
    its own), never on a rerun: building the XLSX of a 100,000-row list takes seconds (issue 17)."""
    row = st.container(horizontal=True, gap="small")
    if callable(df):  # a list queried only when its download is clicked (metrics.base.HeadRows)
        csv_data, xlsx_data = (lambda: to_csv_bytes(df())), (lambda: to_xlsx_bytes(df()))
    else:
        csv_data, xlsx_data = partial(to_csv_bytes, df), partial(to_xlsx_bytes, df)
    row.download_button(
        t("common.download.csv"),
        data=csv_data,
        file_name=f"{basename}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        icon=":material/download:",
        on_click="ignore",
    )
    row.download_button(
        t("common.download.xlsx"),
        data=xlsx_data,
        file_name=f"{basename}.xlsx",
        mime=XLSX_MIME,
        key=f"{key}_xlsx",
        icon=":material/download:",
        on_click="ignore",
    )


def data_table(
    df: pd.DataFrame,
    key: str,
    download_basename: str | None = None,
    *,
    column_config: Mapping | None = None,
    height: int | str | None = "auto",
    hide_index: bool = True,
    empty: str | None = None,
    empty_ok: bool = False,
) -> None:
    """st.dataframe plus CSV/XLSX downloads of every row.

    A list longer than `SHOWN_ROWS` shows its first rows (the list's own order: what matters first)
    with a line saying how many there are; the downloads always carry the whole list (issue 17).
    An empty list shows `empty` (what empty means for this list, e.g. 没有超期未录入的检查结果), as good
    news (green) when `empty_ok`, else the generic 没有符合条件的记录."""
    everything = df
    if hasattr(df, "fetch_all"):  # metrics.base.HeadRows: first rows + count from SQL (issue 17)
        everything, total, df = df.fetch_all, df.total, df.first_rows
    else:
        total = 0 if df is None else len(df)
    if df is None or df.empty:
        (st.success if empty_ok and empty else st.info)(empty or t("common.table.empty"))
        return
    shown = df if len(df) <= SHOWN_ROWS else df.head(SHOWN_ROWS)
    if total > len(shown):
        st.caption(t("common.table.first_rows", shown=len(shown), total=total))
    frame = first_columns(display_frame(shown))
    st.dataframe(
        frame,
        key=key,
        hide_index=hide_index,
        width="stretch",
        height=table_height(len(frame)) if height == "auto" else height,
        column_config=auto_column_config(frame) | dict(column_config or {}),
        placeholder=MISSING,
    )
    if download_basename:
        download_buttons(everything, download_basename, key=f"{key}_dl")


# -- column configuration (issue 12 point 3) -------------------------------------------------------
# what a list answers first: who, what, then the deadline and how late (these move to the front)
DEADLINE_WORDS = ("逾期", "超期", "剩余工作日", "期限", "截止")
WHO_WHAT = (
    "单位",
    "单位名称",
    "责任单位",
    "牵头单位",
    "任务",
    "任务名称",
    "名称",
    "检查对象",
    "主体名称",
)
LONG_TEXT_WORDS = (
    "备注",
    "说明",
    "原因",
    "问题",
    "依据",
    "地址",
    "内容",
    "结果",
    "名称",
    "事项",
    "定义",
)
CODE_WORDS = ("编码", "代码", "编号", "序号", "行号", "等级", "年度", "状态")
MAX_TABLE_ROWS = 16  # rows shown without scrolling inside the table
ROW_PX = 35


def table_height(rows: int) -> int | str:
    """Tall enough to read: every row up to MAX_TABLE_ROWS, then the table scrolls."""
    if rows <= 0:
        return "auto"
    return ROW_PX * (min(rows, MAX_TABLE_ROWS) + 1) + 3


def first_columns(df: pd.DataFrame) -> pd.DataFrame:
    """Who and what first, then deadline and how late, then the rest in their own order."""
    cols = list(df.columns)
    if len(cols) <= 4:
        return df
    who = [c for c in cols if str(c) in WHO_WHAT][:2]
    late = [c for c in cols if c not in who and any(w in str(c) for w in DEADLINE_WORDS)]
    if not late or cols.index(late[0]) < 4:  # already visible without scrolling
        return df
    order = [c for c in cols[:1] if c not in who] + who + late
    order += [c for c in cols if c not in order]
    return df[order]


def auto_column_config(df: pd.DataFrame) -> dict:
    """Widths and Chinese number formats by column name: rates and shares as percentages, counts with
    thousands separators, long text wide, codes narrow. A page's own column_config wins."""
    config: dict = {}
    for col in df.columns:
        name = str(col)
        series = df[col]
        numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
        if numeric and (name.endswith("率") or name.endswith("占比")):
            config[col] = st.column_config.NumberColumn(name, format="percent", width="small")
        elif (
            numeric
            and pd.api.types.is_integer_dtype(series)
            and not any(w in name for w in CODE_WORDS)
        ):
            config[col] = st.column_config.NumberColumn(name, format="localized", width="small")
        elif numeric:
            config[col] = st.column_config.NumberColumn(name, width="small")
        elif any(w in name for w in LONG_TEXT_WORDS) and _long_text(series):
            config[col] = st.column_config.TextColumn(name, width="large")
        elif any(w in name for w in CODE_WORDS) or any(w in name for w in DEADLINE_WORDS):
            config[col] = st.column_config.TextColumn(name, width="small")
    return config


def _long_text(series: pd.Series) -> bool:
    sample = series.dropna().astype(str).head(50)
    return not sample.empty and sample.str.len().max() > 12


# codes shown with their labels: 处置措施 "3" → "3 责令限期整改", 结果代码 "1;A" → "1 未发现问题；A …"
def _code_labels() -> dict[str, dict[str, str]]:
    from dashboard.domain.codes import FOLLOWUP_MEASURES, RESULT_CODES

    results = {code: rc.label for code, rc in RESULT_CODES.items()}
    return {"处置措施": dict(FOLLOWUP_MEASURES), "结果代码": results, "检查结果": results}


def _with_labels(value, labels: Mapping[str, str]):
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return value
    if hasattr(value, "tolist") and not isinstance(value, str):
        value = value.tolist()
    parts = value if isinstance(value, list | tuple) else re.split(r"[;；]", str(value))
    out = []
    for part in parts:
        code = str(part).strip()
        if not code:
            continue
        label = labels.get(code)
        out.append(f"{code} {label}" if label and label not in code else code)
    return "；".join(out)


def display_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy for showing: empty text instead of None/NaT in text and date-time columns, lists joined."""
    out = df.copy()
    code_labels = _code_labels()
    for col in out.columns:
        if str(col) in code_labels and not pd.api.types.is_numeric_dtype(out[col]):
            out[col] = out[col].map(lambda v, m=code_labels[str(col)]: _with_labels(v, m))
        series = out[col]
        if isinstance(series.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(
            series
        ):
            has_time = (series.dropna().dt.normalize() != series.dropna()).any()
            out[col] = series.dt.strftime("%Y-%m-%d %H:%M:%S" if has_time else "%Y-%m-%d").fillna(
                ""
            )
        elif isinstance(
            series.dtype, pd.api.extensions.ExtensionDtype
        ) and pd.api.types.is_integer_dtype(series):
            if series.isna().any():  # nullable integers (e.g. a row number): blank instead of None
                out[col] = series.map(lambda v: "" if pd.isna(v) else str(int(v)))
        elif pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series):
            out[col] = series.astype(object).map(_cell_text)
    return out


def _cell_text(value) -> str:
    """One cell of a text column as text: '' for missing, lists joined, dates ISO (Arrow needs one type)."""
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return ""
    if hasattr(value, "tolist") and not isinstance(value, str):
        value = value.tolist()
    if isinstance(value, list | tuple):
        return "；".join("" if v is None else str(v) for v in value)
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value)


PROBLEM_COLUMNS = {
    "severity": "common.problems.severity",
    "file": "common.problems.file",
    "table": "common.problems.table",
    "row": "common.problems.row",
    "column": "common.problems.column",
    "value": "common.problems.value",
    "message": "common.problems.message",
}


def show_problems(
    problems: pd.DataFrame, *, key: str = "problems", counts: tuple[int, int] | None = None
) -> None:
    """A validation problem table (file, row, column, value, message) with Chinese headers and downloads.
    `counts`: (errors, warnings) in all, when the table lists only the first of them."""
    if problems is None or problems.empty:
        st.success(t("common.problems.none"))
        return
    frame = problems.copy()
    level = next((c for c in ("severity", "级别") if c in frame.columns), None)
    if counts is not None:
        st.warning(t("common.problems.summary", errors=counts[0], warnings=counts[1]))
    elif level is not None:
        errors = int(frame[level].astype(str).str.lower().isin(["error", "错误"]).sum())
        st.warning(t("common.problems.summary", errors=errors, warnings=len(frame) - errors))
    frame = frame.rename(
        columns={c: t(k) for c, k in PROBLEM_COLUMNS.items() if c in frame.columns}
    )
    data_table(frame, key=key, download_basename=t("common.problems.basename"))


def error(message: str) -> None:
    """One clear sentence, no traceback."""
    st.error(message, icon=":material/error:")
