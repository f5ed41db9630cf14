"""Entity keys for the demo: USCCs (GB 32100), licence numbers and legacy 15-digit 注册号.

The USCC check character comes from `dashboard.domain.uscc.check_digit` (DOMAIN.md §6).
"""

from __future__ import annotations

import random

from dashboard.domain.uscc import CHARSET as USCC_ALPHABET
from dashboard.domain.uscc import check_digit

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714 organisation code


def uscc_check(code17: str) -> str:
    """The GB 32100 check character for the first 17 characters (the domain's one implementation)."""
    return check_digit(code17)


def org_code(rng: random.Random, *, modern: bool) -> str:
    """9-character organisation-code part (positions 9–17): modern `MA…` or a GB 11714 code."""
    if modern:
        return "MA" + "".join(rng.choice(USCC_ALPHABET) for _ in range(7))
    body = "".join(rng.choice("0123456789") for _ in range(8))
    c = 11 - sum(int(ch) * w for ch, w in zip(body, _ORG_WEIGHTS, strict=True)) % 11
    return body + ("X" if c == 10 else "0" if c == 11 else str(c))


def make_uscc(authority_kind: str, region: str, org9: str) -> str:
    """18-character USCC from registration authority + kind (e.g. '91'), region (6) and org code (9)."""
    code17 = authority_kind + region + org9
    assert len(code17) == 17, code17
    return code17 + uscc_check(code17)


def break_check(code: str, rng: random.Random) -> str:
    """The same USCC with a wrong check character (an early-pilot code that fails the check)."""
    good = USCC_ALPHABET.index(code[17])
    bad = (good + rng.randint(1, 30)) % 31
    return code[:17] + USCC_ALPHABET[bad]


def registration_no(region: str, seq: int) -> str:
    """Legacy 15-digit 工商注册号: region (6) + 8-digit sequence + ISO 7064 MOD 11,10 check digit."""
    body = f"{region}{seq:08d}"
    p = 10
    for ch in body:
        s = (p + int(ch)) % 10 or 10
        p = (s * 2) % 11
    return body + str((11 - p) % 10)


def mining_licence(region: str, year: int, month: int, seq: int) -> str:
    """采矿许可证号: C + region + year + month + type digits + sequence (23 characters)."""
    return f"C{region}{year:04d}{month:02d}71{seq:08d}"


def exploration_licence(region: str, year: int, month: int, seq: int) -> str:
    """勘查许可证号 (探矿权): T + region + year + month + type digits + sequence (23 characters)."""
    return f"T{region}{year:04d}{month:02d}03{seq:08d}"
