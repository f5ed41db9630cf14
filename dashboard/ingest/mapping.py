"""Column mappings: a spreadsheet laid out the platform's or a unit's own way, read as one table.

A file is first recognised by its name or by its header (DESIGN.md §4). When its header fits no table,
the user maps its columns to one table's fields on 数据管理 (a proposal from the header names and the
synonyms below, a preview of the first rows). A mapping may be saved under a name; a later file whose
header holds the same column names reuses it, and the same validation then runs. A mapping is kept by
header text, not by position, so a file with its columns in another order still fits.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from dashboard.ingest import spec as S

# Header texts of the provincial platform's exports and of units' own registers, per column name
# (the column's own English and Chinese names always match). Proposals only: the user confirms them.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "entity_code": (
        "统一社会信用代码", "社会信用代码", "信用代码", "主体代码", "企业代码", "检查对象编码",
        "对象编码", "统一代码", "注册号", "许可证号",
    ),
    "name": ("企业名称", "主体名称", "检查对象名称", "对象名称", "单位名称", "名称", "姓名"),
    "entity_kind": ("主体类型", "企业类型", "对象类型", "类型"),
    "town": ("乡镇", "所属乡镇", "街道", "乡镇街道", "所在乡镇"),
    "address": ("地址", "住所", "经营地址", "注册地址", "详细地址"),
    "tags": ("标签", "事项标签", "抽查事项编码"),
    "status": ("登记状态", "经营状态", "状态", "主体状态"),
    "registered_on": ("成立日期", "注册日期", "登记日期", "设立日期"),
    "task_code": ("任务编号", "任务代码", "抽查任务编号", "抽查任务编码", "任务编码"),
    "task_name": ("任务名称", "抽查任务名称"),
    "inspectors": ("执法人员", "检查人员", "执法人员编号", "检查人员编号", "检查人员编码"),
    "inspector_code": ("执法人员编号", "人员编号", "检查人员编码", "执法证号"),
    "inspected_on": (
        "检查日期", "检查时间", "检查完成日期", "检查结束时间", "实施日期", "检查完成时间",
    ),
    "result_codes": ("检查结果", "抽查结果", "结果", "检查结果代码", "结果代码"),
    "entered_on": ("录入日期", "录入时间", "结果录入日期", "填报日期", "录入系统日期"),
    "published_on": ("公示日期", "公示时间", "结果公示日期", "公开日期"),
    "note": ("备注", "说明", "检查情况", "问题描述"),
    "unit_code": ("单位编码", "科室编码", "部门编码"),
    "unit_name": ("单位名称", "科室名称", "部门名称"),
    "lead_unit": ("牵头单位", "牵头科室", "实施单位"),
    "measure_code": ("处置措施", "处理措施", "后续处置"),
    "responsible_unit": ("责任单位", "承办单位"),
    "due_on": ("整改期限", "整改截止日期"),
    "backfilled_on": ("回填日期", "结果回填日期"),
    "revisit_on": ("回访日期", "复查日期"),
    "revisit_result": ("回访结果", "复查结果"),
    "period": ("评价期", "分类期", "评定年月"),
    "grade": ("信用等级", "风险等级", "分类等级", "等级"),
    "score": ("风险分值", "信用分值", "分值", "得分"),
}  # fmt: skip


def normal(text: Any) -> str:
    """A header cell as compared: trimmed, inner spaces and a trailing ':'/'*' (required mark) dropped."""
    if text is None:
        return ""
    out = str(text).replace("\ufeff", "").replace("\u3000", " ").strip()
    out = "".join(out.split())
    return out.rstrip("*:：").lstrip("*")


def signature(header: list[Any]) -> tuple[str, ...]:
    """The header's column names as a mapping is matched: non-empty, normalised, sorted."""
    return tuple(sorted({normal(h) for h in header if normal(h)}))


@dataclass
class ColumnMapping:
    """Which header text feeds each field of `table` (fields without a column are left out)."""

    table: str
    columns: dict[str, str]  # field -> header text (normalised)
    name: str | None = None
    header: tuple[str, ...] = ()  # the signature of the header it was saved for
    created_by: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def missing_required(self) -> list[str]:
        spec = S.SPECS[self.table]
        return [c for c in spec.required if c not in self.columns]

    def fits(self, header: list[Any]) -> bool:
        present = {normal(h) for h in header}
        return bool(self.columns) and all(v in present for v in self.columns.values())

    def header_for(self, header: list[Any]) -> list[str | None]:
        """The file's header rewritten as field names (a column no field takes becomes None)."""
        by_text = {v: k for k, v in self.columns.items()}
        out: list[str | None] = []
        taken: set[str] = set()
        for h in header:
            name = by_text.get(normal(h))
            if name is not None and name not in taken:
                out.append(name)
                taken.add(name)
            else:
                out.append(None)
        return out


def _names(col: S.Column) -> list[str]:
    return [normal(col.name), normal(col.zh), *(normal(s) for s in SYNONYMS.get(col.name, ()))]


def propose(header: list[Any], table: str) -> dict[str, str]:
    """A proposal for `table`: for each field, the first header cell named like it (its English or
    Chinese name first, then its synonyms in order); each header cell serves one field at most."""
    cells = [normal(h) for h in header]
    present = [c for c in cells if c]
    taken: set[str] = set()
    out: dict[str, str] = {}
    for rank in range(0, 12):  # rank 0 = English name, 1 = Chinese name, 2.. = synonyms in order
        for col in S.SPECS[table].columns:
            if col.name in out:
                continue
            names = _names(col)
            if rank < len(names) and names[rank] in present and names[rank] not in taken:
                out[col.name] = names[rank]
                taken.add(names[rank])
    return {c.name: out[c.name] for c in S.SPECS[table].columns if c.name in out}


def best_table(header: list[Any]) -> str | None:
    """The table whose fields a proposal covers best: required fields first, then any field."""
    best, best_score = None, (0, 0)
    for name, spec in S.SPECS.items():
        proposal = propose(header, name)
        required = sum(1 for c in spec.required if c in proposal)
        score = (required - len(spec.required), len(proposal))
        if proposal and (best is None or score > best_score):
            best, best_score = name, score
    return best


def fitting_tables(header: list[Any]) -> list[str]:
    """Tables this header is exactly a header of: every cell is one of the table's column names
    (English or Chinese) and every required column is there (DESIGN.md §4)."""
    cells = {normal(h) for h in header if normal(h)}
    if not cells:
        return []
    out = []
    for name, spec in S.SPECS.items():
        known = {normal(k) for k in S.header_map(spec)}
        lower = {k.lower() for k in known}
        if not all(c in known or c.lower() in lower for c in cells):
            continue
        named = {S.header_map(spec).get(c) or _lower_map(spec).get(c.lower()) for c in cells}
        if all(r in named for r in spec.required):
            out.append(name)
    return out


def _lower_map(spec: S.TableSpec) -> dict[str, str]:
    return {k.lower(): v for k, v in S.header_map(spec).items()}


# -- saved mappings (the import_mappings table, migration 010) -----------------------------------


def save_mapping(store, mapping: ColumnMapping, header: list[Any], *, actor: str) -> None:
    """Save (or replace) a named mapping for the header it was made for; audited."""
    name = (mapping.name or "").strip()
    if not name:
        raise ValueError("请为映射起一个名称，例如“省平台检查结果导出”。")
    if mapping.table not in S.SPECS:
        raise ValueError(f"未知的表：{mapping.table}。")
    missing = mapping.missing_required()
    if missing:
        spec = S.SPECS[mapping.table]
        raise ValueError(
            "以下必填字段还没有对应的列："
            + "、".join(spec.label(c) for c in missing)
            + "，请为它们选择列后再保存。"
        )
    sig = list(signature(header))
    with store.transaction() as cur:
        cur.execute(
            "INSERT INTO import_mappings (name, table_name, header, columns, created_by)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET"
            " table_name = excluded.table_name, header = excluded.header,"
            " columns = excluded.columns, created_by = excluded.created_by,"
            " created_at = current_localtimestamp()",
            [name, mapping.table, sig, json.dumps(mapping.columns, ensure_ascii=False), actor],
        )
        store.audit(
            cur,
            actor,
            "import.mapping",
            table_name="import_mappings",
            record_key=name,
            new_value={"table": mapping.table, "columns": mapping.columns},
        )


def delete_mapping(store, name: str, *, actor: str) -> bool:
    with store.transaction() as cur:
        found = cur.execute("SELECT count(*) FROM import_mappings WHERE name = ?", [name])
        if not found.fetchone()[0]:
            return False
        cur.execute("DELETE FROM import_mappings WHERE name = ?", [name])
        store.audit(
            cur, actor, "import.mapping.delete", table_name="import_mappings", record_key=name
        )
    return True


def load_mappings(store) -> list[ColumnMapping]:
    rows = store.rows(
        "SELECT name, table_name, header, columns, created_by FROM import_mappings ORDER BY name"
    )
    return [
        ColumnMapping(t, json.loads(cols), name=n, header=tuple(h), created_by=by)
        for n, t, h, cols, by in rows
    ]


def get_mapping(store, name: str) -> ColumnMapping | None:
    for m in load_mappings(store):
        if m.name == name:
            return m
    return None
