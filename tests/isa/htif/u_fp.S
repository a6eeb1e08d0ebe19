/*
 * F and D: arithmetic with fflags, rounding modes (static and dynamic through
 * frm), fcsr/frm/fflags as views of one register, fmv and NaN boxing, fcvt
 * saturation and NaN inputs, fmin/fmax zeros and NaNs, fclass, FMA.
 */
#include "env.h"
#include "macros.h"

#define NX 1
#define UF 2
#define OF 4
#define DZ 8
#define NV 16

#define S_ONE   0x3f800000
#define S_TWO   0x40000000
#define S_THREE 0x40400000
#define S_QNAN  0x7fc00000
#define S_SNAN  0x7f800001
#define S_INF   0x7f800000
#define S_MAX   0x7f7fffff
#define D_ONE   0x3ff0000000000000
#define D_TWO   0x4000000000000000
#define D_THREE 0x4008000000000000
#define D_QNAN  0x7ff8000000000000
#define D_SNAN  0x7ff0000000000001
#define D_INF   0x7ff0000000000000

RVTEST_CODE_BEGIN
    /* fcsr views */
    CHECK(2, a0, 0, frcsr a0)
    CHECK(3, a0, 0xff, li t0, -1; fscsr t0; frcsr a0)
    CHECK(4, a0, 0x7, frrm a0)
    CHECK(5, a0, 0x1f, frflags a0)
    CHECK(6, a0, 0x25, li t0, 0x25; fscsr a1, t0; frcsr a0; li t1, 0xff; bne a1, t1, fail)
    CHECK(7, a0, 0x45, li t0, 2; fsrm t0; frcsr a0)
    CHECK(8, a0, 0x43, fsflagsi 3; frcsr a0)
    CHECK(9, a0, 0x03, csrr a0, fflags)
    CHECK(10, a0, 0x02, csrr a0, frm)
    CHECK(11, a0, 0x00, csrw fcsr, zero; csrr a0, fcsr)
    CHECK(12, a0, 0x1f, li t0, 0xff; csrw fflags, t0; csrr a0, fflags)
    CHECK(13, a0, 0x1f, li t0, 0xff; csrw frm, t0; csrr a0, fcsr; srli a0, a0, 3)
    csrwi fcsr, 0

    /* single: flags accrue */
    TEST_FRR_S(20, fadd.s, S_THREE, 0, S_ONE, S_TWO)
    TEST_FRR_S(21, fdiv.s, 0x3eaaaaab, NX, S_ONE, S_THREE)
    TEST_FRR_S(22, fdiv.s, S_INF, DZ, S_ONE, 0)
    TEST_FRR_S(23, fmul.s, S_INF, OF | NX, S_MAX, S_TWO)
    TEST_FRR_S(24, fsub.s, S_QNAN, NV, S_INF, S_INF)
    TEST_FRR_S(25, fadd.s, S_QNAN, NV, S_SNAN, S_ONE)
    TEST_FRR_S(26, fadd.s, S_QNAN, 0, 0x7fc12345, S_ONE)
    TEST_FRR_S(27, fmul.s, 0x00000000, UF | NX, 0x00800000, 0x00800000)
    li TESTNUM, 28
    fsflags zero
    li t0, S_ONE
    fmv.w.x f1, t0
    li t0, S_THREE
    fmv.w.x f2, t0
    fmv.w.x f0, zero
    fdiv.s f3, f1, f2
    fdiv.s f3, f1, f0
    frflags a0
    li t6, NX | DZ
    bne a0, t6, fail
    /* rounding: 1/3 in each static mode */
    li TESTNUM, 31; fsflags zero; li t0, S_ONE; fmv.w.x f1, t0; li t0, S_THREE; fmv.w.x f2, t0
    fdiv.s f3, f1, f2, rne; fmv.x.w a0, f3; li t6, 0x3eaaaaab; bne a0, t6, fail
    fdiv.s f3, f1, f2, rtz; fmv.x.w a0, f3; li t6, 0x3eaaaaaa; bne a0, t6, fail
    fdiv.s f3, f1, f2, rdn; fmv.x.w a0, f3; li t6, 0x3eaaaaaa; bne a0, t6, fail
    fdiv.s f3, f1, f2, rup; fmv.x.w a0, f3; li t6, 0x3eaaaaab; bne a0, t6, fail
    fdiv.s f3, f1, f2, rmm; fmv.x.w a0, f3; li t6, 0x3eaaaaab; bne a0, t6, fail
    /* dynamic rounding via frm */
    li TESTNUM, 32; li t0, 1; fsrm t0
    fdiv.s f3, f1, f2; fmv.x.w a0, f3; li t6, 0x3eaaaaaa; bne a0, t6, fail
    li t0, 3; fsrm t0
    fdiv.s f3, f1, f2, dyn; fmv.x.w a0, f3; li t6, 0x3eaaaaab; bne a0, t6, fail
    fsrm zero
    /* fsqrt, fmin/fmax, fsgnj, fclass */
    TEST_FR_S(33, fsqrt.s, 0x40000000, 0, 0x40800000)
    TEST_FR_S(34, fsqrt.s, S_QNAN, NV, 0xbf800000)
    TEST_FRR_S(35, fmin.s, 0x80000000, 0, 0x00000000, 0x80000000)
    TEST_FRR_S(36, fmax.s, 0x00000000, 0, 0x80000000, 0x00000000)
    TEST_FRR_S(37, fmin.s, S_ONE, NV, S_SNAN, S_ONE)
    TEST_FRR_S(38, fmax.s, S_ONE, 0, S_QNAN, S_ONE)
    TEST_FRR_S(39, fmin.s, S_QNAN, 0, S_QNAN, 0x7fc00001)
    TEST_FRR_S(40, fsgnjn.s, 0xbf800000, 0, S_ONE, S_ONE)
    TEST_FRR_S(41, fsgnjx.s, 0xbf800000, 0, 0xbf800000, S_ONE)
    TEST_FCLASS_S(42, 0x200, S_QNAN)
    TEST_FCLASS_S(43, 0x100, S_SNAN)
    TEST_FCLASS_S(44, 0x001, 0xff800000)
    TEST_FCLASS_S(45, 0x008, 0x80000000)
    TEST_FCLASS_S(46, 0x020, 0x00000001)
    TEST_FCLASS_S(47, 0x004, 0x80000001)
    /* compares: feq quiet, flt/fle signalling */
    TEST_FCMP_S(48, feq.s, 0, 0, S_QNAN, S_ONE)
    TEST_FCMP_S(49, feq.s, 0, NV, S_SNAN, S_ONE)
    TEST_FCMP_S(50, flt.s, 0, NV, S_QNAN, S_ONE)
    TEST_FCMP_S(51, fle.s, 1, 0, 0x80000000, 0)
    /* conversions to integer */
    TEST_FX_S(52, fcvt.w.s, 0x7fffffff, NV, S_QNAN, rtz)
    TEST_FX_S(53, fcvt.w.s, 0xffffffff80000000, NV, 0xff800000, rtz)
    TEST_FX_S(54, fcvt.wu.s, 0, NV, 0xbf800000, rtz)
    TEST_FX_S(55, fcvt.wu.s, 0, NX, 0xbf000000, rtz)
    TEST_FX_S(56, fcvt.wu.s, 0xffffffffffffffff, NV, S_INF, rtz)
    TEST_FX_S(57, fcvt.l.s, 0x7fffffffffffffff, NV, S_SNAN, rtz)
    TEST_FX_S(58, fcvt.lu.s, 0, NV, 0xff800000, rtz)
    TEST_FX_S(59, fcvt.w.s, 0xfffffffffffffffe, NX, 0xbfc00000, rne)
    TEST_FX_S(60, fcvt.w.s, 3, NX, 0x40200000, rmm)
    TEST_FX_S(61, fcvt.wu.s, 0xffffffff80000000, 0, 0x4f000000, rtz)
    /* integer to float */
    CHECK(62, a0, 0x4f000000, li t0, 0xffffffff80000000; fcvt.s.wu f3, t0; fmv.x.w a0, f3)
    CHECK(63, a0, 0xffffffffcf000000, li t0, 0x80000000; fcvt.s.w f3, t0; fmv.x.w a0, f3)
    CHECK(64, a0, 0x5f800000, li t0, -1; fcvt.s.lu f3, t0, rup; fmv.x.w a0, f3)
    CHECK(65, a0, 0x5f7fffff, li t0, -1; fcvt.s.lu f3, t0, rtz; fmv.x.w a0, f3)
    /* fmv: sign extension and NaN boxing */
    CHECK(66, a0, 0xffffffff80000000, li t0, 0x80000000; fmv.w.x f3, t0; fmv.x.w a0, f3)
    CHECK(67, a0, 0xffffffff3f800000, li t0, S_ONE; fmv.w.x f3, t0; fmv.x.d a0, f3)
    CHECK(68, a0, 0xffffffff40000000, li t0, S_ONE; fmv.w.x f1, t0; fadd.s f3, f1, f1; fmv.x.d a0, f3)
    /* an improperly boxed single is the canonical NaN */
    CHECK(69, a0, S_QNAN, li t0, 0x000000003f800000; fmv.d.x f1, t0; fadd.s f3, f1, f1; fmv.x.w a0, f3)
    CHECK(70, a0, 0x200, li t0, 0xfffffffe3f800000; fmv.d.x f1, t0; fclass.s a0, f1)
    CHECK(71, a0, 0xffffffff7fc00000, li t0, 0xdeadbeef3f800000; fmv.d.x f1, t0; fsgnj.s f3, f1, f1; fmv.x.d a0, f3)
    /* flw boxes, fsw stores the low word */
    la s0, fdata
    CHECK(72, a0, 0xffffffff12345678, flw f3, 0(s0); fmv.x.d a0, f3)
    CHECK(73, a0, 0x12345678, li t0, 0xffffffff12345678; fmv.d.x f3, t0; fsw f3, 8(s0); lwu a0, 8(s0))
    /* FMA: single rounding */
    li TESTNUM, 74; fsflags zero
    li t0, 0x3f800001; fmv.w.x f1, t0
    li t0, 0x3f7ffffe; fmv.w.x f2, t0
    li t0, 0xbf800000; fmv.w.x f4, t0
    fmadd.s f3, f1, f2, f4
    fmv.x.w a0, f3
    /* (1+2^-23)(1-2^-23) - 1 = -2^-46 exactly: 0xa8800000 */
    li t6, 0xa8800000
    addiw t6, t6, 0
    bne a0, t6, fail
    frflags t5; bnez t5, fail
    TEST_FRR_S(75, fmul.s, S_QNAN, NV, S_INF, 0)
    li TESTNUM, 76; fsflags zero
    li t0, S_INF; fmv.w.x f1, t0; fmv.w.x f2, zero; li t0, S_QNAN; fmv.w.x f4, t0
    fmadd.s f3, f1, f2, f4; fmv.x.w a0, f3; li t6, S_QNAN; bne a0, t6, fail
    frflags t5; li t6, NV; bne t5, t6, fail
    li TESTNUM, 77; fsflags zero
    li t0, S_ONE; fmv.w.x f1, t0; li t0, S_TWO; fmv.w.x f2, t0; li t0, S_THREE; fmv.w.x f4, t0
    fnmsub.s f3, f1, f2, f4; fmv.x.w a0, f3; li t6, S_ONE; bne a0, t6, fail
    fnmadd.s f3, f1, f2, f4; fmv.x.w a0, f3; li t6, 0xc0a00000; addiw t6, t6, 0; bne a0, t6, fail
    fmsub.s f3, f1, f2, f4; fmv.x.w a0, f3; li t6, 0xbf800000; addiw t6, t6, 0; bne a0, t6, fail

    /* double */
    TEST_FRR_D(80, fadd.d, D_THREE, 0, D_ONE, D_TWO)
    TEST_FRR_D(81, fdiv.d, 0x3fd5555555555555, NX, D_ONE, D_THREE)
    TEST_FRR_D(82, fsub.d, D_QNAN, NV, D_INF, D_INF)
    TEST_FRR_D(83, fmin.d, 0x8000000000000000, 0, 0, 0x8000000000000000)
    TEST_FRR_D(84, fmax.d, D_ONE, NV, D_SNAN, D_ONE)
    TEST_FRR_D(85, fmul.d, 0x0000000000000000, UF | NX, 0x0010000000000000, 0x3c90000000000000)
    TEST_FR_D(86, fsqrt.d, 0x3ff6a09e667f3bcd, NX, D_TWO)
    TEST_FCLASS_D(87, 0x080, D_INF)
    TEST_FCLASS_D(88, 0x100, D_SNAN)
    TEST_FX_D(89, fcvt.l.d, 0x7fffffffffffffff, NV, D_QNAN, rtz)
    TEST_FX_D(90, fcvt.l.d, 0x8000000000000000, NV, 0xc3e0000000000001, rtz)
    TEST_FX_D(91, fcvt.lu.d, 0, NV, 0xbff0000000000000, rtz)
    TEST_FX_D(92, fcvt.w.d, 0x7fffffff, NV, 0x41e0000000000000, rtz)
    TEST_FX_D(93, fcvt.w.d, 0xffffffff80000000, 0, 0xc1e0000000000000, rtz)
    TEST_FX_D(94, fcvt.wu.d, 0xffffffffffffffff, 0, 0x41efffffffe00000, rtz)
    TEST_FX_D(95, fcvt.l.d, 0xfffffffffffffffe, NX, 0xc000400000000000, rne)
    TEST_FCMP_D(96, flt.d, 1, 0, 0xbff0000000000000, D_ONE)
    TEST_FCMP_D(97, fle.d, 0, NV, D_QNAN, D_ONE)
    TEST_FCMP_D(98, feq.d, 1, 0, 0x8000000000000000, 0)
    /* conversions between formats */
    TEST_FR_D(99, fcvt.s.d, 0xffffffff7fc00000, NV, D_SNAN)
    TEST_FR_D(100, fcvt.s.d, 0xffffffff3eaaaaab, NX, 0x3fd5555555555555)
    TEST_FR_D(101, fcvt.s.d, 0xffffffff7f800000, OF | NX, 0x47f0000000000000)
    CHECK(102, a0, D_QNAN, li t0, S_SNAN; fmv.w.x f1, t0; fcvt.d.s f3, f1; fmv.x.d a0, f3)
    CHECK(103, a0, 0x3ff0000000000000, li t0, S_ONE; fmv.w.x f1, t0; fcvt.d.s f3, f1; fmv.x.d a0, f3)
    CHECK(104, a0, 0x43f0000000000000, li t0, -1; fcvt.d.lu f3, t0; fmv.x.d a0, f3)
    CHECK(105, a0, 0xc3e0000000000000, li t0, 0x8000000000000000; fcvt.d.l f3, t0; fmv.x.d a0, f3)
    CHECK(106, a0, 0x41dfffffffc00000, li t0, 0x7fffffff; fcvt.d.w f3, t0; fmv.x.d a0, f3)
    CHECK(107, a0, 0x41efffffffe00000, li t0, -1; fcvt.d.wu f3, t0; fmv.x.d a0, f3)
    /* fld/fsd */
    CHECK(108, a0, 0x0123456789abcdef, li t0, 0x0123456789abcdef; fmv.d.x f5, t0; fsd f5, 16(s0); fld f6, 16(s0); fmv.x.d a0, f6)
    /* FMA double, exact */
    li TESTNUM, 109; fsflags zero
    li t0, 0x3ff0000000000001; fmv.d.x f1, t0
    li t0, 0x3fefffffffffffff; fmv.d.x f2, t0
    li t0, 0xbff0000000000000; fmv.d.x f4, t0
    fmadd.d f3, f1, f2, f4
    fmv.x.d a0, f3
    /* (1+2^-52)(1-2^-53) - 1 = 2^-53 - 2^-105, exact (a separate multiply would round) */
    li t6, 0x3c9ffffffffffffe
    bne a0, t6, fail
    frflags t5; bnez t5, fail
    /* flags accrue across instructions; fsflags returns the old value */
    CHECK(110, a0, NX | DZ, fsflags zero; li t0, D_ONE; fmv.d.x f1, t0; li t0, D_THREE; fmv.d.x f2, t0; fdiv.d f3, f1, f2; fmv.d.x f2, zero; fdiv.d f3, f1, f2; fadd.d f3, f1, f1; li t0, 0; fsflags a0, t0)
    CHECK(111, a0, 0, frflags a0)

    CHECK(112, a0, 0x20, li t0, 0x20; fscsr t0; frcsr a0)
    csrwi fcsr, 0
    TEST_END
RVTEST_CODE_END

RVTEST_DATA_BEGIN
    .align 3
fdata:
    .word 0x12345678, 0
    .dword 0, 0, 0
RVTEST_DATA_END
