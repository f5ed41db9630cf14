"""What the store holds, for the 数据管理 page: rows per table, years, imports, data-quality warnings."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd

from dashboard.domain import uscc
from dashboard.ingest import spec as S
from dashboard.store import Store

QUALITY_CHECKS = {
    "uscc_check": "统一社会信用代码校验位不符",
    "untagged": "检查对象没有标签",
    "cert_expired": "执法人员执法证已过期",
    "item_no_owner": "抽查事项没有责任单位",
}


def _counts_text(summary: str) -> str:
    try:
        counts = json.loads(summary).get("counts", {})
    except (ValueError, AttributeError):
        return ""
    parts = []
    for table, c in counts.items():
        zh = S.SPECS[table].zh if table in S.SPECS else table
        parts.append(f"{zh} 新增{c['added']} 更新{c['updated']} 未变{c['unchanged']}")
    return "；".join(parts)


# A unit-scoped reader's share of each table (issue 12): `$units` = the reader's units. Entities are the
# directory of the units' items (tagged with an item a unit owns, the unit rule of high_risk_uninspected);
# follow-ups follow the rule of "follow-ups of Y" (the responsible unit, else the task's units).
_OWN_TASKS = (
    "(SELECT task_code FROM tasks WHERE list_contains($units, lead_unit)"
    " OR len(list_intersect($units, partner_units)) > 0)"
)
_OWN_ITEMS = "(SELECT item_code FROM items WHERE list_contains($units, owner_unit))"
_OWN_ENTITIES = (
    "(SELECT entity_code FROM entities"
    f" WHERE len(list_intersect(tags, (SELECT coalesce(list(item_code), []) FROM {_OWN_ITEMS}))) > 0)"
)
_OWN_PLANS = (
    "(SELECT plan_code FROM plans WHERE list_contains($units, unit_code)"
    " OR len(list_intersect($units, joint_units)) > 0)"
)
UNIT_ROWS = {
    "units": "list_contains($units, unit_code)",
    "items": "list_contains($units, owner_unit)",
    "entities": f"entity_code IN {_OWN_ENTITIES}",
    "risk_grades": f"entity_code IN {_OWN_ENTITIES}",
    "inspectors": "list_contains($units, unit_code)",
    "conflicts": "inspector_code IN (SELECT inspector_code FROM inspectors"
    " WHERE list_contains($units, unit_code))",
    "checklists": f"item_code IN {_OWN_ITEMS}",
    "plans": f"plan_code IN {_OWN_PLANS}",
    "plan_changes": f"plan_code IN {_OWN_PLANS}",
    "tasks": f"task_code IN {_OWN_TASKS}",
    "inspections": f"task_code IN {_OWN_TASKS}",
    "followups": "CASE WHEN responsible_unit IS NOT NULL THEN list_contains($units, responsible_unit)"
    f" ELSE task_code IN {_OWN_TASKS} END",
}
# the data-quality checks a unit-scoped reader sees: its directory's codes, its own inspectors
UNIT_QUALITY_CHECKS = ("uscc_check", "cert_expired")


def _cond(table: str, units) -> str:
    """The SQL condition of `table`'s rows a reader of `units` sees (every row: true)."""
    if units is None:
        return "true"
    return UNIT_ROWS.get(table, "list_contains($units, unit_code)")


def _where(table: str, units) -> str:
    return "" if units is None else f" WHERE {_cond(table, units)}"


def inventory(
    store: Store,
    *,
    as_of: date | None = None,
    imports: int = 20,
    units: frozenset[str] | None = None,
) -> dict[str, pd.DataFrame]:
    """DataFrames (Chinese column names):

    tables   表 / 表名 / 行数                       one row per interchange table
    years    年度 / 计划数 / 任务数                  years covered by plans.year and tasks.start_on
    imports  时间 / 操作人 / 来源 / 警告数 / 结果      the latest `imports` rows of import_log, newest first
    quality  检查项 / 数量                           one row per data-quality check
    quality_details  检查项 / 编码 / 名称 / 说明      every flagged row

    With `units` (a unit-scoped reader, issue 12) every count, year and data-quality row is the units'
    own share (UNIT_ROWS); the quality checks are those of UNIT_QUALITY_CHECKS.
    """
    as_of = as_of or date.today()
    scoped = units is not None
    params = {"units": sorted(units)} if scoped else {}
    tables = pd.DataFrame(
        [
            (
                t.name,
                t.zh,
                int(
                    store.scalar(f'SELECT count(*) FROM "{t.name}"{_where(t.name, units)}', params)
                ),
            )
            for t in S.TABLES
        ],
        columns=["表", "表名", "行数"],
    )
    years = store.df(
        f"""
        WITH p AS (SELECT year, count(*) AS n FROM plans{_where("plans", units)} GROUP BY year),
             t AS (SELECT year(start_on) AS year, count(*) AS n FROM tasks
                   WHERE start_on IS NOT NULL AND {_cond("tasks", units)}
                   GROUP BY 1)
        SELECT coalesce(p.year, t.year) AS "年度", coalesce(p.n, 0) AS "计划数",
               coalesce(t.n, 0) AS "任务数"
        FROM p FULL OUTER JOIN t ON p.year = t.year ORDER BY 1
        """,
        params,
    )
    log = store.df(
        "SELECT happened_at, actor, source, warnings, summary FROM import_log"
        " ORDER BY import_id DESC LIMIT ?",
        [int(imports)],
    )
    imports_df = pd.DataFrame(
        {
            "时间": log["happened_at"],
            "操作人": log["actor"],
            "来源": log["source"],
            "警告数": log["warnings"],
            "结果": [_counts_text(s) for s in log["summary"]],
        }
    )

    checks = {k: v for k, v in QUALITY_CHECKS.items() if not scoped or k in UNIT_QUALITY_CHECKS}
    details: list[tuple[str, str, str, str]] = []
    for code, name in store.rows(
        f"SELECT entity_code, name FROM entities{_where('entities', units)} ORDER BY entity_code",
        params,
    ):
        if uscc.classify(code) == "uscc":
            check = uscc.validate_uscc(code)
            if not check.check_digit_ok:
                details.append((QUALITY_CHECKS["uscc_check"], code, name, check.message or ""))
    for code, name in store.rows(
        "SELECT entity_code, name FROM entities WHERE len(tags) = 0 AND NOT $scoped"
        " ORDER BY entity_code",
        {"scoped": scoped},
    ):
        details.append((QUALITY_CHECKS["untagged"], code, name, "不会进入任何抽查事项的名录库"))
    for code, name, until in store.rows(
        "SELECT inspector_code, name, cert_valid_until FROM inspectors"
        f" WHERE {_cond('inspectors', units)} AND active AND cert_valid_until < $as_of"
        " ORDER BY inspector_code",
        params | {"as_of": as_of},
    ):
        details.append(
            (
                QUALITY_CHECKS["cert_expired"],
                code,
                name,
                f"有效期至 {until.isoformat()}，不能参加抽取",
            )
        )
    for code, name in store.rows(
        "SELECT item_code, item_name FROM items WHERE owner_unit IS NULL AND NOT $scoped"
        " ORDER BY item_code",
        {"scoped": scoped},
    ):
        details.append(
            (QUALITY_CHECKS["item_no_owner"], code, name, "请在抽查事项表中填写责任单位")
        )
    quality_details = pd.DataFrame(details, columns=["检查项", "编码", "名称", "说明"])
    quality = pd.DataFrame(
        [(label, int((quality_details["检查项"] == label).sum())) for label in checks.values()],
        columns=["检查项", "数量"],
    )
    return {
        "tables": tables,
        "years": years,
        "imports": imports_df,
        "quality": quality,
        "quality_details": quality_details,
    }
