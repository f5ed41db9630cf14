"""Writing the work registers (dashboard.entry.registers): the same cell rules as an import, working
rules as errors for new entries, unit scope for writes, audit and history."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.auth import User
from dashboard.entry import registers as reg
from dashboard.entry.service import EntryError
from tests.test_metrics_registers import FIXTURE

TODAY = date(2026, 11, 27)
ADMIN = User("admin", "管理员", "admin")
KCK = User("kck", "矿产股", "unit", ("KCK",))
LEADER = User("leader", "领导", "leader")
VIEWER = User("viewer", "只读", "readonly", ("KCK",))


@pytest.fixture
def county(store):
    with store.transaction() as cur:
        cur.execute(FIXTURE)
    return store


def training(**kw):
    row = {"training_code": "PX9", "held_on": "2026-11-20", "unit_code": "KCK", "kind": "业务培训",
           "topic": "规范培训", "attendees": ["P1", "P2"], "hours": 2.0, "note": ""}  # fmt: skip
    return row | kw


def test_add_then_correct_with_audit(county):
    assert reg.save_register(county, KCK, "trainings", training(), today=TODAY) == "insert"
    assert county.rows("SELECT attendees, hours FROM trainings WHERE training_code = 'PX9'") == [
        (["P1", "P2"], 2.0)
    ]
    assert reg.save_register(county, KCK, "trainings", training(), today=TODAY) == "unchanged"
    assert reg.save_register(county, KCK, "trainings", training(hours=3), today=TODAY) == "update"
    old, new = county.rows(
        "SELECT old_value, new_value FROM audit_log WHERE action = 'register.update'"
    )[0]
    assert '"hours": 2.0' in old and '"hours": 3.0' in new


@pytest.mark.parametrize("user", [LEADER, VIEWER])
def test_leaders_and_read_only_users_cannot_write(county, user):
    with pytest.raises(EntryError, match="领导和只读用户只能查看"):
        reg.save_register(county, user, "trainings", training(), today=TODAY)


def test_a_unit_user_writes_only_its_units(county):
    with pytest.raises(EntryError, match="单位 CHK"):
        reg.save_register(county, KCK, "trainings", training(unit_code="CHK"), today=TODAY)
    # nor take over another unit's row by its key
    with pytest.raises(EntryError, match="单位 CHK"):
        reg.save_register(county, KCK, "trainings", training(training_code="PX2"), today=TODAY)
    assert reg.save_register(county, ADMIN, "trainings", training(unit_code="CHK"), today=TODAY)
    assert [code for code, _ in reg.writable_units(county, KCK)] == ["KCK"]
    assert [code for code, _ in reg.writable_units(county, ADMIN)] == ["CHK", "KCK"]
    assert reg.writable_units(county, LEADER) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"held_on": "2026-12-01"}, "晚于今天"),
        ({"attendees": ["P1", "P9"]}, "P9 不在执法人员名单中"),
        ({"kind": "闲聊"}, "培训类型"),
        ({"topic": ""}, "主题为必填项"),
        ({"hours": -1}, "学时"),
        ({"held_on": "2026-02-30"}, "培训日期不是有效日期"),
    ],
)
def test_form_rules_are_errors(county, change, message):
    with pytest.raises(EntryError, match=message):
        reg.save_register(county, ADMIN, "trainings", training(**change), today=TODAY)
    assert county.scalar("SELECT count(*) FROM trainings WHERE training_code = 'PX9'") == 0


def test_report_period_and_supervision_order(county):
    row = {"unit_code": "KCK", "period": "2026q4", "due_on": date(2027, 1, 10)}
    assert reg.save_register(county, KCK, "submissions", row, today=TODAY) == "insert"
    assert (
        county.scalar("SELECT period FROM submissions WHERE due_on = DATE '2027-01-10'") == "2026Q4"
    )
    with pytest.raises(EntryError, match="报送期应写成"):
        reg.save_register(county, KCK, "submissions", row | {"period": "2026Q5"}, today=TODAY)
    sv = {"supervision_code": "DC9", "held_on": date(2026, 9, 1), "unit_code": "KCK",
          "topic": "督查", "rectify_due": date(2026, 8, 1)}  # fmt: skip
    with pytest.raises(EntryError, match="整改期限（2026-08-01）早于督查日期"):
        reg.save_register(county, ADMIN, "supervisions", sv, today=TODAY)


def test_followup_register_columns_with_history(county):
    values = {"transferred_to": "县公安局", "transferred_on": date(2026, 5, 6)}
    assert reg.save_followup_register(county, KCK, "TK", "E1", values, today=TODAY) == "update"
    assert county.rows(
        "SELECT transferred_to, transferred_on FROM followups WHERE entity_code = 'E1'"
    ) == [("县公安局", date(2026, 5, 6))]
    assert (
        county.scalar(
            "SELECT count(*) FROM entry_history WHERE table_name = 'followups' AND entity_code = 'E1'"
        )
        == 1
    )
    # measure 4 needs both the receiving body and the date
    with pytest.raises(EntryError, match="须同时填写移送机关和移送日期"):
        reg.save_followup_register(county, ADMIN, "TC", "E7", {"transferred_to": ""}, today=TODAY)
    with pytest.raises(EntryError, match="没有登记这条后续处理的权限"):
        reg.save_followup_register(county, KCK, "TC", "E7", values, today=TODAY)
    with pytest.raises(EntryError, match="处罚公示日期（2026-09-01）早于处罚决定日期"):
        reg.save_followup_register(
            county, ADMIN, "TK", "E3",
            {"penalty_decided_on": date(2026, 9, 29), "penalty_published_on": date(2026, 9, 1)},
            today=TODAY,
        )  # fmt: skip
