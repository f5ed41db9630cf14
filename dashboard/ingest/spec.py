"""The interchange format (DESIGN.md §4) as data: the single source for headers, templates, validation
and export.

Column types:
  text     free text (trimmed)
  date     YYYY-MM-DD (also 2026/5/1 as a spreadsheet re-saves it, and Excel date cells)
  bool     true/false, 1/0, 是/否
  int      whole number, with optional bounds
  number   decimal number, with optional bounds (risk score)
  ratio    exact decimal text in (0, 1], stored verbatim (the draw uses the decimal text)
  ratios   per-grade ratios `A:0.01;B:0.03;C:0.10;D:0.30` (grades A–D and U), stored normalised
  list     codes separated by `;` or `；`, trimmed, empties dropped
  period   YYYY-MM
  report_period  a report's period: YYYY-MM, YYYYQn, YYYYHn or YYYY (信息报送)

Required columns (DESIGN.md §4): each file's code columns — its key and the codes it refers to,
lists included — and its name column; they must be in the file. A key column with a default
(risk_grades.system) may be absent. Values: the columns the store cannot fill in itself (`not_null`:
the key, the name and every other NOT NULL column without a default, e.g. inspectors.unit_code,
plans.year, risk_grades.grade) must be non-empty; a reference that may be empty (items.owner_unit,
tasks.plan_code = 临时任务, list columns) must be present but may be empty. Every other column may be
absent (an existing row then keeps its stored value; a new row with an absent `not_null` column is an
error) or empty (the store default, or no value).

References are checked against the rows of the same import and the rows already stored. `tags` of
entities mixes item codes with free tags, so it is not checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dashboard.domain import codes

TEXT, DATE, BOOL, INT, NUMBER, RATIO, RATIOS, LIST, PERIOD, REPORT_PERIOD = (
    "text",
    "date",
    "bool",
    "int",
    "number",
    "ratio",
    "ratios",
    "list",
    "period",
    "report_period",
)

RATIO_GRADES = ("A", "B", "C", "D", "U")


@dataclass(frozen=True)
class Column:
    name: str
    zh: str
    type: str = TEXT
    required: bool = False  # the column must be in the file
    not_null: bool = False  # every row must have a value (a new row, when the column is absent)
    default: Any = None
    enum: tuple[str, ...] | None = None  # allowed values (for a list: allowed members)
    enum_labels: dict[str, str] | None = None  # Chinese label per allowed value, for messages
    ref: str | None = None  # referenced table (its key column has the same meaning)
    minimum: float | None = None
    maximum: float | None = None
    min_items: int = 0  # a list column: at least this many members (a task needs an item)


@dataclass(frozen=True)
class DateOrder:
    """later >= earlier when both are given: a working rule, so a breach is a warning (DESIGN.md §4)."""

    earlier: str
    later: str


@dataclass(frozen=True)
class TableSpec:
    name: str
    zh: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    date_orders: tuple[DateOrder, ...] = ()
    # a reference made of several columns: (columns here, referenced table)
    composite_refs: tuple[tuple[tuple[str, ...], str], ...] = ()
    example: dict[str, str] = field(default_factory=dict)

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def label(self, name: str) -> str:
        """The column as shown in messages: 中文名（english）."""
        return f"{self.column(name).zh}（{name}）"


def _c(
    name: str,
    zh: str,
    type: str = TEXT,
    *,
    required: bool = False,
    not_null: bool | None = None,
    **kw,
) -> Column:
    """required: the column must be present; not_null (default: same as required): values too."""
    return Column(
        name, zh, type, required=required, not_null=required if not_null is None else not_null, **kw
    )


TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        "units",
        "单位",
        (
            _c("unit_code", "单位编码", required=True),
            _c("unit_name", "单位名称", required=True),
            _c("unit_kind", "单位类型", enum=codes.UNIT_KINDS),
            _c("external", "是否外部门", BOOL, default=False),
        ),
        key=("unit_code",),
        example={
            "unit_code": "KCK",
            "unit_name": "矿产资源管理股",
            "unit_kind": "股室",
            "external": "否",
        },
    ),
    TableSpec(
        "items",
        "抽查事项",
        (
            _c("item_code", "事项编码", required=True),
            _c("item_name", "事项名称", required=True),
            _c("owner_unit", "责任单位", ref="units", required=True, not_null=False),
            _c("category", "事项类别", enum=codes.ITEM_CATEGORIES),
            _c("target_kind", "检查对象类型"),
            _c("legal_basis", "检查依据"),
            _c("min_inspectors", "最少检查人数", INT, default=2, minimum=1, maximum=20),
        ),
        key=("item_code",),
        example={
            "item_code": "ZR-KC-001",
            "item_name": "对采矿权人履行矿山地质环境保护与治理恢复义务的检查",
            "owner_unit": "KCK",
            "category": "重点",
            "target_kind": "采矿权人",
            "legal_basis": "《矿山地质环境保护规定》",
            "min_inspectors": "2",
        },
    ),
    TableSpec(
        "entities",
        "检查对象",
        (
            _c("entity_code", "主体编码", required=True),
            _c("name", "名称", required=True),
            _c("entity_kind", "主体类别"),
            _c("town", "乡镇"),
            _c("address", "地址"),
            _c("tags", "标签", LIST, default=()),
            _c("status", "状态", enum=codes.ENTITY_STATUSES, default="存续"),
            _c("registered_on", "成立日期", DATE),
            _c("closed_on", "注销日期", DATE),
        ),
        key=("entity_code",),
        date_orders=(DateOrder("registered_on", "closed_on"),),
        example={
            "entity_code": "91130129MA0CXKQ23C",
            "name": "赞皇县示例矿业有限公司",
            "entity_kind": "企业",
            "town": "赞皇镇",
            "address": "赞皇县赞皇镇示例路1号",
            "tags": "ZR-KC-001;矿山",
            "status": "存续",
            "registered_on": "2018-05-16",
            "closed_on": "",
        },
    ),
    TableSpec(
        "risk_grades",
        "信用风险",
        (
            _c("entity_code", "主体编码", required=True, ref="entities"),
            _c("period", "月份", PERIOD, required=True),
            _c("grade", "等级", not_null=True, enum=("AAA", "AA", "A", "B", "C", "D")),
            _c("score", "风险指数", NUMBER, minimum=0, maximum=100),
            _c("system", "分类体系", default=codes.RISK_SYSTEM),
        ),
        key=("entity_code", "period", "system"),
        example={
            "entity_code": "91130129MA0CXKQ23C",
            "period": "2026-10",
            "grade": "C",
            "score": "72.5",
            "system": "市场监管",
        },
    ),
    TableSpec(
        "inspectors",
        "执法人员",
        (
            _c("inspector_code", "人员编码", required=True),
            _c("name", "姓名", required=True),
            _c("unit_code", "单位编码", required=True, ref="units"),
            _c("cert_no", "执法证号"),
            _c("cert_valid_until", "执法证有效期", DATE),
            _c("specialties", "专长", LIST, default=(), ref="items", required=True, not_null=False),
            _c("active", "在岗", BOOL, default=True),
        ),
        key=("inspector_code",),
        example={
            "inspector_code": "P001",
            "name": "张明",
            "unit_code": "KCK",
            "cert_no": "冀执法13010001",
            "cert_valid_until": "2028-12-31",
            "specialties": "ZR-KC-001",
            "active": "是",
        },
    ),
    TableSpec(
        "conflicts",
        "回避关系",
        (
            _c("inspector_code", "人员编码", required=True, ref="inspectors"),
            _c("entity_code", "主体编码", required=True, ref="entities"),
            _c("reason", "原因"),
        ),
        key=("inspector_code", "entity_code"),
        example={
            "inspector_code": "P001",
            "entity_code": "91130129MA0CXKQ23C",
            "reason": "近亲属任职",
        },
    ),
    TableSpec(
        "checklists",
        "检查表单",
        (
            _c("item_code", "事项编码", required=True, ref="items"),
            _c("form_name", "表单名称", required=True),
            _c("added_on", "添加日期", DATE),
        ),
        key=("item_code", "form_name"),
        example={
            "item_code": "ZR-KC-001",
            "form_name": "矿山地质环境保护与治理恢复检查表",
            "added_on": "2026-01-05",
        },
    ),
    TableSpec(
        "plans",
        "年度计划",
        (
            _c("plan_code", "计划编码", required=True),
            _c("year", "年度", INT, not_null=True, minimum=2000, maximum=2100),
            _c("item_code", "事项编码", required=True, ref="items"),
            _c("unit_code", "单位编码", required=True, ref="units"),
            _c("base_count", "抽查基数", INT, minimum=0),
            _c("ratio", "抽查比例", RATIO),
            _c("grade_ratios", "分级比例", RATIOS),
            _c("planned_start", "计划开始日期", DATE),
            _c("planned_end", "计划结束日期", DATE),
            _c(
                "joint_units",
                "联合单位",
                LIST,
                default=(),
                ref="units",
                required=True,
                not_null=False,
            ),
            _c("status", "状态", enum=codes.PLAN_STATUSES, default="草案"),
            _c("published_on", "公开日期", DATE),
        ),
        key=("plan_code",),
        date_orders=(DateOrder("planned_start", "planned_end"),),
        example={
            "plan_code": "JH2026-01",
            "year": "2026",
            "item_code": "ZR-KC-001",
            "unit_code": "KCK",
            "base_count": "40",
            "ratio": "0.30",
            "grade_ratios": "A:0.10;B:0.20;C:0.30;D:0.50",
            "planned_start": "2026-03-01",
            "planned_end": "2026-11-10",
            "joint_units": "",
            "status": "已发布",
            "published_on": "2026-02-20",
        },
    ),
    TableSpec(
        "plan_changes",
        "计划调整",
        (
            _c("plan_code", "计划编码", required=True, ref="plans"),
            _c("changed_on", "调整日期", DATE, required=True),
            _c("field", "调整内容", required=True),
            _c("old_value", "原内容"),
            _c("new_value", "新内容"),
            _c("reason", "原因"),
            _c("republished_on", "重新公开日期", DATE),
        ),
        key=("plan_code", "changed_on", "field"),
        date_orders=(DateOrder("changed_on", "republished_on"),),
        example={
            "plan_code": "JH2026-01",
            "changed_on": "2026-06-01",
            "field": "计划结束日期",
            "old_value": "2026-10-31",
            "new_value": "2026-11-10",
            "reason": "汛期顺延",
            "republished_on": "2026-06-03",
        },
    ),
    TableSpec(
        "tasks",
        "抽查任务",
        (
            _c("task_code", "任务编码", required=True),
            _c("plan_code", "计划编码", ref="plans", required=True, not_null=False),
            _c("task_name", "任务名称", required=True),
            _c(
                "item_codes",
                "抽查事项",
                LIST,
                default=(),
                ref="items",
                required=True,
                not_null=False,
                min_items=1,
            ),
            _c("lead_unit", "牵头单位", required=True, ref="units"),
            _c(
                "partner_units",
                "配合单位",
                LIST,
                default=(),
                ref="units",
                required=True,
                not_null=False,
            ),
            _c(
                "joint_kind",
                "联合类型",
                enum=tuple(codes.JOINT_KINDS),
                enum_labels=codes.JOINT_KINDS,
                default="none",
            ),
            _c(
                "source",
                "来源",
                enum=tuple(codes.TASK_SOURCES),
                enum_labels=codes.TASK_SOURCES,
                default="plan",
            ),
            _c("uses_risk_grades", "运用信用分类", BOOL, default=False),
            _c("start_on", "开始日期", DATE),
            _c("end_on", "结束日期", DATE),
            _c(
                "status",
                "任务状态",
                enum=tuple(codes.TASK_STATUSES),
                enum_labels=codes.TASK_STATUSES,
                default="planned",
            ),
        ),
        key=("task_code",),
        date_orders=(DateOrder("start_on", "end_on"),),
        example={
            "task_code": "RW2026-01",
            "plan_code": "JH2026-01",
            "task_name": "2026年矿山地质环境保护与治理恢复检查",
            "item_codes": "ZR-KC-001",
            "lead_unit": "KCK",
            "partner_units": "",
            "joint_kind": "none",
            "source": "plan",
            "uses_risk_grades": "是",
            "start_on": "2026-04-01",
            "end_on": "2026-06-30",
            "status": "done",
        },
    ),
    TableSpec(
        "inspections",
        "检查结果",
        (
            _c("task_code", "任务编码", required=True, ref="tasks"),
            _c("entity_code", "主体编码", required=True, ref="entities"),
            _c(
                "inspectors",
                "检查人员",
                LIST,
                default=(),
                ref="inspectors",
                required=True,
                not_null=False,
            ),
            _c("inspected_on", "检查结束日期", DATE),
            _c(
                "result_codes",
                "结果代码",
                LIST,
                default=(),
                enum=tuple(codes.RESULT_CODES),
                enum_labels={c: r.label for c, r in codes.RESULT_CODES.items()},
            ),
            _c("entered_on", "录入日期", DATE),
            _c("published_on", "公示日期", DATE),
            _c("note", "备注"),
        ),
        key=("task_code", "entity_code"),
        # the date orders of a result (inspection ≤ entry ≤ publication) are entry rules:
        # dashboard.entry.rules checks them, for imports as warnings (DESIGN.md §4)
        example={
            "task_code": "RW2026-01",
            "entity_code": "91130129MA0CXKQ23C",
            "inspectors": "P001",
            "inspected_on": "2026-05-12",
            "result_codes": "A;2;D",
            "entered_on": "2026-05-20",
            "published_on": "2026-05-22",
            "note": "治理恢复方案未按期实施",
        },
    ),
    TableSpec(
        "followups",
        "后续处理",
        (
            _c("task_code", "任务编码", required=True),
            _c("entity_code", "主体编码", required=True),
            _c(
                "measure_code",
                "处置措施",
                enum=tuple(codes.FOLLOWUP_MEASURES),
                enum_labels=codes.FOLLOWUP_MEASURES,
            ),
            _c("responsible_unit", "责任单位", ref="units", required=True, not_null=False),
            _c("due_on", "整改期限", DATE),
            _c("closed_on", "完结日期", DATE),
            _c("backfilled_on", "回填日期", DATE),
            _c("revisit_on", "回访日期", DATE),
            _c("revisit_result", "回访结果", enum=codes.REVISIT_RESULTS),
            _c("transferred_to", "移送机关"),
            _c("transferred_on", "移送日期", DATE),
            _c("penalty_decided_on", "处罚决定日期", DATE),
            _c("penalty_published_on", "处罚公示日期", DATE),
            _c("credit_recorded_on", "纳入信用记录日期", DATE),
        ),
        key=("task_code", "entity_code"),
        composite_refs=((("task_code", "entity_code"), "inspections"),),
        example={
            "task_code": "RW2026-01",
            "entity_code": "91130129MA0CXKQ23C",
            "measure_code": "3",
            "responsible_unit": "KCK",
            "due_on": "2026-07-31",
            "closed_on": "2026-07-20",
            "backfilled_on": "2026-07-22",
            "revisit_on": "2026-08-15",
            "revisit_result": "整改到位",
            "transferred_to": "",
            "transferred_on": "",
            "penalty_decided_on": "",
            "penalty_published_on": "",
            "credit_recorded_on": "2026-07-25",
        },
    ),
    # -- the office's work registers (DESIGN.md §8) --------------------------------------------
    TableSpec(
        "trainings",
        "培训记录",
        (
            _c("training_code", "培训编码", required=True),
            _c("held_on", "培训日期", DATE),
            _c("unit_code", "组织单位", required=True, ref="units"),
            _c(
                "kind",
                "培训类型",
                enum=codes.TRAINING_KINDS,
                default="业务培训",
            ),
            _c("topic", "主题", required=True),
            _c(
                "attendees",
                "参训人员",
                LIST,
                default=(),
                ref="inspectors",
                required=True,
                not_null=False,
            ),
            _c("hours", "学时", NUMBER, minimum=0, maximum=1000),
            _c("note", "备注"),
        ),
        key=("training_code",),
        example={
            "training_code": "PX2026-01",
            "held_on": "2026-03-15",
            "unit_code": "KCK",
            "kind": "工作规范培训",
            "topic": "《石家庄市“双随机、一公开”监管工作规范》培训",
            "attendees": "P001",
            "hours": "2",
            "note": "",
        },
    ),
    TableSpec(
        "publicity",
        "宣传报道",
        (
            _c("publicity_code", "编码", required=True),
            _c("published_on", "发布日期", DATE),
            _c("unit_code", "单位编码", required=True, ref="units"),
            _c("channel", "渠道", enum=codes.PUBLICITY_CHANNELS, default="官方网站"),
            _c("title", "标题", required=True),
            _c("url", "链接"),
            _c("note", "备注"),
        ),
        key=("publicity_code",),
        example={
            "publicity_code": "XC2026-01",
            "published_on": "2026-04-20",
            "unit_code": "KCK",
            "channel": "官方网站",
            "title": "县自然资源和规划局开展矿山“双随机”抽查",
            "url": "",
            "note": "",
        },
    ),
    TableSpec(
        "liaisons",
        "信息联络员",
        (
            _c("unit_code", "单位编码", required=True, ref="units"),
            _c("name", "姓名", required=True),
            _c("phone", "电话"),
            _c("since", "起始日期", DATE),
        ),
        key=("unit_code",),
        example={
            "unit_code": "KCK",
            "name": "王芳",
            "phone": "0311-00000000",
            "since": "2026-01-05",
        },
    ),
    TableSpec(
        "submissions",
        "信息报送",
        (
            _c("unit_code", "单位编码", required=True, ref="units"),
            _c("period", "报送期", REPORT_PERIOD, required=True),
            _c("due_on", "截止日期", DATE),
            _c("submitted_on", "报送日期", DATE),
            _c("note", "备注"),
        ),
        key=("unit_code", "period"),
        example={
            "unit_code": "KCK",
            "period": "2026-10",
            "due_on": "2026-11-05",
            "submitted_on": "2026-11-04",
            "note": "",
        },
    ),
    TableSpec(
        "supervisions",
        "专项督查",
        (
            _c("supervision_code", "督查编码", required=True),
            _c("held_on", "督查日期", DATE),
            _c("unit_code", "被督查单位", required=True, ref="units"),
            _c("topic", "督查内容", required=True),
            _c("finding", "发现问题"),
            _c("rectify_due", "整改期限", DATE),
            _c("rectified_on", "整改完成日期", DATE),
        ),
        key=("supervision_code",),
        date_orders=(DateOrder("held_on", "rectify_due"), DateOrder("held_on", "rectified_on")),
        example={
            "supervision_code": "DC2026-01",
            "held_on": "2026-09-10",
            "unit_code": "KCK",
            "topic": "结果录入及时性专项督查",
            "finding": "3 条结果超期录入",
            "rectify_due": "2026-10-10",
            "rectified_on": "",
        },
    ),
)

SPECS: dict[str, TableSpec] = {t.name: t for t in TABLES}
TABLE_ORDER: tuple[str, ...] = tuple(t.name for t in TABLES)

# file stem (English or Chinese) -> table name
TABLE_ALIASES: dict[str, str] = {}
for _t in TABLES:
    TABLE_ALIASES[_t.name] = _t.name
    TABLE_ALIASES[_t.zh] = _t.name


def header_map(spec: TableSpec) -> dict[str, str]:
    """header text (English or Chinese) -> column name."""
    out: dict[str, str] = {}
    for c in spec.columns:
        out[c.name] = c.name
        out[c.zh] = c.name
    return out


def key_column(table: str) -> str:
    """The single key column of a table that other tables reference."""
    key = SPECS[table].key
    assert len(key) == 1, table
    return key[0]
