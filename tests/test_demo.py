"""The demo county: determinism, sizes, key classes, integrity, and the planted manifest vs SQL (§5)."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import DEMO_AS_OF, DEMO_SEED

from dashboard.demo import populate_demo
from dashboard.demo.generator import generate
from dashboard.demo.planted import load_planted
from dashboard.domain import uscc
from dashboard.store import INTERCHANGE_TABLES, StoreError

T = DEMO_AS_OF
YEARS = (2025, 2026)
INTERNAL = ("BGS", "GHK", "GBK", "KCK", "DHK", "CHK", "BDC", "ZFD", "TCZX", "ZBKS")

# DESIGN.md §5 building blocks, as of T = $t (dates after T count as empty)
TASKS_OF_Y = "SELECT task_code FROM tasks WHERE year(start_on) = $y AND start_on <= $t AND status <> 'voided'"
INSP_OF_Y = f"""
    SELECT i.task_code, i.entity_code, i.inspected_on, i.result_codes, i.inspectors,
           CASE WHEN i.entered_on <= $t THEN i.entered_on END AS entered,
           CASE WHEN i.published_on <= $t THEN i.published_on END AS published,
           workday_deadline(i.inspected_on, 20) AS dl
    FROM inspections i WHERE i.task_code IN ({TASKS_OF_Y}) AND i.inspected_on <= $t
"""
FU_OF_Y = f"""
    SELECT f.task_code, f.entity_code, f.due_on,
           CASE WHEN f.closed_on <= $t THEN f.closed_on END AS closed,
           CASE WHEN f.backfilled_on <= $t THEN f.backfilled_on END AS backfilled
    FROM followups f JOIN ({INSP_OF_Y}) i USING (task_code, entity_code)
"""


def pairs(store, sql: str, y: int, t: date = T) -> list[list[str]]:
    rows = store.rows(sql, {"t": t, "y": y})
    return sorted([a, b] for a, b in rows)


@pytest.fixture(scope="module")
def manifest(demo_store):
    m = load_planted(demo_store)
    assert m is not None
    return m


def dump(store) -> dict[str, list[tuple]]:
    out = {}
    for table in INTERCHANGE_TABLES:
        cols = [r[0] for r in store.rows(f"DESCRIBE {table}")]
        order = ", ".join(str(i + 1) for i in range(len(cols)))
        out[table] = store.rows(f"SELECT * FROM {table} ORDER BY {order}")
    return out


# -- determinism and sizes --------------------------------------------------------------------------
def test_same_seed_same_data_different_seed_different(demo_store, store):
    populate_demo(store, seed=DEMO_SEED, scale="county", as_of=DEMO_AS_OF)
    assert dump(store) == dump(demo_store)
    assert store.meta("demo_planted") == demo_store.meta("demo_planted")
    _, other = generate(DEMO_SEED + 1, "county", DEMO_AS_OF)
    _, same = generate(DEMO_SEED, "county", DEMO_AS_OF)
    assert other.tables["entities"]["entity_code"] != same.tables["entities"]["entity_code"]
    assert other.tables["inspections"] != same.tables["inspections"]


def test_populate_refuses_a_store_with_data(store):
    store.df("SELECT 1")
    with store.transaction() as cur:
        cur.execute("INSERT INTO units VALUES ('X', '某单位', '股室', false)")
    with pytest.raises(StoreError, match="已有数据"):
        populate_demo(store, seed=1, as_of=date(2025, 6, 30))


def test_meta_and_sizes(demo_store):
    s = demo_store
    assert s.is_demo
    users = s.rows("SELECT username, role, unit_codes FROM users ORDER BY 1")
    assert users == [
        ("admin", "admin", []),
        ("chk", "unit", ["CHK"]),
        ("kck", "unit", ["KCK"]),
        ("leader", "leader", []),
        ("viewer", "readonly", ["DHK"]),
    ]
    assert (s.meta("demo_seed"), s.meta("demo_as_of"), s.meta("demo_scale")) == (
        "2026",
        "2026-11-27",
        "county",
    )
    n = {t: s.scalar(f"SELECT count(*) FROM {t}") for t in INTERCHANGE_TABLES}
    assert n["units"] == 13 and n["items"] == 13
    assert 1900 <= n["entities"] <= 2100
    assert 40 <= n["inspectors"] <= 60
    assert 15 <= n["conflicts"] <= 25
    assert 1500 <= n["inspections"] <= 2500
    assert n["followups"] >= 150
    assert n["risk_grades"] > 60_000
    assert s.scalar("SELECT count(*) FROM risk_grades WHERE system = '公共信用'") >= 20
    assert s.scalar("SELECT min(period) FROM risk_grades") == "2023-01"
    assert s.scalar("SELECT max(period) FROM risk_grades") == "2026-11"
    # units exactly the contract codes; the towns of 赞皇县; ZR-009 needs 3 inspectors
    assert [r[0] for r in s.rows("SELECT unit_code FROM units ORDER BY 1")] == sorted(
        [
            "BGS",
            "GHK",
            "GBK",
            "KCK",
            "DHK",
            "CHK",
            "BDC",
            "ZFD",
            "TCZX",
            "ZBKS",
            "SJJ",
            "YJJ",
            "STJ",
        ]
    )
    assert s.scalar("SELECT min_inspectors FROM items WHERE item_code = 'ZR-009'") == 3
    assert s.scalar("SELECT count(DISTINCT town) FROM entities") == 11
    # every inspector of an inspection belongs to one of its task's units, team ≥ 2 (≥ 3 for ZR-009)
    bad = s.scalar(
        """SELECT count(*) FROM inspections i JOIN tasks t USING (task_code), unnest(i.inspectors) AS u(code)
           JOIN inspectors p ON p.inspector_code = u.code
           WHERE NOT list_contains(list_prepend(t.lead_unit, t.partner_units), p.unit_code)"""
    )
    assert bad == 0
    assert s.scalar("SELECT min(len(inspectors)) FROM inspections") >= 2
    assert (
        s.scalar(
            "SELECT min(len(inspectors)) FROM inspections JOIN tasks USING (task_code)"
            " WHERE list_contains(item_codes, 'ZR-009')"
        )
        == 3
    )
    # no inspector serves where they declared a conflict, or after their certificate expired
    assert (
        s.scalar(
            "SELECT count(*) FROM inspections i, unnest(i.inspectors) u(c) JOIN conflicts k"
            " ON k.inspector_code = u.c AND k.entity_code = i.entity_code"
        )
        == 0
    )
    assert (
        s.scalar(
            "SELECT count(*) FROM inspections i, unnest(i.inspectors) u(c) JOIN inspectors p"
            " ON p.inspector_code = u.c WHERE p.cert_valid_until < i.inspected_on"
        )
        == 0
    )
    # every follow-up belongs to an inspection with a code under A, except the one planted return visit
    # that contradicts a 未发现问题 result (dashboard/demo/registers.py); nothing happens after T but
    # due dates
    from dashboard.demo.planted import load_planted

    assert s.rows(
        "SELECT task_code, entity_code FROM followups JOIN inspections USING (task_code, entity_code)"
        " WHERE NOT list_has_any(result_codes, ['A', '2', 'B', 'C', '6', 'D', '3', '4', 'G', '5'])"
    ) == [tuple(load_planted(s)["registers"]["revisit_contradiction"])]
    for table, col in (
        ("inspections", "inspected_on"),
        ("inspections", "entered_on"),
        ("inspections", "published_on"),
        ("followups", "closed_on"),
        ("followups", "backfilled_on"),
        ("followups", "revisit_on"),
        ("followups", "transferred_on"),
        ("followups", "penalty_published_on"),
        ("followups", "credit_recorded_on"),
        ("trainings", "held_on"),
        ("publicity", "published_on"),
        ("submissions", "submitted_on"),
        ("supervisions", "rectified_on"),
    ):
        assert s.scalar(f"SELECT count(*) FROM {table} WHERE {col} > $t", {"t": T}) == 0
    kinds = {r[0] for r in s.rows("SELECT DISTINCT joint_kind || '/' || source FROM tasks")}
    assert {
        "none/plan",
        "internal/plan",
        "cross/plan",
        "cross/dispatched",
        "cross/adhoc",
        "none/adhoc",
    } <= kinds
    statuses = {r[0] for r in s.rows("SELECT DISTINCT status FROM tasks")}
    assert statuses == {"planned", "drawn", "in_progress", "done", "voided"}
    assert s.scalar("SELECT count(*) FROM plans WHERE status = '已作废'") == 1


# -- entity keys -----------------------------------------------------------------------------------------
def classify(code: str) -> str:
    kind = uscc.classify(code)
    if kind == "uscc" and not uscc.validate_uscc(code).check_digit_ok:
        return "uscc_bad_check"
    return kind


def test_entity_codes_classify_as_planted(demo_store, manifest):
    codes = [r[0] for r in demo_store.rows("SELECT entity_code FROM entities")]
    got: dict[str, list[str]] = {}
    for code in codes:
        got.setdefault(classify(code), []).append(code)
    assert sorted(got["uscc_bad_check"]) == manifest["entity_codes"]["bad_check_digit"]
    assert len(got["uscc_bad_check"]) == 8
    assert sorted(got["registration_no"]) == manifest["entity_codes"]["registration_no"]
    assert len(got["registration_no"]) == 5
    assert "invalid" not in got
    kinds = dict(
        demo_store.rows(
            "SELECT entity_kind, count(*) FROM entities WHERE entity_code SIMILAR TO '[CT][0-9]{22}' GROUP BY 1"
        )
    )
    assert set(kinds) == {"采矿权人", "探矿权人"} and len(got["licence"]) == sum(kinds.values())
    assert sum(c.startswith("91130129MA") for c in got["uscc"]) > 200
    untagged = [
        r[0]
        for r in demo_store.rows("SELECT entity_code FROM entities WHERE len(tags) = 0 ORDER BY 1")
    ]
    assert untagged == manifest["entity_codes"]["untagged"] and 5 <= len(untagged) <= 15
    closed = demo_store.rows(
        "SELECT status, count(*) FILTER (WHERE closed_on IS NULL) FROM entities"
        " WHERE status <> '存续' GROUP BY 1"
    )
    assert {s for s, _ in closed} >= {"注销", "吊销", "迁出"} and all(n == 0 for _, n in closed)
    assert demo_store.scalar("SELECT count(*) FROM entities WHERE year(registered_on) = 2026") > 10


# -- planted manifest vs the §5 definitions computed in SQL ---------------------------------------------
def check_timeliness(store, m: dict, y: int, t: date) -> None:
    """Every timeliness set of the manifest equals the §5 definition computed in SQL."""
    q = f"SELECT task_code, entity_code FROM ({INSP_OF_Y})"
    assert pairs(store, q + " WHERE entered > dl", y, t) == m["late_entries"]
    assert pairs(store, q + " WHERE entered IS NULL AND dl < $t", y, t) == m["entry_overdue"]
    assert pairs(store, q + " WHERE entered IS NULL AND dl >= $t", y, t) == m["entry_pending"]
    assert pairs(store, q + " WHERE published > dl", y, t) == m["late_publications"]
    assert pairs(store, q + " WHERE published IS NULL AND dl < $t", y, t) == m["publish_overdue"]
    fq = f"SELECT task_code, entity_code FROM ({FU_OF_Y})"
    overdue = fq + " WHERE due_on < $t AND closed IS NULL"
    assert pairs(store, overdue, y, t) == m["followup_overdue"]
    late = fq + (
        " WHERE closed IS NOT NULL AND (backfilled > workday_deadline(closed, 5)"
        " OR (backfilled IS NULL AND workday_deadline(closed, 5) < $t))"
    )
    assert pairs(store, late, y, t) == m["backfill_late"]
    assert sorted(m["backfill_late_backfilled"] + m["backfill_missing"]) == m["backfill_late"]


@pytest.mark.parametrize("y", YEARS)
def test_timeliness_matches_manifest(demo_store, manifest, y):
    m = manifest["by_year"][str(y)]
    check_timeliness(demo_store, m, y, T)
    # the planted ones are there, in realistic numbers
    assert 4 <= len(m["late_entries"]) <= 10 and 1 <= len(m["entry_overdue"]) <= 5
    assert len(m["followup_overdue"]) >= 2 and len(m["backfill_missing"]) >= 1
    assert len(m["late_entries_across_national_day"]) >= 1
    assert len(m["late_entries_across_spring_festival"]) >= 1


@pytest.mark.parametrize("y", YEARS)
def test_holiday_crossing_late_entries(demo_store, manifest, y):
    m = manifest["by_year"][str(y)]
    breaks = {  # the official breaks (chinesecalendar): National Day and Spring Festival
        2025: ((date(2025, 10, 1), date(2025, 10, 8)), (date(2025, 1, 28), date(2025, 2, 4))),
        2026: ((date(2026, 10, 1), date(2026, 10, 7)), (date(2026, 2, 15), date(2026, 2, 23))),
    }[y]
    for key, (first, last) in zip(
        ("late_entries_across_national_day", "late_entries_across_spring_festival"),
        breaks,
        strict=True,
    ):
        for task, entity in m[key]:
            assert [task, entity] in m["late_entries"]
            inspected, dl, entered = demo_store.rows(
                "SELECT inspected_on, workday_deadline(inspected_on, 20), entered_on FROM inspections"
                " WHERE task_code = ? AND entity_code = ?",
                [task, entity],
            )[0]
            assert inspected < first and dl > last and entered > dl


def check_tasks_and_coverage(store, m: dict, y: int, t: date) -> None:
    p = {"t": t, "y": y}
    tasks = store.rows(
        f"SELECT task_code, joint_kind, uses_risk_grades FROM tasks WHERE task_code IN ({TASKS_OF_Y})",
        p,
    )
    assert len(tasks) == m["tasks"]
    assert sorted(c for c, j, _ in tasks if j == "none") == m["non_joint_tasks"]
    assert sorted(c for c, _, r in tasks if not r) == m["non_risk_graded_tasks"]
    base = store.scalar(
        "SELECT count(*) FROM entities"
        " WHERE coalesce(registered_on, DATE '1900-01-01') <= make_date($y - 1, 12, 31)"
        " AND NOT coalesce(closed_on <= make_date($y - 1, 12, 31), false)",
        {"y": y},
    )
    assert base == m["coverage"]["base"]
    by_unit = dict(
        store.rows(
            f"""SELECT u.unit_code, count(DISTINCT i.entity_code)
                FROM units u JOIN tasks t
                  ON list_contains(list_prepend(t.lead_unit, t.partner_units), u.unit_code)
                LEFT JOIN ({INSP_OF_Y}) i ON i.task_code = t.task_code
                WHERE t.task_code IN ({TASKS_OF_Y}) GROUP BY 1""",
            p,
        )
    )
    assert by_unit == m["coverage"]["by_unit"]
    below = sorted(u for u, n in by_unit.items() if u in INTERNAL and n < 0.05 * base)
    assert below == m["units_below_coverage"]
    total = store.scalar(f"SELECT count(DISTINCT entity_code) FROM ({INSP_OF_Y})", p)
    assert total == m["coverage"]["inspected"]
    return base, by_unit, total


@pytest.mark.parametrize("y", YEARS)
def test_task_shares_and_coverage_match_manifest(demo_store, manifest, y):
    m = manifest["by_year"][str(y)]
    base, by_unit, total = check_tasks_and_coverage(demo_store, m, y, T)
    assert m["units_below_coverage"] == ["TCZX"] and total >= 0.05 * base


def test_current_year_planted_task_problems(manifest):
    m = manifest["by_year"]["2026"]
    assert len(m["non_joint_tasks"]) == 2 and len(m["non_risk_graded_tasks"]) == 2
    assert manifest["by_year"]["2025"]["non_joint_tasks"] == []
    assert manifest["voided_tasks"] and manifest["voided_plans"] == ["JH2025-ZR-010"]
    assert len(manifest["plan_changes_not_republished"]) == 2
    assert len(manifest["checklists_added_after_start"]) == 2


def test_tasks_past_end_without_results(demo_store, manifest):
    got = [
        r[0]
        for r in demo_store.rows(
            """SELECT task_code FROM tasks t WHERE status <> 'voided' AND start_on <= $t AND end_on < $t
           AND NOT EXISTS (SELECT 1 FROM inspections i WHERE i.task_code = t.task_code AND i.inspected_on <= $t)
           ORDER BY 1""",
            {"t": T},
        )
    ]
    assert got == manifest["tasks_past_end_without_results"] and len(got) == 1


def check_high_risk(store, manifest: dict, t: date) -> None:
    got = [
        r[0]
        for r in store.rows(
            """WITH latest AS (
                   SELECT entity_code, arg_max(grade, period) AS grade FROM risk_grades
                   WHERE system = '市场监管' AND period <= strftime($t, '%Y-%m') GROUP BY 1)
               SELECT e.entity_code FROM entities e JOIN latest l USING (entity_code)
               WHERE l.grade = 'D' AND NOT coalesce(e.closed_on <= $t, false)
                 AND NOT EXISTS (
                     SELECT 1 FROM inspections i JOIN tasks k USING (task_code)
                     WHERE i.entity_code = e.entity_code AND k.status <> 'voided'
                       AND i.inspected_on > $t - INTERVAL 365 DAY AND i.inspected_on <= $t)
               ORDER BY 1""",
            {"t": t},
        )
    ]
    assert got == manifest["high_risk_uninspected"]
    worsened = {w["entity_code"] for w in manifest["risk_worsened"]}
    assert set(manifest["high_risk_uninspected_planted"]) <= set(got)
    assert set(got) <= set(manifest["high_risk_uninspected_planted"]) | worsened
    assert len(manifest["high_risk_uninspected_planted"]) == 2


def test_high_risk_uninspected_matches_manifest(demo_store, manifest):
    check_high_risk(demo_store, manifest, T)


def test_another_seed_and_as_of_is_just_as_exact(store):
    """Seed 7 as of 2025-06-30: the manifest still equals what the §5 definitions find."""
    t = date(2025, 6, 30)
    counts = populate_demo(store, seed=7, as_of=t)
    assert counts["inspections"] > 1000
    m = load_planted(store)
    assert m["years"] == [2022, 2023, 2024, 2025]
    for y in m["years"]:
        check_timeliness(store, m["by_year"][str(y)], y, t)
        check_tasks_and_coverage(store, m["by_year"][str(y)], y, t)
    assert m["by_year"]["2025"]["entry_overdue"] and m["by_year"]["2024"]["late_entries"]
    check_high_risk(store, m, t)


def test_worsening_entities(demo_store, manifest):
    assert 8 <= len(manifest["risk_worsened"]) <= 12
    jumps = dict(
        demo_store.rows(
            """SELECT entity_code, max(score) FILTER (WHERE period = '2026-11') - max(score) FILTER (WHERE period = '2026-08')
           FROM risk_grades WHERE system = '市场监管' GROUP BY 1 HAVING count(*) FILTER (WHERE period IN ('2026-08', '2026-11')) = 2"""
        )
    )
    big = sorted(c for c, j in jumps.items() if j > 15)
    assert big == sorted(w["entity_code"] for w in manifest["risk_worsened"])
    for w in manifest["risk_worsened"]:
        assert (w["from_grade"], w["to_grade"]) == ("B", "D") and w["to_score"] - w[
            "from_score"
        ] > 20
    grades = dict(
        demo_store.rows(
            "SELECT grade, count(*) FROM risk_grades WHERE system = '市场监管' AND period = '2026-11' GROUP BY 1"
        )
    )
    assert grades["A"] > grades["C"] > grades["D"] > 0 and grades["B"] > grades["C"]


def test_inspector_with_low_finding_rate(demo_store, manifest):
    m = manifest["inspector_low_findings"]
    finding = (
        "list_has_any(result_codes, ['E', 'A', '2', 'B', 'C', '6', 'D', '3', '4', 'G', '5', '8'])"
    )
    q = f"""SELECT count(*), count(*) FILTER (WHERE {finding}) FROM ({INSP_OF_Y})
            WHERE entered IS NOT NULL AND len(result_codes) > 0 AND """
    p = {"t": T, "y": 2026}
    n, f = demo_store.rows(q + "list_contains(inspectors, 'KCK03')", p)[0]
    un, uf = demo_store.rows(
        q
        + "list_has_any(inspectors, (SELECT list(inspector_code) FROM inspectors WHERE unit_code = 'KCK'))",
        p,
    )[0]
    assert (n, f, un, uf) == (
        m["inspections"],
        m["findings"],
        m["unit_inspections"],
        m["unit_findings"],
    )
    assert n >= 40 and f == 0 and uf / un >= 0.1
    # the county overall: 15–25 % of entered inspections have a finding
    total, found = demo_store.rows(q + "true", p)[0]
    assert 0.12 <= found / total <= 0.25


def test_only_the_planted_inspector_finds_far_less_than_the_unit(demo_store, manifest):
    """One-sided Fisher test of each inspector against the rest of their unit, per year."""
    from dashboard.demo.generator import fisher_lower

    finding = (
        "list_has_any(result_codes, ['E', 'A', '2', 'B', 'C', '6', 'D', '3', '4', 'G', '5', '8'])"
    )
    low = []
    for y in (2023, 2024, 2025, 2026):
        rows = demo_store.rows(
            f"""WITH g AS (
                    SELECT task_code, entity_code, inspectors, {finding} AS f FROM ({INSP_OF_Y})
                    WHERE entered IS NOT NULL AND len(result_codes) > 0),
                u AS (SELECT DISTINCT p.unit_code, g.* FROM g
                      JOIN inspectors p ON list_contains(g.inspectors, p.inspector_code))
                SELECT p.inspector_code,
                       count(*) FILTER (WHERE list_contains(u.inspectors, p.inspector_code)),
                       count(*) FILTER (WHERE list_contains(u.inspectors, p.inspector_code) AND f),
                       count(*) FILTER (WHERE NOT list_contains(u.inspectors, p.inspector_code)),
                       count(*) FILTER (WHERE NOT list_contains(u.inspectors, p.inspector_code) AND f)
                FROM inspectors p JOIN u USING (unit_code) GROUP BY 1 ORDER BY 1""",
            {"t": T, "y": y},
        )
        for code, n, k, n_rest, k_rest in rows:
            if n and n_rest and fisher_lower(k, n, k_rest, n_rest) < 0.01:
                low.append((y, code))
    m = manifest["inspector_low_findings"]
    assert low == [(m["year"], m["inspector_code"])]


def test_bad_arguments_leave_an_existing_file_alone(tmp_path):
    from dashboard.demo import build_demo_store

    path = tmp_path / "keep.duckdb"
    path.write_bytes(b"not a store")
    with pytest.raises(StoreError, match="演示规模"):
        build_demo_store(path, scale="huge", as_of=T)
    with pytest.raises(StoreError, match="基准日"):
        build_demo_store(path, as_of=date(2019, 5, 1))
    assert path.read_bytes() == b"not a store"
