/* RV64F: single precision, rounding modes, fflags/frm/fcsr, NaN boxing, FS. */
#include "fp.h"

#define ONE     0x3f800000
#define TWO     0x40000000
#define THREE   0x40400000
#define HALF    0x3f000000
#define MONE    0xbf800000
#define P2M24   0x33800000      /* 2^-24: half an ulp of 1.0 */
#define P2M25   0x33000000      /* 2^-25: a quarter ulp */
#define P2M24Q  0x33a00000      /* 1.25 * 2^-24: 0.625 ulp */
#define MAXF    0x7f7fffff
#define INF     0x7f800000
#define NINF    0xff800000
#define SNAN    0x7f800001
#define MZERO   0x80000000

TEST_BEGIN
    /* ---- add/sub and every static rounding mode ---- */
    TEST_F_RR   1, s, fadd.s, rne, THREE, 0, ONE, TWO
    TEST_F_RR   2, s, fadd.s, rne, ONE,        NX, ONE, P2M24      /* tie -> even */
    TEST_F_RR   3, s, fadd.s, rtz, ONE,        NX, ONE, P2M24
    TEST_F_RR   4, s, fadd.s, rdn, ONE,        NX, ONE, P2M24
    TEST_F_RR   5, s, fadd.s, rup, 0x3f800001, NX, ONE, P2M24
    TEST_F_RR   6, s, fadd.s, rmm, 0x3f800001, NX, ONE, P2M24      /* tie -> away */
    TEST_F_RR   7, s, fadd.s, rne, MONE,       NX, MONE, 0xb3800000
    TEST_F_RR   8, s, fadd.s, rtz, MONE,       NX, MONE, 0xb3800000
    TEST_F_RR   9, s, fadd.s, rdn, 0xbf800001, NX, MONE, 0xb3800000
    TEST_F_RR  10, s, fadd.s, rup, MONE,       NX, MONE, 0xb3800000
    TEST_F_RR  11, s, fadd.s, rmm, 0xbf800001, NX, MONE, 0xb3800000
    TEST_F_RR  12, s, fadd.s, rne, ONE,        NX, ONE, P2M25
    TEST_F_RR  13, s, fadd.s, rmm, ONE,        NX, ONE, P2M25
    TEST_F_RR  14, s, fadd.s, rup, 0x3f800001, NX, ONE, P2M25
    TEST_F_RR  15, s, fadd.s, rne, 0x3f800001, NX, ONE, P2M24Q
    TEST_F_RR  16, s, fadd.s, rtz, ONE,        NX, ONE, P2M24Q
    TEST_F_RR  17, s, fsub.s, rne, 0,     0, ONE, ONE
    TEST_F_RR  18, s, fsub.s, rdn, MZERO, 0, ONE, ONE              /* x - x = -0 in RDN */
    TEST_F_RR  19, s, fsub.s, rne, QNAN_S, NV, INF, INF
    TEST_F_RR  20, s, fsub.s, rne, 0xc0000000, 0, ONE, THREE
    /* ---- multiply: overflow in each direction ---- */
    TEST_F_RR  21, s, fmul.s, rne, 0x41700000, 0, THREE, 0x40a00000
    TEST_F_RR  22, s, fmul.s, rne, INF,  OF|NX, MAXF, TWO
    TEST_F_RR  23, s, fmul.s, rtz, MAXF, OF|NX, MAXF, TWO
    TEST_F_RR  24, s, fmul.s, rdn, MAXF, OF|NX, MAXF, TWO
    TEST_F_RR  25, s, fmul.s, rup, INF,  OF|NX, MAXF, TWO
    TEST_F_RR  26, s, fmul.s, rup, 0xff7fffff, OF|NX, 0xff7fffff, TWO
    TEST_F_RR  27, s, fmul.s, rne, QNAN_S, NV, INF, 0
    /* ---- subnormals and underflow ---- */
    TEST_F_RR  28, s, fmul.s, rne, 0x00400000, UF|NX, 0x00800001, HALF
    TEST_F_RR  29, s, fmul.s, rne, 0x00400000, 0, 0x00800000, HALF  /* exact: no UF */
    TEST_F_RR  30, s, fadd.s, rne, 0x00000002, 0, 0x00000001, 0x00000001
    TEST_F_RR  31, s, fmul.s, rne, 0x00800000, 0, 0x00000001, 0x4b000000
    TEST_F_RR  32, s, fmul.s, rne, 0,          UF|NX, 0x00000001, HALF
    TEST_F_RR  33, s, fmul.s, rup, 0x00000001, UF|NX, 0x00000001, HALF
    TEST_F_RR  34, s, fsub.s, rne, 0x00000001, 0, 0x00800001, 0x00800000
    /* ---- divide and square root ---- */
    TEST_F_RR  35, s, fdiv.s, rne, 0x3eaaaaab, NX, ONE, THREE
    TEST_F_RR  36, s, fdiv.s, rtz, 0x3eaaaaaa, NX, ONE, THREE
    TEST_F_RR  37, s, fdiv.s, rup, 0x3eaaaaab, NX, ONE, THREE
    TEST_F_RR  38, s, fdiv.s, rdn, 0xbeaaaaab, NX, MONE, THREE
    TEST_F_RR  39, s, fdiv.s, rne, INF,  DZ, ONE, 0
    TEST_F_RR  40, s, fdiv.s, rne, NINF, DZ, MONE, 0
    TEST_F_RR  41, s, fdiv.s, rne, QNAN_S, NV, 0, 0
    TEST_F_RR  42, s, fdiv.s, rne, QNAN_S, NV, INF, INF
    TEST_F_RR  43, s, fdiv.s, rne, 0, 0, ONE, INF
    TEST_F_R   44, s, s, fsqrt.s, rne, TWO, 0, 0x40800000
    TEST_F_R   45, s, s, fsqrt.s, rne, 0x3fb504f3, NX, TWO
    TEST_F_R   46, s, s, fsqrt.s, rup, 0x3fb504f4, NX, TWO
    TEST_F_R   47, s, s, fsqrt.s, rne, QNAN_S, NV, MONE
    TEST_F_R   48, s, s, fsqrt.s, rne, MZERO, 0, MZERO
    TEST_F_R   49, s, s, fsqrt.s, rne, INF, 0, INF
    /* ---- NaN results are canonical; signaling NaNs raise NV ---- */
    TEST_F_RR  50, s, fadd.s, rne, QNAN_S, 0,  0x7fc12345, ONE
    TEST_F_RR  51, s, fadd.s, rne, QNAN_S, NV, SNAN, ONE
    TEST_F_RR  52, s, fmul.s, rne, QNAN_S, 0,  0xffc00000, TWO
    TEST_F_RR  53, s, fdiv.s, rne, QNAN_S, NV, ONE, 0xff800123
    /* ---- fused multiply-add: one rounding ---- */
    TEST_F_RR  54, s, fmul.s,   rne, 0x3f801000, NX, 0x3f800800, 0x3f800800
    TEST_F_RRR 55, s, fmadd.s,  rne, 0x33800000, 0, 0x3f800800, 0x3f800800, 0xbf801000
    TEST_F_RRR 56, s, fmsub.s,  rne, 0x33800000, 0, 0x3f800800, 0x3f800800, 0x3f801000
    TEST_F_RRR 57, s, fnmsub.s, rne, 0xb3800000, 0, 0x3f800800, 0x3f800800, 0x3f801000
    TEST_F_RRR 58, s, fnmadd.s, rne, 0xb3800000, 0, 0x3f800800, 0x3f800800, 0xbf801000
    TEST_F_RRR 59, s, fmadd.s,  rne, 0x41200000, 0, TWO, THREE, 0x40800000
    TEST_F_RRR 60, s, fmadd.s,  rne, QNAN_S, NV, INF, 0, QNAN_S    /* inf*0 + qNaN: NV */
    TEST_F_RRR 61, s, fmadd.s,  rdn, MZERO, 0, ONE, ONE, MONE
    TEST_F_RRR 62, s, fmadd.s,  rne, 0, 0, ONE, ONE, MONE
    TEST_F_RRR 63, s, fmadd.s,  rne, NINF, 0, MAXF, TWO, NINF      /* no overflow inside */
    TEST_F_RRR 64, s, fnmadd.s, rne, 0xc1200000, 0, TWO, THREE, 0x40800000
    /* ---- min / max: signed zeros and NaNs ---- */
    TEST_F_NR  65, s, fmin.s, MZERO, 0, MZERO, 0
    TEST_F_NR  66, s, fmin.s, MZERO, 0, 0, MZERO
    TEST_F_NR  67, s, fmax.s, 0,     0, MZERO, 0
    TEST_F_NR  68, s, fmax.s, 0,     0, 0, MZERO
    TEST_F_NR  69, s, fmin.s, ONE,   0,  QNAN_S, ONE
    TEST_F_NR  70, s, fmax.s, ONE,   NV, SNAN, ONE
    TEST_F_NR  71, s, fmax.s, QNAN_S, 0, 0x7fc00001, 0xffc00002
    TEST_F_NR  72, s, fmin.s, QNAN_S, NV, SNAN, QNAN_S
    TEST_F_NR  73, s, fmin.s, NINF,  0, NINF, ONE
    TEST_F_NR  74, s, fmax.s, TWO,   0, MONE, TWO
    /* ---- sign injection (no canonicalisation, no flags) ---- */
    TEST_F_NR  75, s, fsgnj.s,  MONE, 0, ONE, 0xc0000000
    TEST_F_NR  76, s, fsgnjn.s, ONE,  0, ONE, 0xc0000000
    TEST_F_NR  77, s, fsgnjx.s, ONE,  0, MONE, 0xc0000000
    TEST_F_NR  78, s, fsgnjx.s, MONE, 0, MONE, TWO
    TEST_F_NR  79, s, fsgnj.s,  0xff800001, 0, SNAN, MONE
    /* ---- compares ---- */
    TEST_F_CMP 80, s, feq.s, 0, 0,  QNAN_S, ONE
    TEST_F_CMP 81, s, flt.s, 0, NV, QNAN_S, ONE
    TEST_F_CMP 82, s, fle.s, 0, NV, ONE, QNAN_S
    TEST_F_CMP 83, s, feq.s, 0, NV, SNAN, ONE
    TEST_F_CMP 84, s, feq.s, 1, 0, MZERO, 0
    TEST_F_CMP 85, s, flt.s, 0, 0, MZERO, 0
    TEST_F_CMP 86, s, fle.s, 1, 0, MZERO, 0
    TEST_F_CMP 87, s, flt.s, 1, 0, MONE, ONE
    TEST_F_CMP 88, s, fle.s, 0, 0, TWO, ONE
    TEST_F_CMP 89, s, flt.s, 1, 0, NINF, INF
    /* ---- float -> integer: rounding, saturation, NV ---- */
    TEST_F_TOX 90, s, fcvt.w.s, rne, 2, NX, 0x3fc00000               /* 1.5 */
    TEST_F_TOX 91, s, fcvt.w.s, rne, 2, NX, 0x40200000               /* 2.5 */
    TEST_F_TOX 92, s, fcvt.w.s, rmm, 3, NX, 0x40200000
    TEST_F_TOX 93, s, fcvt.w.s, rtz, -1, NX, 0xbfc00000              /* -1.5 */
    TEST_F_TOX 94, s, fcvt.w.s, rdn, -2, NX, 0xbfc00000
    TEST_F_TOX 95, s, fcvt.w.s, rup, -1, NX, 0xbfc00000
    TEST_F_TOX 96, s, fcvt.w.s, rtz, 0x7fffffff, NV, 0x4f32d05e     /* 3e9 */
    TEST_F_TOX 97, s, fcvt.w.s, rtz, 0xffffffff80000000, NV, 0xcf32d05e
    TEST_F_TOX 98, s, fcvt.w.s, rtz, 0x7fffffff, NV, QNAN_S
    TEST_F_TOX 99, s, fcvt.w.s, rtz, 0x7fffffff, NV, INF
    TEST_F_TOX 100, s, fcvt.w.s, rtz, 0xffffffff80000000, NV, NINF
    TEST_F_TOX 101, s, fcvt.w.s, rtz, 0xffffffff80000000, 0, 0xcf000000 /* -2^31 exact */
    TEST_F_TOX 102, s, fcvt.wu.s, rtz, 0, NV, MONE
    TEST_F_TOX 103, s, fcvt.wu.s, rtz, 0, NX, 0xbf000000             /* -0.5 -> 0 */
    TEST_F_TOX 104, s, fcvt.wu.s, rup, 0, NV, 0xbfc00000             /* -1.5 -> -1 */
    TEST_F_TOX 105, s, fcvt.wu.s, rtz, 0xffffffffee6b2800, 0, 0x4f6e6b28 /* 4e9, sign-extended */
    TEST_F_TOX 106, s, fcvt.wu.s, rtz, 0xffffffffffffffff, NV, QNAN_S
    TEST_F_TOX 107, s, fcvt.wu.s, rtz, 0xffffffffffffffff, NV, 0x4f800000 /* 2^32 */
    TEST_F_TOX 108, s, fcvt.l.s, rtz, 0x7fffffffffffffff, NV, 0x5f000000 /* 2^63 */
    TEST_F_TOX 109, s, fcvt.l.s, rtz, 0x8000000000000000, 0, 0xdf000000
    TEST_F_TOX 110, s, fcvt.l.s, rtz, 0x8000000000000000, NV, NINF
    TEST_F_TOX 111, s, fcvt.l.s, rtz, 0x7fffffffffffffff, NV, QNAN_S
    TEST_F_TOX 112, s, fcvt.lu.s, rtz, 0x8000000000000000, 0, 0x5f000000
    TEST_F_TOX 113, s, fcvt.lu.s, rtz, 0, NV, NINF
    TEST_F_TOX 114, s, fcvt.lu.s, rtz, 0xffffffffffffffff, NV, QNAN_S
    TEST_F_TOX 115, s, fcvt.l.s, rne, -2, NX, 0xc0200000             /* -2.5: tie -> even */
    /* ---- integer -> float ---- */
    TEST_F_FROMX 116, s, fcvt.s.w,  rne, MONE, 0, -1
    TEST_F_FROMX 117, s, fcvt.s.w,  rne, 0xcf000000, 0, 0x80000000
    TEST_F_FROMX 118, s, fcvt.s.wu, rne, 0x4f800000, NX, 0xffffffff
    TEST_F_FROMX 119, s, fcvt.s.wu, rtz, 0x4f7fffff, NX, 0xffffffff
    TEST_F_FROMX 120, s, fcvt.s.l,  rne, 0x4b800000, NX, 0x1000001  /* 2^24+1: tie -> even */
    TEST_F_FROMX 121, s, fcvt.s.l,  rup, 0x4b800001, NX, 0x1000001
    TEST_F_FROMX 122, s, fcvt.s.lu, rne, 0x5f800000, NX, 0xffffffffffffffff
    TEST_F_FROMX 123, s, fcvt.s.l,  rne, 0xdf000000, 0, 0x8000000000000000
    TEST_F_FROMX 124, s, fcvt.s.w,  rne, THREE, 0, 0x1234567800000003 /* upper bits ignored */
    /* ---- fclass: one bit per class ---- */
    TEST_F_CLASS 125, s, 0x001, NINF
    TEST_F_CLASS 126, s, 0x002, MONE
    TEST_F_CLASS 127, s, 0x004, 0x80000001
    TEST_F_CLASS 128, s, 0x008, MZERO
    TEST_F_CLASS 129, s, 0x010, 0
    TEST_F_CLASS 130, s, 0x020, 0x007fffff
    TEST_F_CLASS 131, s, 0x040, ONE
    TEST_F_CLASS 132, s, 0x080, INF
    TEST_F_CLASS 133, s, 0x100, SNAN
    TEST_F_CLASS 134, s, 0x200, QNAN_S
    TEST_F_CLASS 135, s, 0x100, 0xffbfffff
    /* ---- moves: fmv.x.w sign-extends; transfers are not canonicalised ---- */
    li gp, 136
    li a1, 0x80000000
    fmv.w.x fa1, a1
    fmv.x.w a3, fa1
    CHECK 136, a3, 0xffffffff80000000
    li a1, 0x12345678ffc00001                  /* upper bits of rs1 ignored */
    fmv.w.x fa1, a1
    fmv.x.d a3, fa1
    CHECK 137, a3, 0xffffffffffc00001          /* NaN-boxed, payload kept */
    la a2, fdata
    flw fa2, 0(a2)
    fmv.x.d a3, fa2
    CHECK 138, a3, 0xffffffff3fc00000          /* flw NaN-boxes */
    li a1, SNAN
    fmv.w.x fa1, a1
    fsw fa1, 8(a2)
    lwu a3, 8(a2)
    CHECK 139, a3, SNAN                        /* fsw keeps the bits */
    flw fa3, 12(a2)
    fsw fa3, 16(a2)
    lw a3, 16(a2)
    CHECK 140, a3, 0xffffffffbf800000
    TEST_F_RR 141, s, fadd.s, rne, THREE, 0, ONE, TWO
    fmv.x.d a3, fa3
    CHECK 142, a3, 0xffffffff40400000          /* results are NaN-boxed */

    /* ---- improperly NaN-boxed inputs read as the canonical NaN ---- */
    li gp, 143
    li a1, 0x000000003f800000
    fmv.d.x fa1, a1                            /* 1.0f, not boxed */
    li a1, 0xffffffffbf800000
    fmv.d.x fa2, a1                            /* -1.0f, boxed */
    csrw fflags, zero
    fadd.s fa3, fa1, fa2
    csrr a4, fflags
    FPOUT_s a3, fa3
    CHECK 143, a3, QNAN_S
    CHECK 144, a4, 0
    fmv.x.d a3, fa3
    CHECK 145, a3, 0xffffffff7fc00000
    fsgnj.s fa3, fa1, fa2                      /* canonical NaN, sign of rs2 */
    fmv.x.d a3, fa3
    CHECK 146, a3, 0xffffffffffc00000
    fsgnj.s fa3, fa2, fa1                      /* sign of the canonical NaN: + */
    fmv.x.d a3, fa3
    CHECK 147, a3, 0xffffffff3f800000
    fclass.s a3, fa1
    CHECK 148, a3, 0x200
    fcvt.d.s fa3, fa1
    fmv.x.d a3, fa3
    CHECK 149, a3, QNAN_D
    csrw fflags, zero
    fcvt.w.s a3, fa1, rtz
    csrr a4, fflags
    CHECK 150, a3, 0x7fffffff
    CHECK 151, a4, NV
    fmv.x.w a3, fa1                            /* transfer: low 32 bits as they are */
    CHECK 152, a3, 0x3f800000
    la a2, fdata
    fsw fa1, 20(a2)
    lwu a3, 20(a2)
    CHECK 153, a3, 0x3f800000
    li a1, 0xfffffffe3f800000                  /* one upper bit clear: not boxed */
    fmv.d.x fa1, a1
    csrw fflags, zero
    fmul.s fa3, fa1, fa2
    FPOUT_s a3, fa3
    CHECK 154, a3, QNAN_S
    feq.s a3, fa1, fa1
    CHECK 155, a3, 0
    csrr a4, fflags
    CHECK 156, a4, 0

    /* ---- dynamic rounding through frm ---- */
    li gp, 157
    csrwi frm, 3                               /* RUP */
    TEST_F_RR 157, s, fadd.s, dyn, 0x3f800001, NX, ONE, P2M25
    TEST_F_RR 158, s, fadd.s, rtz, ONE, NX, ONE, P2M25   /* static overrides frm */
    csrwi frm, 4                               /* RMM */
    TEST_F_RR 159, s, fadd.s, dyn, 0x3f800001, NX, ONE, P2M24
    csrwi frm, 2                               /* RDN */
    TEST_F_RR 160, s, fadd.s, dyn, 0xbf800001, NX, MONE, 0xb3800000
    TEST_F_RR 161, s, fsub.s, dyn, MZERO, 0, TWO, TWO
    csrwi frm, 1                               /* RTZ */
    TEST_F_TOX 162, s, fcvt.w.s, dyn, -1, NX, 0xbfc00000
    TEST_F_R 163, s, s, fsqrt.s, dyn, 0x3fb504f3, NX, TWO
    csrwi frm, 0
    TEST_F_RR 164, s, fadd.s, dyn, ONE, NX, ONE, P2M24

    /* ---- fflags, frm and fcsr are views of one register ---- */
    li gp, 165
    csrw fcsr, zero
    FPIN_s fa1, ONE
    fmv.w.x fa2, zero
    fdiv.s fa3, fa1, fa2                       /* DZ */
    FPIN_s fa2, P2M25
    fadd.s fa3, fa1, fa2                       /* NX, accrued */
    csrr a3, fflags
    CHECK 165, a3, DZ|NX
    csrwi frm, 2
    csrr a3, fcsr
    CHECK 166, a3, (2 << 5) | DZ | NX
    li a1, 0x63
    csrw fcsr, a1
    csrr a3, frm
    CHECK 167, a3, 3
    csrr a3, fflags
    CHECK 168, a3, 3
    csrrwi a3, fflags, 0x1f
    CHECK 169, a3, 3
    csrr a3, fcsr
    CHECK 170, a3, 0x7f
    csrrci a3, fflags, NX|UF
    CHECK 171, a3, 0x1f
    csrrsi a3, frm, 4
    CHECK 172, a3, 3
    csrr a3, fcsr
    CHECK 173, a3, (7 << 5) | 0x1c
    csrw fcsr, zero
    csrr a3, fcsr
    CHECK 174, a3, 0

    /* ---- reserved rounding modes are illegal ---- */
    li gp, 175
    csrwi frm, 5
    TEST_ILLEGAL 175, 3, fadd.s fa3, fa1, fa2, dyn
    csrwi frm, 7
    TEST_ILLEGAL 176, 3, fmul.s fa3, fa1, fa2, dyn
    csrwi frm, 0
    /* fadd.s fa3, fa1, fa2 with rm = 101 and 110 encoded in the instruction */
    TEST_ILLEGAL 177, 3, .word (12 << 20) | (11 << 15) | (5 << 12) | (13 << 7) | 0x53
    TEST_ILLEGAL 178, 3, .word (12 << 20) | (11 << 15) | (6 << 12) | (13 << 7) | 0x53
    TEST_NOEXC 179, fadd.s fa3, fa1, fa2, dyn

    /* ---- mstatus.FS: Off makes FP instructions illegal, writes set Dirty ---- */
    li gp, 180
    li a1, MSTATUS_FS
    csrc mstatus, a1
    TEST_ILLEGAL 180, 3, fadd.s fa3, fa1, fa2
    TEST_ILLEGAL 181, 3, flw fa3, 0(a2)
    TEST_ILLEGAL 182, 3, fsw fa3, 0(a2)
    TEST_ILLEGAL 183, 3, fmv.x.w a3, fa1
    TEST_ILLEGAL 184, 3, fmv.w.x fa1, a3
    TEST_ILLEGAL 185, 3, csrr a3, fflags
    TEST_ILLEGAL 186, 3, csrw frm, a3
    TEST_ILLEGAL 187, 3, csrr a3, fcsr
    TEST_ILLEGAL 188, 3, fcvt.w.s a3, fa1
    TEST_ILLEGAL 189, 3, fmadd.s fa3, fa1, fa2, fa1
    TEST_ILLEGAL 190, 3, fld fa3, 0(a2)
    la a2, fdata
    li a1, MSTATUS_FS_INIT                     /* Initial */
    csrs mstatus, a1
    csrr a3, mstatus
    srli a3, a3, 13
    andi a3, a3, 3
    CHECK 191, a3, 1
    fadd.s fa3, fa1, fa2                       /* writes an f register */
    csrr a3, mstatus
    srli a4, a3, 13
    andi a4, a4, 3
    CHECK 192, a4, 3                           /* Dirty */
    srli a4, a3, 63
    CHECK 193, a4, 1                           /* SD summarises it */
    li a1, MSTATUS_FS
    csrc mstatus, a1
    li a1, (2 << 13)                           /* Clean */
    csrs mstatus, a1
    csrwi fflags, 1                            /* a CSR write also dirties */
    csrr a3, mstatus
    srli a3, a3, 13
    andi a3, a3, 3
    CHECK 194, a3, 3
    TEST_END

    .data
    .align 4
fdata:
    .word 0x3fc00000, 0, 0, 0xbf800000, 0, 0, 0, 0
