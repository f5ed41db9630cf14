"""工作台账 under AppTest: every role renders it; a unit user adds a training for its own unit and sees
it counted; leaders and read-only users get no form; another unit cannot be written."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.config import PROJECT_ROOT
from tests.browser_util import login_as

PAGE = str(PROJECT_ROOT / "pages" / "registers.py")


def _page(store, username):
    at = AppTest.from_file(PAGE, default_timeout=60)
    login_as(at, username, store)
    return at.run()


@pytest.mark.parametrize("username", ["admin", "leader", "kck", "viewer"])
def test_every_role_renders_the_page(app_store, username):
    at = _page(app_store, username)
    assert not at.exception, at.exception
    assert at.title[0].value == "工作台账"
    assert [tab.label for tab in at.tabs][:6] == [
        "培训", "宣传报道", "信息报送", "移送与信用惩戒", "专项督查", "回访核查",
    ]  # fmt: skip
    forms = [e for e in at.expander if e.label == "新增或修改一条记录"]
    assert bool(forms) == (username in ("admin", "kck"))


def test_a_unit_user_adds_a_training_and_sees_it_counted(app_store):
    before = app_store.scalar("SELECT count(*) FROM trainings WHERE unit_code = 'KCK'")
    at = _page(app_store, "kck")
    metric = next(m for m in at.metric if m.label == "培训场次")
    n_before = int(metric.value.replace(",", ""))
    # the kck user may only pick its own unit
    assert at.selectbox(key="form_trainings_None_unit_code").options == ["矿产资源管理股（KCK）"]
    at.text_input(key="form_trainings_None_training_code").set_value("PX-TEST-1")
    at.text_input(key="form_trainings_None_topic").set_value("结果录入规范培训")
    at.date_input(key="form_trainings_None_held_on").set_value(date(2026, 11, 20))
    at.button[[b.label for b in at.button].index("保存")].click().run()
    assert not at.exception, at.exception
    assert any("已新增" in s.value for s in at.success)
    assert app_store.scalar("SELECT count(*) FROM trainings WHERE unit_code = 'KCK'") == before + 1
    metric = next(m for m in at.metric if m.label == "培训场次")
    assert int(metric.value.replace(",", "")) == n_before + 1
    assert (
        app_store.scalar(
            "SELECT count(*) FROM audit_log WHERE action = 'register.insert' AND actor = 'kck'"
        )
        >= 1
    )


def test_the_glossary_defines_every_register_figure(app_store):
    from dashboard.metrics.registers import LABELS_ZH

    at = AppTest.from_file(str(PROJECT_ROOT / "pages" / "glossary.py"), default_timeout=60)
    login_as(at, "viewer", app_store)
    at.run()
    assert not at.exception, at.exception
    text = "\n".join(m.value for m in at.markdown)
    for label in LABELS_ZH.values():
        assert label in text
    assert "决定日期后第 7 个工作日" in text


@pytest.mark.parametrize("username", ["admin", "kck"])
def test_the_followup_register_form_lists_the_users_followups_and_saves(app_store, username):
    """移送与信用惩戒's form: one option per follow-up the user may write, labelled task / entity name
    (处置措施 code); a transfer date saved lands on that follow-up."""
    from dashboard.auth import get_user
    from dashboard.entry import registers as reg
    from dashboard.metrics.base import run_df
    from dashboard.scope import Scope

    at = _page(app_store, username)
    pick = at.selectbox(key="form_followups_pick")
    user = get_user(app_store, username)
    year = at.session_state["scope.year"]
    as_of = at.session_state["scope.as_of"]
    scope = Scope(year=year, as_of=as_of, allowed_units=user.allowed_units)
    every = run_df(app_store.cursor(), "registers_followup_choices", scope)
    mine = reg.followup_choices(app_store, user, scope)
    assert 0 < len(mine) <= len(every)
    if username == "kck":  # only follow-ups of KCK (responsible, else the task's units)
        for unit, task_units in zip(mine["responsible_unit"], mine["task_units"], strict=True):
            assert "KCK" in ([unit] if unit else list(task_units))
    assert len(pick.options) == len(mine)
    first = mine.iloc[0]
    label = pick.format_func(0) if hasattr(pick, "format_func") else pick.options[0]
    assert label.startswith(f"{first['task_code']} / {first['entity_code']}　")
    assert label.endswith(f"（处置措施 {first['measure_code'] or '—'}）")
    wkey = f"form_followups_0_{reg.FOLLOWUP_FIELDS[1]}"
    at.date_input(key=wkey).set_value(date(2026, 11, 18))
    at.button(key="FormSubmitter:form_followups_form-保存").click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    saved = app_store.scalar(
        f"SELECT {reg.FOLLOWUP_FIELDS[1]} FROM followups WHERE task_code = ? AND entity_code = ?",
        [first["task_code"], first["entity_code"]],
    )
    assert saved == date(2026, 11, 18)
