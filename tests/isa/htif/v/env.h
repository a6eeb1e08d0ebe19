/*
 * "v" environment: the test body runs in U-mode under Sv39 at a virtual address
 * different from its physical one (USER_VA_BASE + offset in the image), with
 * every user page mapped on demand by the S-mode kernel in vmenv.c.  Page
 * faults and U-mode ecalls are delegated to S.  RVTEST_PASS / RVTEST_FAIL
 * ecall with a0 = 1 or (n << 1) | 1; the kernel ends the run through tohost.
 * Bodies must address their data PC-relatively (la, not absolute .dword).
 */
#ifndef HTIF_V_ENV_H
#define HTIF_V_ENV_H
#include "../encoding.h"

#define TESTNUM gp
#define ENV_V 1
#define TEST_PRIV 0

.macro env_code_begin
    .text
    .align 2
    .globl userstart
userstart:
.endm

#define RVTEST_CODE_BEGIN env_code_begin
#define RVTEST_CODE_END unimp
#define RVTEST_DATA_BEGIN .data; .align 4
#define RVTEST_DATA_END

#define RVTEST_PASS \
    fence; li a0, 1; ecall

#define RVTEST_FAIL \
    fence; 1: beqz TESTNUM, 1b; slli a0, TESTNUM, 1; ori a0, a0, 1; ecall

#endif
