"""The pool's latest risk grades as a merge of two sorted lists, compiled with numba.

DuckDB joins an 8,000,000-entity pool to its latest grades by hashing both sides on text keys (about
1 s of the draw). Both sides can be fetched already sorted by entity code, and a single forward
walk then pairs them (about 0.1 s). The walk compares codes byte by byte, eight bytes at a time;
the caller checks that both lists really are in byte order. Import only for large pools (numba).
"""

from __future__ import annotations

import numba as nb
import numpy as np

_ONE, _EIGHT = np.uint64(1), np.uint64(8)


@nb.njit(inline="always")
def _be64(data, p):
    """Eight bytes at p as a big-endian number (so numbers order like the bytes)."""
    word = np.uint64(0)
    for q in range(8):
        word = (word << _EIGHT) | np.uint64(data[p + np.uint64(q)])
    return word


@nb.njit(inline="always")
def _compare(a_off, a_data, i, b_off, b_data, j):
    """-1, 0 or 1 as code a[i] sorts before, equal to or after code b[j] in byte order.

    Unsigned positions spare numba's negative-index checks, which would stop LLVM from reading
    eight bytes at once.
    """
    p, p_end = np.uint64(a_off[i]), np.uint64(a_off[i + 1])
    q, q_end = np.uint64(b_off[j]), np.uint64(b_off[j + 1])
    while p + _EIGHT <= p_end and q + _EIGHT <= q_end:
        x, y = _be64(a_data, p), _be64(b_data, q)
        if x != y:
            return -1 if x < y else 1
        p += _EIGHT
        q += _EIGHT
    while p < p_end and q < q_end:
        x, y = a_data[p], b_data[q]
        if x != y:
            return -1 if x < y else 1
        p += _ONE
        q += _ONE
    return (1 if p_end > p else 0) - (1 if q_end > q else 0)


@nb.njit(cache=True)
def _last_value(a_off, a_data, b_off, b_data, b_value, missing):
    """For each code of a (strictly increasing), the value of the last row of b (non-decreasing)
    with the same code, or `missing`."""
    n, m = len(a_off) - 1, len(b_off) - 1
    out = np.full(n, missing, np.int32)
    j = 0
    for i in range(n):
        while j < m:
            c = _compare(b_off, b_data, j, a_off, a_data, i)
            if c > 0:
                break
            if c == 0:
                out[i] = b_value[j]
            j += 1
    return out


def last_value(members, rows, values: np.ndarray, missing: int) -> np.ndarray:
    """Per member, values[j] of its last equal code j in `rows` (`missing` if none); members and
    rows as (offsets, bytes) pairs of Arrow string buffers, members strictly increasing and rows
    non-decreasing."""
    return _last_value(*members, *rows, values, np.int32(missing))
