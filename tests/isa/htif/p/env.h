/*
 * "p" environment: physical addresses, one hart, the test body entered by mret
 * in the mode TEST_PRIV names (0 = U, the default; 1 = S; 3 = M).
 *
 * Reset: every register cleared, mnstatus/satp/PMP probed with mtvec pointing
 * past each write (a hart without the CSR traps and continues), PMP entry 0
 * NAPOT over everything with RWX, no delegation, mtvec = trap_vector, and when
 * the program defines stvec_handler: stvec set and the U-mode ecall,
 * breakpoint, misaligned fetch and page faults delegated to S.  mstatus.FS is
 * made Initial and fcsr cleared before the body starts.
 *
 * End: RVTEST_PASS / RVTEST_FAIL ecall with gp = 1 or (n << 1) | 1; the trap
 * vector catches ecalls from any mode and stores gp in tohost.  Any other trap
 * goes to mtvec_handler when the program defines one, else ends the run with
 * gp | 1337.
 */
#ifndef HTIF_P_ENV_H
#define HTIF_P_ENV_H
#include "../encoding.h"

#ifndef TEST_PRIV
#define TEST_PRIV 0
#endif
#define TESTNUM gp
#define ENV_P 1

#if TEST_PRIV == 3
#define ENV_MPP MSTATUS_MPP
#elif TEST_PRIV == 1
#define ENV_MPP MSTATUS_MPP_S
#else
#define ENV_MPP 0
#endif

.macro env_clear_regs
    .irp r, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    li x\r, 0
    .endr
.endm

.macro env_code_begin
    .section .text.init, "ax", @progbits
    .option push
    .option norvc
    .align 6
    .globl _start
_start:
    j reset_vector
    .align 2
trap_vector:
    csrr t5, mcause
    li t6, CAUSE_USER_ECALL
    beq t5, t6, write_tohost
    li t6, CAUSE_SUPERVISOR_ECALL
    beq t5, t6, write_tohost
    li t6, CAUSE_MACHINE_ECALL
    beq t5, t6, write_tohost
    la t5, env_handlers
    ld t5, 0(t5)
    beqz t5, 1f
    jr t5
1:  ori TESTNUM, TESTNUM, 1337
write_tohost:
    sw TESTNUM, tohost, t5
    sw zero, tohost + 4, t5
    j write_tohost

reset_vector:
    env_clear_regs
    csrr a0, mhartid
1:  bnez a0, 1b
    la t0, 1f
    csrw mtvec, t0
    csrwi CSR_MNSTATUS, 8
    .align 2
1:  la t0, 1f
    csrw mtvec, t0
    csrwi satp, 0
    .align 2
1:  la t0, 1f
    csrw mtvec, t0
    li t0, -1
    csrw pmpaddr0, t0
    li t0, PMP_NAPOT | PMP_R | PMP_W | PMP_X
    csrw pmpcfg0, t0
    .align 2
1:  csrwi mie, 0
    la t0, 1f
    csrw mtvec, t0
    csrwi medeleg, 0
    csrwi mideleg, 0
    .align 2
1:  li TESTNUM, 0
    la t0, trap_vector
    csrw mtvec, t0
    /* XLEN must be 64 */
    li a0, 1
    slli a0, a0, 31
    bgez a0, 2f
    ori TESTNUM, TESTNUM, 1337
    j write_tohost
2:
    la t0, env_handlers
    ld t0, 8(t0)
    beqz t0, 1f
    csrw stvec, t0
    li t0, (1 << CAUSE_MISALIGNED_FETCH) | (1 << CAUSE_BREAKPOINT) | (1 << CAUSE_USER_ECALL) | (1 << CAUSE_FETCH_PAGE_FAULT) | (1 << CAUSE_LOAD_PAGE_FAULT) | (1 << CAUSE_STORE_PAGE_FAULT)
    csrw medeleg, t0
1:  csrwi mstatus, 0
#if ENV_MPP
    li a0, ENV_MPP
    csrs mstatus, a0
#endif
#if TEST_PRIV == 1
    li a0, MIP_SSIP | MIP_STIP
    csrs mideleg, a0
#endif
    li a0, MSTATUS_FS_INIT
    csrs mstatus, a0
    csrwi fcsr, 0
    la t0, 1f
    csrw mepc, t0
    csrr a0, mhartid
    mret
    .option pop
    .text
    .align 2
1:
.endm

.macro env_code_end
    unimp
.endm

.macro env_data_begin
    .pushsection .tohost, "aw", @progbits
    .align 6
    .globl tohost
tohost: .dword 0
    .size tohost, 8
    .align 6
    .globl fromhost
fromhost: .dword 0
    .size fromhost, 8
    .popsection
    .data
    .align 3
    .weak mtvec_handler
    .weak stvec_handler
env_handlers:
    .dword mtvec_handler
    .dword stvec_handler
    .align 4
.endm

#define RVTEST_CODE_BEGIN env_code_begin
#define RVTEST_CODE_END env_code_end
#define RVTEST_DATA_BEGIN env_data_begin
#define RVTEST_DATA_END

#define RVTEST_PASS \
    fence; li TESTNUM, 1; li a7, 93; li a0, 0; ecall

#define RVTEST_FAIL \
    fence; 1: beqz TESTNUM, 1b; slli TESTNUM, TESTNUM, 1; ori TESTNUM, TESTNUM, 1; \
    li a7, 93; mv a0, TESTNUM; ecall

#endif
