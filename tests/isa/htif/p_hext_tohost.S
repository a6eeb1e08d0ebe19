/*
 * HSV to the HTIF tohost word (H extension): a hypervisor store from M-mode with vsatp and
 * hgatp Bare reaches guest physical = host physical memory, so an HSV to tohost is a store to
 * tohost like any other and the host must see it (Hypervisor chapter, "Hypervisor Virtual-Machine
 * Load and Store Instructions": "as though V=1", here with both stages Bare).  Prints
 * "HSV ok\n" through the HTIF console with hsv.d (the answer in fromhost read with hlv.d), then
 * passes with hsv.w 1 and hsv.w zero at tohost+4.  A host that missed an HSV to tohost never
 * answers (check 2) or never ends the run.
 */
#define TEST_PRIV 3
#include "env.h"
#include "macros.h"
    .option arch, +h

RVTEST_CODE_BEGIN
    csrw hgatp, zero
    csrw vsatp, zero
    li t0, (1 << 8)            /* hstatus.SPVP = 1: the accesses are made as VS-mode */
    csrw hstatus, t0
    hfence.gvma
    la s0, msg
    la s1, tohost
    la s2, fromhost
    li s3, 0x0101000000000000
1:  lbu a0, 0(s0)
    beqz a0, 3f
    or a0, a0, s3
    hsv.d a0, (s1)
    li t0, 100000
2:  hlv.d t1, (s2)
    addi t0, t0, -1
    beqz t0, 4f
    beqz t1, 2b
    hsv.d zero, (s2)
    addi s0, s0, 1
    j 1b
4:  li TESTNUM, 2
    j fail
3:  li t0, 1
    addi s4, s1, 4
5:  hsv.w t0, (s1)
    hsv.w zero, (s4)
    j 5b
6:  TEST_END                   /* not reached: supplies the fail label */
RVTEST_CODE_END

RVTEST_DATA_BEGIN
msg: .string "HSV ok\n"
RVTEST_DATA_END
