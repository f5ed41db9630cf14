"""The analysis views: read-only snapshots of the store, filtered to what the user may see.

`analysis_views(store, scope)` runs read queries on the store and returns, per view name, an Arrow table,
a Chinese description and a Chinese description of every column. The SQL console and the pivot both
work on these tables only, never on the store itself.

Unit scoping (the user's `scope.unit_filter` U; None = every unit):
- v_tasks, v_inspections, v_draws: tasks whose lead unit or a partner unit is in U (inspections and draws
  follow their task);
- v_followups: follow-ups whose responsible unit is in U, or, when that is empty, whose task has a unit in U
  (DESIGN.md §5);
- v_entities: an entity is visible when it was inspected in a visible task, or it carries a tag equal to an
  item whose owner unit is in U (its directory entry belongs to the unit's items);
- v_units: the units in U; v_inspectors: inspectors of units in U;
- v_items: the whole item list (it is published and carries no entity data);
- the work registers (DESIGN.md §8) v_trainings, v_publicity, v_liaisons, v_submissions, v_supervisions:
  rows whose unit (organising, publishing, reporting, supervised unit) is in U; v_followups carries
  the follow-up's transfer, penalty and credit-record columns.
The sidebar's item and town filters apply to the views that have those columns.

Rows are as stored (all years; filter on `year`); `as_of` only decides whether a missing entry or
publication is already late. Grades are internal data and stay visible to every logged-in role; inspectors'
certificate numbers (personal data) are shown to the administrator and leaders only.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from dashboard.config import get_setting
from dashboard.domain.codes import FINDING_CODES, FOLLOWUP_MEASURES, RISK_SYSTEM
from dashboard.scope import Scope
from dashboard.store import Store


@dataclass(frozen=True)
class AnalysisView:
    name: str
    table: pa.Table
    description: str
    columns: dict[str, str]

    def __iter__(self):  # unpacks as (table, description, columns)
        return iter((self.table, self.description, self.columns))


# Columns removed for roles that may not see them: {role: {view: {column, ...}}}.
RESTRICTED_COLUMNS: dict[str, dict[str, set[str]]] = {
    "unit": {"v_inspectors": {"cert_no"}},
    "readonly": {"v_inspectors": {"cert_no"}},
}

_TASK_COLUMNS = {
    "task_code": "任务编码",
    "task_name": "任务名称",
    "plan_code": "计划编码（空 = 临时任务或上级下派）",
    "item_codes": "抽查事项编码列表（VARCHAR[]，可用 list_contains 查询）",
    "item_code": "主抽查事项编码（列表中的第一项）",
    "item_name": "主抽查事项名称",
    "lead_unit": "牵头单位编码",
    "lead_unit_name": "牵头单位名称",
    "partner_units": "配合单位编码列表（VARCHAR[]）",
    "joint_kind": "联合类型编码（none/internal/cross）",
    "joint_kind_label": "联合类型（非联合/部门内部联合/跨部门联合）",
    "is_joint": "是否联合抽查",
    "source": "任务来源（plan 计划/adhoc 临时/dispatched 上级下派）",
    "uses_risk_grades": "是否运用信用风险分类",
    "start_on": "任务开始日期",
    "end_on": "任务结束日期",
    "status": "任务状态（planned/drawn/in_progress/done/voided）",
    "status_label": "任务状态（中文）",
    "year": "年度（任务开始日期所在年）",
}

VIEW_DOCS: dict[str, tuple[str, dict[str, str]]] = {
    "v_inspections": (
        "检查结果：每个任务中每个检查对象一行，已关联任务、事项、单位、对象和检查时的信用风险等级",
        {
            "task_code": "任务编码",
            "task_name": "任务名称",
            "item_codes": "抽查事项编码列表（VARCHAR[]）",
            "item_code": "主抽查事项编码（列表中的第一项）",
            "item_name": "主抽查事项名称",
            "lead_unit": "牵头单位编码",
            "lead_unit_name": "牵头单位名称",
            "partner_units": "配合单位编码列表（VARCHAR[]）",
            "joint_kind_label": "联合类型（非联合/部门内部联合/跨部门联合）",
            "is_joint": "是否联合抽查",
            "task_source": "任务来源（plan/adhoc/dispatched）",
            "task_status": "任务状态编码",
            "year": "年度（任务开始日期所在年）",
            "entity_code": "检查对象编码（统一社会信用代码或许可证号）",
            "entity_name": "检查对象名称",
            "entity_kind": "主体类别",
            "town": "乡镇",
            "grade": "检查当月的信用风险等级（市场监管体系，A–D；空 = 未分级）",
            "inspectors": "检查人员编码列表（VARCHAR[]）",
            "inspector_count": "检查人员数",
            "inspected_on": "检查结束日期",
            "inspected_month": "检查月份（YYYY-MM）",
            "inspected_quarter": "检查季度（如 2026Q3）",
            "result_codes": "结果代码列表（VARCHAR[]）",
            "result_text": "结果代码（以分号连接的文本）",
            "has_result": "是否已录入至少一个结果代码",
            "has_finding": "是否发现问题（结果代码含发现问题类代码）",
            "entered_on": "录入日期",
            "published_on": "公示日期",
            "deadline": "录入和公示期限（检查结束后第 20 个工作日）",
            "entry_on_time": "是否按时录入（空 = 未录入且未到期限）",
            "publish_on_time": "是否按时公示（空 = 未公示且未到期限）",
            "note": "备注",
        },
    ),
    "v_followups": (
        "后续处理：每条后续处理记录一行，已关联检查、任务、对象和责任单位",
        {
            "task_code": "任务编码",
            "task_name": "任务名称",
            "lead_unit": "任务牵头单位编码",
            "year": "年度（任务开始日期所在年）",
            "entity_code": "检查对象编码",
            "entity_name": "检查对象名称",
            "town": "乡镇",
            "inspected_on": "检查结束日期",
            "measure_code": "处置措施编码",
            "measure_label": "处置措施",
            "responsible_unit": "责任单位编码",
            "responsible_unit_name": "责任单位名称",
            "due_on": "整改期限",
            "closed_on": "完结日期",
            "backfilled_on": "回填日期",
            "revisit_on": "回访日期",
            "revisit_result": "回访结果（整改到位/未到位/无法核实）",
            "is_closed": "是否已完结",
            "is_overdue": "是否逾期未完结（整改期限早于截止日期且未完结）",
            "backfill_deadline": "回填期限（完结后第 5 个工作日）",
            "backfill_on_time": "是否按时回填（空 = 未完结，或未回填且未到期限）",
            "transferred_to": "移送机关",
            "transferred_on": "移送日期",
            "penalty_decided_on": "处罚决定日期",
            "penalty_published_on": "处罚公示日期",
            "credit_recorded_on": "纳入信用记录日期",
        },
    ),
    "v_draws": (
        "抽取记录：每次抽取的每个被抽中对象一行（含检查人员分配）",
        {
            "draw_id": "抽取编号",
            "kind": "抽取类型（task 任务抽取 / revisit 回访抽取）",
            "task_code": "任务编码",
            "task_name": "任务名称",
            "lead_unit": "牵头单位编码",
            "draw_date": "抽取日期",
            "year": "抽取年度",
            "operator": "操作人",
            "pool_size": "本次抽取的名录池对象数",
            "entity_code": "被抽中对象编码",
            "entity_name": "被抽中对象名称",
            "town": "乡镇",
            "stratum": "分层（信用风险等级，U = 未分级）",
            "inspector_codes": "分配的检查人员编码列表（VARCHAR[]）",
            "inspector_count": "分配的检查人员数",
            "unstaffed": "是否检查人员不足",
            "superseded": "是否已被重新抽取替代",
            "confirmed": "名单是否已确认",
        },
    ),
    "v_entities": (
        "检查对象名录：每个对象一行，含当前信用风险等级和检查次数",
        {
            "entity_code": "检查对象编码",
            "entity_name": "名称",
            "entity_kind": "主体类别",
            "town": "乡镇",
            "address": "地址",
            "tags": "标签列表（事项编码和自由标签，VARCHAR[]）",
            "status": "状态（存续/注销/吊销/撤销/迁出/停业清算）",
            "registered_on": "成立日期",
            "closed_on": "注销日期",
            "grade": "截止日期所在月的最新信用风险等级（市场监管体系；空 = 未分级）",
            "score": "对应的风险指数（0–100，越高风险越大）",
            "grade_period": "该等级的月份（YYYY-MM）",
            "inspection_count": "可见任务中的检查次数",
            "finding_count": "其中发现问题的次数",
            "last_inspected_on": "最近一次检查日期",
        },
    ),
    "v_tasks": (
        "抽查任务：每个任务一行，含检查户数和发现问题户数",
        {
            **_TASK_COLUMNS,
            "inspection_count": "检查记录数",
            "finding_count": "发现问题的检查记录数",
        },
    ),
    "v_units": (
        "单位：可见的股室、专班、事业单位和外部门",
        {
            "unit_code": "单位编码",
            "unit_name": "单位名称",
            "unit_kind": "单位类型（股室/专班/事业单位/外部门）",
            "external": "是否外部门",
        },
    ),
    "v_inspectors": (
        "执法检查人员：每人一行，含参加检查次数和发现问题次数",
        {
            "inspector_code": "人员编码",
            "name": "姓名",
            "unit_code": "所属单位编码",
            "unit_name": "所属单位名称",
            "cert_no": "执法证号（仅管理员和领导可见）",
            "cert_valid_until": "执法证有效期",
            "specialties": "专长（事项编码列表，VARCHAR[]）",
            "active": "是否在岗",
            "inspection_count": "参加的检查次数（可见任务中）",
            "finding_count": "其中发现问题的次数",
            "last_inspected_on": "最近一次参加检查的日期",
        },
    ),
    "v_items": (
        "抽查事项清单",
        {
            "item_code": "事项编码",
            "item_name": "事项名称",
            "owner_unit": "责任单位编码",
            "category": "事项类别（一般/重点）",
            "target_kind": "检查对象类型",
            "min_inspectors": "最少检查人数",
        },
    ),
    "v_trainings": (
        "培训记录：每次培训一行（工作台账）",
        {
            "training_code": "培训编码",
            "held_on": "培训日期",
            "year": "年度",
            "unit_code": "组织单位编码",
            "unit_name": "组织单位名称",
            "kind": "培训类型（业务培训/系统使用培训/工作规范培训/其他）",
            "topic": "主题",
            "attendees": "参训人员编码列表（VARCHAR[]）",
            "attendee_count": "参训人数",
            "hours": "学时",
        },
    ),
    "v_publicity": (
        "宣传报道：每条一行（工作台账）",
        {
            "publicity_code": "编码",
            "published_on": "发布日期",
            "year": "年度",
            "unit_code": "单位编码",
            "unit_name": "单位名称",
            "channel": "渠道",
            "title": "标题",
        },
    ),
    "v_liaisons": (
        "信息联络员：每个单位一行（工作台账）",
        {
            "unit_code": "单位编码",
            "unit_name": "单位名称",
            "name": "联络员姓名",
            "phone": "电话",
            "since": "起始日期",
        },
    ),
    "v_submissions": (
        "信息报送：每个单位每个报送期一行（工作台账）",
        {
            "unit_code": "单位编码",
            "unit_name": "单位名称",
            "period": "报送期（2026-10、2026Q3、2026H1 或 2026）",
            "year": "年度（截止日期所在年）",
            "due_on": "截止日期",
            "submitted_on": "报送日期",
            "on_time": "是否按时报送（空 = 未报送且未到截止日期）",
        },
    ),
    "v_supervisions": (
        "专项督查：每次督查一行（工作台账）",
        {
            "supervision_code": "督查编码",
            "held_on": "督查日期",
            "year": "年度",
            "unit_code": "被督查单位编码",
            "unit_name": "被督查单位名称",
            "topic": "督查内容",
            "finding": "发现问题",
            "rectify_due": "整改期限",
            "rectified_on": "整改完成日期",
            "is_overdue": "是否整改逾期（有问题、期限早于截止日期且未整改）",
        },
    ),
    "v_scope": (
        "当前查询范围：一行，写查询时可引用截止日期和年度（如“上季度”）",
        {
            "as_of": "截止日期",
            "year": "年度",
            "username": "当前用户",
            "units": "可见单位编码列表（空 = 全部单位）",
        },
    ),
}

# The base CTEs every scoped view uses. Parameters are bound by name.
_SCOPED_TASKS = """
scoped_tasks AS (
    SELECT t.*,
           t.item_codes[1] AS item_code,
           year(t.start_on)::INTEGER AS year
    FROM tasks AS t
    WHERE $units IS NULL
       OR list_contains($units, t.lead_unit)
       OR list_has_any($units, t.partner_units)
)"""

_DEADLINE_JOIN = """
LEFT JOIN calendar AS c1 ON c1.day = {d}
LEFT JOIN calendar AS c2 ON c2.workday_seq = c1.workday_seq + {n} AND c2.is_workday"""


def _inspections_sql() -> str:
    return f"""
WITH {_SCOPED_TASKS},
grades AS (
    SELECT i.task_code, i.entity_code, arg_max(r.grade, r.period) AS grade
    FROM inspections AS i
    JOIN risk_grades AS r
      ON r.entity_code = i.entity_code AND r.system = $risk_system
     AND r.period <= strftime(i.inspected_on, '%Y-%m')
    GROUP BY ALL
)
SELECT t.task_code, t.task_name, t.item_codes, t.item_code, it.item_name,
       t.lead_unit, u.unit_name AS lead_unit_name, t.partner_units,
       CASE t.joint_kind WHEN 'none' THEN '非联合' WHEN 'internal' THEN '部门内部联合'
            ELSE '跨部门联合' END AS joint_kind_label,
       t.joint_kind <> 'none' AS is_joint,
       t.source AS task_source, t.status AS task_status, t.year,
       i.entity_code, e.name AS entity_name, e.entity_kind, e.town,
       g.grade,
       i.inspectors, len(i.inspectors)::INTEGER AS inspector_count,
       i.inspected_on, strftime(i.inspected_on, '%Y-%m') AS inspected_month,
       CAST(year(i.inspected_on) AS VARCHAR) || 'Q' || CAST(quarter(i.inspected_on) AS VARCHAR)
           AS inspected_quarter,
       i.result_codes, array_to_string(i.result_codes, ';') AS result_text,
       len(i.result_codes) > 0 AS has_result,
       list_has_any(i.result_codes, $finding_codes) AS has_finding,
       i.entered_on, i.published_on, c2.day AS deadline,
       CASE WHEN i.entered_on IS NOT NULL THEN i.entered_on <= c2.day
            WHEN c2.day < $as_of THEN false END AS entry_on_time,
       CASE WHEN i.published_on IS NOT NULL THEN i.published_on <= c2.day
            WHEN c2.day < $as_of THEN false END AS publish_on_time,
       i.note
FROM inspections AS i
JOIN scoped_tasks AS t USING (task_code)
JOIN entities AS e USING (entity_code)
LEFT JOIN items AS it ON it.item_code = t.item_code
LEFT JOIN units AS u ON u.unit_code = t.lead_unit
LEFT JOIN grades AS g ON g.task_code = i.task_code AND g.entity_code = i.entity_code
{_DEADLINE_JOIN.format(d="i.inspected_on", n="$entry_limit")}
WHERE ($item IS NULL OR list_contains(t.item_codes, $item))
  AND ($town IS NULL OR e.town = $town)
ORDER BY i.task_code, i.entity_code
"""


def _followups_sql() -> str:
    return f"""
WITH all_tasks AS (SELECT *, year(start_on)::INTEGER AS year FROM tasks)
SELECT f.task_code, t.task_name, t.lead_unit, t.year,
       f.entity_code, e.name AS entity_name, e.town, i.inspected_on,
       f.measure_code, m.measure_label,
       f.responsible_unit, ru.unit_name AS responsible_unit_name,
       f.due_on, f.closed_on, f.backfilled_on, f.revisit_on, f.revisit_result,
       f.closed_on IS NOT NULL AS is_closed,
       f.closed_on IS NULL AND f.due_on < $as_of AS is_overdue,
       c2.day AS backfill_deadline,
       CASE WHEN f.closed_on IS NULL THEN NULL
            WHEN f.backfilled_on IS NOT NULL THEN f.backfilled_on <= c2.day
            WHEN c2.day < $as_of THEN false END AS backfill_on_time,
       f.transferred_to, f.transferred_on, f.penalty_decided_on, f.penalty_published_on,
       f.credit_recorded_on
FROM followups AS f
JOIN inspections AS i USING (task_code, entity_code)
JOIN all_tasks AS t USING (task_code)
JOIN entities AS e ON e.entity_code = f.entity_code
LEFT JOIN units AS ru ON ru.unit_code = f.responsible_unit
LEFT JOIN (SELECT unnest($measure_codes) AS measure_code,
                  unnest($measure_labels) AS measure_label) AS m USING (measure_code)
{_DEADLINE_JOIN.format(d="f.closed_on", n="$backfill_limit")}
WHERE ($units IS NULL
       OR (f.responsible_unit IS NOT NULL AND list_contains($units, f.responsible_unit))
       OR (f.responsible_unit IS NULL
           AND (list_contains($units, t.lead_unit) OR list_has_any($units, t.partner_units))))
  AND ($item IS NULL OR list_contains(t.item_codes, $item))
  AND ($town IS NULL OR e.town = $town)
ORDER BY f.task_code, f.entity_code
"""


_DRAWS_SQL = f"""
WITH {_SCOPED_TASKS}
SELECT d.draw_id, d.kind, d.task_code, t.task_name, t.lead_unit, d.draw_date,
       year(d.draw_date)::INTEGER AS year, d.operator,
       (SELECT count(*) FROM draw_pool AS p WHERE p.draw_id = d.draw_id) AS pool_size,
       s.entity_code, e.name AS entity_name, e.town, s.stratum, s.inspector_codes,
       len(s.inspector_codes)::INTEGER AS inspector_count, s.unstaffed,
       EXISTS (SELECT 1 FROM draws AS d2 WHERE d2.supersedes = d.draw_id) AS superseded,
       EXISTS (SELECT 1 FROM draw_confirmations AS c WHERE c.draw_id = d.draw_id) AS confirmed
FROM draws AS d
JOIN draw_selections AS s USING (draw_id)
JOIN scoped_tasks AS t ON t.task_code = d.task_code
LEFT JOIN entities AS e ON e.entity_code = s.entity_code
WHERE ($item IS NULL OR list_contains(t.item_codes, $item))
  AND ($town IS NULL OR e.town = $town)
ORDER BY d.chain_pos, s.stratum, s.key
"""

_ENTITIES_SQL = f"""
WITH {_SCOPED_TASKS},
seen AS (
    SELECT i.entity_code, count(*) AS inspection_count,
           count(*) FILTER (WHERE list_has_any(i.result_codes, $finding_codes)) AS finding_count,
           max(i.inspected_on) AS last_inspected_on
    FROM inspections AS i JOIN scoped_tasks USING (task_code)
    GROUP BY i.entity_code
),
owned_items AS (
    SELECT item_code FROM items WHERE $units IS NULL OR list_contains($units, owner_unit)
),
grades AS (
    SELECT entity_code, arg_max(grade, period) AS grade, arg_max(score, period) AS score,
           max(period) AS grade_period
    FROM risk_grades
    WHERE system = $risk_system AND period <= strftime($as_of, '%Y-%m')
    GROUP BY entity_code
)
SELECT e.entity_code, e.name AS entity_name, e.entity_kind, e.town, e.address, e.tags, e.status,
       e.registered_on, e.closed_on, g.grade, g.score, g.grade_period,
       coalesce(s.inspection_count, 0) AS inspection_count,
       coalesce(s.finding_count, 0) AS finding_count, s.last_inspected_on
FROM entities AS e
LEFT JOIN seen AS s USING (entity_code)
LEFT JOIN grades AS g USING (entity_code)
WHERE ($units IS NULL OR s.entity_code IS NOT NULL
       OR list_has_any(e.tags, (SELECT coalesce(list(item_code), []) FROM owned_items)))
  AND ($item IS NULL OR list_contains(e.tags, $item))
  AND ($town IS NULL OR e.town = $town)
ORDER BY e.entity_code
"""

_TASKS_SQL = f"""
WITH {_SCOPED_TASKS}
SELECT t.task_code, t.task_name, t.plan_code, t.item_codes, t.item_code, it.item_name,
       t.lead_unit, u.unit_name AS lead_unit_name, t.partner_units, t.joint_kind,
       CASE t.joint_kind WHEN 'none' THEN '非联合' WHEN 'internal' THEN '部门内部联合'
            ELSE '跨部门联合' END AS joint_kind_label,
       t.joint_kind <> 'none' AS is_joint, t.source, t.uses_risk_grades, t.start_on, t.end_on,
       t.status,
       CASE t.status WHEN 'planned' THEN '待抽取' WHEN 'drawn' THEN '已抽取'
            WHEN 'in_progress' THEN '检查中' WHEN 'done' THEN '已完成' ELSE '已作废' END
           AS status_label,
       t.year,
       (SELECT count(*) FROM inspections AS i WHERE i.task_code = t.task_code) AS inspection_count,
       (SELECT count(*) FROM inspections AS i WHERE i.task_code = t.task_code
          AND list_has_any(i.result_codes, $finding_codes)) AS finding_count
FROM scoped_tasks AS t
LEFT JOIN items AS it ON it.item_code = t.item_code
LEFT JOIN units AS u ON u.unit_code = t.lead_unit
WHERE ($item IS NULL OR list_contains(t.item_codes, $item))
ORDER BY t.task_code
"""

_UNITS_SQL = """
SELECT unit_code, unit_name, unit_kind, external FROM units
WHERE $units IS NULL OR list_contains($units, unit_code)
ORDER BY unit_code
"""

_INSPECTORS_SQL = f"""
WITH {_SCOPED_TASKS},
served AS (
    SELECT unnest(i.inspectors) AS inspector_code, i.inspected_on,
           list_has_any(i.result_codes, $finding_codes) AS has_finding
    FROM inspections AS i JOIN scoped_tasks USING (task_code)
),
stats AS (
    SELECT inspector_code, count(*) AS inspection_count,
           count(*) FILTER (WHERE has_finding) AS finding_count,
           max(inspected_on) AS last_inspected_on
    FROM served GROUP BY inspector_code
)
SELECT p.inspector_code, p.name, p.unit_code, u.unit_name, p.cert_no, p.cert_valid_until,
       p.specialties, p.active,
       coalesce(s.inspection_count, 0) AS inspection_count,
       coalesce(s.finding_count, 0) AS finding_count, s.last_inspected_on
FROM inspectors AS p
LEFT JOIN units AS u USING (unit_code)
LEFT JOIN stats AS s USING (inspector_code)
WHERE $units IS NULL OR list_contains($units, p.unit_code)
ORDER BY p.inspector_code
"""

_ITEMS_SQL = """
SELECT item_code, item_name, owner_unit, category, target_kind, min_inspectors
FROM items ORDER BY item_code
"""

_REGISTER_UNITS = "($units IS NULL OR list_contains($units, r.unit_code))"

_TRAININGS_SQL = f"""
SELECT r.training_code, r.held_on, year(r.held_on)::INTEGER AS year, r.unit_code, u.unit_name,
       r.kind, r.topic, r.attendees, len(r.attendees)::INTEGER AS attendee_count, r.hours
FROM trainings AS r LEFT JOIN units AS u USING (unit_code)
WHERE {_REGISTER_UNITS}
ORDER BY r.held_on, r.training_code
"""

_PUBLICITY_SQL = f"""
SELECT r.publicity_code, r.published_on, year(r.published_on)::INTEGER AS year, r.unit_code,
       u.unit_name, r.channel, r.title
FROM publicity AS r LEFT JOIN units AS u USING (unit_code)
WHERE {_REGISTER_UNITS}
ORDER BY r.published_on, r.publicity_code
"""

_LIAISONS_SQL = f"""
SELECT r.unit_code, u.unit_name, r.name, r.phone, r.since
FROM liaisons AS r LEFT JOIN units AS u USING (unit_code)
WHERE {_REGISTER_UNITS}
ORDER BY r.unit_code
"""

_SUBMISSIONS_SQL = f"""
SELECT r.unit_code, u.unit_name, r.period, year(r.due_on)::INTEGER AS year, r.due_on,
       r.submitted_on,
       CASE WHEN r.submitted_on IS NOT NULL THEN r.submitted_on <= r.due_on
            WHEN r.due_on < $as_of THEN false END AS on_time
FROM submissions AS r LEFT JOIN units AS u USING (unit_code)
WHERE {_REGISTER_UNITS}
ORDER BY r.due_on, r.unit_code
"""

_SUPERVISIONS_SQL = f"""
SELECT r.supervision_code, r.held_on, year(r.held_on)::INTEGER AS year, r.unit_code, u.unit_name,
       r.topic, r.finding, r.rectify_due, r.rectified_on,
       (coalesce(trim(r.finding), '') <> '' AND r.rectify_due < $as_of AND r.rectified_on IS NULL)
           AS is_overdue
FROM supervisions AS r LEFT JOIN units AS u USING (unit_code)
WHERE {_REGISTER_UNITS}
ORDER BY r.held_on, r.supervision_code
"""

_SCOPE_SQL = """
SELECT $as_of::DATE AS as_of, $year::INTEGER AS year, $username::VARCHAR AS username,
       $units::VARCHAR[] AS units
"""


def _view_sql() -> dict[str, str]:
    return {
        "v_inspections": _inspections_sql(),
        "v_followups": _followups_sql(),
        "v_draws": _DRAWS_SQL,
        "v_entities": _ENTITIES_SQL,
        "v_tasks": _TASKS_SQL,
        "v_units": _UNITS_SQL,
        "v_inspectors": _INSPECTORS_SQL,
        "v_items": _ITEMS_SQL,
        "v_trainings": _TRAININGS_SQL,
        "v_publicity": _PUBLICITY_SQL,
        "v_liaisons": _LIAISONS_SQL,
        "v_submissions": _SUBMISSIONS_SQL,
        "v_supervisions": _SUPERVISIONS_SQL,
        "v_scope": _SCOPE_SQL,
    }


def _params(store: Store, scope: Scope) -> dict:
    units = scope.unit_filter
    return {
        "units": None if units is None else list(units),
        "as_of": scope.as_of,
        "year": scope.year,
        "username": scope.username,
        "item": scope.item,
        "town": scope.town,
        "risk_system": RISK_SYSTEM,
        "finding_codes": sorted(FINDING_CODES),
        "entry_limit": int(get_setting(store, "entry_limit_workdays")),
        "backfill_limit": int(get_setting(store, "backfill_limit_workdays")),
        "measure_codes": list(FOLLOWUP_MEASURES),
        "measure_labels": list(FOLLOWUP_MEASURES.values()),
    }


def _used(sql: str, params: dict) -> dict:
    return {k: v for k, v in params.items() if f"${k}" in sql}


def analysis_views(
    store: Store, scope: Scope, names: list[str] | None = None
) -> dict[str, AnalysisView]:
    """Every analysis view (or the named ones) as Arrow tables filtered to the scope's units."""
    params = _params(store, scope)
    restricted = RESTRICTED_COLUMNS.get(scope.role, {})
    out: dict[str, AnalysisView] = {}
    for name, sql in _view_sql().items():
        if names is not None and name not in names:
            continue
        cur = store.cursor()
        try:
            table = cur.sql(sql, params=_used(sql, params)).to_arrow_table()
        finally:
            cur.close()
        description, columns = VIEW_DOCS[name]
        drop = [c for c in restricted.get(name, ()) if c in table.column_names]
        if drop:
            table = table.drop_columns(drop)
        out[name] = AnalysisView(
            name,
            table,
            description,
            {c: columns.get(c, c) for c in table.column_names},
        )
    return out
