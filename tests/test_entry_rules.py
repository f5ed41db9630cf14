"""Every entry rule of dashboard.entry.rules (the one module the forms and the bulk path share),
with hand-computed dates on the official calendar."""

from __future__ import annotations

from datetime import date

from dashboard.entry import rules
from dashboard.entry.rules import FollowupInput, InspectionContext, InspectionInput

TODAY = date(2026, 11, 27)


def _inp(**kw) -> InspectionInput:
    base = dict(
        task_code="T1",
        entity_code="E1",
        inspected_on=date(2026, 11, 2),
        result_codes=("1",),
        inspectors=("I1", "I2"),
        entered_on=date(2026, 11, 10),
        published_on=date(2026, 11, 12),
    )
    base.update(kw)
    return InspectionInput(**base)


def _fields(issues, severity=rules.ERROR):
    return [i.field for i in issues if i.severity == severity]


# -- dates ----------------------------------------------------------------------------------------


def test_dates_in_order_pass():
    assert rules.check_inspection_dates(_inp(), TODAY) == []
    # the same day for all three is in order
    same = _inp(entered_on=date(2026, 11, 2), published_on=date(2026, 11, 2))
    assert rules.check_inspection_dates(same, TODAY) == []


def test_inspection_end_date_required():
    issues = rules.check_inspection_dates(_inp(inspected_on=None), TODAY)
    assert _fields(issues) == ["inspected_on"]
    assert "检查结束日期" in issues[0].message


def test_dates_not_in_the_future():
    issues = rules.check_inspection_dates(
        _inp(inspected_on=date(2026, 11, 28), entered_on=None, published_on=None), TODAY
    )
    assert _fields(issues) == ["inspected_on"]
    assert "2026-11-28" in issues[0].message and "2026-11-27" in issues[0].message
    issues = rules.check_inspection_dates(_inp(published_on=date(2026, 12, 1)), TODAY)
    assert _fields(issues) == ["published_on"]


def test_entry_before_inspection_is_an_error_naming_both_dates():
    issues = rules.check_inspection_dates(
        _inp(entered_on=date(2026, 11, 1), published_on=None), TODAY
    )
    assert _fields(issues) == ["entered_on"]
    assert issues[0].message == (
        "录入日期（2026-11-01）早于检查结束日期（2026-11-02），请改正其中一个日期。"
    )


def test_publication_before_entry_and_publication_without_entry():
    issues = rules.check_inspection_dates(
        _inp(entered_on=date(2026, 11, 10), published_on=date(2026, 11, 9)), TODAY
    )
    assert _fields(issues) == ["published_on"]
    assert "早于录入日期" in issues[0].message
    issues = rules.check_inspection_dates(_inp(entered_on=None), TODAY)
    assert _fields(issues) == ["entered_on"]


# -- codes ----------------------------------------------------------------------------------------


def test_code_1_excludes_finding_codes_but_not_status_codes():
    issues = rules.check_codes(["1", "B", "E"])
    assert _fields(issues) == ["result_codes"]
    assert "B、E" in issues[0].message
    assert rules.check_codes(["1"]) == []
    assert rules.check_codes(["1", "F"]) == []  # F is a status code, not a finding


def test_unknown_code_is_an_error():
    issues = rules.check_codes(["A", "Z9"])
    assert [i.value for i in issues] == ["Z9"]


def test_two_codes_setting_different_statuses_conflict():
    assert _fields(rules.check_codes(["9", "10"])) == ["result_codes"]
    assert rules.check_codes(["9", "F"]) == []


def test_status_from_codes():
    assert rules.status_from_codes(["B", "9"]) == "注销"
    assert rules.status_from_codes(["7"]) == "停业清算"
    assert rules.status_from_codes(["10"]) == "吊销"
    assert rules.status_from_codes(["11"]) == "撤销"
    assert rules.status_from_codes(["12"]) == "迁出"
    assert rules.status_from_codes(["F"]) is None
    assert rules.status_from_codes(["1"]) is None


def test_codes_under_A_need_a_follow_up():
    assert rules.needs_followup(["A"]) and rules.needs_followup(["B"])
    assert rules.needs_followup(["5"]) and rules.needs_followup(["6"])
    assert not rules.needs_followup(["E"])  # finding, but corrected on the spot (not under A)
    assert not rules.needs_followup(["8", "1", "F", "9"])
    issues = rules.check_followup_opened(["E", "B", "C"], has_followup=False)
    assert _fields(issues) == ["followup"]
    assert "B、C" in issues[0].message and "E" not in issues[0].value
    assert rules.check_followup_opened(["B"], has_followup=True) == []
    assert rules.check_followup_opened(["E"], has_followup=False) == []


# -- inspectors -----------------------------------------------------------------------------------


def test_inspectors_of_the_draw_in_any_order_pass():
    assert rules.check_inspectors(["I2", "I1"], ["I1", "I2"], None) == []


def test_changed_team_needs_a_reason():
    issues = rules.check_inspectors(["I1", "I3"], ["I1", "I2"], None)
    assert _fields(issues) == ["inspector_change_reason"]
    assert "增加了 I3" in issues[0].message and "去掉了 I2" in issues[0].message
    assert rules.check_inspectors(["I1", "I3"], ["I1", "I2"], "I2 病假，由 I3 替换") == []
    assert _fields(rules.check_inspectors(["I1", "I3"], ["I1", "I2"], "  ")) == [
        "inspector_change_reason"
    ]


def test_fewer_than_two_inspectors_or_the_items_minimum_is_a_warning():
    assert _fields(rules.check_inspectors(["I1"], None, None), rules.WARNING) == ["inspectors"]
    assert _fields(rules.check_inspectors(["I1", "I1"], None, None), rules.WARNING) == [
        "inspectors"
    ]
    issues = rules.check_inspectors(["I1", "I2"], None, None, min_inspectors=3)
    assert [i.severity for i in issues] == [rules.WARNING]
    assert "至少 3 名" in issues[0].message and "只有 2 名" in issues[0].message
    assert rules.check_inspectors(["I1", "I2", "I3"], None, None, min_inspectors=3) == []
    # without a draw record only the count is checked
    assert rules.check_inspectors(["I8", "I9"], None, None) == []


# -- publication, deadlines -----------------------------------------------------------------------


def test_edit_after_publication_needs_a_reason():
    issues = rules.check_edit_after_publication(date(2026, 11, 12), None)
    assert _fields(issues) == ["reason"] and "2026-11-12" in issues[0].message
    assert rules.check_edit_after_publication(date(2026, 11, 12), "更正结果代码") == []
    assert rules.check_edit_after_publication(None, None) == []


def test_entry_deadline_and_working_days_left():
    # DESIGN.md §5: from Saturday 2025-10-04 the 20th working day is 2025-11-04 (National Day holiday)
    assert rules.entry_deadline(date(2025, 10, 4), 20) == date(2025, 11, 4)
    # 2026-11-25 (Wed) + 20 working days = 2026-12-23; from 11-27: 11-30, 12-01..04, 07..11, 14..18,
    # 21..23 = 1 + 4 + 5 + 5 + 3 = 18 left
    assert rules.entry_deadline(date(2026, 11, 25), 20) == date(2026, 12, 23)
    assert rules.workdays_left(date(2026, 11, 25), TODAY, 20) == 18
    # 2026-10-20 + 20 working days = 2026-11-17; on 11-27 that is 8 working days overdue (18..27)
    assert rules.entry_deadline(date(2026, 10, 20), 20) == date(2026, 11, 17)
    assert rules.workdays_left(date(2026, 10, 20), TODAY, 20) == -8


def test_late_entry_is_a_warning_counting_working_days():
    late = _inp(
        inspected_on=date(2025, 10, 4), entered_on=date(2025, 11, 5), published_on=date(2025, 11, 5)
    )
    issues = rules.check_entry_timeliness(late, 20)
    assert [(i.field, i.severity) for i in issues] == [
        ("entered_on", rules.WARNING),
        ("published_on", rules.WARNING),
    ]
    assert "（2025-11-04）1 个工作日" in issues[0].message
    on_time = _inp(
        inspected_on=date(2025, 10, 4), entered_on=date(2025, 11, 4), published_on=date(2025, 11, 4)
    )
    assert rules.check_entry_timeliness(on_time, 20) == []


def test_check_inspection_combines_task_target_and_all_rules():
    ok_ctx = InspectionContext(task_status="in_progress", has_followup=False)
    assert rules.check_inspection(_inp(), ok_ctx, TODAY) == []
    voided = InspectionContext(task_status="voided")
    assert _fields(rules.check_inspection(_inp(), voided, TODAY)) == ["task_code"]
    unknown = InspectionContext(task_status=None)
    assert "不存在" in rules.check_inspection(_inp(), unknown, TODAY)[0].message
    drawn = InspectionContext(task_status="drawn", drawn_targets=frozenset({"E2"}), assigned=None)
    assert _fields(rules.check_inspection(_inp(), drawn, TODAY)) == ["entity_code"]
    published = InspectionContext(
        task_status="done", exists=True, stored_published_on=date(2026, 11, 12)
    )
    assert _fields(rules.check_inspection(_inp(), published, TODAY)) == ["reason"]
    assert rules.check_inspection(_inp(), published, TODAY, reason="更正") == []
    many = rules.check_inspection(_inp(result_codes=("1", "B"), inspectors=("I1",)), ok_ctx, TODAY)
    assert set(_fields(many)) == {"result_codes", "followup"}
    assert _fields(many, rules.WARNING) == ["inspectors"]


# -- follow-ups and return visits -----------------------------------------------------------------


def _fu(**kw) -> FollowupInput:
    base = dict(
        task_code="T1",
        entity_code="E1",
        measure_code="3",
        responsible_unit="KCK",
        due_on=date(2026, 12, 31),
        closed_on=date(2026, 11, 2),
        backfilled_on=date(2026, 11, 9),
    )
    base.update(kw)
    return FollowupInput(**base)


def test_backfill_within_the_limit_passes_and_late_backfill_is_flagged_not_refused():
    # closed Monday 2026-11-02; 5 working days: 11-03, 04, 05, 06, 09 → deadline 2026-11-09
    assert rules.backfill_deadline(date(2026, 11, 2), 5) == date(2026, 11, 9)
    assert rules.check_followup(_fu(), TODAY, inspected_on=date(2026, 10, 20)) == []
    issues = rules.check_followup(_fu(backfilled_on=date(2026, 11, 11)), TODAY)
    assert [(i.field, i.severity) for i in issues] == [("backfilled_on", rules.WARNING)]
    assert "2 个工作日" in issues[0].message and "允许保存" in issues[0].message
    # the limit is a setting
    assert (
        rules.check_followup(_fu(backfilled_on=date(2026, 11, 11)), TODAY, backfill_limit=7) == []
    )


def test_follow_up_date_and_code_errors():
    assert _fields(rules.check_followup(_fu(backfilled_on=date(2026, 11, 1)), TODAY)) == [
        "backfilled_on"
    ]
    assert _fields(rules.check_followup(_fu(closed_on=None), TODAY)) == ["closed_on"]
    assert _fields(
        rules.check_followup(_fu(closed_on=date(2026, 11, 30), backfilled_on=None), TODAY)
    ) == ["closed_on"]
    assert _fields(rules.check_followup(_fu(measure_code="7"), TODAY)) == ["measure_code"]
    assert _fields(rules.check_followup(_fu(measure_code=None), TODAY)) == ["measure_code"]
    assert _fields(rules.check_followup(_fu(), TODAY, inspected_on=date(2026, 11, 5))) == [
        "closed_on"
    ]
    # an open follow-up without measure is fine (measure not decided yet)
    assert (
        rules.check_followup(_fu(measure_code=None, closed_on=None, backfilled_on=None), TODAY)
        == []
    )


def test_return_visit_rules():
    assert rules.check_revisit(date(2026, 11, 20), "整改到位", date(2026, 11, 2), TODAY) == []
    assert _fields(rules.check_revisit(date(2026, 11, 20), "已整改", date(2026, 11, 2), TODAY)) == [
        "revisit_result"
    ]
    assert _fields(rules.check_revisit(None, "未到位", date(2026, 11, 2), TODAY)) == ["revisit_on"]
    assert _fields(rules.check_revisit(date(2026, 11, 20), None, date(2026, 11, 2), TODAY)) == [
        "revisit_result"
    ]
    assert _fields(rules.check_revisit(date(2026, 11, 20), "未到位", None, TODAY)) == ["revisit_on"]
    assert _fields(rules.check_revisit(date(2026, 11, 30), "未到位", date(2026, 11, 2), TODAY)) == [
        "revisit_on"
    ]
    fu = _fu(revisit_on=date(2026, 11, 1), revisit_result="整改到位")
    assert _fields(rules.check_followup(fu, TODAY)) == ["revisit_on"]  # before closure


# -- the bulk form of the same rules --------------------------------------------------------------


def test_rows_give_ingest_problems_with_file_row_and_column():
    rows = [
        (2, {"task_code": "T1", "entity_code": "E1", "inspectors": ["I1", "I2"],
             "inspected_on": date(2026, 11, 2), "result_codes": ["1"],
             "entered_on": date(2026, 11, 3), "published_on": None}),
        (3, {"task_code": "T1", "entity_code": "E2", "inspectors": "I1;I2",
             "inspected_on": "2026-11-02", "result_codes": "1；B",
             "entered_on": None, "published_on": None}),
    ]  # fmt: skip
    ctx = InspectionContext(task_status="in_progress", has_followup=True)
    problems = rules.check_inspection_rows(
        rows, {("T1", "E1"): ctx, ("T1", "E2"): ctx}, TODAY, file="inspections.csv"
    )
    assert [(p.file, p.row, p.column, p.severity) for p in problems] == [
        ("inspections.csv", 3, "result_codes", "error")
    ]
    fu_rows = [(4, {"task_code": "T1", "entity_code": "E1", "measure_code": "3",
                    "closed_on": date(2026, 11, 2), "backfilled_on": date(2026, 11, 11)})]  # fmt: skip
    problems = rules.check_followup_rows(fu_rows, {("T1", "E1"): date(2026, 10, 1)}, TODAY)
    assert [(p.row, p.column, p.severity) for p in problems] == [(4, "backfilled_on", "warning")]
