"""KPI and drill-down queries (DESIGN.md §5): one module per area, SQL in ``metrics/sql/*.sql``.

Every function takes ``(con, scope)``: ``con`` a DuckDB connection/cursor with the store schema (or a
Store), ``scope`` a :class:`dashboard.scope.Scope`; see :mod:`dashboard.metrics.base`.
"""
