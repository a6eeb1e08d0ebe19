/* PMP: pmpcfg/pmpaddr accept writes and read back as WARL; enforcement is
   optional, but when a locked-out region faults it does so consistently. */
#include "test.h"

#define PMP_R     0x01
#define PMP_W     0x02
#define PMP_X     0x04
#define PMP_TOR   0x08
#define PMP_NAPOT 0x18

/* reg is a or b */
.macro CHECK_ONEOF n, reg, a, b
    li t6, \a
    beq \reg, t6, .Lok\@
    CHECK \n, \reg, \b
.Lok\@:
.endm

TEST_BEGIN
    /* ---- the start-up state: entry 0 = NAPOT over everything, RWX ---- */
    li gp, 1
    csrr a3, pmpcfg0
    andi a3, a3, 0xff
    CHECK 1, a3, PMP_NAPOT | PMP_R | PMP_W | PMP_X
    csrr a3, pmpaddr0                               /* bits 55..2 of the address: */
    li a4, 0x003fffffffffffff                       /* the upper 10 bits are WARL */
    and a3, a3, a4
    CHECK 2, a3, 0x003fffffffffffff

    /* ---- entries 1..7: addresses and configurations read back ---- */
    li gp, 3
    li a1, 0x20000000                               /* 0x80000000 >> 2 */
    csrw pmpaddr1, a1
    csrr a3, pmpaddr1
    CHECK_ONEOF 3, a3, 0x20000000, 0
    li a1, 0x20001000
    csrw pmpaddr2, a1
    csrr a3, pmpaddr2
    CHECK_ONEOF 4, a3, 0x20001000, 0
    li a1, 0x123456789
    csrw pmpaddr7, a1
    csrr a3, pmpaddr7
    CHECK_ONEOF 5, a3, 0x123456789, 0
    csrw pmpaddr15, a1
    csrr a3, pmpaddr15
    CHECK_ONEOF 6, a3, 0x123456789, 0
    /* entry 2 = TOR [entry1, entry2) read-only; entry 1 off */
    li a1, ((PMP_TOR | PMP_R) << 16) | (PMP_NAPOT | PMP_R | PMP_W | PMP_X)
    csrw pmpcfg0, a1
    csrr a3, pmpcfg0
    li a4, 0xffffff
    and a3, a3, a4
    CHECK_ONEOF 7, a3, ((PMP_TOR | PMP_R) << 16) | (PMP_NAPOT | PMP_R | PMP_W | PMP_X), (PMP_NAPOT | PMP_R | PMP_W | PMP_X)
    li a1, (PMP_NAPOT | PMP_R | PMP_W | PMP_X) << 56
    csrw pmpcfg2, a1                                /* entry 15 */
    csrr a3, pmpcfg2
    srli a3, a3, 56
    CHECK_ONEOF 8, a3, PMP_NAPOT | PMP_R | PMP_W | PMP_X, 0
    csrw pmpcfg2, zero
    li a1, PMP_NAPOT | PMP_R | PMP_W | PMP_X
    csrw pmpcfg0, a1
    /* entries 3..7 (mode OFF) keep their permission bits, or read as 0 */
    li a1, (0x07 << 24) | (0x05 << 32) | (0x01 << 40) | (0x03 << 48) | (0x04 << 56) | (PMP_NAPOT | PMP_R | PMP_W | PMP_X)
    csrw pmpcfg0, a1
    csrr a5, pmpcfg0
    srli a3, a5, 24
    andi a3, a3, 0xff
    CHECK_ONEOF 23, a3, 0x07, 0
    srli a3, a5, 32
    andi a3, a3, 0xff
    CHECK_ONEOF 24, a3, 0x05, 0
    srli a3, a5, 40
    andi a3, a3, 0xff
    CHECK_ONEOF 25, a3, 0x01, 0
    srli a3, a5, 48
    andi a3, a3, 0xff
    CHECK_ONEOF 26, a3, 0x03, 0
    srli a3, a5, 56
    CHECK_ONEOF 27, a3, 0x04, 0
    andi a3, a5, 0xff
    CHECK 28, a3, PMP_NAPOT | PMP_R | PMP_W | PMP_X   /* entry 0 untouched */
    li a1, PMP_NAPOT | PMP_R | PMP_W | PMP_X
    csrw pmpcfg0, a1
    /* odd pmpcfg registers do not exist on RV64 */
    TEST_ILLEGAL 9, 3, csrr a3, pmpcfg1
    TEST_ILLEGAL 10, 3, csrw pmpcfg3, zero
    /* S-mode cannot reach the PMP CSRs */
    GO_S
    TEST_ILLEGAL 11, 3, csrr a3, pmpcfg0
    TEST_ILLEGAL 12, 3, csrw pmpaddr0, zero
    GO_M

    /* ---- optional enforcement: a no-access NAPOT page ahead of the
            allow-all entry; S accesses either all fault or all succeed ---- */
    li gp, 13
    la a1, guarded
    srli a1, a1, 2
    ori a1, a1, 0x1ff                               /* NAPOT, 4 KiB */
    csrw pmpaddr0, a1
    li a1, -1
    csrw pmpaddr1, a1
    li a1, ((PMP_NAPOT | PMP_R | PMP_W | PMP_X) << 8) | PMP_NAPOT
    csrw pmpcfg0, a1
    sfence.vma
    la a2, guarded
    li a3, 0x77
    sd a3, 8(a2)                                    /* M is not restricted (L = 0) */
    ld a4, 8(a2)
    CHECK 13, a4, 0x77
    GO_S
    la a2, guarded
    li a3, 0x5a5a
    TRAP_ARM_SKIP
1:  ld a3, 8(a2)
    TRAP_DISARM
    GO_M
    ld s1, HB_COUNT(tp)                             /* 1: enforced */
    beqz s1, 2f
    CHECK 14, a3, 0x5a5a
    CHECK_HB 15, HB_CAUSE, CAUSE_LOAD_ACCESS
    ld t5, HB_TVAL(tp)
    la a2, guarded
    addi a2, a2, 8
    CHECKR 16, t5, a2
    j 3f
2:  CHECK 14, a3, 0x77
3:  GO_S
    la a2, guarded
    li a3, 0x99
    TRAP_ARM_SKIP
    sd a3, 16(a2)
    TRAP_DISARM
    GO_M
    ld t5, HB_COUNT(tp)
    CHECKR 17, t5, s1                               /* consistent with the load */
    la a2, guarded
    ld a4, 16(a2)
    beqz s1, 4f
    CHECK_HB 18, HB_CAUSE, CAUSE_STORE_ACCESS
    CHECK 19, a4, 0
    j 5f
4:  CHECK 19, a4, 0x99
5:  /* fetch from the guarded page */
    la a2, guarded
    li a3, 0x00008067                               /* ret */
    sw a3, 0(a2)
    fence.i
    GO_S
    la a2, guarded
    TRAP_ARM_TO 6f, 1
    jalr ra, 0(a2)
6:  TRAP_DISARM
    GO_M
    ld t5, HB_COUNT(tp)
    CHECKR 20, t5, s1
    beqz s1, 7f
    CHECK_HB 21, HB_CAUSE, CAUSE_FETCH_ACCESS
7:  /* restore: entry 0 over everything */
    li a1, -1
    csrw pmpaddr0, a1
    li a1, PMP_NAPOT | PMP_R | PMP_W | PMP_X
    csrw pmpcfg0, a1
    csrw pmpaddr1, zero
    csrw pmpaddr2, zero
    csrw pmpaddr7, zero
    csrw pmpaddr15, zero
    sfence.vma
    GO_S
    TEST_NOEXC 22, ld a3, 0(a2)
    GO_M
    TEST_END

    .bss
    .align 12
guarded:
    .fill 4096, 1, 0
