/*
 * A: AMOs (.W and .D) and LR/SC loops.  Each group works on a page of its own
 * that nothing touched before, so under the "v" environment the first access
 * of each group is an AMO, an LR or an SC on an unmapped page (demand paging).
 */
#include "env.h"
#include "macros.h"

RVTEST_CODE_BEGIN
    /* first touch by an AMO */
    la s0, page1
    CHECK(2, a0, 0, li a1, 0x7fffffff; amoadd.w a0, a1, (s0))
    CHECK(3, a0, 0x7fffffff, li a1, 1; amoadd.w a0, a1, (s0))
    CHECK(4, a0, 0xffffffff80000000, lw a0, 0(s0))
    CHECK(5, a0, 0xffffffff80000000, li a1, 0x12345678; amoswap.w a0, a1, (s0))
    CHECK(6, a0, 0x12345678, li a1, 0xff00ff00; amoand.w a0, a1, (s0); lwu a0, (s0); li t0, 0x12005600; bne a0, t0, fail; li a0, 0x12345678)
    CHECK(7, a0, 0x12005600, li a1, 0x0f; amoor.w a0, a1, (s0))
    CHECK(8, a0, 0x1200560f, li a1, 0xff; amoxor.w a0, a1, (s0))
    CHECK(9, a0, 0x120056f0, lw a0, (s0))
    CHECK(10, a0, 0x120056f0, li a1, -5; amomin.w a0, a1, (s0))
    CHECK(11, a0, 0xfffffffffffffffb, li a1, 1; amomax.w a0, a1, (s0))
    CHECK(12, a0, 1, li a1, -1; amominu.w a0, a1, (s0))
    CHECK(13, a0, 1, li a1, -1; amomaxu.w a0, a1, (s0))
    CHECK(14, a0, 0xffffffffffffffff, lw a0, (s0))
    /* .D forms, aq/rl variants */
    la s1, page2
    CHECK(20, a0, 0, li a1, 0x8000000000000000; amoswap.d.aqrl a0, a1, (s1))
    CHECK(21, a0, 0x8000000000000000, li a1, -1; amoadd.d.aq a0, a1, (s1))
    CHECK(22, a0, 0x7fffffffffffffff, li a1, 0; amomin.d.rl a0, a1, (s1))
    CHECK(23, a0, 0, li a1, 0x8000000000000000; amomaxu.d a0, a1, (s1))
    CHECK(24, a0, 0x8000000000000000, li a1, 5; amominu.d a0, a1, (s1))
    CHECK(25, a0, 5, li a1, -9; amomax.d a0, a1, (s1))
    CHECK(26, a0, 5, li a1, 0xf0; amoxor.d a0, a1, (s1))
    CHECK(27, a0, 0xf5, li a1, 0x100; amoor.d a0, a1, (s1))
    CHECK(28, a0, 0x1f5, li a1, 0x0ff; amoand.d a0, a1, (s1))
    CHECK(29, a0, 0xf5, ld a0, (s1))
    /* amo with rd = x0 and rd = rs2 */
    CHECK(30, a0, 0xf6, li a1, 1; amoadd.d x0, a1, (s1); ld a0, (s1))
    CHECK(31, a1, 0xf6, li a1, 3; amoswap.d a1, a1, (s1))
    CHECK(32, a0, 3, ld a0, (s1))

    /* LR/SC: first touch by LR on a fresh page, increment loop */
    la s2, page3
    li TESTNUM, 40
    li s3, 0
    li s4, 100
1:  lr.w a0, (s2)
    addi a0, a0, 1
    sc.w a1, a0, (s2)
    bnez a1, 1b
    addi s3, s3, 1
    bne s3, s4, 1b
    CHECK(41, a0, 100, lw a0, (s2))
    /* 64-bit loop with aq/rl */
    addi s6, s2, 8
    addi s7, s2, 16
    addi s8, s2, 24
    li TESTNUM, 42
    li s3, 0
1:  lr.d.aq a0, (s6)
    addi a0, a0, -3
    sc.d.rl a1, a0, (s6)
    bnez a1, 1b
    addi s3, s3, 1
    bne s3, s4, 1b
    CHECK(43, a0, -300, ld a0, 8(s2))
    /* SC without a reservation fails and does not write */
    CHECK(44, a1, 1, li a0, 77; lr.d t0, (s2); sc.d t1, a0, (s2); sc.d a1, a0, (s2))
    CHECK(45, a0, 77, ld a0, (s2))
    /* SC to a different address than the LR: fails (the suite's habits vary; the spec allows fail) */
    CHECK(46, a2, 0, li a0, 5; lr.w t0, (s7); sc.w a1, a0, (s7); mv a2, a1)
    CHECK(47, a0, 5, lw a0, 16(s2))
    /* lr.w sign-extends */
    CHECK(48, a0, 0xffffffff80000000, li t0, 0x80000000; sw t0, 24(s2); lr.w a0, (s8))
    /* sc.w failure value is 1-based nonzero, writing of x0 destination */
    CHECK(49, a0, 0, lr.w t0, (s8); li t1, 9; sc.w x0, t1, (s8); mv a0, x0)

    /* first touch by SC on a fresh page: with no reservation it fails (and may fault first) */
    la s5, page4
    CHECK(50, a0, 0, li t1, 11; sc.w t2, t1, (s5); lw a0, (s5); beqz t2, fail)
    TEST_END
RVTEST_CODE_END

RVTEST_DATA_BEGIN
    .align 12
page1: .skip 4096
page2: .skip 4096
page3: .skip 4096
page4: .skip 4096
RVTEST_DATA_END
