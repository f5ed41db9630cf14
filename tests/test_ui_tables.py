"""Lists that fit (issue 12 point 3): column order, column configuration, code labels, table height."""

from __future__ import annotations

import pandas as pd

from dashboard.ui.components import (
    MAX_TABLE_ROWS,
    auto_column_config,
    display_frame,
    first_columns,
    table_height,
)


def test_deadline_and_lateness_come_first():
    df = pd.DataFrame(
        {
            "任务编码": ["RW1"],
            "检查对象": ["某矿业公司"],
            "地址": ["赞皇镇"],
            "检查人员": ["甲；乙"],
            "检查日期": ["2026-10-01"],
            "录入期限": ["2026-10-29"],
            "逾期工作日": [3],
        }
    )
    cols = list(first_columns(df).columns)
    assert cols[:4] == ["任务编码", "检查对象", "录入期限", "逾期工作日"]


def test_codes_show_their_labels():
    df = pd.DataFrame({"处置措施": ["3", None], "结果代码": [["1"], "A;2"]})
    out = display_frame(df)
    assert out["处置措施"].iloc[0] == "3 责令限期整改"
    assert out["结果代码"].iloc[0] == "1 未发现问题"
    assert out["结果代码"].iloc[1].startswith("A 发现问题待后续处理；2 ")


def test_rates_are_numbers_formatted_as_percent_and_counts_localized():
    df = pd.DataFrame({"覆盖率": [0.052], "检查户数": [1998], "年度": [2026], "备注": ["x" * 40]})
    config = auto_column_config(df)
    assert config["覆盖率"]["type_config"]["format"] == "percent"
    assert config["检查户数"]["type_config"]["format"] == "localized"
    assert config["年度"]["type_config"].get("format") is None  # 2026, not 2,026
    assert config["备注"]["width"] == "large"


def test_tables_are_tall_enough():
    assert table_height(12) > table_height(5)  # 12 rows show 12 rows, not 5 of 12
    assert table_height(100) == table_height(MAX_TABLE_ROWS)
