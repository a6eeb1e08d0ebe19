/*
 * S-mode in the "p" environment with stvec_handler defined (breakpoint, U
 * ecall and page faults delegated): ebreak / c.ebreak and U ecall taken in S
 * with scause/sepc/stval; sstatus as a view of mstatus (FS/SD visible, MPP
 * not); WFI in S with TW = 0 and an enabled pending S interrupt; and the
 * accessed/dirty bits of a 4 KiB page under Sv39: a load sets A (or faults
 * and the handler sets it) and never D; a store sets D (or faults).
 */
#define TEST_PRIV 1
#include "env.h"
#include "macros.h"

#define SARM(label) la s8, label; li s9, -1; li s10, -1; li s11, -1

RVTEST_CODE_BEGIN
    /* ebreak in S, delegated */
    SARM(2f)
    li TESTNUM, 2
1:  ebreak
    j fail
2:  li t6, CAUSE_BREAKPOINT
    bne s9, t6, fail
    la t0, 1b
    li TESTNUM, 3
    bne s10, t0, fail
    beqz s11, 3f
    bne s11, t0, fail
3:  SARM(2f)
    li TESTNUM, 4
    .option push
    .option rvc
1:  c.ebreak
    .option pop
    j fail
2:  li t6, CAUSE_BREAKPOINT
    bne s9, t6, fail
    la t0, 1b
    li TESTNUM, 5
    bne s10, t0, fail
    /* ecall from U, delegated to S; SPP = 0 */
    SARM(2f)
    li TESTNUM, 6
    li t0, MSTATUS_SPP
    csrc sstatus, t0
    la t0, 1f
    csrw sepc, t0
    sret
1:  ecall
    j fail
2:  li t6, CAUSE_USER_ECALL
    bne s9, t6, fail
    li TESTNUM, 7
    andi t0, s7, MSTATUS_SPP
    bnez t0, fail
    /* sstatus: FS and SD visible, MPP not */
    CHECK(8, a0, 0, csrr a0, sstatus; li t0, MSTATUS_MPP; and a0, a0, t0)
    CHECK(9, a0, MSTATUS_FS, fmv.d.x f1, zero; csrr a0, sstatus; li t0, MSTATUS_FS; and a0, a0, t0)
    CHECK(10, a0, 1, csrr a0, sstatus; srli a0, a0, 63)
    CHECK(11, a0, 0, li t0, MSTATUS_MPP; csrs sstatus, t0; csrr a0, sstatus; li t0, MSTATUS_MPP; and a0, a0, t0)
    /* WFI with SSIP pending and enabled in sie, SIE = 0: completes, no trap */
    SARM(fail)
    li TESTNUM, 12
    li t0, MIP_SSIP
    csrs sie, t0
    csrs sip, t0
    wfi
    csrc sip, t0
    csrc sie, t0

    /* Sv39: code and data identity-mapped by a gigapage (S, global); one 4 KiB test page */
    li TESTNUM, 20
    la t0, root
    la t1, l1
    srli t2, t1, 12
    slli t2, t2, 10
    ori t2, t2, PTE_V
    sd t2, 0(t0)                   /* root[0] -> l1 (VA 0..1 GiB) */
    li t2, (0x80000000 >> 12) << 10 | PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D | PTE_G
    sd t2, 16(t0)                  /* root[2]: gigapage at 0x80000000 */
    la t1, l1
    la t3, l0
    srli t2, t3, 12
    slli t2, t2, 10
    ori t2, t2, PTE_V
    sd t2, 0(t1)                   /* l1[0] -> l0 */
    la t3, l0
    la t4, tpage
    srli t2, t4, 12
    slli t2, t2, 10
    ori t2, t2, PTE_V | PTE_R | PTE_W
    sd t2, 8(t3)                   /* l0[1]: VA 0x1000 -> tpage, A = D = 0 */
    la t0, root
    srli t0, t0, 12
    li t1, 8 << 60
    or t0, t0, t1
    csrw satp, t0
    sfence.vma
    SARM(fail)
    li s6, 0x1000
    li TESTNUM, 21
    ld a0, 0(s6)
    li t6, 0x5a5a
    bne a0, t6, fail
    li TESTNUM, 22
    la t3, l0
    ld t2, 8(t3)
    andi t0, t2, PTE_A
    beqz t0, fail
    li TESTNUM, 23
    andi t0, t2, PTE_D
    bnez t0, fail
    li TESTNUM, 24
    li t0, 0x77
    sd t0, 8(s6)
    la t3, l0
    ld t2, 8(t3)
    andi t0, t2, PTE_D
    beqz t0, fail
    CHECK(25, a0, 0x77, la t0, tpage; ld a0, 8(t0))
    csrwi satp, 0
    sfence.vma
    TEST_END

    .align 2
    .globl stvec_handler
stvec_handler:
    csrr s9, scause
    csrr s10, sepc
    csrr s11, stval
    csrr s7, sstatus
    li t5, CAUSE_LOAD_PAGE_FAULT
    beq s9, t5, 1f
    li t5, CAUSE_STORE_PAGE_FAULT
    beq s9, t5, 1f
    beqz s8, fail
    csrw sepc, s8
    li t5, MSTATUS_SPP
    csrs sstatus, t5
    li t5, MSTATUS_SPIE
    csrc sstatus, t5
    sret
    /* A/D fault on the test page: set the bit the access needs and retry */
1:  li t5, 0x1000
    srli s11, s11, 12
    slli s11, s11, 12
    bne s11, t5, fail
    la t5, l0
    ld t4, 8(t5)
    ori t4, t4, PTE_A
    li t3, CAUSE_STORE_PAGE_FAULT
    bne s9, t3, 2f
    ori t4, t4, PTE_D
2:  sd t4, 8(t5)
    sfence.vma
    sret
RVTEST_CODE_END

RVTEST_DATA_BEGIN
    .align 12
root: .skip 4096
l1:   .skip 4096
l0:   .skip 4096
tpage:
    .dword 0x5a5a
    .dword 0
    .skip 4096 - 16
RVTEST_DATA_END
