"""覆盖率 drill-down lists (DESIGN.md §5 coverage). Each function: ``(con, scope) -> DataFrame``.

Column names are Chinese (they are shown and downloaded as they are). The coverage base is the
whole directory (never unit-filtered); town and item filters restrict it to entities of the town /
tagged with the item.

Frequency rule (:func:`over_inspected`, decided here because no national rule fixes it for every
item): an entity counts as inspected too often when, within the 12 months (T − 365 days, T], it was
inspected more than once for the same item by non-voided tasks — unless its latest 市场监管 grade
(period ≤ T's month) is C or D (raised frequency is intended) or one of those inspections found a
problem (a re-check is then justified).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboard.metrics.base import HeadRows, run_df, run_head
from dashboard.scope import Scope


def coverage_by_unit(con: Any, scope: Scope) -> pd.DataFrame:
    """Per unit (lead or partner): 任务数, 检查户次, 检查对象数, 名录基数, 覆盖率."""
    return run_df(con, "coverage_by_unit", scope)


def coverage_by_town(con: Any, scope: Scope) -> pd.DataFrame:
    """Per town: 名录基数, 已检查对象数, 覆盖率."""
    return run_df(con, "coverage_by_town", scope)


def coverage_by_item(con: Any, scope: Scope) -> pd.DataFrame:
    """Per item: base entities tagged with it, entities inspected by its tasks, 覆盖率."""
    return run_df(con, "coverage_by_item", scope)


def coverage_by_grade(con: Any, scope: Scope) -> pd.DataFrame:
    """Per grade A–D and U: the base's share (名录占比) against the inspected entities' share (检查占比)."""
    return run_df(con, "coverage_by_grade", scope)


def never_inspected(con: Any, scope: Scope, years: int = 3) -> pd.DataFrame:
    """Directory entities (open and registered at T) with no inspection in the last ``years`` years."""
    return run_df(con, "coverage_never_inspected", scope, years=int(years))


def never_inspected_rows(con: Any, scope: Scope, years: int = 3, limit: int = 500) -> HeadRows:
    """:func:`never_inspected` as a page shows it: its first `limit` rows and its count from SQL,
    the whole list only for a download (at 1 M entities it has ≈ 950,000 rows; issue 17)."""
    return run_head(
        con,
        "coverage_never_inspected",
        scope,
        limit=limit,
        count_name="coverage_never_inspected_count",
        years=int(years),
    )


def over_inspected(con: Any, scope: Scope) -> pd.DataFrame:
    """Entities inspected more often than the frequency rule of this module allows."""
    return run_df(con, "coverage_over_inspected", scope)


def high_risk_uninspected(con: Any, scope: Scope) -> pd.DataFrame:
    """The entities counted by the high_risk_uninspected KPI (same CTE), riskiest first."""
    return run_df(con, "coverage_high_risk_uninspected", scope)
