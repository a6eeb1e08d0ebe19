/*
 * Physical addresses with bit 63 set, beyond the physical address width:
 * a jump there raises an instruction access fault (mepc = mtval = target),
 * a load a load access fault (mtval = address).  Same handler as p_mtraps.
 */
#define TEST_PRIV 3
#include "env.h"
#include "macros.h"
#include "mtrap.h"

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
    mtrap_end
