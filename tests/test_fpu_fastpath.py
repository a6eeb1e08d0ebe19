"""The fast paths (host float + error-free transformations) agree with the integer code.

test_fpu.py checks both against an exact Fraction model; this file checks the
fast path at volume (hundreds of thousands of cases per operation, compiled),
concentrated where it is delicate: cancellation, ties, results next to the
bounds of the fast path's range, and every directed rounding mode.
"""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit

from rvisor.hw import fpu

M52 = (1 << 52) - 1


# draws a binary64 pattern whose biased exponent is lo..hi
@njit(cache=True)
def _rand_d(lo: int, hi: int) -> int:
    e = np.random.randint(lo, hi + 1)
    k = np.random.randint(0, 4)
    if k == 0:
        fr = np.random.randint(0, 1 << 52)
    elif k == 1:
        fr = M52 - np.random.randint(0, 8)
    elif k == 2:
        fr = np.random.randint(0, 256) << np.random.randint(0, 45)
    else:
        fr = np.random.randint(0, 1 << 26) << 26
    sign = fpu.SIGN64 if np.random.randint(0, 2) else 0
    return sign | (e << 52) | fr


# runs op (0 add, 1 mul, 2 div, 3 sqrt, 4 fma) n times both ways; returns the first disagreement
@njit(cache=True)
def _cross_check(op: int, n: int, seed: int, lo: int, hi: int) -> tuple[int, int, int, int, int]:
    np.random.seed(seed)
    for i in range(n):
        a = _rand_d(lo, hi)
        b = _rand_d(lo, hi)
        c = _rand_d(lo, hi)
        j = np.random.randint(0, 4)
        if op == 0 and j == 0:  # near-cancellation
            b = (a ^ fpu.SIGN64) + np.random.randint(-3, 4)
        if op == 4 and j <= 1:  # addend cancelling most of the product
            p, _ = fpu._sf_mul(a, b, np.random.randint(0, 4), True)
            c = (p ^ fpu.SIGN64) + np.random.randint(-3, 4)
        if op == 3:
            a &= fpu.M63
        for rm in range(4):
            if op == 0:
                r1, f1 = fpu.f_add(a, b, rm, True)
                r2, f2 = fpu._sf_add(a, b, rm, True)
            elif op == 1:
                r1, f1 = fpu.f_mul(a, b, rm, True)
                r2, f2 = fpu._sf_mul(a, b, rm, True)
            elif op == 2:
                r1, f1 = fpu.f_div(a, b, rm, True)
                r2, f2 = fpu._sf_div(a, b, rm, True)
            elif op == 3:
                r1, f1 = fpu.f_sqrt(a, rm, True)
                r2, f2 = fpu._sf_sqrt(a, rm, True)
            else:
                r1, f1 = fpu.f_fma(a, b, c, rm, True)
                r2, f2 = fpu._sf_fma(a, b, c, rm, True)
            if r1 != r2 or f1 != f2:
                return i, rm, a, b, c
    return -1, 0, 0, 0, 0


RANGES = [
    (1023 - 8, 1023 + 8),  # ordinary magnitudes: the fast path nearly always applies
    (1, 0x7FE),  # everything finite and normal: the range checks decide
    (0x40, 0x120),  # small operands around the lower edges of the fast path
    (0x6F0, 0x7FE),  # large operands around overflow
]


@pytest.mark.parametrize("op", [0, 1, 2, 3, 4], ids=["add", "mul", "div", "sqrt", "fma"])
@pytest.mark.parametrize("rng", range(len(RANGES)))
def test_fast_path_matches_integer_algorithm(op: int, rng: int) -> None:
    lo, hi = RANGES[rng]
    i, rm, a, b, c = _cross_check(op, 40_000, 1000 * op + rng, lo, hi)
    assert i == -1, f"op {op} rm {rm}: a={a & (2**64 - 1):#x} b={b & (2**64 - 1):#x} c={c & (2**64 - 1):#x}"


# draws a binary32 pattern whose biased exponent is lo..hi
@njit(cache=True)
def _rand_s(lo: int, hi: int) -> int:
    e = np.random.randint(lo, hi + 1)
    k = np.random.randint(0, 3)
    if k == 0:
        fr = np.random.randint(0, 1 << 23)
    elif k == 1:
        fr = (1 << 23) - 1 - np.random.randint(0, 8)
    else:
        fr = np.random.randint(0, 64) << np.random.randint(0, 18)
    return (np.random.randint(0, 2) << 31) | (e << 23) | fr


# binary32 counterpart of _cross_check (op 0 add, 1 mul, 2 div, 3 sqrt)
@njit(cache=True)
def _cross_check_s(op: int, n: int, seed: int, lo: int, hi: int) -> tuple[int, int, int, int]:
    np.random.seed(seed)
    for i in range(n):
        a = _rand_s(lo, hi)
        b = _rand_s(lo, hi)
        if op == 0 and np.random.randint(0, 4) == 0:
            b = (a ^ (1 << 31)) + np.random.randint(-3, 4)
        if op == 3:
            a &= (1 << 31) - 1
        for rm in range(4):
            if op == 0:
                r1, f1 = fpu.f_add(a, b, rm, False)
                r2, f2 = fpu._sf_add(a, b, rm, False)
            elif op == 1:
                r1, f1 = fpu.f_mul(a, b, rm, False)
                r2, f2 = fpu._sf_mul(a, b, rm, False)
            elif op == 2:
                r1, f1 = fpu.f_div(a, b, rm, False)
                r2, f2 = fpu._sf_div(a, b, rm, False)
            else:
                r1, f1 = fpu.f_sqrt(a, rm, False)
                r2, f2 = fpu._sf_sqrt(a, rm, False)
            if r1 != r2 or f1 != f2:
                return i, rm, a, b
    return -1, 0, 0, 0


RANGES_S = [(127 - 6, 127 + 6), (1, 0xFE), (1, 40), (200, 0xFE)]


@pytest.mark.parametrize("op", [0, 1, 2, 3], ids=["add", "mul", "div", "sqrt"])
@pytest.mark.parametrize("rng", range(len(RANGES_S)))
def test_single_fast_path_matches_integer_algorithm(op: int, rng: int) -> None:
    lo, hi = RANGES_S[rng]
    i, rm, a, b = _cross_check_s(op, 40_000, 77 + 1000 * op + rng, lo, hi)
    assert i == -1, f"op {op} rm {rm}: a={a:#x} b={b:#x}"


def test_fast_path_is_taken_for_ordinary_operands() -> None:
    one, three = 0x3FF0000000000000, 0x4008000000000000
    assert fpu._fast_add_d(one, three, fpu.RUP) == (0x4010000000000000, 0)
    assert fpu._fast_div_d(one, three, fpu.RUP) == (0x3FD5555555555556, fpu.NX)
    assert fpu._fast_div_d(one, three, fpu.RTZ) == (0x3FD5555555555555, fpu.NX)
    assert fpu._fast_fma_d(three, three, one, fpu.RNE) == (0x4024000000000000, 0)
    assert fpu._fast_add_d(one, three, fpu.RMM)[1] == -1  # ties-away always uses the integer code
    assert fpu._fast_mul_d(1, three, fpu.RNE)[1] == -1  # subnormal operand
