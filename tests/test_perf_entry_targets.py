"""结果录入's task list at scale (issue 17): `task_targets` is one query and per-day rules; it must
give exactly what the per-target definition below (the former implementation) gives, for every task
of the demo county, on a day inside the working year and on the demo's as-of day."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from dashboard.domain import workdays
from dashboard.entry import rules, service


def _per_target(store, task_code: str, today: date) -> pd.DataFrame:
    """Row by row: the draw's selections with the results laid over them."""
    draw_id = service.current_draw(store, task_code)
    teams = (
        {
            e: list(team or [])
            for e, team in store.rows(
                "SELECT entity_code, inspector_codes FROM draw_selections WHERE draw_id = ?",
                [draw_id],
            )
        }
        if draw_id
        else {}
    )
    names = dict(store.rows("SELECT entity_code, name FROM entities"))
    rows = {
        r[0]: {
            "inspectors": list(r[1]) if r[1] is not None else [],
            "inspected_on": r[2],
            "result_codes": list(r[3]) if r[3] is not None else [],
            "entered_on": r[4],
            "published_on": r[5],
        }
        for r in store.rows(
            "SELECT entity_code, inspectors, inspected_on, result_codes, entered_on, published_on"
            " FROM inspections WHERE task_code = ?",
            [task_code],
        )
    }
    limit = service.limits(store)["entry_limit"]
    ov = service.overrides(store)
    out = []
    for code in sorted(set(rows) | set(teams)):
        r = rows.get(code)
        stored = r is not None
        r = r or {
            "inspectors": teams[code],
            "inspected_on": None,
            "result_codes": [],
            "entered_on": None,
            "published_on": None,
        }
        deadline = rules.entry_deadline(r["inspected_on"], limit, ov) if r["inspected_on"] else None
        left = None
        if deadline is not None and r["published_on"] is None:
            left = workdays.workdays_from(today, [deadline], ov)[deadline]
        state = "已公示" if r["published_on"] else "已录入" if r["entered_on"] else "待录入"
        out.append(
            {
                "entity_code": code,
                "name": names.get(code),
                "state": state,
                "assigned": teams.get(code, []) if draw_id else r["inspectors"],
                "inspectors": r["inspectors"] if stored else teams[code],
                "inspected_on": r["inspected_on"],
                "result_codes": r["result_codes"],
                "entered_on": r["entered_on"],
                "published_on": r["published_on"],
                "deadline": deadline,
                "workdays_left": left,
            }
        )
    return pd.DataFrame(out, columns=service.TARGET_COLUMNS)


@pytest.mark.parametrize("today", [date(2026, 5, 6), None])
def test_task_targets_equal_the_per_target_definition(demo_store, today):
    today = today or date.fromisoformat(demo_store.meta("demo_as_of"))
    tasks = [t for (t,) in demo_store.rows("SELECT task_code FROM tasks ORDER BY task_code")]
    compared = 0
    for task in tasks:
        got = service.task_targets(demo_store, task, today)
        want = _per_target(demo_store, task, today)
        assert len(got) == len(want), task
        for col in service.TARGET_COLUMNS:
            g, w = got[col].tolist(), want[col].tolist()
            if col in ("inspected_on", "entered_on", "published_on", "deadline"):
                g = [None if pd.isna(x) else x.date() for x in g]
            if col == "workdays_left":
                g = [None if pd.isna(x) else int(x) for x in g]
            w = [None if (not isinstance(x, list) and pd.isna(x)) else x for x in w]
            assert g == w, (task, col)
        compared += len(got)
    assert compared > 500  # the county's drawn and entered targets


def test_drawn_targets_and_a_team_changed_at_entry(store):
    """After a draw: the selections without a result are 待录入 with the drawn team; a result entered
    by other inspectors keeps the draw's team as 分配 and the entered team as 检查人员 (both
    definitions agree on every row)."""
    from test_draw_fixtures import D, build

    from dashboard import draw

    build(store)
    draw.run_draw(store, "T1", "1", operator="王", draw_date=D)
    draw_id = service.current_draw(store, "T1")
    teams = dict(
        store.rows(
            "SELECT entity_code, inspector_codes FROM draw_selections WHERE draw_id = ?", [draw_id]
        )
    )
    assert teams
    entity, team = sorted(teams.items())[0]
    with store.transaction() as cur:
        cur.execute(
            "INSERT INTO inspections (task_code, entity_code, inspectors, inspected_on, result_codes,"
            " entered_on) VALUES ('T1', ?, ['替换人员'], DATE '2026-03-12', ['1'], DATE '2026-03-13')",
            [entity],
        )
    today = date(2026, 3, 20)
    got = service.task_targets(store, "T1", today)
    want = _per_target(store, "T1", today)
    assert len(got) == len(teams)
    by_code = got.set_index("entity_code")
    assert by_code.loc[entity, "assigned"] == list(team)
    assert by_code.loc[entity, "inspectors"] == ["替换人员"]
    assert by_code.loc[entity, "state"] == "已录入"
    others = by_code.drop(index=entity)
    assert set(others["state"]) == {"待录入"} and others["inspected_on"].isna().all()
    for col in ("entity_code", "name", "state", "assigned", "inspectors", "result_codes"):
        assert got[col].tolist() == want[col].tolist(), col
    assert (
        int(by_code.loc[entity, "workdays_left"])
        == want.set_index("entity_code").loc[entity, "workdays_left"]
    )


def test_target_labels(demo_store):
    targets = service.task_targets(demo_store, "RW2026001", date(2026, 11, 27))
    assert len(targets) > 0
    labels = service.target_labels(targets)
    assert list(labels) == targets["entity_code"].tolist()
    for r in targets.head(20).itertuples():
        assert labels[r.entity_code] == f"{r.entity_code} {r.name} · {r.state}"
    nameless = targets.head(1).assign(name=[None])
    code = nameless["entity_code"].iloc[0]
    assert service.target_labels(nameless) == {code: f"{code}  · {nameless['state'].iloc[0]}"}
