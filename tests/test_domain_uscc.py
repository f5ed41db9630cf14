"""dashboard.domain.uscc: GB 32100-2015 check character, code classification, validation messages."""

from __future__ import annotations

import pytest

from dashboard.domain import uscc
from dashboard.domain.uscc import UsccCheck, check_digit, classify, invalid_reason, make_uscc

# USCCs as published on the national enterprise credit information system (all pass the check).
PUBLISHED = [
    "91350100M000100Y43",  # the example used in GB 32100 explanations
    "914403001922038216",
    "91330100716105852F",
    "9144030071526726XG",
    "91110000100010433L",
    "91110108551385082Q",
    "91310000MA1FL1MMXL",
    "911100007109339484",
    "91440300708461136T",
    "91110000802100433B",
    "12100000400000624D",  # an institution (事业单位, 12…)
]


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_pass(code):
    assert check_digit(code[:17]) == code[17]
    assert uscc.validate_uscc(code) == UsccCheck(ok=True, check_digit_ok=True, message=None)
    assert classify(code) == "uscc"


def test_check_digit_by_hand():
    # 91350100M000100Y4: values 9 1 3 5 0 1 0 0 M=21 0 0 0 1 0 0 Y=30 4
    # weighted: 9*1 + 1*3 + 3*9 + 5*27 + 0 + 1*26 + 0 + 0 + 21*20 + 0 + 0 + 0 + 1*8 + 0 + 0 + 30*30 + 4*28
    #         = 9 + 3 + 27 + 135 + 26 + 420 + 8 + 900 + 112 = 1640; 1640 mod 31 = 28; 31 - 28 = 3
    assert check_digit("91350100M000100Y4") == "3"
    # 91130129MA07LXXXX (赞皇县 130129): values 9 1 1 3 0 1 2 9 M=21 A=10 0 7 L=20 X=29 X X X
    # 9 + 3 + 9 + 81 + 0 + 26 + 32 + 153 + 420 + 290 + 0 + 91 + 160 + 696 + 290 + 870 + 812 = 3942
    # 3942 mod 31 = 5 (31*127 = 3937); 31 - 5 = 26 -> CHARSET[26] = "T"
    assert check_digit("91130129MA07LXXXX") == "T"
    # sum divisible by 31 -> check value (31 - 0) mod 31 = 0 -> "0"
    assert check_digit("00000000000000000") == "0"
    # 1 at position 17 (weight 28): 31 - 28 = 3
    assert check_digit("00000000000000001") == "3"
    # 1 at position 1 (weight 1): 31 - 1 = 30 -> "Y"
    assert check_digit("10000000000000000") == "Y"


def test_weights_are_powers_of_three_mod_31():
    assert uscc.WEIGHTS == tuple(pow(3, i, 31) for i in range(17))
    assert len(uscc.CHARSET) == 31 and not set("IOSVZ") & set(uscc.CHARSET)


def test_check_digit_rejects_bad_input():
    with pytest.raises(ValueError, match="前17位"):
        check_digit("91350100M000100Y43")  # 18 characters
    with pytest.raises(ValueError, match="前17位"):
        check_digit("91350100M000100Y")
    with pytest.raises(ValueError, match="“O”"):
        check_digit("91350100MO00100Y4")


def test_make_uscc_appends_check_character():
    assert make_uscc("91350100M000100Y4") == "91350100M000100Y43"
    assert make_uscc("91130129MA07LXXXX") == "91130129MA07LXXXXT"
    code = make_uscc("92130129MA0ABCDE1")
    assert len(code) == 18 and uscc.validate_uscc(code).check_digit_ok


def test_wrong_check_character_is_a_warning_not_an_error():
    result = uscc.validate_uscc("91350100M000100Y44")
    assert result.ok is True
    assert result.check_digit_ok is False
    assert "校验位应为“3”，实际为“4”" in result.message
    assert classify("91350100M000100Y44") == "uscc"  # still a USCC (early pilot codes)
    assert invalid_reason("91350100M000100Y44") is None


def test_every_single_character_change_breaks_the_check():
    code = "91350100M000100Y43"
    for pos in range(17):
        for c in uscc.CHARSET:
            if c == code[pos]:
                continue
            changed = code[:pos] + c + code[pos + 1 :]
            assert not uscc.validate_uscc(changed).check_digit_ok, changed


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("", "为空"),
        ("91350100M000100Y4", "应为18位，“91350100M000100Y4”为17位"),
        ("91350100M000100Y433", "为19位"),
        ("91350100m000100Y43", "第9位是小写字母“m”，请改为大写"),
        ("91350100MO00100Y43", "第10位是“O”，代码中不使用字母 I、O、S、V、Z"),
        ("9135010OM000100Y43", "第8位是“O”"),
        ("91350100M000100Y4-", "第18位字符“-”不是数字或大写字母"),
        (" 91350100M000100Y43", "含有空格"),
        ("91350100M000100Y43 ", "含有空格"),
        ("T13420080702012345", "采矿/勘查许可证号"),
    ],
)
def test_structure_errors(code, fragment):
    result = uscc.validate_uscc(code)
    assert result.ok is False
    assert result.check_digit_ok is False
    assert fragment in result.message


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("91350100M000100Y43", "uscc"),
        ("91350100M000100Y44", "uscc"),  # bad check character: still a USCC
        ("130129000012345", "registration_no"),
        ("C1301002010067120071234", "licence"),  # 采矿许可证 C + 22 digits
        ("C130000201101112012345", "licence"),  # C + 21 digits
        ("T13420080702012345", "licence"),  # 勘查许可证 T + 17 digits (18 characters)
        ("T1300002009031010029999", "licence"),
        ("乙测资字13500123", "licence"),  # 测绘资质证书
        ("甲测资字1100001", "licence"),
        ("地字第130129202400012号", "licence"),  # 建设用地规划许可证
        ("冀地灾评资字（2020）00123", "licence"),
        ("采矿许可证C1301002010067120071234", "licence"),
        ("HBDZ-2020-001234", "licence"),  # ASCII letters + digits
        ("", "invalid"),
        ("  ", "invalid"),
        ("13012900001234", "invalid"),  # 14 digits
        ("1301290000123456", "invalid"),  # 16 digits
        ("91350100m000100Y43", "invalid"),  # lower case
        ("91350100MO00100Y43", "invalid"),  # O is not in the alphabet
        ("TI3420080702012345", "invalid"),  # 18 chars, not a USCC, not a licence
        ("C13010020100671", "invalid"),  # C + 14 digits: too short for a mining licence
        ("C13010020100671200712345", "invalid"),  # C + 23 digits: too long
        ("河北某某矿业有限公司", "invalid"),  # a name, not a code
        ("乙测资字123", "invalid"),  # too few digits
        ("乙测资字１３５００１２３", "invalid"),  # full-width digits
        ("乙测资字 13500123", "invalid"),  # space
        ("91350100M000100Y4", "invalid"),  # 17 characters, starts with a digit
        ("ABCDEFGHJK", "invalid"),  # letters only
        ("c1301002010067120071234", "invalid"),  # lower-case c
        ("130129000012345 ", "invalid"),
    ],
)
def test_classify(code, kind):
    assert classify(code) == kind


def test_classify_non_string_is_invalid():
    assert classify(None) == "invalid"  # type: ignore[arg-type]
    assert classify(91350100) == "invalid"  # type: ignore[arg-type]


def test_validate_agrees_with_classify():
    samples = [
        *PUBLISHED,
        "91350100M000100Y44",
        "T13420080702012345",
        "C1301002010067120071234",
        "130129000012345",
        "91350100MO00100Y43",
        "乙测资字13500123",
    ]
    for code in samples:
        assert uscc.validate_uscc(code).ok == (classify(code) == "uscc"), code


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("", "主体编码为空"),
        ("91350100MO00100Y43", "第10位是“O”"),
        ("乙测资字１３５００１２３", "全角字符"),
        ("乙测资字 13500123", "含有空格"),
        ("13012900001234", "既不是18位统一社会信用代码，也不是15位注册号或许可证号"),
    ],
)
def test_invalid_reason(code, fragment):
    assert fragment in invalid_reason(code)


def test_invalid_reason_none_for_valid_kinds():
    for code in ("91350100M000100Y43", "130129000012345", "乙测资字13500123"):
        assert invalid_reason(code) is None
