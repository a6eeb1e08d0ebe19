/*
 * HTIF console: device 1, command 1 prints the low byte; the host answers in
 * fromhost, which the program clears before the next character.  Prints
 * "HTIF ok\n", then passes.
 */
#define TEST_PRIV 3
#include "env.h"
#include "macros.h"

RVTEST_CODE_BEGIN
    la s0, msg
    la s1, tohost
    la s2, fromhost
    li s3, 0x0101000000000000
1:  lbu a0, 0(s0)
    beqz a0, 3f
    or a0, a0, s3
    sd a0, 0(s1)
    li t0, 100000
2:  ld t1, 0(s2)
    addi t0, t0, -1
    beqz t0, 4f
    beqz t1, 2b
    sd zero, 0(s2)
    addi s0, s0, 1
    j 1b
4:  li TESTNUM, 2
    j fail
3:  li t0, 100000
5:  ld t1, 0(s1)
    addi t0, t0, -1
    beqz t0, 6f
    bnez t1, 5b
6:  TEST_END
RVTEST_CODE_END

RVTEST_DATA_BEGIN
msg: .string "HTIF ok\n"
RVTEST_DATA_END
