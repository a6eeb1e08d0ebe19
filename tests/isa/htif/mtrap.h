/*
 * M-mode trap handling shared by the p_ programs that catch their own traps
 * (p_mtraps.S, p_bigaddr.S).  Include after env.h and macros.h.
 *
 * The handler `th` (installed by the program in mtvec) records mcause in s9,
 * mepc in s10, mtval in s11 and mstatus in s7, and resumes at s8 in M-mode;
 * with s8 = 0 it hands the trap to the environment's trap vector.
 */
#ifndef HTIF_MTRAP_H
#define HTIF_MTRAP_H

#define MCHECK_TRAP(n, cause) \
    li TESTNUM, n; li t6, cause; bne s9, t6, tfail

/* mtval is either 0 or val */
#define MCHECK_TVAL0(n, val) \
    li TESTNUM, n; beqz s11, 9f; li t6, val; bne s11, t6, tfail; 9:

#define ARM(label) la s8, label; li s9, -1; li s10, -1; li s11, -1

/* enter mode (0 U, 1 S) at label 1f; the handler brings us back to M */
#define GO_LOWER(mpp) \
    li t0, MSTATUS_MPP; csrc mstatus, t0; li t0, mpp; csrs mstatus, t0; \
    la t0, 1f; csrw mepc, t0; mret; 1:

/*
 * The end of such a program, in place of TEST_END ... RVTEST_DATA_END:
 * the environment's trap vector back in mtvec, pass/fail exits, tfail,
 * the CLINT watchdog (arm_watchdog / disarm_watchdog: a timer interrupt
 * about 200000 ticks later), the handler th and the data block mdata.
 */
.macro mtrap_end
    /* back to the environment's trap vector; pass through it */
    li s8, 0
    la t0, trap_vector
    csrw mtvec, t0
    TEST_END

tfail:
    li s8, 0
    j fail

arm_watchdog:
    li t0, 0x200bff8
    ld t1, 0(t0)
    li t2, 200000
    add t1, t1, t2
    li t0, 0x2004000
    sd t1, 0(t0)
    li t0, 0x80
    csrs mie, t0
    ret

disarm_watchdog:
    li t0, 0x80
    csrc mie, t0
    li t0, 0x2004000
    li t1, -1
    sd t1, 0(t0)
    ret

    .align 2
th:
    bnez s8, 1f
    j trap_vector
1:  csrr s9, mcause
    csrr s10, mepc
    csrr s11, mtval
    csrr s7, mstatus
    csrw mepc, s8
    li t5, MSTATUS_MPP
    csrs mstatus, t5
    li t5, MSTATUS_MPIE
    csrc mstatus, t5
    mret
RVTEST_CODE_END

RVTEST_DATA_BEGIN
    .align 4
mdata:
    .byte 0, 1, 2, 3, 4, 5, 6, 7, 8, 9
    .skip 32
RVTEST_DATA_END
.endm

#endif
