"""The one place that looks up unit and item names and the scope choices (years, units, items, towns).

Pages, reports, the draw and the metrics all name units and items; they read them here, so a name shown
in a sidebar, a certificate and a report is the same lookup. `con` is a Store, a DuckDB connection or a
cursor.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def _rows(con: Any, sql: str, params: list | None = None) -> list[tuple]:
    if hasattr(con, "rows"):  # a Store
        return con.rows(sql, params or [])
    cur = con.cursor() if hasattr(con, "cursor") and not hasattr(con, "fetchall") else con
    return cur.execute(sql, params or []).fetchall()


def unit_names(con: Any) -> dict[str, str]:
    """unit_code → unit_name, in code order."""
    return dict(_rows(con, "SELECT unit_code, unit_name FROM units ORDER BY unit_code"))


def item_names(con: Any, item_codes: Iterable[str] | None = None) -> dict[str, str]:
    """item_code → item_name, in code order; only `item_codes` when given."""
    if item_codes is None:
        return dict(_rows(con, "SELECT item_code, item_name FROM items ORDER BY item_code"))
    return dict(
        _rows(
            con,
            "SELECT item_code, item_name FROM items WHERE list_contains(?, item_code)"
            " ORDER BY item_code",
            [list(item_codes) or [""]],
        )
    )


def labelled(code: str, names: dict[str, str]) -> str:
    """名称（代码）, or the code alone when it has no name."""
    name = names.get(code)
    return f"{name}（{code}）" if name else code


def task_years(con: Any) -> list[int]:
    """Years in which some task starts, ascending."""
    rows = _rows(
        con, "SELECT DISTINCT year(start_on) AS y FROM tasks WHERE start_on IS NOT NULL ORDER BY y"
    )
    return [int(r[0]) for r in rows]


def unit_choices(con: Any, allowed: frozenset[str] | None = None) -> list[tuple[str, str]]:
    """(unit_code, unit_name) of the units a user may pick, in code order."""
    return [(c, n) for c, n in unit_names(con).items() if allowed is None or c in allowed]


def item_choices(con: Any) -> list[tuple[str, str]]:
    return list(item_names(con).items())


def town_choices(con: Any) -> list[str]:
    rows = _rows(
        con,
        "SELECT DISTINCT town FROM entities WHERE town IS NOT NULL AND town <> '' ORDER BY town",
    )
    return [r[0] for r in rows]
