/*
 * Floating-point check macros.  Values are raw bit patterns; every check
 * clears fflags first and compares both the result and the new fflags.
 * The S forms move values with fmv.w.x / fmv.x.w and compare the low 32
 * bits; the D forms use fmv.d.x / fmv.x.d.  rm "none" is for the exact
 * conversions that have no rounding-mode field in the assembler syntax.
 */
#ifndef ISA_FP_H
#define ISA_FP_H
#include "test.h"

#define NV 0x10
#define DZ 0x08
#define OF 0x04
#define UF 0x02
#define NX 0x01

#define QNAN_S 0x7fc00000
#define QNAN_D 0x7ff8000000000000

.macro FPIN_s freg, bits
    li t6, \bits
    fmv.w.x \freg, t6
.endm
.macro FPIN_d freg, bits
    li t6, \bits
    fmv.d.x \freg, t6
.endm
/* result register -> a3 (single: zero-extended low 32 bits) */
.macro FPOUT_s reg, freg
    fmv.x.w \reg, \freg
    slli \reg, \reg, 32
    srli \reg, \reg, 32
.endm
.macro FPOUT_d reg, freg
    fmv.x.d \reg, \freg
.endm

/* compare a3 with exp and the flags in a4 with flags */
.macro FP_CHECK n, exp, flags
    CHECK \n, a3, \exp
    CHECK \n, a4, \flags
.endm

/* fd = op(fa, fb) with rounding mode rm */
.macro TEST_F_RR n, w, op, rm, exp, flags, a, b
    li gp, \n
    FPIN_\w fa1, \a
    FPIN_\w fa2, \b
    csrw fflags, zero
    \op fa3, fa1, fa2, \rm
    csrr a4, fflags
    FPOUT_\w a3, fa3
    FP_CHECK \n, \exp, \flags
.endm

/* fd = op(fa) with rounding mode rm (fsqrt, fcvt between formats) */
.macro TEST_F_R n, win, wout, op, rm, exp, flags, a
    li gp, \n
    FPIN_\win fa1, \a
    csrw fflags, zero
.ifc \rm, none
    \op fa3, fa1
.else
    \op fa3, fa1, \rm
.endif
    csrr a4, fflags
    FPOUT_\wout a3, fa3
    FP_CHECK \n, \exp, \flags
.endm

/* fd = op(fa, fb, fc) with rounding mode rm (fused multiply-add) */
.macro TEST_F_RRR n, w, op, rm, exp, flags, a, b, c
    li gp, \n
    FPIN_\w fa1, \a
    FPIN_\w fa2, \b
    FPIN_\w fa4, \c
    csrw fflags, zero
    \op fa3, fa1, fa2, fa4, \rm
    csrr a4, fflags
    FPOUT_\w a3, fa3
    FP_CHECK \n, \exp, \flags
.endm

/* fd = op(fa, fb) without a rounding mode (fmin, fmax, fsgnj*) */
.macro TEST_F_NR n, w, op, exp, flags, a, b
    li gp, \n
    FPIN_\w fa1, \a
    FPIN_\w fa2, \b
    csrw fflags, zero
    \op fa3, fa1, fa2
    csrr a4, fflags
    FPOUT_\w a3, fa3
    FP_CHECK \n, \exp, \flags
.endm

/* integer rd = op(fa, fb) (feq, flt, fle) */
.macro TEST_F_CMP n, w, op, exp, flags, a, b
    li gp, \n
    FPIN_\w fa1, \a
    FPIN_\w fa2, \b
    csrw fflags, zero
    \op a3, fa1, fa2
    csrr a4, fflags
    FP_CHECK \n, \exp, \flags
.endm

/* integer rd = op(fa) with rounding mode rm (fcvt.{w,wu,l,lu}.{s,d}) */
.macro TEST_F_TOX n, w, op, rm, exp, flags, a
    li gp, \n
    FPIN_\w fa1, \a
    csrw fflags, zero
    \op a3, fa1, \rm
    csrr a4, fflags
    FP_CHECK \n, \exp, \flags
.endm

/* fd = op(integer x) with rounding mode rm (fcvt.{s,d}.{w,wu,l,lu}) */
.macro TEST_F_FROMX n, w, op, rm, exp, flags, x
    li gp, \n
    li a1, \x
    csrw fflags, zero
.ifc \rm, none
    \op fa3, a1
.else
    \op fa3, a1, \rm
.endif
    csrr a4, fflags
    FPOUT_\w a3, fa3
    FP_CHECK \n, \exp, \flags
.endm

/* fclass: exp is the one-hot class mask; never sets flags */
.macro TEST_F_CLASS n, w, exp, a
    li gp, \n
    FPIN_\w fa1, \a
    csrw fflags, zero
    fclass.\w a3, fa1
    csrr a4, fflags
    FP_CHECK \n, \exp, 0
.endm

#endif
