"""uscc.check_digit_failures, the many-codes fast path of validate_uscc's check-character test (issue 17):
the same verdict and the same message as validate_uscc, code by code."""

from __future__ import annotations

import random

import pytest

from dashboard.domain import uscc
from dashboard.domain.uscc import CHARSET, check_digit_failures, classify, make_uscc, validate_uscc

GOOD = "91350100M000100Y43"  # the example used in GB 32100 explanations
WRONG = "91350100M000100Y4A"  # the same with a wrong check character (it should be "3")


def reference(codes: list[str]) -> dict[str, str]:
    """What validate_uscc says, code by code: {code: message} for each failing check character."""
    out = {}
    for code in codes:
        check = validate_uscc(code)
        assert check.ok  # only structurally valid USCCs are compared
        if not check.check_digit_ok:
            out[code] = check.message
    return out


def generated_codes(n: int, seed: int) -> list[str]:
    """n codes classify() calls "uscc": half made with make_uscc (they pass), half with a random 18th
    character (about 30 in 31 fail), over the whole alphabet in positions 1–2 and 9–17."""
    rng = random.Random(seed)
    codes: list[str] = []
    while len(codes) < n:
        head = rng.choice("123456789ABGJNY") + rng.choice(CHARSET)
        first17 = (
            head + "".join(rng.choices("0123456789", k=6)) + "".join(rng.choices(CHARSET, k=9))
        )
        code = make_uscc(first17) if len(codes) % 2 else first17 + rng.choice(CHARSET)
        if classify(code) == "uscc":
            codes.append(code)
    return codes


def test_a_hand_made_pass_and_failure():
    assert check_digit_failures([GOOD]) == {}
    assert check_digit_failures([WRONG]) == {
        WRONG: "统一社会信用代码“91350100M000100Y4A”校验位应为“3”，实际为“A”；早期试点代码可能如此，请核对。"
    }
    assert check_digit_failures([WRONG]) == {WRONG: validate_uscc(WRONG).message}
    assert check_digit_failures([]) == {}


@pytest.mark.parametrize("seed", [1, 17, 2026])
def test_agrees_with_validate_uscc_on_generated_codes(seed):
    codes = generated_codes(400, seed)
    got = check_digit_failures(codes)
    expected = reference(codes)
    assert got == expected
    assert 150 < len(got) < 250  # both verdicts are exercised
    assert list(got) == [c for c in codes if c in expected]  # in the order given


def test_every_wrong_check_character_of_one_code():
    first17 = "91130129MA07LXXXX"
    codes = [first17 + c for c in CHARSET]
    got = check_digit_failures(codes)
    assert got == reference(codes)
    assert set(codes) - set(got) == {make_uscc(first17)}


def test_any_iterable_and_repeated_codes():
    codes = generated_codes(60, 5)
    assert check_digit_failures(iter(codes)) == reference(codes)
    assert check_digit_failures(tuple(codes + codes)) == reference(codes)


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y4",  # 17 characters
        "91350100M000100Y433",  # 19
        "130129000100469",  # a 15-digit registration number
        "91350100M0001O0Y43",  # O is not of the alphabet
        "91350100m000100Y43",  # lower case
        "91350100M000100Y4I",  # a check character outside the alphabet
        None,
    ],
)
def test_not_a_uscc_is_refused(code):
    with pytest.raises(ValueError):
        check_digit_failures([GOOD, code])


def test_check_digit_is_unchanged():
    assert uscc.check_digit("91350100M000100Y4") == "3"
    assert uscc.check_digit("91130129MA07LXXXX") == "T"
    with pytest.raises(ValueError):
        uscc.check_digit("91350100M000100O4")
