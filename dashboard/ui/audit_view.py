"""The audit log in words (issue 12 point 1): table names and the JSON of old/new values as Chinese
"字段：值" text, so 审计日志 never shows raw JSON with English keys. The raw JSON stays in the store and in
the download of the unformatted log (dashboard.store.audit_log.audit_entries)."""

from __future__ import annotations

import json

import pandas as pd

from dashboard.ingest.spec import SPECS

EXTRA_TABLES = {
    "users": "账号",
    "settings": "系统设置",
    "calendar_overrides": "工作日手工补录",
    "draws": "抽取记录",
    "draw_confirmations": "抽取名单确认",
    "import_log": "导入记录",
    "import_mappings": "导入列映射",
    "saved_queries": "保存的查询",
}

EXTRA_FIELDS = {
    "username": "用户名",
    "display_name": "姓名",
    "role": "角色",
    "unit_codes": "单位",
    "active": "启用",
    "must_change_password": "须修改密码",
    "locked_until": "锁定至",
    "key": "设置项",
    "value": "值",
    "day": "日期",
    "is_workday": "是否工作日",
    "draw_id": "抽取编号",
    "reason": "原因",
    "name": "名称",
    "sql": "查询语句",
    "rows": "行数",
    "added": "新增",
    "updated": "更新",
    "unchanged": "未变",
    "files": "文件",
    "mapping": "列映射",
}

ROLE_NAMES = {"admin": "办公室管理员", "leader": "领导", "unit": "单位用户", "readonly": "只读"}


def table_label(name) -> str:
    if name is None or (isinstance(name, float) and pd.isna(name)) or name == "":
        return ""
    spec = SPECS.get(str(name))
    if spec is not None:
        return spec.zh
    return EXTRA_TABLES.get(str(name), str(name))


def _field_labels() -> dict[str, str]:
    labels: dict[str, str] = {}
    for spec in SPECS.values():
        for column in spec.columns:
            labels.setdefault(column.name, column.zh)
    for spec in SPECS.values():  # a table's own name as a key: its Chinese name (demo counts)
        labels.setdefault(spec.name, spec.zh)
    return labels | EXTRA_FIELDS


FIELDS = _field_labels()


def _value_text(key: str, value) -> str:
    if value is None:
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if key == "role":
        return ROLE_NAMES.get(str(value), str(value))
    if isinstance(value, list):
        return "、".join(_value_text(key, v) for v in value) or "（无）"
    if isinstance(value, dict):
        return "；".join(f"{FIELDS.get(k, k)}：{_value_text(k, v)}" for k, v in value.items())
    return str(value)


def change_text(raw) -> str:
    """One JSON value of the audit log as "字段：值；…" (plain text stays as it is)."""
    if raw is None or (isinstance(raw, float) and pd.isna(raw)) or raw == "":
        return ""
    try:
        value = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return str(raw)
    if isinstance(value, dict):
        return "；".join(f"{FIELDS.get(k, k)}：{_value_text(k, v)}" for k, v in value.items())
    return _value_text("", value)


def readable(entries: pd.DataFrame) -> pd.DataFrame:
    """The audit entries with Chinese table names and old/new values in words."""
    out = entries.copy()
    if "table_name" in out.columns:
        out["table_name"] = out["table_name"].map(table_label)
    for col in ("old_value", "new_value"):
        if col in out.columns:
            out[col] = out[col].map(change_text)
    return out
