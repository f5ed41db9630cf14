"""基础与质量 on a hand-built county (as of 2026-11-27) and the planted demo problems."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest

from dashboard.domain.uscc import make_uscc
from dashboard.metrics import quality
from dashboard.scope import Scope

T = date(2026, 11, 27)
S = Scope(2026, T)

GOOD = make_uscc("91130129MA0000001")
BAD_CHECK = GOOD[:17] + ("0" if GOOD[17] != "0" else "1")

BASE = f"""
INSERT INTO units VALUES ('KCK', '矿产资源管理股', '股室', false), ('CHK', '测绘地理信息股', '股室', false);
INSERT INTO items (item_code, item_name, owner_unit) VALUES
    ('I1', '矿山检查', 'KCK'), ('I2', '测绘检查', NULL), ('I3', '旧事项', 'XXX');
INSERT INTO checklists VALUES
    ('I1', '矿山检查表', DATE '2025-12-20'), ('I1', '矿山检查补充表', DATE '2026-03-10');
INSERT INTO entities (entity_code, name, tags) VALUES
    ('{GOOD}', '好公司', ['I1']), ('{BAD_CHECK}', '校验位错公司', ['I1']), ('ABC', '乱码公司', ['I1']),
    ('130129000100469', '老注册号公司', ['I1']), ('C1301292016127100000184', '某矿', []);
INSERT INTO inspectors (inspector_code, name, unit_code, cert_no, cert_valid_until, specialties, active) VALUES
    ('KCK01', '甲', 'KCK', 'Z1', DATE '2027-12-31', ['I1'], true),
    ('KCK02', '乙', 'KCK', 'Z2', DATE '2027-12-31', [], true),
    ('KCK03', '丙', 'KCK', 'Z3', DATE '2026-11-01', ['I1'], true),
    ('KCK04', '丁', 'KCK', 'Z4', DATE '2026-12-10', ['I1'], true),
    ('KCK05', '戊', 'KCK', 'Z5', DATE '2020-01-01', [], false),
    ('KCK06', '己', 'KCK', 'Z6', DATE '2027-12-31', ['I1'], true),
    ('CHK01', '庚', 'CHK', NULL, DATE '2028-12-31', ['I2'], true),
    ('CHK02', '辛', 'CHK', 'Z8', DATE '2028-12-31', ['I2'], true);
INSERT INTO tasks (task_code, task_name, item_codes, lead_unit, start_on, end_on, status) VALUES
    ('TA', '矿山一批', ['I1'], 'KCK', DATE '2026-03-01', DATE '2026-04-30', 'done'),
    ('TB', '测绘一批', ['I2'], 'CHK', DATE '2026-05-01', DATE '2026-06-30', 'done'),
    ('TC', '矿山二批', ['I1'], 'KCK', DATE '2026-05-01', DATE '2026-06-30', 'done');
"""


def inspection_rows() -> list[tuple]:
    """(task, entity, inspectors, inspected_on, codes, entered_on, published_on, note) rows.

    KCK06 alone: 20 inspections, no finding; 5 entered 2026-05-20 with the same note (a bulk group), 4
    entered 2026-05-21 with another same note (below 5). KCK01 alone: 20 inspections, 10 with a finding.
    CHK01: 5 inspections, 1 finding; CHK02: 5 inspections, 2 findings. One CHK02 row published before
    it was entered.
    """
    rows = []
    d = date(2026, 5, 4)
    for i in range(20):
        entered = (
            date(2026, 5, 20) if i < 5 else date(2026, 5, 21) if i < 9 else d + timedelta(days=1)
        )
        note = "现场检查未发现问题" if i < 5 else "资料齐全" if i < 9 else f"备注{i}"
        rows.append(("TC", f"K6-{i}", ["KCK06"], d, ["1"], entered, entered, note))
    for i in range(20):
        rows.append(("TC", f"K1-{i}", ["KCK01"], d, ["A", "2"] if i < 10 else ["1"], d, d, None))
    for i in range(5):
        rows.append(("TB", f"C1-{i}", ["CHK01"], d, ["E"] if i < 1 else ["1"], d, d, None))
    for i in range(5):
        pub = date(2026, 5, 6) if i == 4 else date(2026, 5, 8)
        rows.append(
            ("TB", f"C2-{i}", ["CHK02"], d, ["E"] if i < 2 else ["1"], date(2026, 5, 8), pub, None)
        )
    return rows


def code_of(n: int) -> str:
    """A valid USCC for the n-th generated entity (its name is the row label)."""
    return make_uscc(f"91130129MA{1000 + n:07d}")


@pytest.fixture
def county(store):
    rows = [(r[0], code_of(n), *r[2:]) for n, r in enumerate(inspection_rows())]
    with store.transaction() as cur:
        cur.execute(BASE)
        cur.executemany(
            "INSERT INTO entities (entity_code, name, tags) VALUES (?, ?, ['I1'])",
            [(r[1], label[1]) for r, label in zip(rows, inspection_rows(), strict=True)],
        )
        cur.executemany(
            "INSERT INTO inspections (task_code, entity_code, inspectors, inspected_on, result_codes,"
            " entered_on, published_on, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    return store


def test_fisher_and_binomial_by_hand():
    # P(X <= 0), X ~ hypergeometric(N=40, K=10, n=20) = C(30, 20) / C(40, 20).
    assert quality.fisher_lower(0, 20, 10, 20) == pytest.approx(30045015 / 137846528820)
    # N=10, K=3, n=5: (C(3,0)C(7,5) + C(3,1)C(7,4)) / C(10,5) = (21 + 105) / 252.
    assert quality.fisher_lower(1, 5, 2, 5) == pytest.approx(0.5)
    assert quality.binom_cdf(0, 10, 0.5) == pytest.approx(1 / 1024)
    assert quality.binom_cdf(1, 3, 0.5) == pytest.approx(0.5)
    assert quality.low_rate_p_value(0, 5, 0, 0) is None


def test_low_finding_rate_fires_and_does_not(county):
    rates = quality.inspector_finding_rates(county.cursor(), S).set_index("人员编码")
    k6 = rates.loc["KCK06"]
    assert (
        k6["检查户数"],
        k6["发现问题户数"],
        k6["本单位其他户数"],
        k6["本单位其他发现问题户数"],
    ) == (20, 0, 20, 10)
    assert k6["p值"] == pytest.approx(30045015 / 137846528820)
    assert k6["结论"] == "显著偏低"
    # CHK01 1/5 against CHK02's 2/5: p = 0.5, must not fire; KCK01 is above the rest of its unit.
    assert rates.loc["CHK01", "p值"] == pytest.approx(0.5)
    assert rates.loc["CHK01", "结论"] == "未见异常"
    assert rates.loc["KCK01", "结论"] == "未见异常"
    assert list(quality.low_finding_inspectors(county.cursor(), S)["人员编码"]) == ["KCK06"]
    assert len(quality.low_finding_inspectors(county.cursor(), S.with_(unit="CHK"))) == 0


def test_bulk_notes_and_publication_order(county):
    bulk = quality.bulk_identical_notes(county.cursor(), S)
    assert list(zip(bulk["录入日期"], bulk["备注"], bulk["条数"], strict=True)) == [
        (date(2026, 5, 20), "现场检查未发现问题", 5)
    ]
    assert len(quality.bulk_identical_notes(county.cursor(), S, min_rows=4)) == 2
    pbe = quality.published_before_entry(county.cursor(), S)
    assert list(pbe["名称"]) == ["C2-4"]
    assert quality.entered_before_inspection(county.cursor(), S).empty


def test_one_list_two_directories(county):
    owners = quality.items_without_owner(county.cursor(), S)
    assert list(zip(owners["事项编码"], owners["问题"], strict=True)) == [
        ("I2", "未指定责任单位"),
        ("I3", "责任单位不在单位表中"),
    ]
    late = quality.checklist_not_ready(county.cursor(), S)
    # TA started 03-01, its 补充表 was added 03-10 (within TA); TB's item I2 has no form at all;
    # TC started after both forms existed.
    assert list(zip(late["任务编码"], late["事项编码"], late["问题"], strict=True)) == [
        ("TA", "I1", "开始后补充表单"),
        ("TB", "I2", "无检查表单"),
    ]
    ents = quality.entity_problems(county.cursor(), S)
    assert sorted(zip(ents["主体编码"], ents["问题类型"], strict=True)) == sorted(
        [
            (BAD_CHECK, "校验位不符"),
            ("ABC", "编码无效"),
            ("130129000100469", "旧注册号"),
            ("C1301292016127100000184", "无标签"),
        ]
    )
    people = quality.inspector_problems(county.cursor(), S).set_index("人员编码")["问题"].to_dict()
    assert people == {
        "KCK02": "未登记专长",
        "KCK03": "执法证已过期",
        "KCK04": "执法证即将到期",  # 2026-12-10 is 13 days after T
        "CHK01": "无执法证号",
    }
    r = quality.readiness(county.cursor(), S)
    assert (r.items, r.items_without_owner, r.inspectors, r.inspectors_problem) == (3, 2, 7, 4)
    assert (r.entities_untagged, r.entities_bad_code, r.tasks_checklist_not_ready) == (1, 2, 2)
    assert r.entities == 5 + 50


def test_demo_planted_quality(demo_store):
    from dashboard.demo.planted import load_planted

    m = load_planted(demo_store)
    cur = demo_store.cursor()
    low = m["inspector_low_findings"]
    s = Scope(low["year"], date(2026, 11, 27))
    found = quality.low_finding_inspectors(cur, s)
    assert list(found["人员编码"]) == [low["inspector_code"]]
    row = found.iloc[0]
    assert (row["检查户数"], row["发现问题户数"]) == (low["inspections"], low["findings"])
    assert row["本单位其他户数"] + row["检查户数"] == low["unit_inspections"]
    assert row["本单位其他发现问题户数"] + row["发现问题户数"] == low["unit_findings"]
    for year in m["years"]:
        if year != low["year"]:
            assert len(quality.low_finding_inspectors(cur, Scope(year, date(2026, 11, 27)))) == 0
    late = set()
    for year in m["years"]:
        df = quality.checklist_not_ready(cur, Scope(year, date(2026, 11, 27)))
        late |= {
            (i, f, d.isoformat(), t)
            for i, f, d, t in zip(
                df["事项编码"], df["表单名称"], df["表单添加日期"], df["任务编码"], strict=True
            )
        }
    assert sorted(late) == sorted(tuple(x) for x in m["checklists_added_after_start"])
    ents = quality.entity_problems(cur, Scope(2026, date(2026, 11, 27)))
    by_kind = {k: sorted(g["主体编码"]) for k, g in ents.groupby("问题类型")}
    assert by_kind["无标签"] == m["entity_codes"]["untagged"]
    assert by_kind["校验位不符"] == m["entity_codes"]["bad_check_digit"]
    assert by_kind["旧注册号"] == m["entity_codes"]["registration_no"]
    assert math.isclose(len(ents), sum(len(v) for v in by_kind.values()))


def test_long_lists_as_the_page_shows_them_are_the_full_lists(county, demo_store):
    """Issue 17: 发现问题的检查 and 批量相同备注 on the page are their first rows and count from SQL
    (labelled like the full list), and the download is the full list."""
    as_of = date.fromisoformat(demo_store.meta("demo_as_of"))
    scope = Scope(year=as_of.year, as_of=as_of)
    full = quality.inspections_with_findings(demo_store, scope)
    assert len(full) > 3
    shown = quality.inspections_with_findings_rows(demo_store, scope, limit=3)
    assert shown.total == len(full)
    assert shown.first_rows.to_dict("records") == full.head(3).to_dict("records")
    assert shown.fetch_all().to_dict("records") == full.to_dict("records")
    bulk = quality.bulk_identical_notes(county, S, min_rows=4)
    bulk_shown = quality.bulk_identical_notes_rows(county, S, min_rows=4, limit=1)
    assert len(bulk) == 2 and bulk_shown.total == 2
    assert bulk_shown.first_rows.to_dict("records") == bulk.head(1).to_dict("records")
    assert bulk_shown.fetch_all().to_dict("records") == bulk.to_dict("records")
