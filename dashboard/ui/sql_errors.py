"""DuckDB's English error details in Chinese for the 自助分析 console (issue 12 point 1).

dashboard.analysis.console already says in Chinese what kind of error it was and appends DuckDB's first
line ("Binder Error: Referenced column …"). `split` turns the known details into Chinese and keeps an
unknown one apart, so the page shows one Chinese sentence and offers the original only in a folded
技术细节 box."""

from __future__ import annotations

import re

_PATTERNS: tuple[tuple[str, str], ...] = (
    (r'Referenced column "?([^"\s]+)"? not found', "找不到列“{0}”"),
    (r"Table with name ([^\s!]+) does not exist", "找不到表或视图“{0}”"),
    (
        r"(?:Scalar |Table |Aggregate )?Function with name ([^\s!]+) does not exist",
        "找不到函数“{0}”",
    ),
    (r'syntax error at or near "([^"]*)"', "在“{0}”附近有语法错误"),
    (r"syntax error at end of input", "语句不完整（结尾缺少内容）"),
    (r"Could not convert string '([^']*)' to ([A-Z0-9]+)", "无法把“{0}”转换为 {1} 类型"),
    (
        r"No function matches the given name and argument types '([^']*)'",
        "函数“{0}”的参数类型不匹配",
    ),
    (
        r'column "?([^"\s]+)"? must appear in the GROUP BY clause',
        "列“{0}”须出现在 GROUP BY 中或放进聚合函数",
    ),
    (r"Ambiguous reference to column name \"?([^\"\s]+)\"?", "列名“{0}”有歧义，请加上表名"),
    (r"Conversion Error", "数据类型转换失败"),
    (r"Division by zero", "除数为零"),
)

_PREFIX = re.compile(r"^(?:[A-Z][A-Za-z ]*?) Error: ")


def split(message: str) -> tuple[str, str | None]:
    """(Chinese message, original English detail or None)."""
    head, sep, detail = message.partition("：")
    if not sep or not re.search(r"[A-Za-z]{3,}", detail):
        return message, None
    text = _PREFIX.sub("", detail.strip())
    for pattern, chinese in _PATTERNS:
        match = re.search(pattern, text)
        if match:
            return f"{head}：{chinese.format(*match.groups())}。", detail
    return f"{head}。", detail
