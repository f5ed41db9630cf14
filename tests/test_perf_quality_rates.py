"""基础与质量 finding rates per inspector (issue 17): the unnested query gives exactly the numbers of the
definition it replaced (every inspector tested against every inspection of the unit with list_contains),
here written out in full and run on the county demo for several scopes."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from dashboard.metrics import base
from dashboard.scope import Scope

DEFINITION = """
WITH {{base}},
graded AS (
    SELECT task_code, entity_code, inspectors,
        len(list_intersect(result_codes, CAST($finding_codes AS VARCHAR[]))) > 0 AS finding
    FROM y_insp
    WHERE entered_on IS NOT NULL AND len(result_codes) > 0
),
unit_insp AS (
    SELECT DISTINCT ins.unit_code, g.task_code, g.entity_code, g.inspectors, g.finding
    FROM graded AS g
    JOIN inspectors AS ins ON list_contains(g.inspectors, ins.inspector_code)
),
people AS (
    SELECT ins.inspector_code, ins.name, ins.unit_code
    FROM inspectors AS ins, b_params AS p
    WHERE p.units IS NULL OR list_contains(p.units, ins.unit_code)
)
SELECT
    pe.inspector_code, pe.name, pe.unit_code,
    count(*) FILTER (WHERE list_contains(ui.inspectors, pe.inspector_code)) AS n,
    count(*) FILTER (WHERE list_contains(ui.inspectors, pe.inspector_code) AND ui.finding) AS k,
    count(*) FILTER (WHERE NOT list_contains(ui.inspectors, pe.inspector_code)) AS n_rest,
    count(*) FILTER (WHERE NOT list_contains(ui.inspectors, pe.inspector_code) AND ui.finding)
        AS k_rest
FROM people AS pe
JOIN unit_insp AS ui ON ui.unit_code = pe.unit_code
GROUP BY pe.inspector_code, pe.name, pe.unit_code
HAVING count(*) FILTER (WHERE list_contains(ui.inspectors, pe.inspector_code)) > 0
ORDER BY pe.unit_code, pe.inspector_code
"""

T = date(2026, 11, 27)


@pytest.mark.parametrize(
    "scope",
    [Scope(2026, T), Scope(2026, T, unit="KCK"), Scope(2025, T), Scope(2024, date(2024, 12, 31))],
)
def test_inspector_rates_equal_the_pairwise_definition(demo_store, scope):
    cur = demo_store.cursor()
    sql = DEFINITION.replace(
        base.BASE_TOKEN, base._strip_comments((base.SQL_DIR / "base_scope.sql").read_text("utf-8"))
    )
    expected = cur.execute(sql, base.bind(sql, base.scope_params(cur, scope))).df()
    got = base.run_df(cur, "quality_inspector_rates", scope)
    assert len(got) > 0
    pd.testing.assert_frame_equal(got, expected)
    # n_rest + n is the unit's whole count of graded inspections, the same for every inspector of it
    per_unit = (got["n"] + got["n_rest"]).groupby(got["unit_code"]).nunique()
    assert (per_unit == 1).all()
