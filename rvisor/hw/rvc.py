"""The C extension: each 16-bit instruction expands to its 32-bit equivalent.

The unprivileged spec's "C" chapter defines every compressed instruction by
the base instruction it expands to; ``expand`` does exactly that, and
``build_table`` runs it once over all 65536 encodings so the engine decodes
a compressed instruction with one table lookup (TinyEMU's approach).
An expansion of 0 means the encoding is illegal or reserved.
"""

from __future__ import annotations

import numpy as np
from numba import njit


# runs while expanding: one bit field of the 16-bit instruction
@njit(cache=True, nogil=True)
def _b(c, hi, lo):
    return (c >> lo) & ((1 << (hi - lo + 1)) - 1)


# runs while expanding: encoders of the base formats (I, S, R, B, J)
@njit(cache=True, nogil=True)
def _i(op, rd, f3, rs1, imm):
    return ((imm & 0xFFF) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op


@njit(cache=True, nogil=True)
def _s(op, f3, rs1, rs2, imm):
    return (((imm >> 5) & 0x7F) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 0x1F) << 7) | op


@njit(cache=True, nogil=True)
def _r(op, rd, f3, rs1, rs2, f7):
    return (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op


@njit(cache=True, nogil=True)
def _bj(op, f3, rs1, rs2, imm):
    return (
        (((imm >> 12) & 1) << 31) | (((imm >> 5) & 0x3F) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12)
        | (((imm >> 1) & 0xF) << 8) | (((imm >> 11) & 1) << 7) | op
    )


@njit(cache=True, nogil=True)
def _j(rd, imm):
    return (
        (((imm >> 20) & 1) << 31) | (((imm >> 1) & 0x3FF) << 21) | (((imm >> 11) & 1) << 20)
        | (((imm >> 12) & 0xFF) << 12) | (rd << 7) | 0x6F
    )


@njit(cache=True, nogil=True)
def _sext(v, bits):
    # written without relying on 64-bit wrap-around, so it also holds for plain Python ints
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v


# runs once per encoding when the table is built: the 32-bit equivalent or 0 (illegal)
@njit(cache=True, nogil=True)
def expand(c):
    q = c & 3
    f3 = (c >> 13) & 7
    rd = _b(c, 11, 7)
    rs2 = _b(c, 6, 2)
    rdp = _b(c, 4, 2) + 8  # rd' / rs2' (registers x8-x15)
    rs1p = _b(c, 9, 7) + 8
    if q == 0:
        if f3 == 0:  # C.ADDI4SPN
            imm = (_b(c, 12, 11) << 4) | (_b(c, 10, 7) << 6) | (_b(c, 6, 6) << 2) | (_b(c, 5, 5) << 3)
            return 0 if imm == 0 else _i(0x13, rdp, 0, 2, imm)
        uw = (_b(c, 12, 10) << 3) | (_b(c, 6, 6) << 2) | (_b(c, 5, 5) << 6)  # word offsets
        ud = (_b(c, 12, 10) << 3) | (_b(c, 6, 5) << 6)  # doubleword offsets
        if f3 == 1:
            return _i(0x07, rdp, 3, rs1p, ud)  # C.FLD
        if f3 == 2:
            return _i(0x03, rdp, 2, rs1p, uw)  # C.LW
        if f3 == 3:
            return _i(0x03, rdp, 3, rs1p, ud)  # C.LD
        if f3 == 5:
            return _s(0x27, 3, rs1p, rdp, ud)  # C.FSD
        if f3 == 6:
            return _s(0x23, 2, rs1p, rdp, uw)  # C.SW
        if f3 == 7:
            return _s(0x23, 3, rs1p, rdp, ud)  # C.SD
        return 0
    if q == 1:
        imm6 = _sext((_b(c, 12, 12) << 5) | _b(c, 6, 2), 6)
        if f3 == 0:
            return _i(0x13, rd, 0, rd, imm6)  # C.ADDI (C.NOP when rd = 0)
        if f3 == 1:
            return 0 if rd == 0 else _i(0x1B, rd, 0, rd, imm6)  # C.ADDIW
        if f3 == 2:
            return _i(0x13, rd, 0, 0, imm6)  # C.LI
        if f3 == 3:
            if rd == 2:  # C.ADDI16SP
                imm = (
                    (_b(c, 12, 12) << 9) | (_b(c, 6, 6) << 4) | (_b(c, 5, 5) << 6) | (_b(c, 4, 3) << 7)
                    | (_b(c, 2, 2) << 5)
                )
                return 0 if imm == 0 else _i(0x13, 2, 0, 2, _sext(imm, 10))
            if imm6 == 0:
                return 0
            return ((imm6 << 12) & 0xFFFFF000) | (rd << 7) | 0x37  # C.LUI
        if f3 == 4:
            f2 = _b(c, 11, 10)
            sh = (_b(c, 12, 12) << 5) | _b(c, 6, 2)
            if f2 == 0:
                return _i(0x13, rs1p, 5, rs1p, sh)  # C.SRLI
            if f2 == 1:
                return _i(0x13, rs1p, 5, rs1p, sh | 0x400)  # C.SRAI
            if f2 == 2:
                return _i(0x13, rs1p, 7, rs1p, imm6)  # C.ANDI
            k = _b(c, 6, 5)
            if _b(c, 12, 12) == 0:
                if k == 0:
                    return _r(0x33, rs1p, 0, rs1p, rdp, 0x20)  # C.SUB
                if k == 1:
                    return _r(0x33, rs1p, 4, rs1p, rdp, 0)  # C.XOR
                if k == 2:
                    return _r(0x33, rs1p, 6, rs1p, rdp, 0)  # C.OR
                return _r(0x33, rs1p, 7, rs1p, rdp, 0)  # C.AND
            if k == 0:
                return _r(0x3B, rs1p, 0, rs1p, rdp, 0x20)  # C.SUBW
            if k == 1:
                return _r(0x3B, rs1p, 0, rs1p, rdp, 0)  # C.ADDW
            return 0
        if f3 == 5:  # C.J
            imm = (
                (_b(c, 12, 12) << 11) | (_b(c, 11, 11) << 4) | (_b(c, 10, 9) << 8) | (_b(c, 8, 8) << 10)
                | (_b(c, 7, 7) << 6) | (_b(c, 6, 6) << 7) | (_b(c, 5, 3) << 1) | (_b(c, 2, 2) << 5)
            )
            return _j(0, _sext(imm, 12))
        imm = (
            (_b(c, 12, 12) << 8) | (_b(c, 11, 10) << 3) | (_b(c, 6, 5) << 6) | (_b(c, 4, 3) << 1)
            | (_b(c, 2, 2) << 5)
        )
        return _bj(0x63, 0 if f3 == 6 else 1, rs1p, 0, _sext(imm, 9))  # C.BEQZ / C.BNEZ
    if q == 2:
        if f3 == 0:
            sh = (_b(c, 12, 12) << 5) | _b(c, 6, 2)
            return _i(0x13, rd, 1, rd, sh)  # C.SLLI
        lsp_d = (_b(c, 12, 12) << 5) | (_b(c, 6, 5) << 3) | (_b(c, 4, 2) << 6)
        if f3 == 1:
            return _i(0x07, rd, 3, 2, lsp_d)  # C.FLDSP
        if f3 == 2:
            imm = (_b(c, 12, 12) << 5) | (_b(c, 6, 4) << 2) | (_b(c, 3, 2) << 6)
            return 0 if rd == 0 else _i(0x03, rd, 2, 2, imm)  # C.LWSP
        if f3 == 3:
            return 0 if rd == 0 else _i(0x03, rd, 3, 2, lsp_d)  # C.LDSP
        if f3 == 4:
            if _b(c, 12, 12) == 0:
                if rs2 == 0:
                    return 0 if rd == 0 else _i(0x67, 0, 0, rd, 0)  # C.JR
                return _r(0x33, rd, 0, 0, rs2, 0)  # C.MV
            if rs2 == 0:
                if rd == 0:
                    return 0x00100073  # C.EBREAK
                return _i(0x67, 1, 0, rd, 0)  # C.JALR
            return _r(0x33, rd, 0, rd, rs2, 0)  # C.ADD
        ssp_d = (_b(c, 12, 10) << 3) | (_b(c, 9, 7) << 6)
        if f3 == 5:
            return _s(0x27, 3, 2, rs2, ssp_d)  # C.FSDSP
        if f3 == 6:
            return _s(0x23, 2, 2, rs2, (_b(c, 12, 9) << 2) | (_b(c, 8, 7) << 6))  # C.SWSP
        return _s(0x23, 3, 2, rs2, ssp_d)  # C.SDSP
    return 0


# runs once per engine start: expansions of all 16-bit encodings, indexed by the halfword
@njit(cache=True, nogil=True)
def _fill(t):
    for c in range(65536):
        t[c] = expand(c) if (c & 3) != 3 else 0


# runs once per Machine: the expansion table the engine indexes
def build_table() -> np.ndarray:
    t = np.zeros(65536, dtype=np.int64)
    _fill(t)
    return t
