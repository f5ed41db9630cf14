"""What a draw is drawn from: the ratios typed or planned, the task as stored, the target pool (entities
of the task's items with their latest grade), the inspector pool and recusals, and the strata. Read-only;
dashboard.draw.service previews and records the draw.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import pyarrow as pa

from dashboard.domain.codes import RISK_SYSTEM, UNGRADED
from dashboard.draw import engine, protocol
from dashboard.store import Store
from dashboard.store.grades import latest_is_current

DEFAULT_RATIO_KEY = ""


class DrawError(Exception):
    """A draw refused, explained in one Chinese sentence."""


def _ratio_text(text: Any) -> str:
    """Normalise a ratio entered by a person to the decimal text recorded ("5%" → "0.05")."""
    raw = str(text).strip().replace("％", "%")
    try:
        if raw.endswith("%"):
            value = Decimal(raw[:-1].strip()) / Decimal(100)
            raw = format(value.normalize(), "f")
        protocol.parse_ratio(raw)
    except (InvalidOperation, ValueError):
        raise DrawError(
            f"抽查比例“{text}”无效，应为 0 到 1 之间的小数（如 0.05）或百分数（如 5%）。"
        ) from None
    return raw


def parse_ratio_args(ratios: Any) -> dict[str, str]:
    """Operator ratios → {stratum: text}; key "" is the ratio for every stratum not named.

    Accepts None, one value ("0.05"), a dict ({"A": "0.01", "": "0.05"}) or a list of CLI values
    ("0.05", "A=0.01", "D=30%").
    """
    if ratios is None:
        return {}
    if isinstance(ratios, dict):
        return {str(k).strip(): _ratio_text(v) for k, v in ratios.items()}
    if isinstance(ratios, (str, int, float, Decimal)):
        ratios = [str(ratios)]
    out: dict[str, str] = {}
    for item in ratios:
        text = str(item).strip()
        for sep in ("=", ":", "："):
            if sep in text:
                stratum, value = text.split(sep, 1)
                out[stratum.strip()] = _ratio_text(value)
                break
        else:
            out[DEFAULT_RATIO_KEY] = _ratio_text(text)
    return out


def parse_grade_ratios(text: str | None) -> dict[str, str]:
    """A plan's grade_ratios text ("A:0.01;B:0.03;C:0.10;D:0.30") → {grade: decimal text}."""
    out: dict[str, str] = {}
    if not text:
        return out
    for part in str(text).replace("；", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        for sep in (":", "：", "="):
            if sep in part:
                grade, value = part.split(sep, 1)
                out[grade.strip()] = _ratio_text(value)
                break
        else:
            raise DrawError(f"计划的分级比例“{text}”格式不对，应为 A:0.01;B:0.03 这样的写法。")
    return out


def _clean_list(values: Any) -> list[str]:
    out: list[str] = []
    for v in values or []:
        v = str(v).strip()
        if v and v not in out:
            out.append(v)
    return out


def _as_date(value: date | str | None) -> date:
    if value is None:
        return date.today()
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise DrawError(f"抽取日期“{value}”无效，应为 YYYY-MM-DD。") from None


def _task(store: Store, task_code: str) -> dict:
    cols = (
        "task_code",
        "plan_code",
        "task_name",
        "item_codes",
        "lead_unit",
        "partner_units",
        "source",
        "status",
        "plan_ratio",
        "grade_ratios",
        "plan_status",
    )
    rows = store.rows(
        "SELECT t.task_code, t.plan_code, t.task_name, t.item_codes, t.lead_unit, t.partner_units,"
        " t.source, t.status, p.ratio, p.grade_ratios, p.status"
        " FROM tasks AS t LEFT JOIN plans AS p USING (plan_code) WHERE t.task_code = ?",
        [task_code],
    )
    if not rows:
        raise DrawError(f"找不到抽查任务 {task_code}，请检查任务编码。")
    task = dict(zip(cols, rows[0], strict=True))
    task["item_codes"] = _clean_list(task["item_codes"])
    task["units"] = _clean_list([task["lead_unit"], *(task["partner_units"] or [])])
    return task


def _status_error(task: dict, drawn_by: str | None) -> DrawError | None:
    status = task["status"]
    code = task["task_code"]
    if status == "planned":
        return None
    if status == "voided":
        return DrawError(f"任务 {code} 已作废，不能抽取。")
    if status == "drawn":
        by = f"（抽取编号 {drawn_by}）" if drawn_by else ""
        return DrawError(f"该任务已抽取{by}，不能再次抽取；如需重抽，请用重新抽取并说明原因。")
    return DrawError(f"任务 {code} 已进入检查或已完成，不能抽取。")


def _require_reason(reason: str | None, redraw: object = True) -> None:
    """A redraw (`redraw`: the draw it supersedes) must give its reason."""
    if redraw and not (reason or "").strip():
        raise DrawError("重新抽取必须说明原因，请填写原因后再试。")


def _min_inspectors(store: Store, item_codes: list[str]) -> int:
    if not item_codes:
        return protocol.MIN_TEAM
    value = store.scalar(
        "SELECT max(min_inspectors) FROM items WHERE list_contains(?, item_code)", [item_codes]
    )
    return int(value) if value is not None else protocol.MIN_TEAM


# Protocol step 1's two halves: the members of a task pool, and the rows their stratum comes from.
_POOL_MEMBERS = """
    FROM entities AS e
    WHERE e.status = '存续'
      AND (e.closed_on IS NULL OR e.closed_on > $d)
      AND (e.registered_on IS NULL OR e.registered_on <= $d)
      -- tags are compared trimmed; exact tests first (list_contains is the fastest) spare most rows
      -- the trim
      AND ({exact} OR list_has_any(list_transform(e.tags, lambda x: trim(x)), $items))
"""
_GRADE_ROWS = "FROM risk_grades WHERE system = $system AND period <= $month"
# the same latest grades when no grade is newer than D's month: one row per entity (issue 17: at 8 M
# entities the history is 87 M rows to sort and fetch)
_LATEST_GRADE_ROWS = "FROM risk_grade_latest WHERE system = $system"


def resolve_task_pool(store: Store, item_codes: list[str], draw_date: date) -> pa.Table:
    """Protocol step 1: the task pool with strata (the latest grade by D's month), sorted by entity_code.

    A large store fetches members and grade rows sorted and merges them (engine.pool_with_grades);
    a small one, or grade rows not in byte order, joins in SQL. Both read one snapshot.
    """
    items = item_codes or [""]
    exact = " OR ".join(f"list_contains(e.tags, $item{i})" for i in range(len(items)))
    members = _POOL_MEMBERS.replace("{exact}", exact)
    member_params = {
        "d": draw_date,
        "items": items,
        **{f"item{i}": item for i, item in enumerate(items)},
    }
    cur = store.cursor()
    try:
        cur.execute("BEGIN TRANSACTION").fetchall()
        # in the pool's snapshot: the kept latest grades hold exactly when nothing is newer than D's month
        if latest_is_current(cur, RISK_SYSTEM, draw_date):
            grade_rows, grade_params = _LATEST_GRADE_ROWS, {"system": RISK_SYSTEM}
        else:
            grade_rows = _GRADE_ROWS
            grade_params = {"system": RISK_SYSTEM, "month": f"{draw_date:%Y-%m}"}
        table = None
        if cur.execute("SELECT count(*) FROM entities").fetchall()[0][0] >= engine.FAST_POOL_MIN:
            codes = cur.sql(
                f"SELECT e.entity_code {members} ORDER BY e.entity_code", params=member_params
            ).to_arrow_table()
            rows = cur.sql(
                f"SELECT entity_code, grade {grade_rows} ORDER BY entity_code, period",
                params=grade_params,
            ).to_arrow_table()
            table = engine.pool_with_grades(
                codes["entity_code"], rows["entity_code"], rows["grade"], UNGRADED
            )
        if table is None:
            table = cur.sql(
                f"""
                WITH latest AS (
                    SELECT entity_code, arg_max(grade, period) AS grade {grade_rows}
                    GROUP BY entity_code
                )
                SELECT e.entity_code, coalesce(l.grade, $ungraded) AS stratum
                FROM (SELECT e.entity_code {members}) AS e LEFT JOIN latest AS l USING (entity_code)
                ORDER BY e.entity_code
                """,
                params={**member_params, **grade_params, "ungraded": UNGRADED},
            ).to_arrow_table()
        cur.execute("COMMIT").fetchall()
    finally:
        cur.close()
    return engine.as_pool_table(table)


def resolve_revisit_pool(store: Store, draw_date: date, units: list[str] | None = None) -> pa.Table:
    """Return-visit pool: follow-ups closed by D, not yet revisited by D, of tasks not voided.

    Member code "{task_code}/{entity_code}"; stratum = responsible_unit, else the task's lead unit.
    """
    cur = store.cursor()
    try:
        table = cur.sql(
            """
            SELECT * FROM (
                SELECT f.task_code || '/' || f.entity_code AS entity_code,
                       coalesce(nullif(trim(f.responsible_unit), ''), t.lead_unit) AS stratum
                FROM followups AS f JOIN tasks AS t USING (task_code)
                WHERE f.closed_on IS NOT NULL AND f.closed_on <= $d
                  AND (f.revisit_on IS NULL OR f.revisit_on > $d)
                  AND t.status <> 'voided'
            ) WHERE $all_units OR list_contains($units, stratum)
            ORDER BY entity_code
            """,
            params={"d": draw_date, "all_units": not units, "units": units or [""]},
        ).to_arrow_table()
    finally:
        cur.close()
    return engine.as_pool_table(table)


def inspector_pool(
    store: Store, units: list[str], item_codes: list[str], draw_date: date
) -> list[dict]:
    """Inspectors of the task's units eligible on D before conflicts, sorted by code (protocol step 5)."""
    if not units:
        return []
    rows = store.rows(
        "SELECT inspector_code, unit_code, specialties FROM inspectors"
        " WHERE list_contains(?, unit_code) AND active AND cert_valid_until >= ?",
        [units, draw_date],
    )
    items = set(item_codes)
    out = []
    for code, unit, specialties in rows:
        spec = _clean_list(specialties)
        if not spec or items.intersection(spec):
            out.append({"inspector_code": code, "unit_code": unit})
    out.sort(key=lambda p: p["inspector_code"])
    return out


def recused_for(store: Store, entity_codes: list[str], pool: list[dict]) -> dict[str, list[str]]:
    """Conflicts between the selected targets and the inspector pool: {entity_code: [inspector_code]}."""
    if not entity_codes or not pool:
        return {}
    codes = [p["inspector_code"] for p in pool]
    cur = store.cursor()
    try:
        cur.register("sel_codes_in", pa.table({"entity_code": pa.array(entity_codes, pa.string())}))
        rows = cur.execute(
            "SELECT c.entity_code, c.inspector_code FROM conflicts AS c"
            " JOIN sel_codes_in AS s USING (entity_code) WHERE list_contains(?, c.inspector_code)",
            [codes],
        ).fetchall()
    finally:
        cur.close()
    out: dict[str, list[str]] = {}
    for entity, inspector in rows:
        out.setdefault(entity, []).append(inspector)
    return {k: sorted(v) for k, v in out.items()}


def _strata(counts: dict[str, int], ratios: dict[str, str | None]) -> list[dict]:
    out = []
    for s in sorted(counts):
        r = ratios.get(s)
        size = protocol.stratum_size(counts[s], r) if r is not None else None
        out.append({"stratum": s, "pool_size": counts[s], "ratio": r, "size": size})
    return out


def _task_ratios(task: dict, strata: list[str], operator_ratios: Any) -> tuple[dict, str]:
    entered = parse_ratio_args(operator_ratios)
    if task["plan_code"]:
        if entered:
            raise DrawError(
                f"任务 {task['task_code']} 来自年度计划 {task['plan_code']}，抽查比例取自计划，"
                "不能在抽取时另行输入；如需调整请先登记计划调整。"
            )
        by_grade = parse_grade_ratios(task["grade_ratios"])
        single = (
            task["plan_ratio"]
            if isinstance(task["plan_ratio"], str) and task["plan_ratio"].strip()
            else None
        )
        single = _ratio_text(single) if single else None
        return {s: by_grade.get(s, single) for s in strata}, "plan"
    default = entered.get(DEFAULT_RATIO_KEY)
    return {s: entered.get(s, default) for s in strata}, "operator"
