"""Entity codes: the unified social credit code (GB 32100-2015, DOMAIN.md §6) and what else may key an entity.

An entity of the directory is keyed by one of three kinds of code (DOMAIN.md §5):

* ``"uscc"`` — 统一社会信用代码: exactly 18 characters over ``0123456789ABCDEFGHJKLMNPQRTUWXY``
  (31 symbols, no I O S V Z, upper case only). The 18th character is a check character; a code whose
  check character is wrong is still a USCC (some early pilot codes fail the check and are legal):
  callers warn, never reject (``validate_uscc(...).check_digit_ok``).
* ``"registration_no"`` — the old 15-digit 工商注册号: exactly 15 ASCII digits.
* ``"licence"`` — a licence or qualification number, 10–30 characters without spaces, one of
  1. 采矿许可证 / 勘查许可证 numbers: ``C`` or ``T`` followed by 17–22 digits
     (``C1301002010067120071234``, ``T13420080702012345``). These are checked before the USCC rule
     because ``T`` + 17 digits is also 18 characters of the USCC alphabet; no USCC starts with C or T
     (they are not registration-authority codes), so nothing is lost.
  2. a certificate number with Chinese text: contains 许可, 证 or 字 (资字, 字第…) and at least 5 ASCII
     digits, e.g. ``乙测资字13500123``, ``地字第130129202400012号``; allowed characters are Chinese
     characters, ASCII letters and digits, ``-``, ``_``, ``/`` and the brackets ``()（）〔〕[]``.
  3. an ASCII licence number: starts with an upper-case letter, then upper-case letters, digits or
     ``-``, at least 6 digits, length not 18 (an 18-character code that is not a USCC is almost always
     a mistyped USCC, so it is ``"invalid"``), and not C/T + digits of a length rule 1 refuses
     (a mistyped mining licence).
* ``"invalid"`` — anything else (empty, spaces, lower case, 17/19 characters, full-width digits…).
  ``invalid_reason(code)`` says why in one Chinese sentence.

Codes are classified exactly as given: surrounding spaces or lower case make a code invalid, so the
importer must trim cells before classifying (and the stored key is the trimmed text).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUE = {c: i for i, c in enumerate(CHARSET)}
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_LENGTH = 18
FORBIDDEN_LETTERS = "IOSVZ"

CodeKind = Literal["uscc", "licence", "registration_no", "invalid"]

_MINING_LICENCE = re.compile(r"[CT][0-9]{17,22}")
_USCC_CHARS = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}")  # the 31 symbols of CHARSET, 18 of them
_MINING_LIKE = re.compile(r"[CT][0-9]+")
_REGISTRATION_NO = re.compile(r"[0-9]{15}")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_CJK_LICENCE_CHARS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fffA-Za-z0-9\-_/()（）〔〕\[\]]+")
_CJK_LICENCE_MARKERS = ("许可", "证", "字")
_ASCII_LICENCE = re.compile(r"[A-Z][A-Z0-9\-]+")
LICENCE_MIN_LEN, LICENCE_MAX_LEN = 10, 30


@dataclass(frozen=True)
class UsccCheck:
    """ok: the code is a structurally valid USCC; check_digit_ok: its 18th character also checks.

    message: None when both hold; otherwise one Chinese sentence (an error when not ok, a warning when
    only the check character is wrong).
    """

    ok: bool
    check_digit_ok: bool
    message: str | None = None


def check_digit(first17: str) -> str:
    """The check character (position 18) of a USCC whose first 17 characters are `first17`."""
    if not isinstance(first17, str) or len(first17) != 17:
        raise ValueError("计算校验位需要统一社会信用代码的前17位")
    bad = [c for c in first17 if c not in VALUE]
    if bad:
        raise ValueError(f"字符“{bad[0]}”不在统一社会信用代码的字符集内")
    return _check_char(first17)


def _check_char(first17: str) -> str:
    """The GB 32100 check character of 17 characters of CHARSET (not checked: callers do)."""
    total = sum(map(operator.mul, map(VALUE.__getitem__, first17), WEIGHTS))
    return CHARSET[(31 - total % 31) % 31]


def _check_digit_message(code: str, expected: str) -> str:
    """The warning for a USCC whose 18th character is not the `expected` check character."""
    return (
        f"统一社会信用代码“{code}”校验位应为“{expected}”，实际为“{code[17]}”；"
        "早期试点代码可能如此，请核对。"
    )


def make_uscc(first17: str) -> str:
    """`first17` plus its check character: a USCC that passes the check (for demo data and tests)."""
    return first17 + check_digit(first17)


def _digits(code: str) -> int:
    return sum(1 for c in code if "0" <= c <= "9")


def _is_licence(code: str) -> bool:
    if not LICENCE_MIN_LEN <= len(code) <= LICENCE_MAX_LEN:
        return False
    if _MINING_LICENCE.fullmatch(code):
        return True
    if _CJK.search(code):
        return (
            _CJK_LICENCE_CHARS.fullmatch(code) is not None
            and any(m in code for m in _CJK_LICENCE_MARKERS)
            and _digits(code) >= 5
        )
    return (
        len(code) != USCC_LENGTH
        and _MINING_LIKE.fullmatch(code) is None  # C/T + digits of the wrong length: a typo
        and _ASCII_LICENCE.fullmatch(code) is not None
        and _digits(code) >= 6
    )


def _uscc_structure_error(code: str) -> str | None:
    """Why `code` is not a structurally valid USCC, or None if it is one."""
    if not isinstance(code, str) or code == "":
        return "统一社会信用代码为空。"
    if code != code.strip() or any(c.isspace() for c in code):
        return f"统一社会信用代码“{code}”含有空格，请删除空格。"
    if len(code) != USCC_LENGTH:
        return f"统一社会信用代码应为18位，“{code}”为{len(code)}位。"
    if _MINING_LICENCE.fullmatch(code):
        return f"“{code}”是采矿/勘查许可证号的格式，不是统一社会信用代码。"
    for pos, c in enumerate(code, start=1):
        if c in VALUE:
            continue
        if c.isascii() and c.isalpha() and c.islower():
            return f"统一社会信用代码“{code}”第{pos}位是小写字母“{c}”，请改为大写。"
        if c in FORBIDDEN_LETTERS:
            return (
                f"统一社会信用代码“{code}”第{pos}位是“{c}”，"
                "代码中不使用字母 I、O、S、V、Z，请核对（常见为数字 1、0、5 误录）。"
            )
        return f"统一社会信用代码“{code}”第{pos}位字符“{c}”不是数字或大写字母。"
    return None


def _plain_uscc(code: str) -> bool:
    """The fast path of a million-row import: 18 symbols of the alphabet, not a mining licence."""
    return _USCC_CHARS.fullmatch(code) is not None and _MINING_LICENCE.fullmatch(code) is None


def validate_uscc(code: str) -> UsccCheck:
    """Check `code` as a USCC: structure and alphabet first (errors), then the check character (warning)."""
    error = None if isinstance(code, str) and _plain_uscc(code) else _uscc_structure_error(code)
    if error is not None:
        return UsccCheck(ok=False, check_digit_ok=False, message=error)
    expected = check_digit(code[:17])
    if code[17] != expected:
        return UsccCheck(
            ok=True, check_digit_ok=False, message=_check_digit_message(code, expected)
        )
    return UsccCheck(ok=True, check_digit_ok=True, message=None)


def check_digit_failures(codes: Iterable[str]) -> dict[str, str]:
    """The check-character test of :func:`validate_uscc` for many USCCs at once (e.g. every entity of
    the directory, issue 17): ``{code: message}`` for each code whose 18th character is wrong, with the
    very message ``validate_uscc(code).message`` gives; codes that pass are left out, and no
    :class:`UsccCheck` or message is built for them.

    Only for codes :func:`classify` calls ``"uscc"``: the structure rules of :func:`validate_uscc`
    are not applied here, and a code that is not 18 characters of CHARSET raises ValueError.
    """
    failures = {}
    for code in codes:
        if not isinstance(code, str) or len(code) != USCC_LENGTH or code[17] not in VALUE:
            raise ValueError(f"“{code}”不是18位的统一社会信用代码")
        try:
            expected = _check_char(code[:17])
        except KeyError as e:
            raise ValueError(f"字符“{e.args[0]}”不在统一社会信用代码的字符集内") from None
        if code[17] != expected:
            failures[code] = _check_digit_message(code, expected)
    return failures


def region_problem(code: str) -> str | None:
    """Positions 3–8 of a USCC are the registering authority's administrative division code, six
    digits; a letter there is a mistyped code even when the check character happens to fit."""
    if len(code) != USCC_LENGTH:
        return None
    region = code[2:8]
    if region.isascii() and region.isdigit():
        return None
    pos = next(i for i, c in enumerate(region, start=3) if not ("0" <= c <= "9"))
    return (
        f"统一社会信用代码“{code}”第3–8位应为行政区划代码（6位数字），第{pos}位是“{code[pos - 1]}”，"
        "请核对。"
    )


def classify(code: str) -> CodeKind:
    """Which kind of entity code `code` is (see the module docstring for the exact rule)."""
    if not isinstance(code, str) or code == "":
        return "invalid"
    if len(code) == USCC_LENGTH and _plain_uscc(code):  # what the rules below conclude, faster
        return "uscc"
    if _REGISTRATION_NO.fullmatch(code):
        return "registration_no"
    if _is_licence(code):  # before the USCC rule: T + 17 digits also fits the USCC alphabet
        return "licence"
    if _uscc_structure_error(code) is None:
        return "uscc"
    return "invalid"


def invalid_reason(code: str) -> str | None:
    """One Chinese sentence saying why `code` cannot key an entity; None when classify(code) != "invalid"."""
    if classify(code) != "invalid":
        return None
    if not isinstance(code, str) or code.strip() == "":
        return "主体编码为空。"
    if code != code.strip() or any(c.isspace() for c in code):
        return f"主体编码“{code}”含有空格，请删除空格。"
    if len(code) == USCC_LENGTH:
        return _uscc_structure_error(code)
    if any("０" <= c <= "９" or "Ａ" <= c <= "Ｚ" for c in code):
        return f"主体编码“{code}”含有全角字符，请改为半角数字和字母。"
    return (
        f"主体编码“{code}”既不是18位统一社会信用代码，也不是15位注册号或许可证号，"
        "请核对后重新填写。"
    )
