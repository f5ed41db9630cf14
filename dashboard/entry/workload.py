"""What is left to do on each task (issue 12 point 7): the 结果录入 page opens on the task with the most
pending work and shows leaders and read-only users the entry status of the tasks they may see.

- results to enter: the task's targets (the current draw's selections, plus entities that already have
  a row, as service.task_targets lists them) whose result has no entry date yet (state 待录入);
- follow-ups to backfill: the task's follow-ups closed but not yet backfilled.
The default task has the most results to enter, then the most follow-ups to backfill; a tie keeps the
order of the list (newest task first).
"""

from __future__ import annotations

import pandas as pd

from dashboard.metrics import cache as query_cache
from dashboard.store import Store

COLUMNS = ["task_code", "to_enter", "to_backfill"]


def pending_work(store: Store, task_codes: list[str]) -> pd.DataFrame:
    """One row per task code (in the given order): to_enter, to_backfill. Inside the app the counts
    are kept until the next write (metrics.cache: 1.8 s over 2 M results of a province)."""
    codes = [str(c) for c in task_codes]
    if not codes:
        return pd.DataFrame(columns=COLUMNS)
    rows = query_cache.cached_query(
        "entry.pending_work", {"codes": tuple(codes)}, lambda: _pending_rows(store, codes)
    )
    found = {r[0]: (int(r[1]), int(r[2])) for r in rows}
    return pd.DataFrame([(c, *found.get(c, (0, 0))) for c in codes], columns=COLUMNS).astype(
        {"to_enter": "int64", "to_backfill": "int64"}
    )


def _pending_rows(store: Store, codes: list[str]) -> list[tuple]:
    return store.rows(
        """
        WITH cur AS (
            SELECT d.task_code, arg_max(d.draw_id, d.chain_pos) AS draw_id
            FROM draws AS d
            WHERE d.kind = 'task' AND list_contains($codes, d.task_code)
              AND NOT EXISTS (SELECT 1 FROM draws AS s WHERE s.supersedes = d.draw_id)
            GROUP BY d.task_code
        ),
        targets AS (
            SELECT c.task_code, s.entity_code
            FROM cur AS c JOIN draw_selections AS s ON s.draw_id = c.draw_id
            UNION
            SELECT i.task_code, i.entity_code FROM inspections AS i
            WHERE list_contains($codes, i.task_code)
        ),
        entry AS (
            SELECT tg.task_code, count(*) FILTER (WHERE i.entered_on IS NULL) AS to_enter
            FROM targets AS tg
            LEFT JOIN inspections AS i
                ON i.task_code = tg.task_code AND i.entity_code = tg.entity_code
            GROUP BY tg.task_code
        ),
        backfill AS (
            SELECT f.task_code, count(*) AS to_backfill FROM followups AS f
            WHERE list_contains($codes, f.task_code)
              AND f.closed_on IS NOT NULL AND f.backfilled_on IS NULL
            GROUP BY f.task_code
        )
        SELECT c.task_code, coalesce(e.to_enter, 0), coalesce(b.to_backfill, 0)
        FROM (SELECT unnest($codes) AS task_code) AS c
        LEFT JOIN entry AS e ON e.task_code = c.task_code
        LEFT JOIN backfill AS b ON b.task_code = c.task_code
        """,
        {"codes": codes},
    )


def busiest_task(work: pd.DataFrame) -> str | None:
    """The task with the most results to enter, then follow-ups to backfill (first in list on a tie)."""
    if work.empty:
        return None
    best = max(
        range(len(work)),
        key=lambda i: (int(work["to_enter"].iloc[i]), int(work["to_backfill"].iloc[i]), -i),
    )
    return str(work["task_code"].iloc[best])


def visible_tasks(store: Store, user) -> pd.DataFrame:
    """Tasks (not voided, already drawn) of the units the user may see (all for admin and leader; the
    own units, as lead or partner, for unit and read-only users), newest first — the columns of
    service.writable_tasks."""
    if user is None:
        return pd.DataFrame()
    units = user.allowed_units
    return store.df(
        """
        SELECT t.task_code, t.task_name, t.lead_unit, t.partner_units, t.item_codes, t.status,
               t.start_on, t.end_on,
               (SELECT count(*) FROM inspections AS i WHERE i.task_code = t.task_code) AS results
        FROM tasks AS t
        WHERE t.status IN ('drawn', 'in_progress', 'done')
          AND ($units IS NULL OR list_contains($units, t.lead_unit)
               OR len(list_intersect($units, t.partner_units)) > 0)
        ORDER BY t.start_on DESC NULLS LAST, t.task_code DESC
        """,
        {"units": sorted(units) if units is not None else None},
    )
