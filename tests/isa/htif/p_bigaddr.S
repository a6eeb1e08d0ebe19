/*
 * Physical addresses with bit 63 set, beyond the physical address width:
 * a jump there raises an instruction access fault (mepc = mtval = target),
 * a load a load access fault (mtval = address).  Same handler as p_mtraps.
 */
#define TEST_PRIV 3
#include "env.h"
#include "macros.h"

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

RVTEST_CODE_BEGIN
    la t0, th
    csrw mtvec, t0
    /* a physical address with bit 63 set (beyond any physical address width): access faults */
    ARM(2f)
    li TESTNUM, 59
    li t1, 1
    slli t1, t1, 63
    addi t1, t1, 0x100
    ld a0, 0(t1)
    j tfail
2:  MCHECK_TRAP(59, CAUSE_LOAD_ACCESS)
    li TESTNUM, 49
    li t1, 1
    slli t1, t1, 63
    addi t1, t1, 0x100
    bne s11, t1, tfail
    /* fetch at 1 << 63 */
    ARM(2f)
    li TESTNUM, 52
    li t1, 1
    slli t1, t1, 63
    jr t1
    j tfail
2:  MCHECK_TRAP(52, CAUSE_FETCH_ACCESS)
    li TESTNUM, 53
    li t1, 1
    slli t1, t1, 63
    bne s10, t1, tfail
    bne s11, t1, tfail
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
