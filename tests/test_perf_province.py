"""The province demo's SQL copies (issue 17, dashboard/demo/bulk_sql.py), run on a copy of the county
demo with 3 counties (the base and 2 copies) instead of 80."""

from __future__ import annotations

import pytest

from dashboard.demo import bulk_sql
from dashboard.domain import uscc
from dashboard.store import close_store, open_store


@pytest.fixture(scope="module")
def tripled(demo_store, demo_db_path, tmp_path_factory):
    from tests.browser_util import copy_demo_store

    path = copy_demo_store(demo_store, demo_db_path, tmp_path_factory.mktemp("prov") / "p.duckdb")
    store = open_store(path)
    base = {
        t: store.scalar(f"SELECT count(*) FROM {t}")
        for t in ("entities", "risk_grades", "inspections", "followups")
    }
    added = bulk_sql.multiply(store, copies=3, per_transaction=1)  # two transactions, one per copy
    yield store, base, added
    close_store(path)


def test_every_entity_with_a_division_code_is_copied_once_per_county(tripled):
    store, base, added = tripled
    # the county: 1,998 entities; the 5 legacy 15-digit 注册号 have no place for a county code
    assert base["entities"] == 1998
    assert store.scalar("SELECT count(*) FROM entities WHERE length(entity_code) = 15") == 5
    assert added["entities"] == 2 * 1993
    assert store.scalar("SELECT count(DISTINCT entity_code) FROM entities") == 1998 + 2 * 1993
    for k in (1, 2):
        assert store.scalar(f"SELECT count(*) FROM entities WHERE name LIKE '%（{k}）'") == 1993


def test_a_copy_keeps_its_base_entitys_code_kind_and_check_state(tripled):
    store, _, _ = tripled
    pairs = store.rows(
        "SELECT b.entity_code, c.entity_code, c.name FROM entities AS c"
        " JOIN entities AS b ON c.name IN (b.name || '（1）', b.name || '（2）')"
        " AND c.entity_kind = b.entity_kind"
    )
    assert len(pairs) == 2 * 1993
    for old, new, name in pairs:
        k = name[-2]
        assert uscc.classify(new) == uscc.classify(old)
        if uscc.classify(old) == "uscc":
            assert new[2:8] == f"13020{k}" and new[8:17] == old[8:17]
            assert uscc.validate_uscc(new).check_digit_ok == uscc.validate_uscc(old).check_digit_ok
        else:  # a mining or exploration licence: the division code after the first letter
            assert new[0] == old[0] and new[1:7] == f"13020{k}" and new[7:] == old[7:]
    # the planted wrong check characters stay wrong in every copy
    wrong = [o for o, _, _ in pairs if uscc.classify(o) == "uscc"]
    assert any(not uscc.validate_uscc(o).check_digit_ok for o in wrong)


def test_grades_inspections_and_follow_ups_follow_their_entity(tripled):
    store, base, added = tripled
    for table in ("risk_grades", "inspections", "followups"):
        of_copied = store.scalar(
            f"SELECT count(*) FROM {table} AS t JOIN entities AS e USING (entity_code)"
            " WHERE e.name LIKE '%（1）'"
        )
        assert added[table] == 2 * of_copied
        assert of_copied > 0
    # each copy holds exactly the inspections of the base's copyable entities (not the 5 注册号)
    copyable = store.scalar(
        "SELECT count(*) FROM inspections AS i JOIN entities AS e USING (entity_code)"
        " WHERE length(e.entity_code) <> 15 AND e.name NOT LIKE '%（_）'"
    )
    for k in (1, 2):
        assert copyable == store.scalar(
            "SELECT count(*) FROM inspections AS i JOIN entities AS e USING (entity_code)"
            f" WHERE e.name LIKE '%（{k}）'"
        )
    differing = store.scalar(
        """
        SELECT count(*) FROM inspections AS c
        JOIN entities AS ce ON ce.entity_code = c.entity_code AND ce.name LIKE '%（1）'
        JOIN entities AS be ON be.name || '（1）' = ce.name AND be.entity_kind = ce.entity_kind
        JOIN inspections AS b ON b.entity_code = be.entity_code AND b.task_code = c.task_code
        WHERE b.inspected_on IS DISTINCT FROM c.inspected_on
           OR b.entered_on IS DISTINCT FROM c.entered_on
           OR b.result_codes IS DISTINCT FROM c.result_codes
        """
    )
    assert differing == 0
    assert base["inspections"] + added["inspections"] == store.scalar(
        "SELECT count(*) FROM (SELECT DISTINCT task_code, entity_code FROM inspections)"
    )


def test_a_large_build_opens_its_store_with_more_memory(tmp_path):
    from dashboard.demo import _build_memory_mb

    path = tmp_path / "build.duckdb"
    store = open_store(path, memory_limit_mb=3072, max_execution_ms=0)
    try:
        # DuckDB reads MB as 10^6 bytes: 3072 MB = 3.072e9 B = 2.86 GiB, shown "2.8 GiB"; the default
        # setting 1024 MB = 976.5 MiB
        assert store.scalar("SELECT current_setting('memory_limit')") == "2.8 GiB"
    finally:
        close_store(path)
    reopened = open_store(path)
    try:
        assert reopened.scalar("SELECT current_setting('memory_limit')") == "976.5 MiB"
    finally:
        close_store(path)
    assert _build_memory_mb() >= 2048
