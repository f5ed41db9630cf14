"""基础与质量's entity list (issue 17): quality.entity_problems with and without 旧注册号 rows, on
hand-made codes, against the per-entity check it replaced, and computed once per scope and data version
when the query cache is on (the page's list and readiness() share it)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from dashboard.domain import uscc
from dashboard.metrics import cache as query_cache
from dashboard.metrics import quality
from dashboard.metrics.base import run_df
from dashboard.scope import Scope

S = Scope(2026, date(2026, 11, 27))

GOOD = "91130129MA00000013"  # a USCC whose check character is right
BAD_CHECK = "91130129MA00000010"  # the same with a wrong check character (it should be "3")
UNTAGGED = "91130129MA00000026"  # a right USCC, no tags
UNTAGGED_BAD_CHECK = "91130129MA00000030"  # no tags and a wrong check character ("9")
REG_NO = "130129000100469"  # a 15-digit 注册号
UNTAGGED_REG_NO = "130129000100470"
INVALID = "ABC"
INVALID_17 = "12345678901234567"  # 17 characters, and 注销
LICENCE = "C1301292016127100000184"  # a mining licence: no problem

UNTAGGED_NOTE = "未标注任何抽查事项，摇号时不会进入任何名录。"
REG_NOTE = "使用15位注册号，请核实是否已换发统一社会信用代码。"


def _not_a_code(code: str) -> str:
    return f"主体编码“{code}”既不是18位统一社会信用代码，也不是15位注册号或许可证号，请核对后重新填写。"


def _check_note(code: str, expected: str) -> str:
    return (
        f"统一社会信用代码“{code}”校验位应为“{expected}”，实际为“{code[17]}”；"
        "早期试点代码可能如此，请核对。"
    )


# (code, name, kind, town, tags, status)
ENTITIES = [
    (GOOD, "好公司", "企业", "城关镇", ["I1"], "存续"),
    (BAD_CHECK, "校验位错公司", "企业", None, ["I1"], "存续"),
    (UNTAGGED, "无标签公司", None, "城关镇", [], "存续"),
    (UNTAGGED_BAD_CHECK, "两个问题公司", "个体", "南邢郭镇", [], "存续"),
    (REG_NO, "老注册号公司", "企业", "城关镇", ["I1"], "存续"),
    (UNTAGGED_REG_NO, "老注册号无标签", "企业", "城关镇", [], "存续"),
    (INVALID, "乱码公司", "企业", "城关镇", ["I1"], "存续"),
    (INVALID_17, "少一位公司", "企业", "城关镇", ["I1"], "注销"),
    (LICENCE, "某矿", "矿山", "城关镇", ["I1"], "存续"),
]

# in entity-code order; per entity 无标签 first
EXPECTED_ALL = [
    [INVALID_17, "少一位公司", "企业", "城关镇", "注销", "编码无效", _not_a_code(INVALID_17)],
    [REG_NO, "老注册号公司", "企业", "城关镇", "存续", "旧注册号", REG_NOTE],
    [UNTAGGED_REG_NO, "老注册号无标签", "企业", "城关镇", "存续", "无标签", UNTAGGED_NOTE],
    [UNTAGGED_REG_NO, "老注册号无标签", "企业", "城关镇", "存续", "旧注册号", REG_NOTE],
    [BAD_CHECK, "校验位错公司", "企业", None, "存续", "校验位不符", _check_note(BAD_CHECK, "3")],
    [UNTAGGED, "无标签公司", None, "城关镇", "存续", "无标签", UNTAGGED_NOTE],
    [UNTAGGED_BAD_CHECK, "两个问题公司", "个体", "南邢郭镇", "存续", "无标签", UNTAGGED_NOTE],
    [
        UNTAGGED_BAD_CHECK,
        "两个问题公司",
        "个体",
        "南邢郭镇",
        "存续",
        "校验位不符",
        _check_note(UNTAGGED_BAD_CHECK, "9"),
    ],
    [INVALID, "乱码公司", "企业", "城关镇", "存续", "编码无效", _not_a_code(INVALID)],
]
EXPECTED_NO_INFO = [r for r in EXPECTED_ALL if r[5] != "旧注册号"]


def frame(rows: list[list]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=quality.ENTITY_COLUMNS)


def add_entities(store, entities) -> None:
    with store.transaction() as cur:
        cur.executemany(
            "INSERT INTO entities (entity_code, name, entity_kind, town, tags, status)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            entities,
        )


@pytest.fixture
def directory(store):
    add_entities(store, ENTITIES)
    return store


def old_entity_problems(con, scope, *, include_info=True) -> pd.DataFrame:
    """The per-entity check entity_problems did before issue 17 (validate_uscc for every USCC)."""
    df = run_df(con, "quality_entities", scope)
    rows = []
    for r in df.itertuples(index=False):
        code = r.entity_code
        base = [code, r.name, r.entity_kind, r.town, r.status]
        if not r.n_tags:
            rows.append([*base, "无标签", UNTAGGED_NOTE])
        kind = uscc.classify(code)
        if kind == "invalid":
            rows.append([*base, "编码无效", uscc.invalid_reason(code)])
        elif kind == "uscc":
            check = uscc.validate_uscc(code)
            if not check.check_digit_ok:
                rows.append([*base, "校验位不符", check.message])
        elif kind == "registration_no" and include_info:
            rows.append([*base, "旧注册号", REG_NOTE])
    return pd.DataFrame(rows, columns=quality.ENTITY_COLUMNS)


def test_hand_made_codes_with_and_without_info(directory):
    cur = directory.cursor()
    pd.testing.assert_frame_equal(quality.entity_problems(cur, S), frame(EXPECTED_ALL))
    pd.testing.assert_frame_equal(
        quality.entity_problems(cur, S, include_info=True), frame(EXPECTED_ALL)
    )
    pd.testing.assert_frame_equal(
        quality.entity_problems(cur, S, include_info=False), frame(EXPECTED_NO_INFO)
    )
    for include_info in (True, False):
        pd.testing.assert_frame_equal(
            quality.entity_problems(cur, S, include_info=include_info),
            old_entity_problems(cur, S, include_info=include_info),
        )


def test_readiness_counts_the_list_without_info(directory):
    r = quality.readiness(directory.cursor(), S)
    assert r.entities == len(ENTITIES)
    assert r.entities_untagged == 3  # UNTAGGED, UNTAGGED_BAD_CHECK, UNTAGGED_REG_NO
    assert r.entities_bad_code == 4  # BAD_CHECK, UNTAGGED_BAD_CHECK, INVALID, INVALID_17


def test_only_registration_numbers_leave_an_empty_list(store):
    add_entities(store, [(REG_NO, "老注册号公司", "企业", "城关镇", ["I1"], "存续")])
    cur = store.cursor()
    with_info = quality.entity_problems(cur, S)
    assert list(with_info["问题类型"]) == ["旧注册号"]
    without = quality.entity_problems(cur, S, include_info=False)
    pd.testing.assert_frame_equal(without, frame([]))  # as empty as it always was (same dtypes)
    pd.testing.assert_frame_equal(without, old_entity_problems(cur, S, include_info=False))


def test_an_empty_directory(store):
    for include_info in (True, False):
        got = quality.entity_problems(store.cursor(), S, include_info=include_info)
        pd.testing.assert_frame_equal(got, frame([]))


def test_the_demo_directory_as_before(demo_store):
    cur = demo_store.cursor()
    for scope in (S, S.with_(town=cur.execute("SELECT min(town) FROM entities").fetchone()[0])):
        for include_info in (True, False):
            got = quality.entity_problems(cur, scope, include_info=include_info)
            pd.testing.assert_frame_equal(
                got, old_entity_problems(cur, scope, include_info=include_info)
            )
            assert len(got) > 0


def test_both_lists_come_from_one_check_of_the_directory(directory, monkeypatch):
    checks = []  # the codes of each check of the directory
    failures = uscc.check_digit_failures

    def counting(codes):
        checks.append(list(codes))
        return failures(checks[-1])

    def no_single_checks(code):
        raise AssertionError("validate_uscc is not called code by code")

    monkeypatch.setattr(uscc, "check_digit_failures", counting)
    monkeypatch.setattr(uscc, "validate_uscc", no_single_checks)
    query_cache.activate(directory)
    try:
        cur = directory.cursor()
        shown = quality.entity_problems(cur, S)
        r = quality.readiness(cur, S)
        counted = quality.entity_problems(cur, S, include_info=False)
        assert checks == [[BAD_CHECK, GOOD, UNTAGGED, UNTAGGED_BAD_CHECK]]  # once, the USCCs only
        pd.testing.assert_frame_equal(shown, frame(EXPECTED_ALL))
        pd.testing.assert_frame_equal(counted, frame(EXPECTED_NO_INFO))
        assert (r.entities_untagged, r.entities_bad_code) == (3, 4)

        shown["extra"] = 1  # a caller's change does not reach the cache
        pd.testing.assert_frame_equal(quality.entity_problems(cur, S), frame(EXPECTED_ALL))
        assert len(checks) == 1

        new = "91130129MA00000042"  # a write makes the cached lists unreachable
        add_entities(directory, [(new, "新公司", "企业", "城关镇", ["I1"], "存续")])
        again = quality.entity_problems(cur, S, include_info=False)
        assert len(checks) == 2
        row = [new, "新公司", "企业", "城关镇", "存续", "校验位不符", _check_note(new, "C")]
        expected = sorted(
            [*EXPECTED_NO_INFO, row], key=lambda r: r[0]
        )  # stable: 无标签 stays first
        pd.testing.assert_frame_equal(again, frame(expected))
    finally:
        query_cache.deactivate()
