/*
 * The HTIF command is the 64-bit word at tohost after the store: a 32-bit
 * store of a register whose upper half is not zero writes only the low word,
 * so tohost holds 1 (pass), not the register's value.  The upper word is
 * then written with zero, as the usual write_tohost sequence does.
 */
#define TEST_PRIV 3
#include "env.h"
#include "macros.h"

RVTEST_CODE_BEGIN
    la t1, tohost
    sd zero, 0(t1)
    li t0, 0xdead000000000001
1:  sw t0, 0(t1)
    sw zero, 4(t1)
    j 1b
RVTEST_CODE_END

RVTEST_DATA_BEGIN
RVTEST_DATA_END
