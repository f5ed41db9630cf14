"""The latest grade of every entity, kept beside risk_grades (issue 17).

"The entity's latest grade by T's month" (DOMAIN: 信用风险分类) is read by most pages. Computed from the
whole grade history it is an arg_max over every grade row — 87 M rows at 8 M entities, seconds per
query. `risk_grade_latest` holds it for the newest period of each entity and system, and
`risk_grade_systems` the newest period of each system; both are rebuilt by `refresh_latest_grades` in
the same transaction as every write to risk_grades (the import, the demo builds), so they are never
seen out of step. They answer "by T's month" exactly when no grade of the system is newer than T's
month (`latest_is_current`); for an earlier as-of date the metrics compute it from the history.
"""

from __future__ import annotations

from datetime import date
from typing import Any

_REFRESH = """
DELETE FROM risk_grade_latest;
DELETE FROM risk_grade_systems;
INSERT INTO risk_grade_latest (system, entity_code, period, grade, score)
SELECT system, entity_code, latest.period, latest.grade, latest.score
FROM (
    SELECT system, entity_code,
        arg_max({'period': period, 'grade': grade, 'score': score}, period) AS latest
    FROM risk_grades
    GROUP BY system, entity_code
);
INSERT INTO risk_grade_systems (system, latest_period)
SELECT system, max(period) FROM risk_grades GROUP BY system;
"""


def refresh_latest_grades(cur: Any) -> None:
    """Rebuild both tables from risk_grades; call inside the transaction that wrote risk_grades
    (≈ 1 s at 1 M entities, ≈ 10 s at 8 M)."""
    cur.execute(_REFRESH)


def ensure_latest_grades(store: Any) -> bool:
    """Fill the tables when grades exist but were never summarised (a store upgraded to schema 32, whose
    migration creates them empty); True if it did. Runs when the store is opened."""
    if store.scalar("SELECT count(*) FROM risk_grade_systems") or not store.scalar(
        "SELECT EXISTS (SELECT 1 FROM risk_grades)"
    ):
        return False
    with store.transaction() as cur:
        refresh_latest_grades(cur)
    return True


def latest_is_current(cur: Any, system: str, as_of: date) -> bool:
    """True when no grade of `system` is newer than as_of's month, so that risk_grade_latest is the
    latest grade by that month. False when the system has no row in risk_grade_systems (no grades,
    or grades written without a refresh): the history is then read, which is always right."""
    rows = cur.execute(
        "SELECT latest_period FROM risk_grade_systems WHERE system = ?", [system]
    ).fetchall()
    return bool(rows) and rows[0][0] <= f"{as_of:%Y-%m}"
