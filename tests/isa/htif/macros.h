/*
 * Check macros shared by the test bodies (any environment).  Every check sets
 * TESTNUM (gp) to its number first and branches to `fail` on a mismatch; the
 * body ends with TEST_END, which supplies pass/fail.  t6 holds the expected
 * value; a check never relies on registers other than those it names.
 */
#ifndef HTIF_MACROS_H
#define HTIF_MACROS_H

/* rd = code; expect rd == val */
#define CHECK(n, rd, val, code...) \
    li TESTNUM, n; code; li t6, val; bne rd, t6, fail

#define TEST_RR(n, op, val, a, b) \
    CHECK(n, a0, val, li a1, a; li a2, b; op a0, a1, a2)

#define TEST_RI(n, op, val, a, imm) \
    CHECK(n, a0, val, li a1, a; op a0, a1, imm)

/* same-register forms: rd == rs1 == rs2 */
#define TEST_RR_SAME(n, op, val, a) \
    CHECK(n, a1, val, li a1, a; op a1, a1, a1)

/* branch taken (1) or not (0) */
#define TEST_BR(n, op, taken, a, b) \
    li TESTNUM, n; li a1, a; li a2, b; li a0, 0; op a1, a2, 1f; j 2f; 1: li a0, 1; 2: li t6, taken; bne a0, t6, fail

/* fflags after an FP operation: expect the integer result and the flags */
#define CHECK_FLAGS(n, flags) \
    li TESTNUM, n; frflags t5; li t6, flags; bne t5, t6, fail

/* FP binary op on raw bit patterns (D registers), result moved to a0 */
#define TEST_FRR_D(n, op, val, flags, a, b) \
    li TESTNUM, n; fsflags zero; li t0, a; fmv.d.x f1, t0; li t0, b; fmv.d.x f2, t0; \
    op f3, f1, f2; fmv.x.d a0, f3; li t6, val; bne a0, t6, fail; \
    frflags t5; li t6, flags; bne t5, t6, fail

/* single precision on raw 32-bit patterns (NaN-boxed by fmv.w.x) */
#define TEST_FRR_S(n, op, val, flags, a, b) \
    li TESTNUM, n; fsflags zero; li t0, a; fmv.w.x f1, t0; li t0, b; fmv.w.x f2, t0; \
    op f3, f1, f2; fmv.x.w a0, f3; li t6, val; addiw t6, t6, 0; bne a0, t6, fail; \
    frflags t5; li t6, flags; bne t5, t6, fail

#define TEST_FR_S(n, op, val, flags, a) \
    li TESTNUM, n; fsflags zero; li t0, a; fmv.w.x f1, t0; \
    op f3, f1; fmv.x.w a0, f3; li t6, val; addiw t6, t6, 0; bne a0, t6, fail; \
    frflags t5; li t6, flags; bne t5, t6, fail

#define TEST_FR_D(n, op, val, flags, a) \
    li TESTNUM, n; fsflags zero; li t0, a; fmv.d.x f1, t0; \
    op f3, f1; fmv.x.d a0, f3; li t6, val; bne a0, t6, fail; \
    frflags t5; li t6, flags; bne t5, t6, fail

/* FP -> integer conversion (or compare / class): integer result in a0 */
#define TEST_FX_S(n, op, val, flags, a, rm) \
    li TESTNUM, n; fsflags zero; li t0, a; fmv.w.x f1, t0; \
    op a0, f1, rm; li t6, val; bne a0, t6, fail; \
    frflags t5; li t6, flags; bne t5, t6, fail

#define TEST_FX_D(n, op, val, flags, a, rm) \
    li TESTNUM, n; fsflags zero; li t0, a; fmv.d.x f1, t0; \
    op a0, f1, rm; li t6, val; bne a0, t6, fail; \
    frflags t5; li t6, flags; bne t5, t6, fail

#define TEST_FCLASS_S(n, val, a) \
    li TESTNUM, n; li t0, a; fmv.w.x f1, t0; fclass.s a0, f1; li t6, val; bne a0, t6, fail

#define TEST_FCLASS_D(n, val, a) \
    li TESTNUM, n; li t0, a; fmv.d.x f1, t0; fclass.d a0, f1; li t6, val; bne a0, t6, fail

#define TEST_FCMP_S(n, op, val, flags, a, b) \
    li TESTNUM, n; fsflags zero; li t0, a; fmv.w.x f1, t0; li t0, b; fmv.w.x f2, t0; \
    op a0, f1, f2; li t6, val; bne a0, t6, fail; \
    frflags t5; li t6, flags; bne t5, t6, fail

#define TEST_FCMP_D(n, op, val, flags, a, b) \
    li TESTNUM, n; fsflags zero; li t0, a; fmv.d.x f1, t0; li t0, b; fmv.d.x f2, t0; \
    op a0, f1, f2; li t6, val; bne a0, t6, fail; \
    frflags t5; li t6, flags; bne t5, t6, fail

#define TEST_END \
    j pass; \
fail: RVTEST_FAIL; \
pass: RVTEST_PASS

#endif
