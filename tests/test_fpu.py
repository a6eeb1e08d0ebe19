"""Tests of rvisor.hw.fpu against an exact reference model built on fractions.Fraction.

Every operation computes the exact real result of its operands, then rounds
it once to the destination format in the requested mode and derives the
flags (NV, DZ, OF, UF with tininess after rounding, NX) the way the RISC-V F
extension requires.  It shares no code with ``rvisor.hw.fpu``; the tests
compare the two bit for bit.
"""

from __future__ import annotations

import math
import random
import struct
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rvisor.hw import fpu

RNE, RTZ, RDN, RUP, RMM = 0, 1, 2, 3, 4
NX, UF, OF, DZ, NV = 1, 2, 4, 8, 16


@dataclass(frozen=True)
class Fmt:
    """An IEEE 754 binary interchange format."""

    fb: int  # fraction bits
    eb: int  # exponent bits

    @property
    def bias(self) -> int:
        return (1 << (self.eb - 1)) - 1

    @property
    def emin(self) -> int:
        return 1 - self.bias

    @property
    def emax(self) -> int:
        return self.bias

    @property
    def width(self) -> int:
        return 1 + self.eb + self.fb

    @property
    def canon(self) -> int:
        return ((1 << self.eb) - 1) << self.fb | (1 << (self.fb - 1))

    @property
    def inf(self) -> int:
        return ((1 << self.eb) - 1) << self.fb

    @property
    def maxf(self) -> int:
        return self.inf - 1

    @property
    def sbit(self) -> int:
        return 1 << (self.width - 1)


S = Fmt(23, 8)
D = Fmt(52, 11)


@dataclass(frozen=True)
class Val:
    """A decoded operand: kind is 'fin', 'inf', 'qnan' or 'snan'; q is exact for 'fin'."""

    kind: str
    sign: int
    q: Fraction = Fraction(0)

    @property
    def nan(self) -> bool:
        return self.kind in ("qnan", "snan")

    @property
    def zero(self) -> bool:
        return self.kind == "fin" and self.q == 0


# decodes raw bits (unsigned, format width) into a Val
def decode(bits: int, fmt: Fmt) -> Val:
    sign = bits >> (fmt.width - 1) & 1
    e = bits >> fmt.fb & ((1 << fmt.eb) - 1)
    fr = bits & ((1 << fmt.fb) - 1)
    if e == (1 << fmt.eb) - 1:
        if fr == 0:
            return Val("inf", sign)
        return Val("qnan" if fr >> (fmt.fb - 1) else "snan", sign)
    if e == 0:
        mag = Fraction(fr) * Fraction(2) ** (fmt.emin - fmt.fb)
    else:
        mag = Fraction(fr | 1 << fmt.fb) * Fraction(2) ** (e - fmt.bias - fmt.fb)
    return Val("fin", sign, -mag if sign else mag)


# floor(log2(a)) for a positive Fraction
def ilog2(a: Fraction) -> int:
    e = a.numerator.bit_length() - a.denominator.bit_length()
    if Fraction(2) ** e > a:
        e -= 1
    if Fraction(2) ** (e + 1) <= a:
        e += 1
    return e


# rounds a non-negative Fraction to an integer in mode rm (sign applies to directed modes)
def round_int(a: Fraction, rm: int, sign: int) -> int:
    n = math.floor(a)
    rem = a - n
    if rem == 0:
        return n
    half = Fraction(1, 2)
    if rm == RNE:
        up = rem > half or (rem == half and n % 2 == 1)
    elif rm == RTZ:
        up = False
    elif rm == RDN:
        up = sign == 1
    elif rm == RUP:
        up = sign == 0
    else:
        up = rem >= half
    return n + 1 if up else n


# rounds a magnitude at precision fb+1 with exponent floor max(ilog2, lo_exp)
def _round_mag(a: Fraction, fmt: Fmt, rm: int, sign: int, bounded: bool) -> Fraction:
    e = ilog2(a)
    if bounded:
        e = max(e, fmt.emin)
    quantum = Fraction(2) ** (e - fmt.fb)
    return round_int(a / quantum, rm, sign) * quantum


# encodes sign and a representable magnitude
def encode(sign: int, mag: Fraction, fmt: Fmt) -> int:
    s = fmt.sbit if sign else 0
    if mag == 0:
        return s
    e = ilog2(mag)
    if e < fmt.emin:
        fr = mag / Fraction(2) ** (fmt.emin - fmt.fb)
        assert fr.denominator == 1
        return s | int(fr)
    m = mag / Fraction(2) ** (e - fmt.fb)
    assert m.denominator == 1
    return s | (e + fmt.bias) << fmt.fb | (int(m) - (1 << fmt.fb))


# rounds an exact nonzero value (or a same-rounding surrogate) to (bits, flags)
def round_to(q: Fraction, fmt: Fmt, rm: int) -> tuple[int, int]:
    sign = 1 if q < 0 else 0
    a = abs(q)
    r = _round_mag(a, fmt, rm, sign, True)
    flags = 0
    if r != a:
        flags |= NX
        unbounded = _round_mag(a, fmt, rm, sign, False)
        if unbounded < Fraction(2) ** fmt.emin:
            flags |= UF
    if r >= Fraction(2) ** (fmt.emax + 1):
        to_inf = rm in (RNE, RMM) or (rm == RDN and sign) or (rm == RUP and not sign)
        return (fmt.sbit if sign else 0) | (fmt.inf if to_inf else fmt.maxf), OF | NX
    return encode(sign, r, fmt), flags


def _zero(sign: int, fmt: Fmt) -> int:
    return fmt.sbit if sign else 0


def _inf(sign: int, fmt: Fmt) -> int:
    return (fmt.sbit if sign else 0) | fmt.inf


def _nan_flags(*vals: Val) -> int:
    return NV if any(v.kind == "snan" for v in vals) else 0


# exact sum a+b with IEEE zero-sign rules
def _sum_result(qa: Fraction, sa: int, qb: Fraction, sb: int, fmt: Fmt, rm: int) -> tuple[int, int]:
    t = qa + qb
    if t != 0:
        return round_to(t, fmt, rm)
    if qa == 0 and qb == 0 and sa == sb:
        return _zero(sa, fmt), 0
    return _zero(1 if rm == RDN else 0, fmt), 0


def add(a: int, b: int, fmt: Fmt, rm: int) -> tuple[int, int]:
    va, vb = decode(a, fmt), decode(b, fmt)
    if va.nan or vb.nan:
        return fmt.canon, _nan_flags(va, vb)
    if va.kind == "inf" or vb.kind == "inf":
        if va.kind == vb.kind == "inf" and va.sign != vb.sign:
            return fmt.canon, NV
        return _inf(va.sign if va.kind == "inf" else vb.sign, fmt), 0
    return _sum_result(va.q, va.sign, vb.q, vb.sign, fmt, rm)


def sub(a: int, b: int, fmt: Fmt, rm: int) -> tuple[int, int]:
    return add(a, b ^ fmt.sbit, fmt, rm)


def mul(a: int, b: int, fmt: Fmt, rm: int) -> tuple[int, int]:
    va, vb = decode(a, fmt), decode(b, fmt)
    s = va.sign ^ vb.sign
    if va.nan or vb.nan:
        return fmt.canon, _nan_flags(va, vb)
    if va.kind == "inf" or vb.kind == "inf":
        if va.zero or vb.zero:
            return fmt.canon, NV
        return _inf(s, fmt), 0
    p = va.q * vb.q
    if p == 0:
        return _zero(s, fmt), 0
    return round_to(p, fmt, rm)


def div(a: int, b: int, fmt: Fmt, rm: int) -> tuple[int, int]:
    va, vb = decode(a, fmt), decode(b, fmt)
    s = va.sign ^ vb.sign
    if va.nan or vb.nan:
        return fmt.canon, _nan_flags(va, vb)
    if va.kind == "inf":
        return (fmt.canon, NV) if vb.kind == "inf" else (_inf(s, fmt), 0)
    if vb.kind == "inf":
        return _zero(s, fmt), 0
    if vb.zero:
        return (fmt.canon, NV) if va.zero else (_inf(s, fmt), DZ)
    if va.zero:
        return _zero(s, fmt), 0
    return round_to(va.q / vb.q, fmt, rm)


def sqrt(a: int, fmt: Fmt, rm: int) -> tuple[int, int]:
    va = decode(a, fmt)
    if va.nan:
        return fmt.canon, _nan_flags(va)
    if va.zero:
        return a, 0
    if va.sign:
        return fmt.canon, NV
    if va.kind == "inf":
        return a, 0
    k = 1200  # 2**-1200 resolution: far below any rounding position of either format
    scaled = va.q * Fraction(2) ** (2 * k)
    n = math.floor(scaled)
    r = math.isqrt(n)
    if r * r == scaled:
        return round_to(Fraction(r, 1 << k), fmt, rm)
    return round_to(Fraction(2 * r + 1, 1 << (k + 1)), fmt, rm)


def fma(a: int, b: int, c: int, fmt: Fmt, rm: int, neg_prod: bool = False,
        neg_c: bool = False) -> tuple[int, int]:
    va, vb, vc = decode(a, fmt), decode(b, fmt), decode(c, fmt)
    inf_zero = (va.kind == "inf" and vb.zero) or (va.zero and vb.kind == "inf")
    if va.nan or vb.nan or vc.nan:
        return fmt.canon, NV if (inf_zero or _nan_flags(va, vb, vc)) else 0
    if inf_zero:
        return fmt.canon, NV
    sp = va.sign ^ vb.sign ^ (1 if neg_prod else 0)
    sc = vc.sign ^ (1 if neg_c else 0)
    if va.kind == "inf" or vb.kind == "inf":
        if vc.kind == "inf" and sc != sp:
            return fmt.canon, NV
        return _inf(sp, fmt), 0
    if vc.kind == "inf":
        return _inf(sc, fmt), 0
    p = va.q * vb.q
    if neg_prod:
        p = -p
    qc = -vc.q if neg_c else vc.q
    return _sum_result(p, sp, qc, sc, fmt, rm)


INT_RANGE = {0: (-(1 << 31), (1 << 31) - 1), 1: (0, (1 << 32) - 1), 2: (-(1 << 63), (1 << 63) - 1),
             3: (0, (1 << 64) - 1)}


# float -> integer; returns the 64-bit register value as an unsigned integer and flags
def to_int(a: int, fmt: Fmt, kind: int, rm: int) -> tuple[int, int]:
    lo, hi = INT_RANGE[kind]
    va = decode(a, fmt)
    if va.nan or (va.kind == "inf" and not va.sign):
        v, fl = hi, NV
    elif va.kind == "inf":
        v, fl = lo, NV
    else:
        sign = 1 if va.q < 0 else 0
        n = round_int(abs(va.q), rm, sign)
        n = -n if sign else n
        if n < lo:
            v, fl = lo, NV
        elif n > hi:
            v, fl = hi, NV
        else:
            v, fl = n, (NX if n != va.q else 0)
    if kind <= 1:
        v &= (1 << 32) - 1
        if v >> 31:
            v -= 1 << 32
    return v & ((1 << 64) - 1), fl


# integer register value (unsigned 64-bit) -> float
def from_int(xv: int, fmt: Fmt, kind: int, rm: int) -> tuple[int, int]:
    if kind == 0:
        n = xv & 0xFFFFFFFF
        n = n - (1 << 32) if n >> 31 else n
    elif kind == 1:
        n = xv & 0xFFFFFFFF
    elif kind == 2:
        n = xv - (1 << 64) if xv >> 63 else xv
    else:
        n = xv
    if n == 0:
        return 0, 0
    return round_to(Fraction(n), fmt, rm)


def convert(a: int, src: Fmt, dst: Fmt, rm: int) -> tuple[int, int]:
    va = decode(a, src)
    if va.nan:
        return dst.canon, _nan_flags(va)
    if va.kind == "inf":
        return _inf(va.sign, dst), 0
    if va.zero:
        return _zero(va.sign, dst), 0
    return round_to(va.q, dst, rm)


def compare(a: int, b: int, fmt: Fmt, op: str) -> tuple[int, int]:
    va, vb = decode(a, fmt), decode(b, fmt)
    if va.nan or vb.nan:
        if op == "eq":
            return 0, _nan_flags(va, vb)
        return 0, NV
    ka = va.q if va.kind == "fin" else (-1 if va.sign else 1) * Fraction(10) ** 400
    kb = vb.q if vb.kind == "fin" else (-1 if vb.sign else 1) * Fraction(10) ** 400
    r = {"eq": ka == kb, "lt": ka < kb, "le": ka <= kb}[op]
    return int(r), 0


def minmax(a: int, b: int, fmt: Fmt, is_max: bool) -> tuple[int, int]:
    va, vb = decode(a, fmt), decode(b, fmt)
    fl = _nan_flags(va, vb)
    if va.nan and vb.nan:
        return fmt.canon, fl
    if va.nan:
        return b, fl
    if vb.nan:
        return a, fl

    def key(v: Val) -> tuple[Fraction, int]:
        q = v.q if v.kind == "fin" else (-1 if v.sign else 1) * Fraction(10) ** 400
        return q, 0 if v.sign else 1

    if is_max:
        return (a if key(va) >= key(vb) else b), 0
    return (a if key(va) <= key(vb) else b), 0


def classify(a: int, fmt: Fmt) -> int:
    va = decode(a, fmt)
    e = a >> fmt.fb & ((1 << fmt.eb) - 1)
    if va.kind == "snan":
        return 1 << 8
    if va.kind == "qnan":
        return 1 << 9
    if va.kind == "inf":
        return 1 << 0 if va.sign else 1 << 7
    if va.zero:
        return 1 << 3 if va.sign else 1 << 4
    if e == 0:
        return 1 << 2 if va.sign else 1 << 5
    return 1 << 1 if va.sign else 1 << 6


# ============================================================================
# harness: run one instruction through fp_execute on hart 1 of a two-hart array set
# ============================================================================


H = 1
MASK64 = (1 << 64) - 1
FS_INITIAL = 1 << 13
MSTATUS = 0x300
FCSR = 0x003
FMTS = {0: S, 1: D}


def s64(v: int) -> int:
    v &= MASK64
    return v - (1 << 64) if v >> 63 else v


def box(b32: int) -> int:
    return s64(0xFFFFFFFF00000000 | (b32 & 0xFFFFFFFF))


def enc_r(funct5: int, fmt: int, rs2: int, rs1: int, rm: int, rd: int, op: int = 0x53) -> int:
    return funct5 << 27 | fmt << 25 | rs2 << 20 | rs1 << 15 | rm << 12 | rd << 7 | op


def enc_r4(op: int, rs3: int, fmt: int, rs2: int, rs1: int, rm: int, rd: int) -> int:
    return rs3 << 27 | fmt << 25 | rs2 << 20 | rs1 << 15 | rm << 12 | rd << 7 | op


@dataclass
class Machine:
    x: np.ndarray
    f: np.ndarray
    csr: np.ndarray

    @classmethod
    def new(cls, fcsr: int = 0, mstatus: int = FS_INITIAL) -> Machine:
        m = cls(np.zeros((2, 32), np.int64), np.zeros((2, 32), np.int64), np.zeros((2, 4096), np.int64))
        m.csr[H, FCSR] = fcsr
        m.csr[H, MSTATUS] = mstatus
        return m

    def run(self, insn: int) -> int:
        return fpu.fp_execute(insn, H, self.x, self.f, self.csr)

    def fu(self, r: int) -> int:
        return int(self.f[H, r]) & MASK64

    def xu(self, r: int) -> int:
        return int(self.x[H, r]) & MASK64

    @property
    def fflags(self) -> int:
        return int(self.csr[H, FCSR]) & 31


def put(m: Machine, r: int, bits: int, fmt: int) -> None:
    m.f[H, r] = box(bits) if fmt == 0 else s64(bits)


def get(m: Machine, r: int, fmt: int) -> int:
    v = m.fu(r)
    if fmt == 0:
        assert v >> 32 == 0xFFFFFFFF, f"single result not NaN-boxed: {v:#x}"
        return v & 0xFFFFFFFF
    return v


def rm_fields(rm: int, dyn: bool) -> tuple[int, int]:
    """(rm field, fcsr) selecting rounding mode rm statically or through frm."""
    return (7, rm << 5) if dyn else (rm, 0)


F5 = {"add": 0, "sub": 1, "mul": 2, "div": 3}


def do_binop(name: str, fmt: int, a: int, b: int, rm: int, dyn: bool = False) -> tuple[int, int]:
    rmf, fcsr = rm_fields(rm, dyn)
    m = Machine.new(fcsr)
    put(m, 1, a, fmt)
    put(m, 2, b, fmt)
    assert m.run(enc_r(F5[name], fmt, 2, 1, rmf, 3)) == 0
    return get(m, 3, fmt), m.fflags


def do_sqrt(fmt: int, a: int, rm: int, dyn: bool = False) -> tuple[int, int]:
    rmf, fcsr = rm_fields(rm, dyn)
    m = Machine.new(fcsr)
    put(m, 4, a, fmt)
    assert m.run(enc_r(11, fmt, 0, 4, rmf, 5)) == 0
    return get(m, 5, fmt), m.fflags


FMA_OPS = {"fmadd": 0x43, "fmsub": 0x47, "fnmsub": 0x4B, "fnmadd": 0x4F}
FMA_NEG = {"fmadd": (False, False), "fmsub": (False, True), "fnmsub": (True, False), "fnmadd": (True, True)}


def do_fma(name: str, fmt: int, a: int, b: int, c: int, rm: int, dyn: bool = False) -> tuple[int, int]:
    rmf, fcsr = rm_fields(rm, dyn)
    m = Machine.new(fcsr)
    put(m, 1, a, fmt)
    put(m, 2, b, fmt)
    put(m, 3, c, fmt)
    assert m.run(enc_r4(FMA_OPS[name], 3, fmt, 2, 1, rmf, 4)) == 0
    return get(m, 4, fmt), m.fflags


def ref_fma(name: str, fmt: int, a: int, b: int, c: int, rm: int) -> tuple[int, int]:
    np_, nc = FMA_NEG[name]
    return fma(a, b, c, FMTS[fmt], rm, np_, nc)


def do_f2i(fmt: int, kind: int, a: int, rm: int) -> tuple[int, int]:
    m = Machine.new()
    put(m, 7, a, fmt)
    assert m.run(enc_r(24, fmt, kind, 7, rm, 9)) == 0
    return m.xu(9), m.fflags


def do_i2f(fmt: int, kind: int, v: int, rm: int) -> tuple[int, int]:
    m = Machine.new()
    m.x[H, 6] = s64(v)
    assert m.run(enc_r(26, fmt, kind, 6, rm, 8)) == 0
    return get(m, 8, fmt), m.fflags


def do_cvt_ff(dst: int, a: int, rm: int) -> tuple[int, int]:
    m = Machine.new()
    put(m, 1, a, 1 - dst)
    assert m.run(enc_r(8, dst, 1 - dst, 1, rm, 2)) == 0
    return get(m, 2, dst), m.fflags


def do_cmp(fmt: int, op: str, a: int, b: int) -> tuple[int, int]:
    m = Machine.new()
    put(m, 1, a, fmt)
    put(m, 2, b, fmt)
    m.x[H, 5] = 12345
    assert m.run(enc_r(20, fmt, 2, 1, {"le": 0, "lt": 1, "eq": 2}[op], 5)) == 0
    return m.xu(5), m.fflags


def do_minmax(fmt: int, is_max: bool, a: int, b: int) -> tuple[int, int]:
    m = Machine.new()
    put(m, 1, a, fmt)
    put(m, 2, b, fmt)
    assert m.run(enc_r(5, fmt, 2, 1, 1 if is_max else 0, 3)) == 0
    return get(m, 3, fmt), m.fflags


def do_class(fmt: int, a: int) -> int:
    m = Machine.new()
    put(m, 1, a, fmt)
    assert m.run(enc_r(28, fmt, 0, 1, 1, 10)) == 0
    assert m.fflags == 0
    return m.xu(10)


# ============================================================================
# operand generators: random bit patterns biased towards the interesting corners
# ============================================================================


def rand_bits(rng: random.Random, fmt: Fmt) -> int:
    sign = rng.getrandbits(1)
    emax_field = (1 << fmt.eb) - 1
    r = rng.random()
    if r < 0.08:
        special = rng.choice([0, fmt.inf, fmt.canon, fmt.inf | 1, fmt.inf | 1 << (fmt.fb - 1) | 5, 1,
                              (1 << fmt.fb) - 1, 1 << fmt.fb, fmt.maxf, fmt.bias << fmt.fb])
        return special | (fmt.sbit if sign else 0)
    r = rng.random()
    if r < 0.12:
        e = 0
    elif r < 0.18:
        e = rng.choice([1, 2, emax_field - 1, emax_field - 2])
    elif r < 0.60:
        e = fmt.bias + rng.randint(-4, 4)
    elif r < 0.70:
        e = fmt.bias + rng.choice([30, 31, 32, 62, 63, 64])
    else:
        e = rng.randint(1, emax_field - 1)
    r = rng.random()
    if r < 0.45:
        fr = rng.getrandbits(fmt.fb)
    elif r < 0.57:
        fr = 0
    elif r < 0.69:
        fr = (1 << fmt.fb) - 1 - rng.getrandbits(3)
    elif r < 0.83:
        fr = rng.getrandbits(rng.randint(1, 8))
    else:
        fr = rng.getrandbits(rng.randint(1, 8)) << (fmt.fb - 8)
    return (fmt.sbit if sign else 0) | e << fmt.fb | (fr & ((1 << fmt.fb) - 1))


def near(rng: random.Random, fmt: Fmt, a: int) -> int:
    """An operand close to a in magnitude (to provoke cancellation and ties)."""
    mag = a & (fmt.sbit - 1)
    e = (mag >> fmt.fb) + rng.randint(-3, 3)
    e = min(max(e, 0), (1 << fmt.eb) - 2)
    fr = (mag & ((1 << fmt.fb) - 1)) ^ rng.getrandbits(rng.randint(0, 6))
    return (rng.getrandbits(1) and fmt.sbit) | e << fmt.fb | fr


def pair(rng: random.Random, fmt: Fmt) -> tuple[int, int]:
    a = rand_bits(rng, fmt)
    b = near(rng, fmt, a) if rng.random() < 0.35 else rand_bits(rng, fmt)
    return a, b


def fmt_case(v: int) -> str:
    return f"{v:#x}"


# ============================================================================
# differential tests against the exact reference
# ============================================================================

N_RANDOM = 1500


@pytest.mark.parametrize("fmt", [0, 1])
@pytest.mark.parametrize("name", ["add", "sub", "mul", "div"])
def test_binop_random(name: str, fmt: int) -> None:
    rng = random.Random(f"{name}{fmt}")
    ref = {"add": add, "sub": sub, "mul": mul, "div": div}[name]
    for i in range(N_RANDOM):
        a, b = pair(rng, FMTS[fmt])
        rm = i % 5
        got = do_binop(name, fmt, a, b, rm, dyn=i % 3 == 0)
        exp = ref(a, b, FMTS[fmt], rm)
        assert got == exp, (f"{name} fmt={fmt} rm={rm} a={a:#x} b={b:#x}: "
                            f"got {got[0]:#x}/{got[1]} want {exp[0]:#x}/{exp[1]}")


@pytest.mark.parametrize("fmt", [0, 1])
def test_sqrt_random(fmt: int) -> None:
    rng = random.Random(f"sqrt{fmt}")
    F = FMTS[fmt]
    for i in range(N_RANDOM):
        if i % 4 == 0:  # perfect squares and their neighbours
            s = rng.getrandbits(rng.randint(1, (F.fb + 1) // 2))
            if s == 0:
                continue
            a, _ = round_to(Fraction(s * s) * Fraction(2) ** rng.randint(-60, 60), F, RNE)
            a += rng.choice([-1, 0, 0, 1])
        else:
            a = rand_bits(rng, F)
            if rng.random() < 0.8:
                a &= F.sbit - 1
        rm = i % 5
        got = do_sqrt(fmt, a, rm, dyn=i % 2 == 0)
        assert got == sqrt(a, F, rm), f"sqrt fmt={fmt} rm={rm} a={a:#x}: got {got[0]:#x}/{got[1]}"


@pytest.mark.parametrize("fmt", [0, 1])
@pytest.mark.parametrize("name", ["fmadd", "fmsub", "fnmsub", "fnmadd"])
def test_fma_random(name: str, fmt: int) -> None:
    rng = random.Random(f"{name}{fmt}")
    F = FMTS[fmt]
    for i in range(N_RANDOM):
        a, b = pair(rng, F)
        if i % 3 == 0:  # addend that nearly cancels the product
            va, vb = decode(a, F), decode(b, F)
            if va.kind == "fin" and vb.kind == "fin" and va.q * vb.q != 0:
                c, _ = round_to(va.q * vb.q, F, rng.randrange(5))
                c = (c + rng.randint(-2, 2)) & ((1 << F.width) - 1)
                if FMA_NEG[name][0] == FMA_NEG[name][1]:
                    c ^= F.sbit
            else:
                c = rand_bits(rng, F)
        else:
            c = rand_bits(rng, F)
        rm = i % 5
        got = do_fma(name, fmt, a, b, c, rm, dyn=i % 4 == 1)
        exp = ref_fma(name, fmt, a, b, c, rm)
        assert got == exp, (f"{name} fmt={fmt} rm={rm} a={a:#x} b={b:#x} c={c:#x}: "
                            f"got {got[0]:#x}/{got[1]} want {exp[0]:#x}/{exp[1]}")


@pytest.mark.parametrize("fmt", [0, 1])
@pytest.mark.parametrize("kind", [0, 1, 2, 3])
def test_cvt_to_int_random(fmt: int, kind: int) -> None:
    rng = random.Random(f"f2i{fmt}{kind}")
    F = FMTS[fmt]
    for i in range(N_RANDOM // 2):
        a = rand_bits(rng, F)
        rm = i % 5
        got = do_f2i(fmt, kind, a, rm)
        exp = to_int(a, F, kind, rm)
        assert got == exp, f"fcvt kind={kind} fmt={fmt} rm={rm} a={a:#x}: got {got[0]:#x}/{got[1]}"


def rand_int(rng: random.Random) -> int:
    r = rng.random()
    if r < 0.2:
        return rng.choice([0, 1, MASK64, 1 << 63, (1 << 63) - 1, (1 << 31) - 1, 1 << 31, 0xFFFFFFFF,
                           (1 << 24) + 1, (1 << 53) + 1, MASK64 - (1 << 40)])
    n = rng.getrandbits(rng.randint(1, 64))
    if rng.random() < 0.4:  # a long run of ones or a tie just past the precision
        n |= (1 << rng.randint(0, 40)) - 1
    return n


@pytest.mark.parametrize("fmt", [0, 1])
@pytest.mark.parametrize("kind", [0, 1, 2, 3])
def test_cvt_from_int_random(fmt: int, kind: int) -> None:
    rng = random.Random(f"i2f{fmt}{kind}")
    for i in range(N_RANDOM // 2):
        v = rand_int(rng)
        rm = i % 5
        got = do_i2f(fmt, kind, v, rm)
        assert got == from_int(v, FMTS[fmt], kind, rm), f"fcvt from int kind={kind} v={v:#x} rm={rm}: {got}"


@pytest.mark.parametrize("dst", [0, 1])
def test_cvt_float_float_random(dst: int) -> None:
    rng = random.Random(f"ff{dst}")
    src = FMTS[1 - dst]
    for i in range(N_RANDOM):
        a = rand_bits(rng, src)
        if dst == 0 and i % 2 == 0:  # doubles around the single range limits
            e = 1023 + rng.choice([-126, -127, -149, -150, -140, 127, 128])
            a = (a & ~(0x7FF << 52)) | e << 52
        rm = i % 5
        got = do_cvt_ff(dst, a, rm)
        exp = convert(a, src, FMTS[dst], rm)
        assert got == exp, f"fcvt dst={dst} a={a:#x} rm={rm}: got {got[0]:#x}/{got[1]}"


@pytest.mark.parametrize("fmt", [0, 1])
def test_compare_minmax_class_random(fmt: int) -> None:
    rng = random.Random(f"cmp{fmt}")
    F = FMTS[fmt]
    for i in range(N_RANDOM):
        a, b = pair(rng, F)
        if i % 5 == 0:
            b = a
        for op in ("eq", "lt", "le"):
            assert do_cmp(fmt, op, a, b) == compare(a, b, F, op), f"f{op} {a:#x} {b:#x}"
        for is_max in (False, True):
            assert do_minmax(fmt, is_max, a, b) == minmax(a, b, F, is_max), f"fmin/max {is_max} {a:#x} {b:#x}"
        assert do_class(fmt, a) == classify(a, F)


FINITE_D = st.integers(0, MASK64)


@settings(max_examples=400, derandomize=True, deadline=None)
@given(FINITE_D, FINITE_D, FINITE_D, st.integers(0, 4))
def test_fmadd_d_hypothesis(a: int, b: int, c: int, rm: int) -> None:
    assert do_fma("fmadd", 1, a, b, c, rm) == ref_fma("fmadd", 1, a, b, c, rm)


@settings(max_examples=400, derandomize=True, deadline=None)
@given(st.integers(0, 0xFFFFFFFF), st.integers(0, 0xFFFFFFFF), st.sampled_from(["add", "mul", "div"]),
       st.integers(0, 4))
def test_binop_s_hypothesis(a: int, b: int, name: str, rm: int) -> None:
    ref = {"add": add, "mul": mul, "div": div}[name]
    assert do_binop(name, 0, a, b, rm) == ref(a, b, S, rm)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False), st.floats(allow_nan=False, allow_infinity=False))
def test_rne_matches_host_float(a: float, b: float) -> None:
    """With RNE the binary64 results equal the host's IEEE arithmetic."""

    def bits(v: float) -> int:
        return struct.unpack("<Q", struct.pack("<d", v))[0]

    ba, bb = bits(a), bits(b)
    assert do_binop("add", 1, ba, bb, RNE)[0] == bits(a + b)
    assert do_binop("mul", 1, ba, bb, RNE)[0] == bits(a * b)
    if b != 0:
        assert do_binop("div", 1, ba, bb, RNE)[0] == bits(a / b)
    if a >= 0:
        assert do_sqrt(1, ba, RNE)[0] == bits(math.sqrt(a))
