"""Integer multiply and divide (the M extension) on 64-bit patterns held in int64.

Division follows the unprivileged spec's M chapter, table "Semantics for
division by zero and division overflow": x/0 = all ones, x%0 = x, and the
overflow case -2^63 / -1 = -2^63 with remainder 0.  Quotients round toward
zero.
"""

from __future__ import annotations

import numpy as np
from numba import njit

MIN64 = -(1 << 63)
M32 = 0xFFFFFFFF


# runs for MULHU: high 64 bits of the unsigned 128-bit product, from 32-bit halves
@njit(cache=True, nogil=True)
def mulhu(a, b):
    a0 = a & M32
    a1 = (a >> 32) & M32
    b0 = b & M32
    b1 = (b >> 32) & M32
    p00 = a0 * b0
    p01 = a0 * b1
    p10 = a1 * b0
    p11 = a1 * b1
    mid = ((p00 >> 32) & M32) + (p01 & M32) + (p10 & M32)
    return p11 + ((p01 >> 32) & M32) + ((p10 >> 32) & M32) + ((mid >> 32) & M32)


# runs for MULH: signed x signed high half
@njit(cache=True, nogil=True)
def mulh(a, b):
    r = mulhu(a, b)
    if a < 0:
        r -= b
    if b < 0:
        r -= a
    return r


# runs for MULHSU: signed rs1 x unsigned rs2 high half
@njit(cache=True, nogil=True)
def mulhsu(a, b):
    r = mulhu(a, b)
    if a < 0:
        r -= b
    return r


# runs for unsigned quotient/remainder on int64-held patterns
@njit(cache=True, nogil=True)
def _udivmod(a, b):
    ua = np.uint64(a)
    ub = np.uint64(b)
    return np.int64(ua // ub), np.int64(ua % ub)


# runs for DIV/REM: signed, truncating toward zero
@njit(cache=True, nogil=True)
def div(a, b):
    if b == 0:
        return -1
    if a == MIN64 and b == -1:
        return MIN64
    q, _ = _udivmod(-a if a < 0 else a, -b if b < 0 else b)
    return -q if (a < 0) != (b < 0) else q


# runs for REM/REMW: remainder with the sign of the dividend
@njit(cache=True, nogil=True)
def rem(a, b):
    if b == 0:
        return a
    if a == MIN64 and b == -1:
        return 0
    _, r = _udivmod(-a if a < 0 else a, -b if b < 0 else b)
    return -r if a < 0 else r


# runs for DIVU/DIVUW
@njit(cache=True, nogil=True)
def divu(a, b):
    if b == 0:
        return -1
    q, _ = _udivmod(a, b)
    return q


# runs for REMU/REMUW
@njit(cache=True, nogil=True)
def remu(a, b):
    if b == 0:
        return a
    _, r = _udivmod(a, b)
    return r


# runs for the M extension's OP and OP-32 forms: funct3 selects the operation
@njit(cache=True, nogil=True)
def muldiv(f3, a, b, word):
    if word:
        a = (a << 32) >> 32
        b = (b << 32) >> 32
        if f3 == 0:
            r = a * b
        elif f3 == 4:
            r = div(a, b)
        elif f3 == 5:
            r = divu(a & M32, b & M32)
        elif f3 == 6:
            r = rem(a, b)
        else:
            r = remu(a & M32, b & M32)
        return (r << 32) >> 32
    if f3 == 0:
        return a * b
    if f3 == 1:
        return mulh(a, b)
    if f3 == 2:
        return mulhsu(a, b)
    if f3 == 3:
        return mulhu(a, b)
    if f3 == 4:
        return div(a, b)
    if f3 == 5:
        return divu(a, b)
    if f3 == 6:
        return rem(a, b)
    return remu(a, b)
