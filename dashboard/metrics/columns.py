"""The Chinese header of every English column name the newer list queries return (one catalog).

Query files name their columns in English (``unit_code``, ``entry_deadline`` …); the list function
renames them with :func:`headed` before returning, so pages, downloads and reports show the same
Chinese headers. A column without a header here is an error (nothing English reaches the screen).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

HEADERS_ZH: dict[str, str] = {
    "unit_code": "单位编码",
    "unit_name": "单位",
    "task_code": "任务编码",
    "task_name": "任务名称",
    "task_status": "任务状态",
    "start_on": "任务开始日期",
    "entity_code": "主体编码",
    "entity_name": "名称",
    "inspected_on": "检查日期",
    "entered_on": "录入日期",
    "published_on": "公示日期",
    "entry_deadline": "录入期限",
    "workdays_left": "剩余工作日",
    "result_codes": "结果代码",
    "team": "检查人员",
    "team_size": "检查人数",
    "required": "应有人数",
    "measure_code": "处置措施",
    "due_on": "整改期限",
    "draw_id": "抽取编号",
    "draw_date": "抽取日期",
    "drawn_count": "抽中对象数",
    "days_early": "提前天数",
    "entries_due_soon": "录入即将到期",
    "followups_due_soon": "后续处理即将到期",
}


def headed(df: pd.DataFrame, overrides: Mapping[str, str] | None = None) -> pd.DataFrame:
    """``df`` with its English columns renamed to their Chinese headers (``overrides`` first)."""
    names = HEADERS_ZH | dict(overrides or {})
    missing = [c for c in df.columns if c not in names]
    if missing:
        raise KeyError(f"列没有中文表头：{', '.join(missing)}")
    return df.rename(columns=names)
