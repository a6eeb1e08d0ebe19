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


# ============================================================================
# directed cases: exact expected values written out
# ============================================================================


def dbits(v: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", v))[0]


def sbits(v: float) -> int:
    return struct.unpack("<I", struct.pack("<f", v))[0]


ONE_D, ONE_S = dbits(1.0), sbits(1.0)
QNAN_D, SNAN_D = 0x7FF8000000000000, 0x7FF0000000000001
QNAN_S, SNAN_S = 0x7FC00000, 0x7F800001
PAYLOAD_QNAN_D = 0xFFF8000000001234  # negative quiet NaN with a payload
MIN_NORM_D, MAX_D, INF_D = 0x0010000000000000, 0x7FEFFFFFFFFFFFFF, 0x7FF0000000000000
MIN_NORM_S, MAX_S, INF_S = 0x00800000, 0x7F7FFFFF, 0x7F800000


def test_nan_results_are_canonical_and_snan_signals() -> None:
    assert do_binop("add", 1, PAYLOAD_QNAN_D, ONE_D, RNE) == (QNAN_D, 0)
    assert do_binop("mul", 1, SNAN_D, ONE_D, RNE) == (QNAN_D, NV)
    assert do_binop("div", 0, ONE_S, SNAN_S | 0x80000000, RNE) == (QNAN_S, NV)
    assert do_binop("sub", 1, INF_D, INF_D, RNE) == (QNAN_D, NV)
    assert do_binop("add", 0, INF_S, INF_S | 0x80000000, RNE) == (QNAN_S, NV)
    assert do_binop("mul", 1, INF_D, 0, RNE) == (QNAN_D, NV)
    assert do_sqrt(1, PAYLOAD_QNAN_D, RNE) == (QNAN_D, 0)
    assert do_cvt_ff(1, 0xFFC01234, RNE) == (QNAN_D, 0)  # FCVT.D.S of a payload NaN
    assert do_cvt_ff(0, SNAN_D, RNE) == (QNAN_S, NV)
    assert do_cvt_ff(1, SNAN_S, RNE) == (QNAN_D, NV)


def test_unboxed_single_reads_as_canonical_nan() -> None:
    m = Machine.new()
    m.f[H, 1] = ONE_S  # upper 32 bits zero: not a valid NaN-boxed single
    m.f[H, 2] = box(ONE_S)
    assert m.run(enc_r(0, 0, 2, 1, RNE, 3)) == 0  # FADD.S
    assert m.fu(3) == 0xFFFFFFFF7FC00000 and m.fflags == 0
    m.f[H, 1] = s64(0xFFFFFFFE3F800000)  # upper bits almost all ones
    assert m.run(enc_r(4, 0, 2, 1, 0, 4)) == 0  # FSGNJ.S: sign from rs2, rest from the canonical NaN
    assert m.fu(4) == 0xFFFFFFFF7FC00000
    assert m.run(enc_r(28, 0, 0, 1, 1, 5)) == 0  # FCLASS.S sees a quiet NaN
    assert m.xu(5) == 1 << 9
    assert m.run(enc_r(28, 0, 0, 1, 0, 6)) == 0  # FMV.X.W moves the low word regardless
    assert m.xu(6) == 0x3F800000


def test_fmin_fmax_zeros_and_nans() -> None:
    nz_d, nz_s = 1 << 63, 1 << 31
    for fmt, nz, one, q, s in ((1, nz_d, ONE_D, QNAN_D, SNAN_D), (0, nz_s, ONE_S, QNAN_S, SNAN_S)):
        assert do_minmax(fmt, False, 0, nz) == (nz, 0)
        assert do_minmax(fmt, False, nz, 0) == (nz, 0)
        assert do_minmax(fmt, True, 0, nz) == (0, 0)
        assert do_minmax(fmt, True, nz, 0) == (0, 0)
        assert do_minmax(fmt, False, q, one) == (one, 0)
        assert do_minmax(fmt, True, one, s) == (one, NV)  # minimumNumber: sNaN still gives the number
        assert do_minmax(fmt, True, s, q | 7) == (q, NV)
        assert do_minmax(fmt, False, q | 7, q | 9) == (q, 0)


def test_compare_quiet_and_signalling() -> None:
    assert do_cmp(1, "eq", QNAN_D, ONE_D) == (0, 0)
    assert do_cmp(1, "eq", SNAN_D, ONE_D) == (0, NV)
    assert do_cmp(1, "lt", QNAN_D, ONE_D) == (0, NV)
    assert do_cmp(1, "le", ONE_D, QNAN_D) == (0, NV)
    assert do_cmp(0, "eq", 0, 1 << 31) == (1, 0)  # +0 == -0
    assert do_cmp(0, "lt", 1 << 31, 0) == (0, 0)
    assert do_cmp(0, "le", 1 << 31, 0) == (1, 0)
    assert do_cmp(1, "lt", dbits(-2.0), dbits(-1.0)) == (1, 0)
    assert do_cmp(1, "lt", dbits(-1.0), dbits(-2.0)) == (0, 0)
    assert do_cmp(1, "le", INF_D | 1 << 63, dbits(-1e308)) == (1, 0)


def test_division_by_zero_and_sqrt_of_negative() -> None:
    assert do_binop("div", 1, ONE_D, 0, RNE) == (INF_D, DZ)
    assert do_binop("div", 1, dbits(-1.0), 0, RNE) == (INF_D | 1 << 63, DZ)
    assert do_binop("div", 0, ONE_S, 1 << 31, RTZ) == (INF_S | 1 << 31, DZ)
    assert do_binop("div", 1, 0, 0, RNE) == (QNAN_D, NV)
    assert do_binop("div", 1, INF_D, 0, RNE) == (INF_D, 0)  # inf / 0 is exact: no DZ
    assert do_sqrt(1, dbits(-1.0), RNE) == (QNAN_D, NV)
    assert do_sqrt(0, INF_S | 1 << 31, RNE) == (QNAN_S, NV)
    assert do_sqrt(1, 1 << 63, RNE) == (1 << 63, 0)  # sqrt(-0) = -0
    assert do_sqrt(1, INF_D, RNE) == (INF_D, 0)
    assert do_sqrt(1, dbits(2.0), RNE) == (dbits(math.sqrt(2.0)), NX)
    assert do_sqrt(1, dbits(2.0), RUP) == (dbits(math.sqrt(2.0)), NX)  # sqrt(2) RNE rounds up
    assert do_sqrt(1, dbits(2.0), RDN) == (dbits(math.sqrt(2.0)) - 1, NX)
    assert do_sqrt(1, 1, RNE) == (dbits(2.0 ** -537), 0)  # sqrt of the smallest subnormal


def test_overflow_per_rounding_mode() -> None:
    neg = 1 << 63
    two = dbits(2.0)
    assert do_binop("mul", 1, MAX_D, two, RNE) == (INF_D, OF | NX)
    assert do_binop("mul", 1, MAX_D, two, RMM) == (INF_D, OF | NX)
    assert do_binop("mul", 1, MAX_D, two, RTZ) == (MAX_D, OF | NX)
    assert do_binop("mul", 1, MAX_D, two, RDN) == (MAX_D, OF | NX)
    assert do_binop("mul", 1, MAX_D, two, RUP) == (INF_D, OF | NX)
    assert do_binop("mul", 1, MAX_D | neg, two, RUP) == (MAX_D | neg, OF | NX)
    assert do_binop("mul", 1, MAX_D | neg, two, RDN) == (INF_D | neg, OF | NX)
    assert do_binop("add", 0, MAX_S, MAX_S, RTZ) == (MAX_S, OF | NX)
    assert do_binop("add", 0, MAX_S, MAX_S, RNE) == (INF_S, OF | NX)
    # the largest finite plus half an ulp ties away from max finite only for RNE/RMM
    half_ulp = dbits(2.0 ** 970)
    assert do_binop("add", 1, MAX_D, half_ulp, RNE) == (INF_D, OF | NX)
    assert do_binop("add", 1, MAX_D, half_ulp, RTZ) == (MAX_D, NX)
    assert do_cvt_ff(0, dbits(3.5e38), RNE) == (INF_S, OF | NX)
    assert do_cvt_ff(0, dbits(3.5e38), RTZ) == (MAX_S, OF | NX)


def test_underflow_tininess_after_rounding() -> None:
    # (8191 * 2**-76) * (8193 * 2**-76) = 2**-126 - 2**-152: rounds to 2**-126 both in the subnormal
    # and in the unbounded-exponent sense, so it is not tiny after rounding: NX but no UF
    a, b = sbits(8191 * 2.0 ** -76), sbits(8193 * 2.0 ** -76)
    assert do_binop("mul", 0, a, b, RNE) == (MIN_NORM_S, NX)
    assert do_binop("mul", 0, a, b, RUP) == (MIN_NORM_S, NX)
    assert do_binop("mul", 0, a, b, RTZ) == (MIN_NORM_S - 1, UF | NX)
    # (1 - 2**-53) * 2**-1022 is exact with an unbounded exponent, hence tiny; RNE ties up to 2**-1022
    assert do_binop("mul", 1, dbits(1 - 2.0 ** -53), MIN_NORM_D, RNE) == (MIN_NORM_D, UF | NX)
    assert do_binop("mul", 1, dbits(1 - 2.0 ** -53), MIN_NORM_D, RDN) == (MIN_NORM_D - 1, UF | NX)
    # exact subnormal results raise nothing
    assert do_binop("mul", 1, dbits(0.5), MIN_NORM_D, RNE) == (MIN_NORM_D >> 1, 0)
    assert do_binop("sub", 1, MIN_NORM_D, 1, RNE) == (MIN_NORM_D - 1, 0)
    # results that round to zero keep their sign
    assert do_binop("mul", 1, 1, dbits(0.25), RNE) == (0, UF | NX)
    assert do_binop("mul", 1, 1, dbits(-0.25), RDN) == (1 | 1 << 63, UF | NX)
    assert do_binop("div", 0, 1, sbits(4.0), RNE) == (0, UF | NX)
    assert do_binop("div", 0, 1 | 1 << 31, sbits(4.0), RNE) == (1 << 31, UF | NX)


def test_signed_zero_sums() -> None:
    neg = 1 << 63
    assert do_binop("add", 1, ONE_D, ONE_D | neg, RNE) == (0, 0)
    assert do_binop("add", 1, ONE_D, ONE_D | neg, RDN) == (neg, 0)
    assert do_binop("sub", 1, neg, 0, RNE) == (neg, 0)  # -0 - +0 = -0
    assert do_binop("add", 1, neg, 0, RNE) == (0, 0)
    assert do_binop("add", 1, neg, 0, RDN) == (neg, 0)
    assert do_fma("fmadd", 1, 0, ONE_D | neg, 0, RNE) == (0, 0)  # -0 + +0
    assert do_fma("fmadd", 1, 0, ONE_D | neg, neg, RNE) == (neg, 0)
    assert do_fma("fnmsub", 1, ONE_D, ONE_D, ONE_D, RDN) == (neg, 0)  # -(1*1) + 1 rounding down


def test_fma_single_rounding() -> None:
    # (1 + 2**-52)(1 - 2**-53) - 1 = 2**-53 - 2**-105 exactly; a separate multiply would round to 1, giving 0
    a, b = dbits(1 + 2.0 ** -52), dbits(1 - 2.0 ** -53)
    assert do_fma("fmsub", 1, a, b, ONE_D, RNE) == (dbits(2.0 ** -53 - 2.0 ** -105), 0)
    assert do_binop("mul", 1, a, b, RNE) == (ONE_D, NX)
    # x*x - round(x*x) is the exact rounding error of the square
    x = dbits(1.0 + 2.0 ** -30)
    sq = dbits((1.0 + 2.0 ** -30) ** 2)
    assert do_fma("fmsub", 1, x, x, sq, RNE) == (dbits(2.0 ** -60), 0)
    # single: (1 + 2**-23)**2 + tiny addend decides a tie that double rounding would get wrong
    u = sbits(1 + 2.0 ** -23)
    assert do_fma("fmadd", 0, u, u, sbits(2.0 ** -47), RNE) == (sbits(1 + 2.0 ** -22), NX)
    assert do_fma("fmadd", 0, u, u, sbits(-(2.0 ** -47)), RNE) == (sbits(1 + 2.0 ** -22), NX)


def test_fma_invalid_cases() -> None:
    neg = 1 << 63
    assert do_fma("fmadd", 1, INF_D, 0, QNAN_D, RNE) == (QNAN_D, NV)  # inf*0 + qNaN signals
    assert do_fma("fmadd", 1, 0, INF_D | neg, ONE_D, RNE) == (QNAN_D, NV)
    assert do_fma("fmadd", 1, INF_D, ONE_D, INF_D | neg, RNE) == (QNAN_D, NV)
    assert do_fma("fmsub", 1, INF_D, ONE_D, INF_D, RNE) == (QNAN_D, NV)
    assert do_fma("fnmadd", 1, INF_D, ONE_D, INF_D | neg, RNE) == (QNAN_D, NV)
    assert do_fma("fnmadd", 1, INF_D, ONE_D, INF_D, RNE) == (INF_D | neg, 0)
    assert do_fma("fmadd", 0, ONE_S, ONE_S, SNAN_S, RNE) == (QNAN_S, NV)
    assert do_fma("fmadd", 0, ONE_S, QNAN_S, ONE_S, RNE) == (QNAN_S, 0)
    assert do_fma("fmadd", 1, MAX_D, dbits(2.0), INF_D | neg, RNE) == (INF_D | neg, 0)


LIMIT_CASES = [
    # (fmt, kind, value bits, rm, expected register (unsigned), flags)
    (1, 2, dbits(2.0 ** 63), RNE, (1 << 63) - 1, NV),
    (1, 2, dbits(-(2.0 ** 63)), RNE, 1 << 63, 0),
    (1, 2, dbits(-(2.0 ** 63)) + 1, RNE, 1 << 63, NV),  # -2**63 - 2048
    (1, 2, dbits(2.0 ** 63) - 1, RTZ, (1 << 63) - 1024, 0),
    (1, 2, QNAN_D | 1 << 63, RNE, (1 << 63) - 1, NV),  # NaN (even negative) -> max
    (1, 2, INF_D | 1 << 63, RNE, 1 << 63, NV),
    (1, 3, dbits(2.0 ** 64), RNE, MASK64, NV),
    (1, 3, dbits(2.0 ** 64) - 1, RNE, MASK64 - 2047, 0),
    (1, 3, dbits(-1.0), RNE, 0, NV),
    (1, 3, dbits(-0.5), RTZ, 0, NX),
    (1, 3, dbits(-0.5), RDN, 0, NV),
    (1, 3, dbits(-0.5), RNE, 0, NX),
    (1, 3, SNAN_D, RNE, MASK64, NV),
    (1, 0, dbits(-(2.0 ** 31) - 0.5), RNE, MASK64 - (1 << 31) + 1, NX),
    (1, 0, dbits(-(2.0 ** 31) - 0.5), RMM, MASK64 - (1 << 31) + 1, NV),
    (1, 0, dbits(-(2.0 ** 31) - 1), RNE, MASK64 - (1 << 31) + 1, NV),
    (1, 0, dbits(2.0 ** 31 - 0.5), RNE, (1 << 31) - 1, NV),
    (1, 0, dbits(2.0 ** 31 - 0.5), RTZ, (1 << 31) - 1, NX),
    (1, 0, dbits(-3.5), RNE, MASK64 - 3, NX),
    (1, 0, dbits(2.5), RMM, 3, NX),
    (1, 0, dbits(2.5), RNE, 2, NX),
    (1, 0, dbits(-2.5), RUP, MASK64 - 1, NX),
    (1, 1, dbits(2.0 ** 32 - 1), RNE, MASK64, 0),  # 0xFFFFFFFF sign-extended
    (1, 1, dbits(2.0 ** 32), RNE, MASK64, NV),
    (1, 1, dbits(-1.0), RNE, 0, NV),
    (0, 0, QNAN_S, RNE, (1 << 31) - 1, NV),
    (0, 1, INF_S, RNE, MASK64, NV),
    (0, 2, sbits(-(2.0 ** 63)), RNE, 1 << 63, 0),
    (0, 3, sbits(1.5), RUP, 2, NX),
]


@pytest.mark.parametrize("fmt,kind,a,rm,want,flags", LIMIT_CASES)
def test_convert_to_int_limits(fmt: int, kind: int, a: int, rm: int, want: int, flags: int) -> None:
    assert do_f2i(fmt, kind, a, rm) == (want, flags)


def test_convert_from_int_cases() -> None:
    assert do_i2f(1, 2, (1 << 63) - 1, RNE) == (dbits(2.0 ** 63), NX)
    assert do_i2f(1, 2, (1 << 63) - 1, RTZ) == (dbits(2.0 ** 63) - 1, NX)
    assert do_i2f(1, 2, 1 << 63, RNE) == (dbits(-(2.0 ** 63)), 0)
    assert do_i2f(1, 3, MASK64, RNE) == (dbits(2.0 ** 64), NX)
    assert do_i2f(1, 3, MASK64, RDN) == (dbits(2.0 ** 64) - 1, NX)
    assert do_i2f(1, 0, 0xFFFFFFFF, RNE) == (dbits(-1.0), 0)  # W reads the low word, signed
    assert do_i2f(1, 0, 0x1234_0000_0005, RNE) == (dbits(5.0), 0)
    assert do_i2f(1, 1, 0xFFFFFFFF, RNE) == (dbits(4294967295.0), 0)
    assert do_i2f(0, 0, (1 << 24) + 1, RNE) == (sbits(2.0 ** 24), NX)
    assert do_i2f(0, 0, (1 << 24) + 1, RUP) == (sbits(2.0 ** 24 + 2), NX)
    assert do_i2f(0, 0, (1 << 24) + 3, RNE) == (sbits(2.0 ** 24 + 4), NX)
    assert do_i2f(0, 1, 0, RNE) == (0, 0)  # FCVT.S.WU of x0 gives +0 with no flags


def test_convert_between_formats() -> None:
    assert do_cvt_ff(1, sbits(0.1), RNE) == (dbits(float(np.float32(0.1))), 0)
    assert do_cvt_ff(1, 1, RNE) == (dbits(2.0 ** -149), 0)  # a single subnormal is normal in double
    assert do_cvt_ff(0, dbits(0.1), RNE) == (sbits(0.1), NX)
    assert do_cvt_ff(0, dbits(0.1), RTZ) == (sbits(0.1) - 1, NX)  # 0.1f rounds up in RNE
    assert do_cvt_ff(0, dbits(2.0 ** -149), RNE) == (1, 0)
    assert do_cvt_ff(0, dbits(2.0 ** -150), RNE) == (0, UF | NX)  # tie to even (zero)
    assert do_cvt_ff(0, dbits(2.0 ** -150), RMM) == (1, UF | NX)
    assert do_cvt_ff(0, 1 << 63, RNE) == (1 << 31, 0)
    assert do_cvt_ff(0, INF_D | 1 << 63, RNE) == (INF_S | 1 << 31, 0)


def test_classify_every_class() -> None:
    for fmt, F in FMTS.items():
        cases = [(F.inf | F.sbit, 0), (F.bias << F.fb | F.sbit, 1), (1 | F.sbit, 2), (F.sbit, 3),
                 (0, 4), (1 << F.fb - 1, 5), (F.maxf, 6), (F.inf, 7), (F.inf | 1, 8), (F.canon, 9),
                 (F.canon | F.sbit, 9)]
        for bits, bit in cases:
            assert do_class(fmt, bits) == 1 << bit, (fmt, hex(bits))


def test_sign_injection_keeps_payloads() -> None:
    m = Machine.new()
    m.f[H, 1] = s64(0x7FF0000000000123)  # a signalling NaN: copied, not canonicalised, no NV
    m.f[H, 2] = s64(dbits(-2.0))
    assert m.run(enc_r(4, 1, 2, 1, 0, 3)) == 0  # FSGNJ.D
    assert m.fu(3) == 0xFFF0000000000123
    assert m.run(enc_r(4, 1, 2, 1, 1, 4)) == 0  # FSGNJN.D
    assert m.fu(4) == 0x7FF0000000000123
    assert m.run(enc_r(4, 1, 2, 2, 2, 5)) == 0  # FSGNJX.D rs1=rs2=-2.0: fabs
    assert m.fu(5) == dbits(2.0)
    put(m, 6, sbits(-3.0), 0)
    put(m, 7, sbits(1.0), 0)
    assert m.run(enc_r(4, 0, 7, 6, 0, 8)) == 0  # FSGNJ.S
    assert m.fu(8) == 0xFFFFFFFF00000000 | sbits(3.0)
    assert m.run(enc_r(4, 0, 6, 6, 2, 9)) == 0  # FSGNJX.S -3 ^ -3 -> +3
    assert m.fu(9) == 0xFFFFFFFF00000000 | sbits(3.0)
    assert m.fflags == 0


def test_moves_between_register_files() -> None:
    m = Machine.new()
    m.x[H, 5] = s64(0x12345678_FF800001)
    assert m.run(enc_r(30, 0, 0, 5, 0, 1)) == 0  # FMV.W.X: low word, NaN-boxed, payload kept
    assert m.fu(1) == 0xFFFFFFFF_FF800001
    assert m.run(enc_r(28, 0, 0, 1, 0, 6)) == 0  # FMV.X.W: sign-extended
    assert m.xu(6) == 0xFFFFFFFF_FF800001
    m.f[H, 2] = s64(0xFFFFFFFF_00000001)
    assert m.run(enc_r(28, 0, 0, 2, 0, 7)) == 0
    assert m.xu(7) == 1
    m.x[H, 8] = s64(0x7FF0000000000001)
    assert m.run(enc_r(30, 1, 0, 8, 0, 3)) == 0  # FMV.D.X
    assert m.fu(3) == 0x7FF0000000000001
    assert m.run(enc_r(28, 1, 0, 3, 0, 9)) == 0  # FMV.X.D
    assert m.xu(9) == 0x7FF0000000000001
    assert m.fflags == 0


def test_dynamic_rounding_and_flag_accrual() -> None:
    third = (dbits(1.0), dbits(3.0))
    m = Machine.new(fcsr=RUP << 5 | DZ)
    put(m, 1, third[0], 1)
    put(m, 2, third[1], 1)
    assert m.run(enc_r(3, 1, 2, 1, 7, 3)) == 0  # FDIV.D dyn = RUP
    assert m.fu(3) == dbits(1 / 3) + 1
    assert int(m.csr[H, FCSR]) == RUP << 5 | DZ | NX  # flags accrue, frm untouched
    assert m.run(enc_r(3, 1, 2, 1, RDN, 4)) == 0  # a static rm overrides frm
    assert m.fu(4) == dbits(1 / 3)


def test_x0_is_never_written_and_other_hart_untouched() -> None:
    m = Machine.new()
    put(m, 1, dbits(-7.9), 1)
    for insn in (enc_r(24, 1, 0, 1, RNE, 0), enc_r(20, 1, 1, 1, 2, 0), enc_r(28, 1, 0, 1, 1, 0),
                 enc_r(28, 1, 0, 1, 0, 0)):
        assert m.run(insn) == 0
        assert m.x[H, 0] == 0
    assert m.fflags == NX  # the conversion still raised its flag
    assert not m.x[0].any() and not m.f[0].any() and not m.csr[0].any()


@pytest.mark.parametrize("insn,why", [
    (enc_r(0, 2, 2, 1, RNE, 3), "fmt H"),
    (enc_r(0, 3, 2, 1, RNE, 3), "fmt Q"),
    (enc_r(0, 1, 2, 1, 5, 3), "rm 101"),
    (enc_r(2, 0, 2, 1, 6, 3), "rm 110"),
    (enc_r4(0x43, 3, 2, 2, 1, RNE, 4), "FMADD.H"),
    (enc_r4(0x4F, 3, 1, 2, 1, 5, 4), "FNMADD rm 101"),
    (enc_r(11, 1, 1, 1, RNE, 3), "FSQRT rs2 != 0"),
    (enc_r(24, 1, 4, 1, RNE, 3), "FCVT.?.D rs2 = 4"),
    (enc_r(26, 0, 5, 1, RNE, 3), "FCVT.S.? rs2 = 5"),
    (enc_r(8, 1, 1, 1, RNE, 3), "FCVT.D.D"),
    (enc_r(8, 0, 0, 1, RNE, 3), "FCVT.S.S"),
    (enc_r(8, 0, 1, 1, 5, 3), "FCVT.S.D rm 101"),
    (enc_r(4, 1, 2, 1, 3, 3), "FSGNJ funct3 3"),
    (enc_r(5, 1, 2, 1, 2, 3), "FMIN funct3 2"),
    (enc_r(20, 1, 2, 1, 3, 3), "FCMP funct3 3"),
    (enc_r(28, 1, 1, 1, 0, 3), "FMV.X.D rs2 != 0"),
    (enc_r(28, 1, 0, 1, 2, 3), "funct5 28 funct3 2"),
    (enc_r(30, 0, 0, 1, 1, 3), "FMV.W.X funct3 1"),
    (enc_r(30, 0, 1, 1, 0, 3), "FMV.W.X rs2 != 0"),
    (enc_r(6, 1, 2, 1, 0, 3), "funct5 6"),
    (enc_r(31, 1, 2, 1, 0, 3), "funct5 31"),
    (0x00000013, "not an FP opcode"),
])
def test_illegal_encodings(insn: int, why: str) -> None:
    m = Machine.new()
    put(m, 1, ONE_D, 1)
    put(m, 2, ONE_D, 1)
    before = (m.x.copy(), m.f.copy(), m.csr.copy())
    assert m.run(insn) == 1, why
    assert (m.x == before[0]).all() and (m.f == before[1]).all() and (m.csr == before[2]).all()


@pytest.mark.parametrize("frm", [5, 6, 7])
def test_dynamic_rounding_with_reserved_frm_is_illegal(frm: int) -> None:
    m = Machine.new(fcsr=frm << 5)
    assert m.run(enc_r(0, 1, 2, 1, 7, 3)) == 1  # FADD.D dyn
    assert m.run(enc_r4(0x43, 3, 0, 2, 1, 7, 4)) == 1  # FMADD.S dyn
    assert m.run(enc_r(26, 1, 0, 1, 7, 4)) == 1  # FCVT.D.W dyn: rm still decoded
    assert m.run(enc_r(4, 1, 2, 1, 0, 3)) == 0  # FSGNJ has no rm field
    assert m.run(enc_r(20, 1, 2, 1, 2, 3)) == 0  # FEQ neither


def test_fs_off_is_illegal_for_every_instruction() -> None:
    m = Machine.new(mstatus=0)
    for insn in (enc_r(0, 1, 2, 1, 0, 3), enc_r(28, 0, 0, 1, 0, 3), enc_r(30, 1, 0, 1, 0, 3),
                 enc_r(20, 0, 2, 1, 2, 3), enc_r4(0x43, 3, 1, 2, 1, 0, 4), enc_r(28, 1, 0, 1, 1, 3)):
        assert m.run(insn) == 1
    assert int(m.csr[H, MSTATUS]) == 0


def test_fs_becomes_dirty_only_when_state_changes() -> None:
    dirty = s64(3 << 13 | 1 << 63)
    for fs in (1, 2):
        m = Machine.new(mstatus=fs << 13 | 1 << 3)
        put(m, 1, ONE_D, 1)
        assert m.run(enc_r(28, 1, 0, 1, 0, 5)) == 0  # FMV.X.D: only an x register
        assert m.run(enc_r(20, 1, 1, 1, 2, 5)) == 0  # FEQ.D 1 == 1, no flags
        assert m.run(enc_r(28, 1, 0, 1, 1, 5)) == 0  # FCLASS.D
        assert m.run(enc_r(24, 1, 0, 1, 0, 5)) == 0  # FCVT.W.D exact
        assert int(m.csr[H, MSTATUS]) == fs << 13 | 1 << 3
        assert m.run(enc_r(20, 1, 1, 1, 1, 5)) == 0  # FLT.D 1 < 1: no flags
        assert int(m.csr[H, MSTATUS]) == fs << 13 | 1 << 3
        m.f[H, 2] = s64(SNAN_D)
        assert m.run(enc_r(20, 1, 2, 1, 2, 5)) == 0  # FEQ.D with sNaN: NV written to fflags
        assert int(m.csr[H, MSTATUS]) == dirty | 1 << 3
        m2 = Machine.new(mstatus=fs << 13)
        assert m2.run(enc_r(30, 0, 0, 0, 0, 1)) == 0  # FMV.W.X f1, x0 writes an f register
        assert int(m2.csr[H, MSTATUS]) == dirty and m2.fu(1) == 0xFFFFFFFF00000000


def test_register_file_helpers() -> None:
    assert fpu.nan_box32(0x3F800000) == s64(0xFFFFFFFF3F800000)
    assert fpu.nan_box32(s64(0x123456789ABCDEF0)) == s64(0xFFFFFFFF9ABCDEF0)
    assert fpu.unbox32(s64(0xFFFFFFFF3F800000)) == 0x3F800000
    assert fpu.unbox32(0x3F800000) == 0x7FC00000
    assert fpu.unbox32(s64(0x7FFFFFFF3F800000)) == 0x7FC00000
    assert fpu.sext32(0x80000000) == -(1 << 31)
    assert fpu.fs_off(0) and fpu.fs_off(1 << 3) and not fpu.fs_off(1 << 13)
    assert fpu.fs_set_dirty(1 << 13 | 1 << 3) == s64(1 << 63 | 3 << 13 | 1 << 3)
    assert fpu.resolve_rm(7, RDN << 5) == RDN and fpu.resolve_rm(7, 5 << 5) == -1
    assert fpu.resolve_rm(RMM, 7 << 5) == RMM and fpu.resolve_rm(6, 0) == -1
    view = fpu.Fcsr.from_value(RUP << 5 | NV | NX)
    assert (view.frm, view.fflags, view.flag_names()) == (RUP, NV | NX, ["NV", "NX"])


def test_fp_compute_matches_fp_execute() -> None:
    code, val = fpu.fp_compute(enc_r(3, 1, 2, 1, RTZ, 3), ONE_D, dbits(3.0), 0, 0, 0)
    assert (code, val) == (fpu.WROTE_F | NX, dbits(1 / 3))
    code, val = fpu.fp_compute(enc_r(24, 1, 0, 1, RNE, 5), s64(dbits(-2.5)), 0, 0, 0, 0)
    assert (code, val) == (fpu.WROTE_X | NX, -2)
    assert fpu.fp_compute(enc_r(0, 1, 2, 1, 7, 3), ONE_D, ONE_D, 0, 0, 6 << 5) == (fpu.ILLEGAL, 0)
