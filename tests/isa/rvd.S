/* RV64D: double precision arithmetic, conversions, classes and moves. */
#include "fp.h"

#define ONE     0x3ff0000000000000
#define TWO     0x4000000000000000
#define THREE   0x4008000000000000
#define FOUR    0x4010000000000000
#define HALF    0x3fe0000000000000
#define MONE    0xbff0000000000000
#define P2M53   0x3ca0000000000000      /* half an ulp of 1.0 */
#define P2M54   0x3c90000000000000      /* a quarter ulp */
#define MAXD    0x7fefffffffffffff
#define INF     0x7ff0000000000000
#define NINF    0xfff0000000000000
#define SNAN    0x7ff0000000000001
#define MZERO   0x8000000000000000
#define A27     0x3ff0000002000000      /* 1 + 2^-27 */
#define A26     0x3ff0000004000000      /* 1 + 2^-26 */

TEST_BEGIN
    /* ---- add and the rounding modes ---- */
    TEST_F_RR   1, d, fadd.d, rne, THREE, 0, ONE, TWO
    TEST_F_RR   2, d, fadd.d, rne, ONE, NX, ONE, P2M53
    TEST_F_RR   3, d, fadd.d, rtz, ONE, NX, ONE, P2M53
    TEST_F_RR   4, d, fadd.d, rdn, ONE, NX, ONE, P2M53
    TEST_F_RR   5, d, fadd.d, rup, 0x3ff0000000000001, NX, ONE, P2M53
    TEST_F_RR   6, d, fadd.d, rmm, 0x3ff0000000000001, NX, ONE, P2M53
    TEST_F_RR   7, d, fadd.d, rdn, 0xbff0000000000001, NX, MONE, 0xbca0000000000000
    TEST_F_RR   8, d, fadd.d, rup, MONE, NX, MONE, 0xbca0000000000000
    TEST_F_RR   9, d, fadd.d, rmm, ONE, NX, ONE, P2M54
    TEST_F_RR  10, d, fsub.d, rdn, MZERO, 0, THREE, THREE
    TEST_F_RR  11, d, fsub.d, rne, 0, 0, THREE, THREE
    TEST_F_RR  12, d, fsub.d, rne, QNAN_D, NV, NINF, NINF
    /* ---- multiply, overflow ---- */
    TEST_F_RR  13, d, fmul.d, rne, 0x402e000000000000, 0, THREE, 0x4014000000000000
    TEST_F_RR  14, d, fmul.d, rne, INF, OF|NX, MAXD, TWO
    TEST_F_RR  15, d, fmul.d, rtz, MAXD, OF|NX, MAXD, TWO
    TEST_F_RR  16, d, fmul.d, rdn, 0xffefffffffffffff, 0, 0xffefffffffffffff, ONE
    TEST_F_RR  17, d, fmul.d, rdn, NINF, OF|NX, 0xffefffffffffffff, TWO
    TEST_F_RR  18, d, fmul.d, rne, QNAN_D, NV, 0, NINF
    /* ---- subnormals ---- */
    TEST_F_RR  19, d, fadd.d, rne, 2, 0, 1, 1
    TEST_F_RR  20, d, fmul.d, rne, 0x0008000000000000, UF|NX, 0x0010000000000001, HALF
    TEST_F_RR  21, d, fmul.d, rne, 0x0008000000000000, 0, 0x0010000000000000, HALF
    TEST_F_RR  22, d, fmul.d, rdn, 0, UF|NX, 1, HALF
    TEST_F_RR  23, d, fmul.d, rup, 1, UF|NX, 1, HALF
    TEST_F_RR  24, d, fsub.d, rne, 1, 0, 0x0010000000000001, 0x0010000000000000
    /* ---- divide, square root ---- */
    TEST_F_RR  25, d, fdiv.d, rne, 0x3fd5555555555555, NX, ONE, THREE
    TEST_F_RR  26, d, fdiv.d, rup, 0x3fd5555555555556, NX, ONE, THREE
    TEST_F_RR  27, d, fdiv.d, rtz, 0x3fd5555555555555, NX, ONE, THREE
    TEST_F_RR  28, d, fdiv.d, rdn, 0xbfd5555555555556, NX, MONE, THREE
    TEST_F_RR  29, d, fdiv.d, rne, INF, DZ, ONE, 0
    TEST_F_RR  30, d, fdiv.d, rne, NINF, DZ, ONE, MZERO
    TEST_F_RR  31, d, fdiv.d, rne, QNAN_D, NV, MZERO, 0
    TEST_F_R   32, d, d, fsqrt.d, rne, TWO, 0, FOUR
    TEST_F_R   33, d, d, fsqrt.d, rne, 0x3ff6a09e667f3bcd, NX, TWO
    TEST_F_R   34, d, d, fsqrt.d, rtz, 0x3ff6a09e667f3bcc, NX, TWO
    TEST_F_R   35, d, d, fsqrt.d, rne, MZERO, 0, MZERO
    TEST_F_R   36, d, d, fsqrt.d, rne, QNAN_D, NV, MONE
    TEST_F_R   37, d, d, fsqrt.d, rne, 0x1e60000000000000, 0, 0x0000000000000001 /* sqrt(2^-1074) = 2^-537 */
    /* ---- NaNs ---- */
    TEST_F_RR  38, d, fadd.d, rne, QNAN_D, 0, 0x7ff8000000012345, ONE
    TEST_F_RR  39, d, fadd.d, rne, QNAN_D, NV, ONE, SNAN
    TEST_F_RR  40, d, fmul.d, rne, QNAN_D, 0, 0xfff8000000000000, ONE
    /* ---- fused multiply-add ---- */
    TEST_F_RR  41, d, fmul.d,   rne, A26, NX, A27, A27
    TEST_F_RRR 42, d, fmadd.d,  rne, P2M54, 0, A27, A27, 0xbff0000004000000
    TEST_F_RRR 43, d, fmsub.d,  rne, P2M54, 0, A27, A27, A26
    TEST_F_RRR 44, d, fnmsub.d, rne, 0xbc90000000000000, 0, A27, A27, A26
    TEST_F_RRR 45, d, fnmadd.d, rne, 0xbc90000000000000, 0, A27, A27, 0xbff0000004000000
    TEST_F_RRR 46, d, fmadd.d,  rne, 0x4024000000000000, 0, TWO, THREE, FOUR
    TEST_F_RRR 47, d, fmadd.d,  rne, QNAN_D, NV, 0, NINF, QNAN_D
    TEST_F_RRR 48, d, fmadd.d,  rdn, MZERO, 0, MONE, ONE, ONE
    TEST_F_RRR 49, d, fmsub.d,  rne, INF, 0, MAXD, TWO, NINF
    /* ---- min / max ---- */
    TEST_F_NR  50, d, fmin.d, MZERO, 0, 0, MZERO
    TEST_F_NR  51, d, fmax.d, 0, 0, MZERO, 0
    TEST_F_NR  52, d, fmin.d, MONE, 0, QNAN_D, MONE
    TEST_F_NR  53, d, fmax.d, MONE, NV, MONE, SNAN
    TEST_F_NR  54, d, fmin.d, QNAN_D, 0, 0x7ff8000000000005, 0xfff8000000000000
    TEST_F_NR  55, d, fmax.d, INF, 0, INF, MAXD
    /* ---- sign injection ---- */
    TEST_F_NR  56, d, fsgnj.d,  MONE, 0, ONE, MZERO
    TEST_F_NR  57, d, fsgnjn.d, MONE, 0, ONE, 0
    TEST_F_NR  58, d, fsgnjx.d, ONE, 0, MONE, MONE
    TEST_F_NR  59, d, fsgnjn.d, 0xfff0000000000001, 0, SNAN, SNAN
    /* ---- compares ---- */
    TEST_F_CMP 60, d, feq.d, 0, 0, QNAN_D, QNAN_D
    TEST_F_CMP 61, d, feq.d, 0, NV, SNAN, ONE
    TEST_F_CMP 62, d, flt.d, 0, NV, ONE, QNAN_D
    TEST_F_CMP 63, d, fle.d, 0, NV, QNAN_D, ONE
    TEST_F_CMP 64, d, feq.d, 1, 0, 0, MZERO
    TEST_F_CMP 65, d, flt.d, 0, 0, 0, MZERO
    TEST_F_CMP 66, d, fle.d, 1, 0, MZERO, 0
    TEST_F_CMP 67, d, flt.d, 1, 0, 0x0000000000000001, 0x0000000000000002
    /* ---- double -> integer ---- */
    TEST_F_TOX 68, d, fcvt.w.d,  rtz, 0x7fffffff, NV, 0x4202a05f20000000   /* 1e10 */
    TEST_F_TOX 69, d, fcvt.w.d,  rtz, 0xffffffff80000000, NX, 0xc1e0000000100000 /* -2^31 - 0.5 */
    TEST_F_TOX 70, d, fcvt.w.d,  rdn, 0xffffffff80000000, NV, 0xc1e0000000100000
    TEST_F_TOX 71, d, fcvt.w.d,  rne, 0x7fffffff, NV, QNAN_D
    TEST_F_TOX 72, d, fcvt.wu.d, rtz, 0xffffffffffffffff, 0, 0x41efffffffe00000 /* 2^32 - 1 */
    TEST_F_TOX 73, d, fcvt.wu.d, rtz, 0xffffffffffffffff, NV, 0x41f0000000000000 /* 2^32 */
    TEST_F_TOX 74, d, fcvt.wu.d, rtz, 0, NV, NINF
    TEST_F_TOX 75, d, fcvt.l.d,  rtz, 0x7fffffffffffffff, NV, 0x43e0000000000000 /* 2^63 */
    TEST_F_TOX 76, d, fcvt.l.d,  rtz, 0x8000000000000000, 0, 0xc3e0000000000000
    TEST_F_TOX 77, d, fcvt.l.d,  rtz, 0x7fffffffffffffff, NV, SNAN
    TEST_F_TOX 78, d, fcvt.l.d,  rmm, -3, NX, 0xc004000000000000              /* -2.5 */
    TEST_F_TOX 79, d, fcvt.l.d,  rne, -2, NX, 0xc004000000000000
    TEST_F_TOX 80, d, fcvt.lu.d, rtz, 0, NV, MONE
    TEST_F_TOX 81, d, fcvt.lu.d, rtz, 0xffffffffffffffff, NV, INF
    TEST_F_TOX 82, d, fcvt.lu.d, rtz, 0xfffffffffffff800, 0, 0x43efffffffffffff
    TEST_F_TOX 83, d, fcvt.lu.d, rup, 1, NX, 0x0000000000000001
    /* ---- integer -> double ---- */
    TEST_F_FROMX 84, d, fcvt.d.w,  none, MONE, 0, -1
    TEST_F_FROMX 85, d, fcvt.d.wu, none, 0x41efffffffe00000, 0, 0xffffffffffffffff
    TEST_F_FROMX 86, d, fcvt.d.l,  rne, 0x4340000000000000, NX, 0x20000000000001 /* 2^53+1 */
    TEST_F_FROMX 87, d, fcvt.d.l,  rup, 0x4340000000000001, NX, 0x20000000000001
    TEST_F_FROMX 88, d, fcvt.d.lu, rne, 0x43f0000000000000, NX, 0xffffffffffffffff
    TEST_F_FROMX 89, d, fcvt.d.l,  rne, 0xc3e0000000000000, 0, 0x8000000000000000
    TEST_F_FROMX 90, d, fcvt.d.w,  none, 0, 0, 0
    /* ---- between formats ---- */
    TEST_F_R   91, d, s, fcvt.s.d, rne, 0x3eaaaaab, NX, 0x3fd5555555555555
    TEST_F_R   92, d, s, fcvt.s.d, rtz, 0x3eaaaaaa, NX, 0x3fd5555555555555
    TEST_F_R   93, d, s, fcvt.s.d, rne, 0x7f800000, OF|NX, 0x7e37e43c8800759c /* 1e300 */
    TEST_F_R   94, d, s, fcvt.s.d, rtz, 0x7f7fffff, OF|NX, 0x7e37e43c8800759c
    TEST_F_R   95, d, s, fcvt.s.d, rne, 0, UF|NX, 0x358dee7a4ad4b81f        /* 1e-50 */
    TEST_F_R   96, d, s, fcvt.s.d, rup, 1, UF|NX, 0x358dee7a4ad4b81f
    TEST_F_R   97, d, s, fcvt.s.d, rne, QNAN_S, 0, 0x7ff8000000012345
    TEST_F_R   98, d, s, fcvt.s.d, rne, QNAN_S, NV, SNAN
    TEST_F_R   99, d, s, fcvt.s.d, rne, 0xbfc00000, 0, 0xbff8000000000000
    TEST_F_R  100, s, d, fcvt.d.s, none, 0x3ff8000000000000, 0, 0x3fc00000
    TEST_F_R  101, s, d, fcvt.d.s, none, QNAN_D, NV, 0x7f800001
    TEST_F_R  102, s, d, fcvt.d.s, none, 0x36a0000000000000, 0, 0x00000001   /* 2^-149 exact */
    TEST_F_R  103, s, d, fcvt.d.s, none, NINF, 0, 0xff800000
    /* ---- fclass ---- */
    TEST_F_CLASS 104, d, 0x001, NINF
    TEST_F_CLASS 105, d, 0x002, MONE
    TEST_F_CLASS 106, d, 0x004, 0x8000000000000001
    TEST_F_CLASS 107, d, 0x008, MZERO
    TEST_F_CLASS 108, d, 0x010, 0
    TEST_F_CLASS 109, d, 0x020, 0x000fffffffffffff
    TEST_F_CLASS 110, d, 0x040, 0x0010000000000000
    TEST_F_CLASS 111, d, 0x080, INF
    TEST_F_CLASS 112, d, 0x100, SNAN
    TEST_F_CLASS 113, d, 0x100, 0xfff4000000000000
    TEST_F_CLASS 114, d, 0x200, QNAN_D
    TEST_F_CLASS 115, d, 0x200, 0xffffffff3f800000       /* a boxed single read as double */
    /* ---- loads, stores, moves ---- */
    li gp, 116
    la a2, ddata
    fld fa1, 0(a2)
    fmv.x.d a3, fa1
    CHECK 116, a3, 0x0123456789abcdef
    fsd fa1, 16(a2)
    ld a3, 16(a2)
    CHECK 117, a3, 0x0123456789abcdef
    fld fa2, 8(a2)
    fsd fa2, 24(a2)
    ld a3, 24(a2)
    CHECK 118, a3, SNAN                        /* no canonicalisation */
    li a1, 0xfff0000000000001
    fmv.d.x fa3, a1
    fmv.x.d a3, fa3
    CHECK 119, a3, 0xfff0000000000001
    fsw fa3, 32(a2)                            /* low half of the register */
    lwu a3, 32(a2)
    CHECK 120, a3, 1
    /* ---- dynamic rounding ---- */
    csrwi frm, 3
    TEST_F_RR 121, d, fadd.d, dyn, 0x3ff0000000000001, NX, ONE, P2M54
    csrwi frm, 2
    TEST_F_RR 122, d, fdiv.d, dyn, 0xbfd5555555555556, NX, MONE, THREE
    csrwi frm, 4
    TEST_F_RR 123, d, fadd.d, dyn, 0x3ff0000000000001, NX, ONE, P2M53
    csrwi frm, 1
    TEST_F_FROMX 124, d, fcvt.d.l, dyn, 0x4340000000000000, NX, 0x20000000000001
    csrwi frm, 0
    /* flags accrue over several operations */
    li gp, 125
    csrw fflags, zero
    FPIN_d fa1, MAXD
    FPIN_d fa2, TWO
    fmul.d fa3, fa1, fa2                       /* OF|NX */
    FPIN_d fa1, SNAN
    feq.d a3, fa1, fa1                         /* NV */
    csrr a3, fflags
    CHECK 125, a3, NV|OF|NX
    TEST_END

    .data
    .align 4
ddata:
    .dword 0x0123456789abcdef, 0x7ff0000000000001, 0, 0, 0, 0
