"""SHA-256 of many short messages that share a prefix, compiled with numba: the draw's fast path.

Every key of protocol v1 hashes "{seed}/…", and the seed is 64 hex characters, so the first 64-byte
block of every message is the same. It is compressed once (the midstate); each key then costs one
more block. The block function is OpenSSL's SHA256_Transform (SHA-NI instructions where the CPU has
them) when the libcrypto that Python's hashlib uses offers it and passes a self-test, else a compiled
software block function. Both are bound to one symbol, so the kernels are compiled once per machine
and cached by numba on disk. Import this module only when a pool is large: importing numba costs
about a second.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import os
import threading

import llvmlite.binding as llvm
import numba as nb
import numpy as np
from numba import types

_K = np.array(
    [
        0x428A2F98, 0x71374491, 0xB5C0FBCF, 0xE9B5DBA5, 0x3956C25B, 0x59F111F1, 0x923F82A4, 0xAB1C5ED5,
        0xD807AA98, 0x12835B01, 0x243185BE, 0x550C7DC3, 0x72BE5D74, 0x80DEB1FE, 0x9BDC06A7, 0xC19BF174,
        0xE49B69C1, 0xEFBE4786, 0x0FC19DC6, 0x240CA1CC, 0x2DE92C6F, 0x4A7484AA, 0x5CB0A9DC, 0x76F988DA,
        0x983E5152, 0xA831C66D, 0xB00327C8, 0xBF597FC7, 0xC6E00BF3, 0xD5A79147, 0x06CA6351, 0x14292967,
        0x27B70A85, 0x2E1B2138, 0x4D2C6DFC, 0x53380D13, 0x650A7354, 0x766A0ABB, 0x81C2C92E, 0x92722C85,
        0xA2BFE8A1, 0xA81A664B, 0xC24B8B70, 0xC76C51A3, 0xD192E819, 0xD6990624, 0xF40E3585, 0x106AA070,
        0x19A4C116, 0x1E376C08, 0x2748774C, 0x34B0BCB5, 0x391C0CB3, 0x4ED8AA4A, 0x5B9CCA4F, 0x682E6FF3,
        0x748F82EE, 0x78A5636F, 0x84C87814, 0x8CC70208, 0x90BEFFFA, 0xA4506CEB, 0xBEF9A3F7, 0xC67178F2,
    ],
    dtype=np.uint64,
)  # fmt: skip
_H0 = np.array(
    [
        0x6A09E667,
        0xBB67AE85,
        0x3C6EF372,
        0xA54FF53A,
        0x510E527F,
        0x9B05688C,
        0x1F83D9AB,
        0x5BE0CD19,
    ],
    dtype=np.uint32,
)
_M32 = np.uint64(0xFFFFFFFF)
_CTX_WORDS = 32  # room for OpenSSL's SHA256_CTX (112 bytes); the state h[0..7] comes first
_BLOCK_SYMBOL = "dashboard_sha256_block"
# numba's default thread pool (workqueue) aborts the process if two Python threads run parallel
# kernels at once, and Streamlit serves each session on its own thread: one kernel at a time
_KERNEL_LOCK = threading.Lock()


@nb.njit(inline="always")
def _rotr(x, n):
    return ((x >> np.uint64(n)) | (x << np.uint64(32 - n))) & _M32


def _software_block(state_ptr, block_ptr):  # pragma: no cover - compiled below when needed
    """FIPS 180-4 compression of one 64-byte block into the state (the fallback for OpenSSL's)."""
    st = nb.carray(state_ptr, (8,), np.uint32)
    blk = nb.carray(block_ptr, (64,), np.uint8)
    w = np.empty(64, np.uint64)
    for t in range(16):
        w[t] = (
            (np.uint64(blk[4 * t]) << np.uint64(24))
            | (np.uint64(blk[4 * t + 1]) << np.uint64(16))
            | (np.uint64(blk[4 * t + 2]) << np.uint64(8))
            | np.uint64(blk[4 * t + 3])
        )
    for t in range(16, 64):
        x, y = w[t - 15], w[t - 2]
        s0 = _rotr(x, 7) ^ _rotr(x, 18) ^ (x >> np.uint64(3))
        s1 = _rotr(y, 17) ^ _rotr(y, 19) ^ (y >> np.uint64(10))
        w[t] = (w[t - 16] + s0 + w[t - 7] + s1) & _M32
    a, b, c, d = np.uint64(st[0]), np.uint64(st[1]), np.uint64(st[2]), np.uint64(st[3])
    e, f, g, h = np.uint64(st[4]), np.uint64(st[5]), np.uint64(st[6]), np.uint64(st[7])
    for t in range(64):
        s1 = _rotr(e, 6) ^ _rotr(e, 11) ^ _rotr(e, 25)
        ch = (e & f) ^ ((~e) & g & _M32)
        t1 = (h + s1 + ch + _K[t] + w[t]) & _M32
        s0 = _rotr(a, 2) ^ _rotr(a, 13) ^ _rotr(a, 22)
        t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) & _M32
        h, g, f, e = g, f, e, (d + t1) & _M32
        d, c, b, a = c, b, a, (t1 + t2) & _M32
    for i, v in enumerate((a, b, c, d, e, f, g, h)):
        st[i] = np.uint32((np.uint64(st[i]) + v) & _M32)


def _padded(message: bytes) -> bytes:
    return (
        message
        + b"\x80"
        + b"\0" * ((55 - len(message)) % 64)
        + (8 * len(message)).to_bytes(8, "big")
    )


def _openssl_block():
    """OpenSSL's SHA256_Transform if it computes SHA-256 correctly here, else None."""
    if os.environ.get("DASHBOARD_SOFTWARE_SHA"):
        return None
    for name in (ctypes.util.find_library("crypto"), "libcrypto.so.3", "libcrypto.so"):
        if not name:
            continue
        try:
            fn = ctypes.CDLL(name).SHA256_Transform
        except (OSError, AttributeError):
            continue
        fn.restype, fn.argtypes = None, [ctypes.c_void_p, ctypes.c_void_p]
        if _block_self_test(fn):
            return fn
    return None


def _block_self_test(fn) -> bool:
    for message in (b"abc", b"v1/" + bytes(range(60, 160))):
        padded = _padded(message)
        ctx = np.zeros(_CTX_WORDS, np.uint32)
        ctx[:8] = _H0
        for i in range(0, len(padded), 64):
            block = np.frombuffer(padded[i : i + 64], np.uint8).copy()
            fn(ctx.ctypes.data, block.ctypes.data)
        if ctx[:8].astype(">u4").tobytes() != hashlib.sha256(message).digest():
            return False
    return True


_OPENSSL = _openssl_block()
if _OPENSSL is not None:
    BLOCK_FUNCTION = "OpenSSL SHA256_Transform"
    _host_block = _OPENSSL
    _block_address = ctypes.cast(_OPENSSL, ctypes.c_void_p).value
else:  # even a small cfunc costs ~0.7 s to set up: only when OpenSSL's is missing
    _compiled = nb.cfunc(types.void(types.voidptr, types.voidptr), cache=True)(_software_block)
    BLOCK_FUNCTION = "numba software"
    _host_block = _compiled.ctypes
    _block_address = _compiled.address
llvm.add_symbol(_BLOCK_SYMBOL, _block_address)
_block = types.ExternalFunction(_BLOCK_SYMBOL, types.void(types.voidptr, types.voidptr))


@nb.njit(inline="always")
def _finish(ctx, blk, length, bits):
    """Pad the `length` bytes left in blk (FIPS 180-4: 0x80, zeros, the message's length in bits,
    big-endian) and compress every block of them: the one rule of both kernels' endings."""
    blk[length] = 0x80
    end = ((length + 8) // 64 + 1) * 64
    blk[length + 1 : end - 8] = 0
    for q in range(8):
        blk[end - 1 - q] = (bits >> (8 * q)) & 0xFF
    for block_start in range(0, end, 64):
        _block(ctx.ctypes.data, blk[block_start:].ctypes.data)


@nb.njit(inline="always")
def _digest(ctx, blk, mid, absorbed, head, data, start, stop, suf_data, suf_start, suf_stop):
    """ctx[:8] = state after sha256(prefix + head + data[start:stop] + suf_data[suf_start:suf_stop])."""
    ctx[:8] = mid
    length = 0
    for b in head:
        blk[length] = b
        length += 1
    for p in range(start, stop):
        blk[length] = data[p]
        length += 1
    for p in range(suf_start, suf_stop):
        blk[length] = suf_data[p]
        length += 1
    _finish(ctx, blk, length, (absorbed + length) * 8)


@nb.njit(parallel=True, cache=True)
def _keys64(mid, absorbed, head, offsets, data, rows, suf_offsets, suf_data, width, buf_len):
    """out[r, j, :width] = the first 8 × width bytes of sha256(prefix + head + code[rows[r]] +
    suffix[j]) as big-endian uint64s (width 1: a prefix that orders like the hex key; 4: all of it).

    `mid` is the state after the prefix's first `absorbed` bytes; codes and suffixes are Arrow-style
    offsets into UTF-8 byte buffers; buf_len is the padded remainder's room (a multiple of 64).
    """
    n, m = len(rows), len(suf_offsets) - 1
    out = np.empty((n, m, width), np.uint64)
    chunks = min(n, 256)
    for c in nb.prange(chunks):
        ctx = np.zeros(_CTX_WORDS, np.uint32)
        blk = np.zeros(buf_len, np.uint8)
        for r in range(c * n // chunks, (c + 1) * n // chunks):
            row = rows[r]
            for j in range(m):
                _digest(ctx, blk, mid, absorbed, head, data, offsets[row], offsets[row + 1],
                        suf_data, suf_offsets[j], suf_offsets[j + 1])  # fmt: skip
                key = out[r, j]
                for q in range(width):
                    key[q] = (np.uint64(ctx[2 * q]) << np.uint64(32)) | np.uint64(ctx[2 * q + 1])
    return out


@nb.njit(parallel=True, cache=True)
def _teams(keys, eligible, upos, nunits, k, width):
    """Per target: first of each unit by key (units in order), then the smallest keys up to k.

    Returns inspector indices (-1 = none), the number eligible, and whether two eligible 64-bit keys
    tie (the caller then recomputes that target with full keys).
    """
    n, m = keys.shape
    team = np.full((n, width), -1, np.int32)
    count = np.zeros(n, np.int32)
    tie = np.zeros(n, np.bool_)
    for i in nb.prange(n):
        cand = np.empty(m, np.int64)
        size = 0
        for j in range(m):
            if eligible[i, j]:
                cand[size] = j
                size += 1
        cand = cand[:size]
        order = cand[np.argsort(keys[i, cand])]
        for q in range(1, size):
            if keys[i, order[q]] == keys[i, order[q - 1]]:
                tie[i] = True
        taken = np.zeros(m, np.bool_)
        t = 0
        for u in range(nunits):
            for j in order:
                if upos[j] == u:
                    team[i, t] = j
                    taken[j] = True
                    t += 1
                    break
        for j in order:
            if t >= k:
                break
            if not taken[j]:
                team[i, t] = j
                taken[j] = True
                t += 1
        count[i] = size
    return team, count, tie


@nb.njit(cache=True)
def _pool_digest(code_off, code_data, s_off, s_data, s_index, buf_len):
    """SHA-256 state after the text "code|stratum\n" of every row, in row order (the pool hash),
    written block by block into a small buffer: the ~170 MB text of an 8,000,000 pool is never
    held whole. buf_len leaves room for the longest line plus one block."""
    ctx = np.zeros(_CTX_WORDS, np.uint32)
    ctx[:8] = _H0
    buf = np.zeros(buf_len, np.uint8)
    fill = 0
    total = 0
    for r in range(len(s_index)):
        s = s_index[r]
        need = code_off[r + 1] - code_off[r] + s_off[s + 1] - s_off[s] + 2
        if fill + need > buf_len:
            whole = fill // 64 * 64
            for start in range(0, whole, 64):
                _block(ctx.ctypes.data, buf[start:].ctypes.data)
            buf[: fill - whole] = buf[whole:fill]
            fill -= whole
        # unsigned positions: no negative-index checks in the copy loops
        at = np.uint64(fill)
        for q in range(np.uint64(code_off[r]), np.uint64(code_off[r + 1])):
            buf[at] = code_data[q]
            at += np.uint64(1)
        buf[at] = 124  # "|"
        at += np.uint64(1)
        for q in range(np.uint64(s_off[s]), np.uint64(s_off[s + 1])):
            buf[at] = s_data[q]
            at += np.uint64(1)
        buf[at] = 10  # "\n"
        fill += need
        total += need
    whole = fill // 64 * 64
    for start in range(0, whole, 64):
        _block(ctx.ctypes.data, buf[start:].ctypes.data)
    buf[: fill - whole] = buf[whole:fill]
    _finish(ctx, buf, fill - whole, total * 8)
    return ctx[:8].copy()


def pool_digest(codes, strata, strata_index) -> str:
    """Hex SHA-256 of the pool-hash text; codes and strata as (offsets, bytes) pairs and
    strata_index mapping each row to its stratum's position."""
    (code_off, code_data), (s_off, s_data) = codes, strata
    longest = int(np.diff(code_off).max(initial=0)) + int(np.diff(s_off).max(initial=0)) + 2
    buf_len = max(65536, (longest // 64 + 2) * 64)
    state = _pool_digest(code_off, code_data, s_off, s_data, strata_index, buf_len)  # serial
    return state.astype(">u4").tobytes().hex()


# -- Python side --------------------------------------------------------------------------------


def _utf8(values: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Arrow-style offsets and bytes of a list of strings."""
    encoded = [v.encode("utf-8") for v in values]
    offsets = np.zeros(len(encoded) + 1, np.int64)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    return offsets, np.frombuffer(b"".join(encoded), np.uint8).copy()


class Hasher:
    """Keys sha256(prefix + code + suffix) for codes held as Arrow-style buffers."""

    def __init__(self, prefix: str, offsets: np.ndarray, data: np.ndarray):
        raw = prefix.encode("utf-8")
        absorbed = len(raw) // 64 * 64
        ctx = np.zeros(_CTX_WORDS, np.uint32)
        ctx[:8] = _H0
        for start in range(0, absorbed, 64):
            _compress_host(ctx, raw[start : start + 64])
        self.mid = ctx[:8].copy()
        self.absorbed = absorbed
        self.head = np.frombuffer(raw[absorbed:], np.uint8).copy()
        self.offsets = offsets.astype(np.int64, copy=False)
        self.data = data if len(data) else np.zeros(1, np.uint8)
        lengths = np.diff(self.offsets)
        self.max_code = int(lengths.max()) if len(lengths) else 0

    def _args(self, rows: np.ndarray, suffixes: list[str]) -> tuple:
        suf_offsets, suf_data = _utf8(suffixes)
        longest = len(self.head) + self.max_code + int(np.diff(suf_offsets).max(initial=0))
        buf_len = ((longest + 8) // 64 + 1) * 64
        return (
            self.mid,
            self.absorbed,
            self.head,
            self.offsets,
            self.data,
            rows.astype(np.int64, copy=False),
            suf_offsets,
            suf_data if len(suf_data) else np.zeros(1, np.uint8),
        ), buf_len

    def _keys64(self, rows: np.ndarray, suffixes: list[str], width: int) -> np.ndarray:
        args, buf_len = self._args(rows, suffixes)
        with _KERNEL_LOCK:
            return _keys64(*args, width, buf_len)

    def prefix64(self, rows: np.ndarray, suffixes: list[str]) -> np.ndarray:
        """The first 8 bytes of each key as big-endian uint64 (orders like the hex keys)."""
        return self._keys64(rows, suffixes, 1)[..., 0]

    def hex_keys(self, rows: np.ndarray, suffix: str = "") -> np.ndarray:
        """Full lowercase hex keys as ASCII bytes (numpy S64 array, one per row; .astype("U64") for str)."""
        digest = self._keys64(rows, [suffix], 4)[:, 0, :].astype(">u8")
        raw = np.ascontiguousarray(digest).view(np.uint8).reshape(len(rows), 32)
        lut = np.frombuffer(b"0123456789abcdef", np.uint8)
        out = np.empty((len(rows), 64), np.uint8)
        out[:, 0::2] = lut[raw >> 4]
        out[:, 1::2] = lut[raw & 15]
        return out.view("S64").ravel()


def _compress_host(ctx: np.ndarray, block: bytes) -> None:
    buf = np.frombuffer(block, np.uint8).copy()
    _host_block(ctx.ctypes.data, buf.ctypes.data)


def teams(keys: np.ndarray, eligible: np.ndarray, upos: np.ndarray, nunits: int, k: int):
    """See _teams; width leaves room for one per unit or k, whichever is larger."""
    with _KERNEL_LOCK:
        return _teams(keys, eligible, upos.astype(np.int64), nunits, k, max(k, nunits, 1))
