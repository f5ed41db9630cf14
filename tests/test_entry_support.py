"""Helpers for the entry tests (no tests here): give a private demo copy targets waiting for entry.

The demo's own pending inspections depend on the generator; the entry tests make their own on their
private copy so they do not break when the demo changes.
"""

from __future__ import annotations

from datetime import date


def make_pending(store, task_code: str, n: int, *, before: date) -> list[str]:
    """Clear the result of n inspections of the task (entity 存续, no follow-up, inspected before
    `before`) so they wait for entry again; returns their entity codes, sorted."""
    entities = [
        e
        for (e,) in store.rows(
            "SELECT i.entity_code FROM inspections AS i JOIN entities AS e USING (entity_code)"
            " WHERE i.task_code = ? AND e.status = '存续' AND i.inspected_on < ?"
            " AND NOT EXISTS (SELECT 1 FROM followups AS f"
            "   WHERE f.task_code = i.task_code AND f.entity_code = i.entity_code)"
            " ORDER BY i.entity_code LIMIT ?",
            [task_code, before, n],
        )
    ]
    assert len(entities) == n, (task_code, entities)
    with store.transaction() as cur:
        cur.execute(
            "UPDATE inspections SET entered_on = NULL, published_on = NULL, result_codes = [], note = NULL"
            " WHERE task_code = ? AND list_contains(?, entity_code)",
            [task_code, entities],
        )
    return entities


def chk_task(store) -> str:
    """The newest task CHK leads (the first one the 结果录入 form offers to chk)."""
    return store.scalar(
        "SELECT task_code FROM tasks WHERE lead_unit = 'CHK' AND status IN ('drawn', 'in_progress', 'done')"
        " ORDER BY start_on DESC, task_code DESC LIMIT 1"
    )
