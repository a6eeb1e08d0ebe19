/* RV64A: LR/SC and every AMO in .W and .D form. */
#include "test.h"

/* AMO on a dword initialised to init; rd = old value, then the whole dword */
.macro TEST_AMO n, op, exprd, expmem, init, src
    li gp, \n
    la a1, amo_word
    li a2, \init
    sd a2, 0(a1)
    li a2, \src
    \op a3, a2, (a1)
    CHECK \n, a3, \exprd
    ld a4, 0(a1)
    CHECK \n, a4, \expmem
.endm

/* reg is a or b */
.macro CHECK_ONEOF n, reg, a, b
    li t6, \a
    beq \reg, t6, .Lok\@
    CHECK \n, \reg, \b
.Lok\@:
.endm

TEST_BEGIN
    TEST_AMO   1, amoswap.w, 0xffffffff80000000, 0xa5a5a5a512345678, 0xa5a5a5a580000000, 0x0000000012345678
    TEST_AMO   2, amoadd.w, 0x000000007fffffff, 0xa5a5a5a580000000, 0xa5a5a5a57fffffff, 0x0000000000000001
    TEST_AMO   3, amoadd.w, 0xffffffffffffffff, 0xa5a5a5a500000001, 0xa5a5a5a5ffffffff, 0x0000000000000002
    TEST_AMO   4, amoxor.w, 0xfffffffff0f0f0f0, 0xa5a5a5a50f0ff0f0, 0xa5a5a5a5f0f0f0f0, 0x00000000ffff0000
    TEST_AMO   5, amoand.w, 0xffffffff8000ffff, 0xa5a5a5a5800000ff, 0xa5a5a5a58000ffff, 0x00000000ffff00ff
    TEST_AMO   6, amoor.w, 0xffffffff80000000, 0xa5a5a5a580000001, 0xa5a5a5a580000000, 0x0000000000000001
    TEST_AMO   7, amomin.w, 0xffffffff80000000, 0xa5a5a5a580000000, 0xa5a5a5a580000000, 0x0000000000000001
    TEST_AMO   8, amomin.w, 0x0000000000000005, 0xa5a5a5a5ffffffff, 0xa5a5a5a500000005, 0x00000000ffffffff
    TEST_AMO   9, amomax.w, 0xffffffff80000000, 0xa5a5a5a500000001, 0xa5a5a5a580000000, 0x0000000000000001
    TEST_AMO  10, amomax.w, 0xfffffffffffffffe, 0xa5a5a5a5ffffffff, 0xa5a5a5a5fffffffe, 0x00000000ffffffff
    TEST_AMO  11, amominu.w, 0xffffffff80000000, 0xa5a5a5a500000001, 0xa5a5a5a580000000, 0x0000000000000001
    TEST_AMO  12, amominu.w, 0x0000000000000002, 0xa5a5a5a500000002, 0xa5a5a5a500000002, 0xffffffff00000003
    TEST_AMO  13, amomaxu.w, 0xffffffff80000000, 0xa5a5a5a580000000, 0xa5a5a5a580000000, 0x0000000000000001
    TEST_AMO  14, amomaxu.w, 0x000000007fffffff, 0xa5a5a5a580000000, 0xa5a5a5a57fffffff, 0x0000000080000000
    TEST_AMO  15, amoswap.d, 0x8000000000000000, 0x123456789abcdef0, 0x8000000000000000, 0x123456789abcdef0
    TEST_AMO  16, amoadd.d, 0x7fffffffffffffff, 0x8000000000000000, 0x7fffffffffffffff, 0x0000000000000001
    TEST_AMO  17, amoadd.d, 0xffffffffffffffff, 0x0000000000000001, 0xffffffffffffffff, 0x0000000000000002
    TEST_AMO  18, amoxor.d, 0xf0f0f0f0f0f0f0f0, 0x0f0f0f0ff0f0f0f0, 0xf0f0f0f0f0f0f0f0, 0xffffffff00000000
    TEST_AMO  19, amoand.d, 0x8000ffff0000ffff, 0x8000ffff000000ff, 0x8000ffff0000ffff, 0xffffffffffff00ff
    TEST_AMO  20, amoor.d, 0x8000000000000000, 0x8000000000000001, 0x8000000000000000, 0x0000000000000001
    TEST_AMO  21, amomin.d, 0x8000000000000000, 0x8000000000000000, 0x8000000000000000, 0x0000000000000001
    TEST_AMO  22, amomin.d, 0x0000000000000005, 0xffffffffffffffff, 0x0000000000000005, 0xffffffffffffffff
    TEST_AMO  23, amomax.d, 0x8000000000000000, 0x0000000000000001, 0x8000000000000000, 0x0000000000000001
    TEST_AMO  24, amomax.d, 0xfffffffffffffffe, 0xffffffffffffffff, 0xfffffffffffffffe, 0xffffffffffffffff
    TEST_AMO  25, amominu.d, 0x8000000000000000, 0x0000000000000001, 0x8000000000000000, 0x0000000000000001
    TEST_AMO  26, amominu.d, 0x0000000000000002, 0x0000000000000002, 0x0000000000000002, 0xffffffffffffffff
    TEST_AMO  27, amomaxu.d, 0x8000000000000000, 0x8000000000000000, 0x8000000000000000, 0x0000000000000001
    TEST_AMO  28, amomaxu.d, 0x7fffffffffffffff, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000
    /* ordering bits are accepted and do not change the result */
    TEST_AMO  29, amoadd.w.aq,   0x0000000000000001, 0xa5a5a5a500000003, 0xa5a5a5a500000001, 2
    TEST_AMO  30, amoadd.w.rl,   0x0000000000000001, 0xa5a5a5a500000003, 0xa5a5a5a500000001, 2
    TEST_AMO  31, amoadd.w.aqrl, 0x0000000000000001, 0xa5a5a5a500000003, 0xa5a5a5a500000001, 2
    TEST_AMO  32, amoswap.d.aq,  0x1111, 0x2222, 0x1111, 0x2222
    TEST_AMO  33, amoor.d.rl,    0x1100, 0x1111, 0x1100, 0x0011
    TEST_AMO  34, amomaxu.d.aqrl, 5, 9, 5, 9
    TEST_AMO  35, amominu.w.aqrl, 0xffffffffffffffff, 0xa5a5a5a500000009, 0xa5a5a5a5ffffffff, 9

    /* rd = x0: memory still updated */
    li gp, 36
    la a1, amo_word
    li a2, 40
    sd a2, 0(a1)
    li a2, 2
    amoadd.d x0, a2, (a1)
    ld a3, 0(a1)
    CHECK 36, a3, 42
    /* rd = rs2: old value wins, memory gets the source */
    li a2, 7
    amoswap.d a2, a2, (a1)
    CHECK 37, a2, 42
    ld a3, 0(a1)
    CHECK 38, a3, 7

    /* ---- LR / SC ---- */
    li gp, 39
    la a1, amo_word
    li a2, 0x0123456789abcdef
    sd a2, 0(a1)
    lr.d a3, (a1)
    CHECK 39, a3, 0x0123456789abcdef
    li a4, 0x55
    sc.d a5, a4, (a1)
    CHECK 40, a5, 0                 /* success writes 0 */
    ld a3, 0(a1)
    CHECK 41, a3, 0x55
    /* the reservation is used up by the successful SC */
    li a4, 0x66
    sc.d a5, a4, (a1)
    CHECK_NE 42, a5, 0
    ld a3, 0(a1)
    CHECK 43, a3, 0x55
    /* lr.w sign-extends */
    li a2, 0x80000001
    sw a2, 0(a1)
    lr.w a3, (a1)
    CHECK 44, a3, 0xffffffff80000001
    li a4, 0x7f
    sc.w a5, a4, (a1)
    CHECK 45, a5, 0
    lw a3, 0(a1)
    CHECK 46, a3, 0x7f
    /* sc.w after a failed sc.w still fails */
    sc.w a5, a4, (a1)
    CHECK_NE 47, a5, 0
    /* a fresh LR, an intervening SC to the reserved address, then SC fails */
    li a2, 100
    sd a2, 0(a1)
    lr.d a3, (a1)
    li a4, 101
    sc.d a5, a4, (a1)
    CHECK 48, a5, 0
    li a4, 102
    sc.d a5, a4, (a1)
    CHECK_NE 49, a5, 0
    ld a3, 0(a1)
    CHECK 50, a3, 101
    /* SC to an address outside the reservation set fails */
    la a6, amo_other
    sd zero, 0(a6)
    lr.d a3, (a1)
    li a4, 0x77
    sc.d a5, a4, (a6)
    CHECK_NE 51, a5, 0
    ld a3, 0(a6)
    CHECK 52, a3, 0
    /* ... and the reservation of the LR is not honoured after that */
    sc.d a5, a4, (a1)
    ld a3, 0(a1)
    beqz a5, 1f
    CHECK 53, a3, 101               /* failed: memory unchanged */
    j 2f
1:  CHECK 53, a3, 0x77              /* succeeded: written */
2:
    /* ordering bits on LR/SC */
    lr.d.aq a3, (a1)
    li a4, 0x88
    sc.d.rl a5, a4, (a1)
    CHECK 54, a5, 0
    lr.w.aqrl a3, (a1)
    sc.w.aqrl a5, a4, (a1)
    CHECK 55, a5, 0
    /* an LR/SC increment loop */
    li a2, 1000
    sd a2, 0(a1)
    li a6, 10
3:  lr.d a3, (a1)
    addi a3, a3, 3
    sc.d a5, a3, (a1)
    bnez a5, 3b
    addi a6, a6, -1
    bnez a6, 3b
    ld a3, 0(a1)
    CHECK 56, a3, 1030

    /* ---- misaligned LR/SC/AMO: address-misaligned or access fault ---- */
    li gp, 57
    la a1, amo_word
    addi a1, a1, 4
    TRAP_ARM 4f
    lr.d a3, (a1)
4:  ld t5, HB_CAUSE(tp)
    CHECK_ONEOF 57, t5, CAUSE_MISALIGNED_LOAD, CAUSE_LOAD_ACCESS
    la a1, amo_word
    addi a1, a1, 2
    TRAP_ARM 5f
    sc.w a5, a4, (a1)
5:  ld t5, HB_CAUSE(tp)
    /* QEMU 7.2 checks the reservation before the alignment and just fails
       the SC (a5 != 0, nothing stored); the specification requires the
       exception. */
    IF_QEMU 8f
    CHECK_ONEOF 58, t5, CAUSE_MISALIGNED_STORE, CAUSE_STORE_ACCESS
    j 9f
8:  CHECK_NE 58, a5, 0
9:  TRAP_ARM 6f
    amoadd.w a5, a4, (a1)
6:  ld t5, HB_CAUSE(tp)
    /* QEMU 7.2 reports a misaligned AMO as a load-misaligned (4); AMOs
       raise store/AMO exceptions (6 or 7) in the specification. */
    IF_QEMU 10f
    CHECK_ONEOF 59, t5, CAUSE_MISALIGNED_STORE, CAUSE_STORE_ACCESS
    j 11f
10: CHECK_ONEOF 59, t5, CAUSE_MISALIGNED_LOAD, CAUSE_MISALIGNED_STORE
11: la a1, amo_word
    addi a1, a1, 4
    TRAP_ARM 7f
    amoswap.d a5, a4, (a1)
7:  ld t5, HB_CAUSE(tp)
    IF_QEMU 12f
    CHECK_ONEOF 60, t5, CAUSE_MISALIGNED_STORE, CAUSE_STORE_ACCESS
    j 13f
12: CHECK_ONEOF 60, t5, CAUSE_MISALIGNED_LOAD, CAUSE_MISALIGNED_STORE
13: ld t5, HB_TVAL(tp)
    CHECKR 61, t5, a1               /* tval = the faulting address */
    TRAP_DISARM
    TEST_END

    .data
    .align 4
amo_word:  .dword 0, 0
amo_other: .dword 0, 0
