"""Floating-point unit: the computational instructions of the F and D extensions.

``fp_execute`` runs one instruction of major opcode OP-FP (0x53) or one of the
fused multiply-adds (MADD 0x43, MSUB 0x47, NMSUB 0x4B, NMADD 0x4F) against the
engine's arrays (see ``rvisor.hw.layout``): ``x`` and ``f`` (raw register bits,
single precision NaN-boxed) and ``csr`` (fcsr in ``csr[h, 0x003]``, mstatus in
``csr[h, 0x300]``).  Loads and stores (FLW/FLD/FSW/FSD) belong to the engine,
which uses ``nan_box32`` / ``unbox32`` from here.

The arithmetic is an integer "softfloat": an operand is unpacked into sign,
unbiased exponent and a 63-bit significand whose leading one sits at bit 62;
every operation produces its exact result, or a truncation of it whose lowest
bit is a sticky bit (OR of everything shifted out), and ``_round_pack`` rounds
that once, in the requested mode, to binary32 or binary64, detecting
tininess after rounding.  Wide intermediates (products, FMA sums) are kept as
two non-negative int64 limbs in base 2**62, so every value stays within
int64 and the code computes the same bits compiled by Numba or run as plain
Python (``NUMBA_DISABLE_JIT=1``).

For the common case (operands and result well inside the normal range,
rounding mode not RMM) add, subtract, multiply, divide and square root in both
formats, and binary64 FMA, take a fast path: the host's correctly rounded
(ties-to-even) result plus the sign of its exact error, from an error-free
transformation, gives the result in every directed mode and the inexact flag.

Entry points: ``fp_execute`` (arrays in, state updated) and ``fp_compute``
(register values in, (code, value) out) for callers that apply the result
themselves and so avoid Numba's reference counting of array arguments.

Specification: RISC-V unprivileged ISA, chapters "F" Extension for
Single-Precision Floating-Point and "D" Extension for Double-Precision
Floating-Point; privileged ISA, section "Extension Context Status in mstatus".
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic, overload

from rvisor.hw import layout as L

# ---- rounding modes (F extension, table "Rounding mode encoding") -------------------
RNE = 0
RTZ = 1
RDN = 2
RUP = 3
RMM = 4
DYN = 7

# ---- accrued exception flags (F extension, table "Accrued exception flag encoding") --
NX = 1
UF = 2
OF = 4
DZ = 8
NV = 16

# ---- constants (all fit in int64; unsigned patterns are written as negative numbers) --
M31 = (1 << 31) - 1
M32 = (1 << 32) - 1
M62 = (1 << 62) - 1
M63 = (1 << 63) - 1
SIGN64 = -(1 << 63)
SIGN32 = 1 << 31
BOX_HI = -(1 << 32)  # the upper 32 bits of a NaN-boxed single: all ones
FRAC52 = (1 << 52) - 1
FRAC23 = (1 << 23) - 1
CANON_D = 0x7FF8000000000000
CANON_S = 0x7FC00000
INF_D = 0x7FF0000000000000
INF_S = 0x7F800000
MAXF_D = 0x7FEFFFFFFFFFFFFF
MAXF_S = 0x7F7FFFFF

CSR_FCSR = L.CSR_FCSR
CSR_MSTATUS = L.CSR_MSTATUS
MSTATUS_FS = L.MSTATUS_FS
FS_DIRTY = L.MSTATUS_FS  # both FS bits set: Dirty

# operand classes returned by _unpack
CLS_ZERO = 0
CLS_FINITE = 1
CLS_INF = 2
CLS_QNAN = 3
CLS_SNAN = 4

# fp_compute result code: -1 = illegal instruction, else fflags | WROTE_F or fflags | WROTE_X
ILLEGAL = -1
WROTE_F = 32
WROTE_X = 64

FLAG_NAMES = ((NV, "NV"), (DZ, "DZ"), (OF, "OF"), (UF, "UF"), (NX, "NX"))


# Python-level view of fcsr, for debuggers, traces and tests.
@dataclass(frozen=True)
class Fcsr:
    """The two fields of fcsr (F extension, section "Floating-Point Control and Status Register")."""

    frm: int
    fflags: int

    # builds the view from the raw CSR value
    @classmethod
    def from_value(cls, value: int) -> Fcsr:
        return cls(frm=(value >> 5) & 7, fflags=value & 31)

    # names of the accrued flags that are set, most severe first
    def flag_names(self) -> list[str]:
        return [name for bit, name in FLAG_NAMES if self.fflags & bit]


# ============================================================================
# register-file helpers (also used by the engine for FLW/FSW and FMV)
# ============================================================================


# runs on every single-precision write to an f register: boxes 32 bits
@njit(cache=True, nogil=True)
def nan_box32(bits32: int) -> int:
    """Return ``bits32`` NaN-boxed in 64 bits (D extension, "NaN Boxing of Narrower Values")."""
    return (bits32 & M32) | BOX_HI


# runs on every single-precision read of an f register by a computation
@njit(cache=True, nogil=True)
def unbox32(bits64: int) -> int:
    """Return the binary32 value of a register, or the canonical NaN when not boxed.

    D extension, "NaN Boxing of Narrower Values": an input whose upper 32 bits are
    not all ones is treated as the canonical NaN.
    """
    if (bits64 >> 32) == -1:
        return bits64 & M32
    return CANON_S


# runs on FMV.X.W and on FSW paths that want the low word sign-extended
@njit(cache=True, nogil=True)
def sext32(v: int) -> int:
    """Sign-extend the low 32 bits of ``v`` to 64 bits."""
    return ((v & M32) ^ SIGN32) - SIGN32


# runs before any FP instruction, including the engine's FLW/FLD/FSW/FSD: is the FPU off?
@njit(cache=True, nogil=True)
def fs_off(mstatus: int) -> bool:
    """Privileged ISA, "Extension Context Status in mstatus": FS = Off makes FP instructions illegal."""
    return (mstatus & MSTATUS_FS) == 0


# runs after an FP register or fcsr write (e.g. the engine's FLW/FLD): mstatus with FS = Dirty
@njit(cache=True, nogil=True)
def fs_set_dirty(mstatus: int) -> int:
    """FS = Dirty (3) and SD (bit 63) set, as after any write to FP state."""
    return mstatus | FS_DIRTY | SIGN64


# runs on instructions with an rm field: the effective rounding mode or -1 if reserved
@njit(cache=True, nogil=True)
def resolve_rm(rm: int, fcsr: int) -> int:
    """Static rm, or frm for DYN; -1 for a reserved mode.

    F extension, "Floating-Point Control and Status Register": rm 101/110 and a
    dynamic frm of 101..111 are reserved; rvisor raises illegal instruction.
    """
    if rm == DYN:
        rm = (fcsr >> 5) & 7
    if rm > RMM:
        return -1
    return rm


# ============================================================================
# host primitives: plain Python definitions, replaced by one LLVM instruction when compiled
# ============================================================================


# runs on the binary64 fast path: the float whose IEEE encoding is the int64 v
def bits_to_f64(v: int) -> float:
    """Reinterpret 64 bits as a binary64 value (plain-Python definition)."""
    return struct.unpack("<d", struct.pack("<q", v))[0]


# runs on the binary64 fast path: the IEEE encoding of x as an int64
def f64_to_bits(x: float) -> int:
    """Reinterpret a binary64 value as 64 bits (plain-Python definition)."""
    return struct.unpack("<q", struct.pack("<d", x))[0]


# runs on the binary64 fast path: a * b + c rounded once to nearest even
def fma64(a: float, b: float, c: float) -> float:
    """Fused multiply-add of host floats (plain-Python definition: exact, then one rounding)."""
    return float(Fraction(a) * Fraction(b) + Fraction(c))


# runs while normalising significands: number of significant bits of 0 < v < 2**63
def _bitlen(v: int) -> int:
    return int(v).bit_length()  # int(): a plain-Python engine passes numpy int64 scalars


# compiles bits_to_f64 to a bitcast
@intrinsic
def _bitcast_i2f(typingctx: object, v: types.Type) -> tuple:
    def codegen(context: object, builder: ir.IRBuilder, sig: object, args: list) -> ir.Value:
        return builder.bitcast(args[0], ir.DoubleType())

    return types.float64(types.int64), codegen


# compiles f64_to_bits to a bitcast
@intrinsic
def _bitcast_f2i(typingctx: object, x: types.Type) -> tuple:
    def codegen(context: object, builder: ir.IRBuilder, sig: object, args: list) -> ir.Value:
        return builder.bitcast(args[0], ir.IntType(64))

    return types.int64(types.float64), codegen


# compiles fma64 to llvm.fma.f64 (one vfmadd on hosts with FMA, else libm's exact fma)
@intrinsic
def _llvm_fma(typingctx: object, a: types.Type, b: types.Type, c: types.Type) -> tuple:
    def codegen(context: object, builder: ir.IRBuilder, sig: object, args: list) -> ir.Value:
        return builder.fma(args[0], args[1], args[2])

    return types.float64(types.float64, types.float64, types.float64), codegen


# compiles _bitlen to 64 - ctlz
@intrinsic
def _llvm_bitlen(typingctx: object, v: types.Type) -> tuple:
    def codegen(context: object, builder: ir.IRBuilder, sig: object, args: list) -> ir.Value:
        i64 = ir.IntType(64)
        fn = builder.module.declare_intrinsic("llvm.ctlz", [i64, ir.IntType(1)])
        lz = builder.call(fn, [args[0], ir.Constant(ir.IntType(1), 0)])
        return builder.sub(ir.Constant(i64, 64), lz)

    return types.int64(types.int64), codegen


# compiled form of bits_to_f64
@overload(bits_to_f64)
def _ol_bits_to_f64(v):  # Numba requires the typing and implementation signatures to match
    return lambda v: _bitcast_i2f(np.int64(v))


# compiled form of f64_to_bits
@overload(f64_to_bits)
def _ol_f64_to_bits(x):  # (so no annotations on these four)
    return lambda x: _bitcast_f2i(np.float64(x))


# compiled form of fma64
@overload(fma64)
def _ol_fma64(a, b, c):
    return lambda a, b, c: _llvm_fma(np.float64(a), np.float64(b), np.float64(c))


# compiled form of _bitlen
@overload(_bitlen)
def _ol_bitlen(v):
    return lambda v: _llvm_bitlen(np.int64(v))


# ============================================================================
# integer building blocks
# ============================================================================


# runs when aligning operands: v >> d with the bits shifted out ORed into bit 0
@njit(cache=True, nogil=True)
def _shr_sticky(v: int, d: int) -> int:
    if d <= 0:
        return v
    if d >= 63:
        return 1 if v != 0 else 0
    st = 1 if (v & (M63 >> (63 - d))) != 0 else 0
    return (v >> d) | st


# runs before rounding: splits v into v >> s and a state of the dropped bits
@njit(cache=True, nogil=True)
def _round_state(v: int, s: int) -> tuple[int, int]:
    """Return (kept, state): state 0 exact, 1 below half, 2 exactly half, 3 above half."""
    if s <= 0:
        return v, 0
    if s >= 64:
        return 0, (1 if v != 0 else 0)
    kept = v >> s
    rem = v & (M63 >> (63 - s))
    half = 1 << (s - 1)
    if rem == 0:
        return kept, 0
    if rem < half:
        return kept, 1
    if rem == half:
        return kept, 2
    return kept, 3


# runs when rounding: 1 if the kept magnitude must be incremented in mode rm
@njit(cache=True, nogil=True)
def _round_inc(kept: int, state: int, sign: int, rm: int) -> int:
    """Rounding-direction rule of IEEE 754-2008 section 4.3 for RNE/RTZ/RDN/RUP/RMM."""
    if state == 0:
        return 0
    if rm == RNE:
        return 1 if (state == 3 or (state == 2 and (kept & 1) != 0)) else 0
    if rm == RTZ:
        return 0
    if rm == RDN:
        return sign
    if rm == RUP:
        return 1 - sign
    return 1 if state >= 2 else 0


# runs on overflow: infinity or the largest finite number, per rounding mode
@njit(cache=True, nogil=True)
def _overflow_value(sign: int, rm: int, dbl: bool) -> int:
    """IEEE 754-2008 section 7.4: RNE/RMM give inf, directed modes may give max finite."""
    to_inf = rm == RNE or rm == RMM or (rm == RDN and sign == 1) or (rm == RUP and sign == 0)
    if dbl:
        mag = INF_D if to_inf else MAXF_D
        return (SIGN64 | mag) if sign else mag
    mag = INF_S if to_inf else MAXF_S
    return (SIGN32 | mag) if sign else mag


# runs for exact zero results: a signed zero of the format
@njit(cache=True, nogil=True)
def _zero(sign: int, dbl: bool) -> int:
    if sign == 0:
        return 0
    return SIGN64 if dbl else SIGN32


# runs for infinite results: a signed infinity of the format
@njit(cache=True, nogil=True)
def _inf(sign: int, dbl: bool) -> int:
    if dbl:
        return (SIGN64 | INF_D) if sign else INF_D
    return (SIGN32 | INF_S) if sign else INF_S


# runs at the end of every rounding operation: one rounding to the format
@njit(cache=True, nogil=True)
def _round_pack(sign: int, exp: int, sig: int, rm: int, dbl: bool) -> tuple[int, int]:
    """Round sign * sig * 2**(exp-62) (2**62 <= sig < 2**63, bit 0 sticky) to bits and flags.

    F extension, "Subnormal Arithmetic": tininess is detected after rounding, so UF
    is raised when the result is inexact and, rounded with an unbounded exponent
    range, would lie strictly between -2**emin and 2**emin.
    """
    if dbl:
        fb = 52
        emin = -1022
        emax = 1023
        sbit = SIGN64
    else:
        fb = 23
        emin = -126
        emax = 127
        sbit = SIGN32
    sh = 62 - fb
    signpart = sbit if sign else 0
    if exp >= emin:
        kept, st = _round_state(sig, sh)
        kept += _round_inc(kept, st, sign, rm)
        if kept >> (fb + 1):
            kept >>= 1
            exp += 1
        if exp > emax:
            return _overflow_value(sign, rm, dbl), OF | NX
        bits = signpart | ((exp - emin + 1) << fb) | (kept & ((1 << fb) - 1))
        return bits, (NX if st != 0 else 0)
    tiny = True
    if exp == emin - 1:
        k2, st2 = _round_state(sig, sh)
        k2 += _round_inc(k2, st2, sign, rm)
        if k2 >> (fb + 1):
            tiny = False
    kept, st = _round_state(sig, sh + emin - exp)
    kept += _round_inc(kept, st, sign, rm)
    flags = 0
    if st != 0:
        flags = (NX | UF) if tiny else NX
    return signpart | kept, flags


# runs on every operand: class, sign, exponent and normalised significand
@njit(cache=True, nogil=True)
def _unpack(bits: int, dbl: bool) -> tuple[int, int, int, int]:
    """Return (class, sign, exp, sig) with value sig * 2**(exp-62), 2**62 <= sig < 2**63."""
    if dbl:
        sign = 1 if bits < 0 else 0
        e = (bits >> 52) & 0x7FF
        fr = bits & FRAC52
        fb = 52
        emax_field = 0x7FF
        bias = 1023
    else:
        sign = (bits >> 31) & 1
        e = (bits >> 23) & 0xFF
        fr = bits & FRAC23
        fb = 23
        emax_field = 0xFF
        bias = 127
    if e == emax_field:
        if fr == 0:
            return CLS_INF, sign, 0, 0
        if (fr >> (fb - 1)) & 1:
            return CLS_QNAN, sign, 0, 0
        return CLS_SNAN, sign, 0, 0
    if e == 0:
        if fr == 0:
            return CLS_ZERO, sign, 0, 0
        n = _bitlen(fr)
        return CLS_FINITE, sign, n - 1 + (1 - bias) - fb, fr << (63 - n)
    return CLS_FINITE, sign, e - bias, (fr | (1 << fb)) << (62 - fb)


# runs on NaN checks: 1 if bits is a NaN of the format
@njit(cache=True, nogil=True)
def _is_nan(bits: int, dbl: bool) -> bool:
    if dbl:
        return (bits & M63) > INF_D
    return (bits & M31) > INF_S


# runs on NaN checks: 1 if bits is a signalling NaN of the format
@njit(cache=True, nogil=True)
def _is_snan(bits: int, dbl: bool) -> bool:
    if dbl:
        return (bits & M63) > INF_D and ((bits >> 51) & 1) == 0
    return (bits & M31) > INF_S and ((bits >> 22) & 1) == 0


# ---- two-limb (base 2**62) arithmetic for products and FMA sums --------------------


# runs on multiply and FMA: exact product of two 53-bit integers as (hi, lo)
@njit(cache=True, nogil=True)
def _mul53(a: int, b: int) -> tuple[int, int]:
    a0 = a & M31
    a1 = a >> 31
    b0 = b & M31
    b1 = b >> 31
    mid = a1 * b0 + a0 * b1
    lo = a0 * b0 + ((mid & M31) << 31)
    hi = a1 * b1 + (mid >> 31) + (lo >> 62)
    return hi, lo & M62


# runs on FMA alignment: (hi, lo) << d, the result known to fit in 124 bits
@njit(cache=True, nogil=True)
def _shl2(hi: int, lo: int, d: int) -> tuple[int, int]:
    if d <= 0:
        return hi, lo
    if d >= 62:
        return lo << (d - 62), 0
    return (hi << d) | (lo >> (62 - d)), (lo << d) & M62


# runs on FMA alignment: (hi, lo) >> d with a sticky bit 0
@njit(cache=True, nogil=True)
def _shr2(hi: int, lo: int, d: int) -> tuple[int, int]:
    if d <= 0:
        return hi, lo
    if d >= 124:
        return 0, (1 if (hi | lo) != 0 else 0)
    if d >= 62:
        st = 1 if (lo != 0 or (hi & (M63 >> (125 - d))) != 0) else 0
        return 0, (hi >> (d - 62)) | st
    st = 1 if (lo & (M63 >> (63 - d))) != 0 else 0
    return hi >> d, ((lo >> d) | ((hi << (62 - d)) & M62)) | st


# runs after a wide operation: top 63 bits (msb at 62, sticky at 0) and msb position
@njit(cache=True, nogil=True)
def _norm2(hi: int, lo: int) -> tuple[int, int]:
    if hi != 0:
        n = _bitlen(hi)
        s = n - 1
        st = 1 if (lo & (M63 >> (63 - s))) != 0 else 0
        return (hi << (63 - n)) | (lo >> s) | st, 61 + n
    n = _bitlen(lo)
    return lo << (63 - n), n - 1


# ============================================================================
# binary64 fast path: the host's correctly rounded result plus the exact error's sign
# ============================================================================
# Applies when the operands and the ties-to-even result lie well inside the normal
# range (no overflow, and every error term is a multiple of 2**-1074, so the
# error-free transformations below are exact).  Knowing whether the exact result is
# above, below or equal to the host result r gives every directed mode: the answer
# is r or its neighbour, and NX is "not equal".  RMM (ties away) needs the tie
# itself and goes to the integer code.  A flags value of -1 means "not handled".


# runs after every fast-path operation: applies the rounding direction given the error sign
@njit(cache=True, nogil=True)
def _fast_finish(rb: int, err: float, rm: int) -> tuple[int, int]:
    """rb: bits of RNE(exact); err: a float with the sign of exact - RNE(exact)."""
    if err == 0.0:
        return rb, 0
    if rm == RNE:
        return rb, NX
    up = err > 0.0
    neg = rb < 0
    if rm == RTZ:
        if up == neg:  # the exact value is nearer zero than rb
            return rb - 1, NX
    elif rm == RDN:
        if not up:
            return (rb + 1 if neg else rb - 1), NX
    elif up:  # RUP
        return (rb - 1 if neg else rb + 1), NX
    return rb, NX


# runs first on FADD.D/FSUB.D: host sum and its TwoSum error
@njit(cache=True, nogil=True)
def _fast_add_d(a: int, b: int, rm: int) -> tuple[int, int]:
    ea = (a >> 52) & 0x7FF
    eb = (b >> 52) & 0x7FF
    if rm == RMM or ea == 0 or ea == 0x7FF or eb == 0 or eb == 0x7FF:
        return 0, -1
    x = bits_to_f64(a)
    y = bits_to_f64(b)
    s = x + y
    rb = f64_to_bits(s)
    es = (rb >> 52) & 0x7FF
    if es < 2 or es > 0x7FD:
        return 0, -1
    t = s - x
    err = (x - (s - t)) + (y - t)
    return _fast_finish(rb, err, rm)


# runs first on FMUL.D: host product and its exact error fma(x, y, -p)
@njit(cache=True, nogil=True)
def _fast_mul_d(a: int, b: int, rm: int) -> tuple[int, int]:
    ea = (a >> 52) & 0x7FF
    eb = (b >> 52) & 0x7FF
    if rm == RMM or ea == 0 or ea == 0x7FF or eb == 0 or eb == 0x7FF:
        return 0, -1
    x = bits_to_f64(a)
    y = bits_to_f64(b)
    p = x * y
    rb = f64_to_bits(p)
    ep = (rb >> 52) & 0x7FF
    if ep < 0x40 or ep > 0x7FD:
        return 0, -1
    return _fast_finish(rb, fma64(x, y, -p), rm)


# runs first on FDIV.D: host quotient; the remainder x - q*y is exact and gives the error sign
@njit(cache=True, nogil=True)
def _fast_div_d(a: int, b: int, rm: int) -> tuple[int, int]:
    ea = (a >> 52) & 0x7FF
    eb = (b >> 52) & 0x7FF
    if rm == RMM or ea < 0x40 or ea == 0x7FF or eb == 0 or eb == 0x7FF:
        return 0, -1
    x = bits_to_f64(a)
    y = bits_to_f64(b)
    q = x / y
    rb = f64_to_bits(q)
    eq = (rb >> 52) & 0x7FF
    if eq < 0x40 or eq > 0x7FD:
        return 0, -1
    r = fma64(-q, y, x)
    return _fast_finish(rb, r if y > 0.0 else -r, rm)


# runs first on FSQRT.D: host square root; x - s*s is exact and gives the error sign
@njit(cache=True, nogil=True)
def _fast_sqrt_d(a: int, rm: int) -> tuple[int, int]:
    ea = (a >> 52) & 0x7FF
    if rm == RMM or a < 0 or ea < 0x40 or ea == 0x7FF:
        return 0, -1
    x = bits_to_f64(a)
    s = math.sqrt(x)
    return _fast_finish(f64_to_bits(s), fma64(-s, s, x), rm)


# runs first on the binary64 FMAs: host fma; ErrFma gives the exact error's sign
@njit(cache=True, nogil=True)
def _fast_fma_d(a: int, b: int, c: int, rm: int) -> tuple[int, int]:
    """Error of r1 = RN(x*y + z) by Boldo and Muller's ErrFma (IEEE Trans. Computers 60(2), 2011).

    x*y + z = r1 + gamma + alpha2 exactly when nothing underflows, so the sign of
    RN(gamma + alpha2) is the sign of the rounding error.
    """
    ea = (a >> 52) & 0x7FF
    eb = (b >> 52) & 0x7FF
    ec = (c >> 52) & 0x7FF
    if rm == RMM or ea == 0 or ea == 0x7FF or eb == 0 or eb == 0x7FF or ec < 0x80 or ec > 0x77F:
        return 0, -1
    ep = ea + eb - 1023  # biased exponent of the product, within one
    if ep < 0x80 or ep > 0x77F:
        return 0, -1
    x = bits_to_f64(a)
    y = bits_to_f64(b)
    z = bits_to_f64(c)
    r1 = fma64(x, y, z)
    rb = f64_to_bits(r1)
    er = (rb >> 52) & 0x7FF
    if er < 0x80 or er > 0x7FD:
        return 0, -1
    u1 = x * y
    u2 = fma64(x, y, -u1)
    alpha1 = z + u2  # TwoSum(z, u2)
    t = alpha1 - z
    alpha2 = (z - (alpha1 - t)) + (u2 - t)
    beta1 = u1 + alpha1  # TwoSum(u1, alpha1)
    t = beta1 - u1
    beta2 = (u1 - (beta1 - t)) + (alpha1 - t)
    gamma = (beta1 - r1) + beta2
    return _fast_finish(rb, gamma + alpha2, rm)


# ---- binary32 through binary64 ------------------------------------------------------
# For binary32 operands, a + b, a - b, a * b, a / b and sqrt(a) rounded to nearest in
# binary64 and then to binary32 give the correctly rounded binary32 result, because
# 53 >= 2 * 24 + 2 (Figueroa, "When is double rounding innocuous?", SIGNUM 1995).
# The binary64 error sign, or the second rounding's own direction when it was
# inexact, then gives the directed modes as for binary64.


# runs on the binary32 fast path: a normal binary32 pattern as a host double (exact)
@njit(cache=True, nogil=True)
def _s_to_f64(b: int) -> float:
    sign = SIGN64 if (b & SIGN32) != 0 else 0
    return bits_to_f64(sign | ((((b >> 23) & 0xFF) + 896) << 52) | ((b & FRAC23) << 29))


# runs at the end of the binary32 fast path: RN32 of the host double r, then the direction
@njit(cache=True, nogil=True)
def _fast_finish_s(r: float, err: float, rm: int) -> tuple[int, int]:
    """r = RN64(exact); err has the sign of exact - r.  -1 flags when r is outside the safe range."""
    rb = f64_to_bits(r)
    e = (rb >> 52) & 0x7FF
    if e < 1023 - 125 or e > 1023 + 126:
        return 0, -1
    neg = rb < 0
    mag = ((e - 896) << 23) | ((rb >> 29) & FRAC23)
    rem = rb & ((1 << 29) - 1)
    if rem == 0:  # r is a binary32 value: the binary64 error decides
        if err == 0.0:
            return (SIGN32 | mag) if neg else mag, 0
        below = (err > 0.0) != neg  # |exact| > |result|
    elif rem > (1 << 28) or (rem == (1 << 28) and (mag & 1) != 0):
        mag += 1
        below = False
    else:
        below = True
    if rm == RTZ:
        if not below:
            mag -= 1
    elif rm == RDN:
        if neg and below:
            mag += 1
        elif not neg and not below:
            mag -= 1
    elif rm == RUP:
        if not neg and below:
            mag += 1
        elif neg and not below:
            mag -= 1
    return (SIGN32 | mag) if neg else mag, NX


# runs first on the binary32 add, multiply, divide and square root: 1 if a is normal
@njit(cache=True, nogil=True)
def _normal_s(a: int) -> bool:
    e = (a >> 23) & 0xFF
    return e != 0 and e != 0xFF


# runs first on FADD.S/FSUB.S
@njit(cache=True, nogil=True)
def _fast_add_s(a: int, b: int, rm: int) -> tuple[int, int]:
    if rm == RMM or not _normal_s(a) or not _normal_s(b):
        return 0, -1
    x = _s_to_f64(a)
    y = _s_to_f64(b)
    s = x + y
    t = s - x
    return _fast_finish_s(s, (x - (s - t)) + (y - t), rm)


# runs first on FMUL.S: the binary64 product of two binary32 values is exact
@njit(cache=True, nogil=True)
def _fast_mul_s(a: int, b: int, rm: int) -> tuple[int, int]:
    if rm == RMM or not _normal_s(a) or not _normal_s(b):
        return 0, -1
    return _fast_finish_s(_s_to_f64(a) * _s_to_f64(b), 0.0, rm)


# runs first on FDIV.S
@njit(cache=True, nogil=True)
def _fast_div_s(a: int, b: int, rm: int) -> tuple[int, int]:
    if rm == RMM or not _normal_s(a) or not _normal_s(b):
        return 0, -1
    x = _s_to_f64(a)
    y = _s_to_f64(b)
    q = x / y
    r = fma64(-q, y, x)
    return _fast_finish_s(q, r if y > 0.0 else -r, rm)


# runs first on FSQRT.S
@njit(cache=True, nogil=True)
def _fast_sqrt_s(a: int, rm: int) -> tuple[int, int]:
    if rm == RMM or (a & SIGN32) != 0 or not _normal_s(a):
        return 0, -1
    x = _s_to_f64(a)
    s = math.sqrt(x)
    return _fast_finish_s(s, fma64(-s, s, x), rm)


# ============================================================================
# the operations on raw bits (binary32 patterns are unboxed 32-bit values)
# ============================================================================


# runs when an operand of add, multiply or divide is a NaN: the canonical NaN, NV if any is signalling
@njit(cache=True, nogil=True)
def _nan_result(ca: int, cb: int, dbl: bool) -> tuple[int, int]:
    """F extension, "NaN Generation and Propagation": results are canonical; sNaN inputs raise NV."""
    fl = NV if (ca == CLS_SNAN or cb == CLS_SNAN) else 0
    return (CANON_D if dbl else CANON_S), fl


# runs on FADD/FSUB when the fast path does not apply: the integer algorithm
@njit(cache=True, nogil=True)
def _sf_add(a: int, b: int, rm: int, dbl: bool) -> tuple[int, int]:
    """IEEE 754-2008 addition; F extension "NaN Generation and Propagation" for NaNs.

    inf - inf is invalid; an exact zero sum of opposite-signed operands is +0,
    or -0 when rounding down (IEEE 754-2008 section 6.3).
    """
    ca, sa, ea, ma = _unpack(a, dbl)
    cb, sb, eb, mb = _unpack(b, dbl)
    if ca >= CLS_QNAN or cb >= CLS_QNAN:
        return _nan_result(ca, cb, dbl)
    if ca == CLS_INF or cb == CLS_INF:
        if ca == CLS_INF and cb == CLS_INF and sa != sb:
            return (CANON_D if dbl else CANON_S), NV
        return (a if ca == CLS_INF else b), 0
    if ca == CLS_ZERO or cb == CLS_ZERO:
        if ca == CLS_ZERO and cb == CLS_ZERO:
            if sa == sb:
                return a, 0
            return _zero(1 if rm == RDN else 0, dbl), 0
        return (b if ca == CLS_ZERO else a), 0
    A = ma >> 1
    B = mb >> 1
    if ea < eb or (ea == eb and A < B):
        A, B = B, A
        ea, eb = eb, ea
        sa, sb = sb, sa
    B = _shr_sticky(B, ea - eb)
    if sa == sb:
        S = A + B
    else:
        S = A - B
        if S == 0:
            return _zero(1 if rm == RDN else 0, dbl), 0
    n = _bitlen(S)
    return _round_pack(sa, ea + n - 62, S << (63 - n), rm, dbl)


# runs on FADD/FSUB (FSUB flips b's sign first): correctly rounded a + b
@njit(cache=True, nogil=True)
def f_add(a: int, b: int, rm: int, dbl: bool) -> tuple[int, int]:
    """Host fast path when it applies, else ``_sf_add`` (whose docstring gives the rules)."""
    if dbl:
        r, fl = _fast_add_d(a, b, rm)
    else:
        r, fl = _fast_add_s(a, b, rm)
    if fl >= 0:
        return r, fl
    return _sf_add(a, b, rm, dbl)


# runs on FMUL when the fast path does not apply: the integer algorithm
@njit(cache=True, nogil=True)
def _sf_mul(a: int, b: int, rm: int, dbl: bool) -> tuple[int, int]:
    """IEEE 754-2008 multiplication; inf * 0 is invalid and gives the canonical NaN."""
    ca, sa, ea, ma = _unpack(a, dbl)
    cb, sb, eb, mb = _unpack(b, dbl)
    sp = sa ^ sb
    if ca >= CLS_QNAN or cb >= CLS_QNAN:
        return _nan_result(ca, cb, dbl)
    if ca == CLS_INF or cb == CLS_INF:
        if ca == CLS_ZERO or cb == CLS_ZERO:
            return (CANON_D if dbl else CANON_S), NV
        return _inf(sp, dbl), 0
    if ca == CLS_ZERO or cb == CLS_ZERO:
        return _zero(sp, dbl), 0
    hi, lo = _mul53(ma >> 10, mb >> 10)
    sig, t = _norm2(hi, lo)
    return _round_pack(sp, ea + eb - 104 + t, sig, rm, dbl)


# runs on FMUL: correctly rounded a * b
@njit(cache=True, nogil=True)
def f_mul(a: int, b: int, rm: int, dbl: bool) -> tuple[int, int]:
    """Host fast path when it applies, else ``_sf_mul`` (whose docstring gives the rules)."""
    if dbl:
        r, fl = _fast_mul_d(a, b, rm)
    else:
        r, fl = _fast_mul_s(a, b, rm)
    if fl >= 0:
        return r, fl
    return _sf_mul(a, b, rm, dbl)


# runs on FDIV when the fast path does not apply: the integer algorithm
@njit(cache=True, nogil=True)
def _sf_div(a: int, b: int, rm: int, dbl: bool) -> tuple[int, int]:
    """IEEE 754-2008 division: 0/0 and inf/inf invalid, finite/0 raises DZ."""
    ca, sa, ea, ma = _unpack(a, dbl)
    cb, sb, eb, mb = _unpack(b, dbl)
    sq = sa ^ sb
    if ca >= CLS_QNAN or cb >= CLS_QNAN:
        return _nan_result(ca, cb, dbl)
    if ca == CLS_INF:
        if cb == CLS_INF:
            return (CANON_D if dbl else CANON_S), NV
        return _inf(sq, dbl), 0
    if cb == CLS_INF:
        return _zero(sq, dbl), 0
    if cb == CLS_ZERO:
        if ca == CLS_ZERO:
            return (CANON_D if dbl else CANON_S), NV
        return _inf(sq, dbl), DZ
    if ca == CLS_ZERO:
        return _zero(sq, dbl), 0
    na = ma >> 10
    nb = mb >> 10
    # long division, 10 quotient bits per step: q = floor(na * 2**62 / nb)
    q = na // nb
    r = na - q * nb
    for _ in range(6):
        r <<= 10
        d = r // nb
        q = (q << 10) | d
        r -= d * nb
    r <<= 2
    d = r // nb
    q = (q << 2) | d
    r -= d * nb
    st = 1 if r != 0 else 0
    if q >> 62:
        return _round_pack(sq, ea - eb, q | st, rm, dbl)
    return _round_pack(sq, ea - eb - 1, (q << 1) | st, rm, dbl)


# runs on FDIV: correctly rounded a / b
@njit(cache=True, nogil=True)
def f_div(a: int, b: int, rm: int, dbl: bool) -> tuple[int, int]:
    """Host fast path when it applies, else ``_sf_div`` (whose docstring gives the rules)."""
    if dbl:
        r, fl = _fast_div_d(a, b, rm)
    else:
        r, fl = _fast_div_s(a, b, rm)
    if fl >= 0:
        return r, fl
    return _sf_div(a, b, rm, dbl)


# runs on FSQRT when the fast path does not apply: the integer algorithm
@njit(cache=True, nogil=True)
def _sf_sqrt(a: int, rm: int, dbl: bool) -> tuple[int, int]:
    """IEEE 754-2008 squareRoot: sqrt(-0) = -0, a negative operand is invalid."""
    ca, sa, ea, ma = _unpack(a, dbl)
    if ca >= CLS_QNAN:
        return (CANON_D if dbl else CANON_S), (NV if ca == CLS_SNAN else 0)
    if ca == CLS_ZERO:
        return a, 0
    if sa == 1:
        return (CANON_D if dbl else CANON_S), NV
    if ca == CLS_INF:
        return a, 0
    m = ma >> 10
    k = 56 + (ea & 1)
    mp = m << (k & 1)
    # digit-by-digit square root of mp * 4**28, two radicand bits per step
    root = 0
    rem = 0
    for i in range(55):
        pair = ((mp >> (52 - 2 * i)) & 3) if i < 27 else 0
        rem = (rem << 2) | pair
        trial = (root << 2) | 1
        if rem >= trial:
            rem -= trial
            root = (root << 1) | 1
        else:
            root <<= 1
    st = 1 if rem != 0 else 0
    return _round_pack(0, ((ea - 52 - k) >> 1) + 54, (root << 8) | st, rm, dbl)


# runs on FSQRT: correctly rounded square root
@njit(cache=True, nogil=True)
def f_sqrt(a: int, rm: int, dbl: bool) -> tuple[int, int]:
    """Host fast path when it applies, else ``_sf_sqrt`` (whose docstring gives the rules)."""
    if dbl:
        r, fl = _fast_sqrt_d(a, rm)
    else:
        r, fl = _fast_sqrt_s(a, rm)
    if fl >= 0:
        return r, fl
    return _sf_sqrt(a, rm, dbl)


# runs on the FMAs when the fast path does not apply: the integer algorithm
@njit(cache=True, nogil=True)
def _sf_fma(a: int, b: int, c: int, rm: int, dbl: bool) -> tuple[int, int]:
    """Fused multiply-add (F extension, "Single-Precision Floating-Point Computational Instructions").

    inf * 0 + c raises NV even when c is a quiet NaN; the product is exact and
    the sum is rounded once.  FMSUB/FNMSUB/FNMADD flip the signs of c and/or
    a before calling this.
    """
    ca, sa, ea, ma = _unpack(a, dbl)
    cb, sb, eb, mb = _unpack(b, dbl)
    cc, sc, ec, mc = _unpack(c, dbl)
    canon = CANON_D if dbl else CANON_S
    inf_times_zero = (ca == CLS_INF and cb == CLS_ZERO) or (ca == CLS_ZERO and cb == CLS_INF)
    if ca >= CLS_QNAN or cb >= CLS_QNAN or cc >= CLS_QNAN:
        snan = ca == CLS_SNAN or cb == CLS_SNAN or cc == CLS_SNAN
        return canon, (NV if (snan or inf_times_zero) else 0)
    if inf_times_zero:
        return canon, NV
    sp = sa ^ sb
    if ca == CLS_INF or cb == CLS_INF:
        if cc == CLS_INF and sc != sp:
            return canon, NV
        return _inf(sp, dbl), 0
    if cc == CLS_INF:
        return c, 0
    if ca == CLS_ZERO or cb == CLS_ZERO:
        if cc == CLS_ZERO:
            if sp == sc:
                return _zero(sp, dbl), 0
            return _zero(1 if rm == RDN else 0, dbl), 0
        return c, 0
    hi, lo = _mul53(ma >> 10, mb >> 10)
    base = ea + eb - 104  # weight of bit 0 of the product
    if cc == CLS_ZERO:
        sig, t = _norm2(hi, lo)
        return _round_pack(sp, base + t, sig, rm, dbl)
    hi, lo = _shl2(hi, lo, 16)
    base -= 16
    m3 = mc >> 10
    sh = ec - 52 - base  # position of the addend's bit 0 in the product frame
    if sh > 70:
        hi, lo = _shr2(hi, lo, sh - 70)
        base += sh - 70
        sh = 70
    if sh >= 0:
        chi, clo = _shl2(0, m3, sh)
    else:
        chi = 0
        clo = _shr_sticky(m3, -sh)
    if sp == sc:
        rlo = lo + clo
        rhi = hi + chi + (rlo >> 62)
        rlo &= M62
        sign = sp
    else:
        if hi > chi or (hi == chi and lo >= clo):
            rhi = hi - chi
            rlo = lo - clo
            sign = sp
        else:
            rhi = chi - hi
            rlo = clo - lo
            sign = sc
        if rlo < 0:
            rlo += 1 << 62
            rhi -= 1
        if rhi == 0 and rlo == 0:
            return _zero(1 if rm == RDN else 0, dbl), 0
    sig, t = _norm2(rhi, rlo)
    return _round_pack(sign, base + t, sig, rm, dbl)


# runs on the fused multiply-adds: a * b + c with a single rounding
@njit(cache=True, nogil=True)
def f_fma(a: int, b: int, c: int, rm: int, dbl: bool) -> tuple[int, int]:
    """Host fast path when it applies, else ``_sf_fma`` (whose docstring gives the rules)."""
    if dbl:
        r, fl = _fast_fma_d(a, b, c, rm)
        if fl >= 0:
            return r, fl
    return _sf_fma(a, b, c, rm, dbl)


# runs on FCVT.{W,WU,L,LU}.{S,D}: float to integer, saturating
@njit(cache=True, nogil=True)
def f_to_int(a: int, kind: int, rm: int, dbl: bool) -> tuple[int, int]:
    """Convert to W (kind 0), WU (1), L (2), LU (3); result as the 64-bit register value.

    F extension, table "Domains of float-to-integer conversions": out-of-range
    inputs, infinities and NaN saturate and raise NV (NaN as +inf); otherwise NX
    when the rounded result differs from the operand.  W and WU results are
    sign-extended from 32 bits.
    """
    cl, s, e, sig = _unpack(a, dbl)
    if cl == CLS_ZERO:
        return 0, 0
    if cl == CLS_FINITE:
        kept = -1
        st = 0
        if e == 63:
            if kind == 3 and s == 0:
                return ((sig << 1) & M63) | SIGN64, 0
            if kind == 2 and s == 1 and sig == (1 << 62):
                return SIGN64, 0
        elif e < 63:
            kept, st = _round_state(sig, 62 - e)
            kept += _round_inc(kept, st, s, rm)
        if kept >= 0:
            ok = True
            if s == 0:
                if kind == 0:
                    ok = kept <= M31
                elif kind == 1:
                    ok = kept <= M32
                val = kept
            else:
                if kind == 1 or kind == 3:
                    ok = kept == 0
                elif kind == 0:
                    ok = kept <= (1 << 31)
                val = -kept
            if ok:
                if kind <= 1:
                    val = sext32(val)
                return val, (NX if st != 0 else 0)
    # saturate: NaN behaves as +inf
    neg = s == 1 and cl != CLS_QNAN and cl != CLS_SNAN
    if kind == 0:
        return (-(1 << 31) if neg else M31), NV
    if kind == 1:
        return (0 if neg else -1), NV
    if kind == 2:
        return (SIGN64 if neg else M63), NV
    return (0 if neg else -1), NV


# runs on FCVT.{S,D}.{W,WU,L,LU}: integer register value to float
@njit(cache=True, nogil=True)
def int_to_f(v: int, kind: int, rm: int, dbl: bool) -> tuple[int, int]:
    """Convert the W (kind 0), WU (1), L (2) or LU (3) interpretation of v, rounding per rm."""
    sign = 0
    if kind == 0:
        v = sext32(v)
    elif kind == 1:
        v = v & M32
    if kind == 3 and v < 0:
        return _round_pack(0, 63, ((v >> 1) & M63) | (v & 1), rm, dbl)
    if v == SIGN64:
        return _round_pack(1, 63, 1 << 62, rm, dbl)
    if v < 0:
        sign = 1
        v = -v
    if v == 0:
        return 0, 0
    n = _bitlen(v)
    return _round_pack(sign, n - 1, v << (63 - n), rm, dbl)


# runs on FCVT.S.D and FCVT.D.S: between the two formats
@njit(cache=True, nogil=True)
def f_to_f(a: int, to_dbl: bool, rm: int) -> tuple[int, int]:
    """Convert binary32 <-> binary64; NaNs become the canonical NaN of the result format."""
    cl, s, e, sig = _unpack(a, not to_dbl)
    if cl >= CLS_QNAN:
        return (CANON_D if to_dbl else CANON_S), (NV if cl == CLS_SNAN else 0)
    if cl == CLS_INF:
        return _inf(s, to_dbl), 0
    if cl == CLS_ZERO:
        return _zero(s, to_dbl), 0
    return _round_pack(s, e, sig, rm, to_dbl)


# runs on FEQ/FLT/FLE: ordering key of a non-NaN value (signed magnitude to integer)
@njit(cache=True, nogil=True)
def _order_key(a: int, dbl: bool) -> int:
    if dbl:
        mag = a & M63
        return -mag if a < 0 else mag
    mag = a & M31
    return -mag if (a >> 31) & 1 else mag


# runs on FEQ (op 2), FLT (op 1), FLE (op 0): 0/1 and flags
@njit(cache=True, nogil=True)
def f_compare(a: int, b: int, op: int, dbl: bool) -> tuple[int, int]:
    """F extension, "Single-Precision Floating-Point Compare Instructions".

    FEQ is quiet (NV only for a signalling NaN); FLT and FLE signal on any NaN;
    the result is 0 if either operand is NaN.  +0 and -0 compare equal.
    """
    if _is_nan(a, dbl) or _is_nan(b, dbl):
        if op == 2:
            return 0, (NV if (_is_snan(a, dbl) or _is_snan(b, dbl)) else 0)
        return 0, NV
    ka = _order_key(a, dbl)
    kb = _order_key(b, dbl)
    if op == 2:
        r = ka == kb
    elif op == 1:
        r = ka < kb
    else:
        r = ka <= kb
    return (1 if r else 0), 0


# runs on FMIN/FMAX: minimumNumber / maximumNumber
@njit(cache=True, nogil=True)
def f_minmax(a: int, b: int, is_max: bool, dbl: bool) -> tuple[int, int]:
    """F extension, FMIN/FMAX (version 2.2, IEEE 754-2019 minimumNumber/maximumNumber).

    -0 is less than +0; one NaN operand yields the other operand, two yield the
    canonical NaN; a signalling NaN operand raises NV.
    """
    na = _is_nan(a, dbl)
    nb = _is_nan(b, dbl)
    fl = NV if (_is_snan(a, dbl) or _is_snan(b, dbl)) else 0
    if na and nb:
        return (CANON_D if dbl else CANON_S), fl
    if na:
        return b, fl
    if nb:
        return a, fl
    ka = _order_key(a, dbl)
    kb = _order_key(b, dbl)
    if ka == kb:
        a_neg = (a < 0) if dbl else ((a >> 31) & 1) == 1
        if is_max:
            return (b if a_neg else a), 0
        return (a if a_neg else b), 0
    if is_max:
        return (a if ka > kb else b), 0
    return (a if ka < kb else b), 0


# runs on FCLASS: the one-hot class mask
@njit(cache=True, nogil=True)
def f_classify(a: int, dbl: bool) -> int:
    """F extension, table "Format of result of FCLASS instruction"."""
    if dbl:
        neg = a < 0
        e = (a >> 52) & 0x7FF
        fr = a & FRAC52
        emax_field = 0x7FF
        qbit = (fr >> 51) & 1
    else:
        neg = ((a >> 31) & 1) == 1
        e = (a >> 23) & 0xFF
        fr = a & FRAC23
        emax_field = 0xFF
        qbit = (fr >> 22) & 1
    if e == emax_field:
        if fr == 0:
            return 1 if neg else 1 << 7
        return 1 << 9 if qbit else 1 << 8
    if e == 0:
        if fr == 0:
            return 1 << 3 if neg else 1 << 4
        return 1 << 2 if neg else 1 << 5
    return 1 << 1 if neg else 1 << 6


# ============================================================================
# instruction execution: scalar decode-and-compute, then one place touching arrays
# ============================================================================


# runs on every FP source operand read in format dbl: raw register bits to operand bits
@njit(cache=True, nogil=True)
def _src(raw: int, dbl: bool) -> int:
    return raw if dbl else unbox32(raw)


# runs on every FP result in format dbl: operand bits to register bits
@njit(cache=True, nogil=True)
def _dst(bits: int, dbl: bool) -> int:
    return bits if dbl else nan_box32(bits)


# runs on OP-FP arithmetic (funct5 0..3, 11): FADD, FSUB, FMUL, FDIV, FSQRT
@njit(cache=True, nogil=True)
def _op_arith(insn: int, fa: int, fb: int, rm: int, dbl: bool) -> tuple[int, int]:
    funct5 = (insn >> 27) & 31
    a = _src(fa, dbl)
    if funct5 == 11:
        if (insn >> 20) & 31 != 0:
            return ILLEGAL, 0
        r, fl = f_sqrt(a, rm, dbl)
    else:
        b = _src(fb, dbl)
        if funct5 == 0:
            r, fl = f_add(a, b, rm, dbl)
        elif funct5 == 1:
            r, fl = f_add(a, b ^ (SIGN64 if dbl else SIGN32), rm, dbl)
        elif funct5 == 2:
            r, fl = f_mul(a, b, rm, dbl)
        else:
            r, fl = f_div(a, b, rm, dbl)
    return fl | WROTE_F, _dst(r, dbl)


# runs on the R4-type opcodes: FMADD, FMSUB, FNMSUB, FNMADD
@njit(cache=True, nogil=True)
def _op_fma(insn: int, fa: int, fb: int, fc: int, rm: int, dbl: bool) -> tuple[int, int]:
    op = insn & 0x7F
    a = _src(fa, dbl)
    b = _src(fb, dbl)
    c = _src(fc, dbl)
    sbit = SIGN64 if dbl else SIGN32
    if op == 0x47:  # FMSUB: a*b - c
        c ^= sbit
    elif op == 0x4B:  # FNMSUB: -(a*b) + c
        a ^= sbit
    elif op == 0x4F:  # FNMADD: -(a*b) - c
        a ^= sbit
        c ^= sbit
    r, fl = f_fma(a, b, c, rm, dbl)
    return fl | WROTE_F, _dst(r, dbl)


# runs on the FCVT group (funct5 8, 24, 26): conversions
@njit(cache=True, nogil=True)
def _op_cvt(insn: int, fa: int, xa: int, rm: int, dbl: bool) -> tuple[int, int]:
    funct5 = (insn >> 27) & 31
    rs2 = (insn >> 20) & 31
    if funct5 == 8:  # FCVT.S.D (fmt S, rs2 = D) / FCVT.D.S (fmt D, rs2 = S)
        if (dbl and rs2 != 0) or (not dbl and rs2 != 1):
            return ILLEGAL, 0
        r, fl = f_to_f(_src(fa, not dbl), dbl, rm)
        return fl | WROTE_F, _dst(r, dbl)
    if rs2 > 3:
        return ILLEGAL, 0
    if funct5 == 24:  # FCVT.{W,WU,L,LU}.fmt
        v, fl = f_to_int(_src(fa, dbl), rs2, rm, dbl)
        return fl | WROTE_X, v
    r, fl = int_to_f(xa, rs2, rm, dbl)  # FCVT.fmt.{W,WU,L,LU}
    return fl | WROTE_F, _dst(r, dbl)


# runs on the OP-FP instructions without rounding: sign injection, min/max, compare, class, moves
@njit(cache=True, nogil=True)
def _op_misc(insn: int, fa: int, fb: int, xa: int, dbl: bool) -> tuple[int, int]:
    funct5 = (insn >> 27) & 31
    funct3 = (insn >> 12) & 7
    rs2 = (insn >> 20) & 31
    if funct5 == 4:  # FSGNJ, FSGNJN, FSGNJX: no flags, no canonicalisation
        if funct3 > 2:
            return ILLEGAL, 0
        a = _src(fa, dbl)
        b = _src(fb, dbl)
        sbit = SIGN64 if dbl else SIGN32
        if funct3 == 0:
            s = b & sbit
        elif funct3 == 1:
            s = (b ^ sbit) & sbit
        else:
            s = (a ^ b) & sbit
        return WROTE_F, _dst((a & ~sbit) | s, dbl)
    if funct5 == 5:  # FMIN, FMAX
        if funct3 > 1:
            return ILLEGAL, 0
        r, fl = f_minmax(_src(fa, dbl), _src(fb, dbl), funct3 == 1, dbl)
        return fl | WROTE_F, _dst(r, dbl)
    if funct5 == 20:  # FLE (0), FLT (1), FEQ (2)
        if funct3 > 2:
            return ILLEGAL, 0
        v, fl = f_compare(_src(fa, dbl), _src(fb, dbl), funct3, dbl)
        return fl | WROTE_X, v
    if funct5 == 28:  # FMV.X.W / FMV.X.D (funct3 0), FCLASS (funct3 1)
        if rs2 != 0 or funct3 > 1:
            return ILLEGAL, 0
        if funct3 == 0:
            return WROTE_X, (fa if dbl else sext32(fa))
        return WROTE_X, f_classify(_src(fa, dbl), dbl)
    if funct5 == 30:  # FMV.W.X / FMV.D.X
        if rs2 != 0 or funct3 != 0:
            return ILLEGAL, 0
        return WROTE_F, _dst(xa, dbl)
    return ILLEGAL, 0


# runs for every OP-FP / FMA instruction: decode and compute on register values, no state touched
@njit(cache=True, nogil=True)
def fp_compute(insn: int, fa: int, fb: int, fc: int, xa: int, fcsr: int) -> tuple[int, int]:
    """Compute one instruction from the values of f[rs1], f[rs2], f[rs3], x[rs1] and fcsr.

    Returns (code, value): code -1 for an illegal encoding, else the raised
    fflags ORed with WROTE_F (value goes to f[rd]) or WROTE_X (value goes to
    x[rd]).  mstatus.FS is not checked here.
    """
    op = insn & 0x7F
    fmt = (insn >> 25) & 3
    if fmt > 1:
        return ILLEGAL, 0
    dbl = fmt == 1
    if op == 0x53:
        funct5 = (insn >> 27) & 31
        if funct5 <= 3 or funct5 == 11 or funct5 == 8 or funct5 == 24 or funct5 == 26:
            rm = resolve_rm((insn >> 12) & 7, fcsr)
            if rm < 0:
                return ILLEGAL, 0
            if funct5 <= 3 or funct5 == 11:
                return _op_arith(insn, fa, fb, rm, dbl)
            return _op_cvt(insn, fa, xa, rm, dbl)
        return _op_misc(insn, fa, fb, xa, dbl)
    if op == 0x43 or op == 0x47 or op == 0x4B or op == 0x4F:
        rm = resolve_rm((insn >> 12) & 7, fcsr)
        if rm < 0:
            return ILLEGAL, 0
        return _op_fma(insn, fa, fb, fc, rm, dbl)
    return ILLEGAL, 0


# runs for every OP-FP / FMA instruction the engine decodes: the FPU's entry point
@njit(cache=True, nogil=True)
def fp_execute(insn: int, h: int, x: np.ndarray, f: np.ndarray, csr: np.ndarray) -> int:
    """Execute one F/D computational instruction of hart h; 0 = done, 1 = illegal instruction.

    Illegal: mstatus.FS is Off (privileged ISA, "Extension Context Status in
    mstatus"), an unknown encoding, fmt H or Q, or a reserved rounding mode
    (static 101/110 or dynamic with frm 101..111).  On success, raised flags
    are accrued into fcsr.fflags, and mstatus.FS becomes Dirty (with SD) when
    an f register or fflags was written.  x[h, 0] is never written.

    Cost note: Numba reference-counts array arguments of a call that itself makes
    further calls (about 40 ns here).  A hot loop that already holds the arrays
    can call ``fp_compute`` and apply its result inline, as this function does.
    """
    ms = csr[h, CSR_MSTATUS]
    if (ms & MSTATUS_FS) == 0:
        return 1
    fcsr = csr[h, CSR_FCSR]
    code, val = fp_compute(insn, int(f[h, (insn >> 15) & 31]), int(f[h, (insn >> 20) & 31]),
                           int(f[h, (insn >> 27) & 31]), int(x[h, (insn >> 15) & 31]), int(fcsr))
    if code < 0:
        return 1
    rd = (insn >> 7) & 31
    if code & WROTE_F:
        f[h, rd] = val
    elif rd != 0:
        x[h, rd] = val
    fl = code & 31
    if fl != 0:
        csr[h, CSR_FCSR] = fcsr | fl
    if code & (WROTE_F | 31):
        csr[h, CSR_MSTATUS] = ms | FS_DIRTY | SIGN64
    return 0
