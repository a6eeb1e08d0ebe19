/*
 * fence.i after code is stored, misaligned loads and stores (the hart performs
 * them; under "v" they cross into pages not yet mapped), and, where the
 * environment enables them for U-mode (v: mcounteren = scounteren = 7), the
 * cycle/time/instret counters.
 */
#include "env.h"
#include "macros.h"

RVTEST_CODE_BEGIN
    /* self-modifying code: patch "addi a0, a0, 1" into "addi a0, a0, 2" and run it */
    li TESTNUM, 2
    la s0, patch
    li a0, 0
    jal ra, patch
    li t6, 1
    bne a0, t6, fail
    lw t0, 0(s0)
    li t1, 1 << 20
    add t0, t0, t1
    sw t0, 0(s0)
    fence.i
    li a0, 0
    jal ra, patch
    li TESTNUM, 3
    li t6, 2
    bne a0, t6, fail
    /* a compressed instruction patched the same way */
    li TESTNUM, 4
    la s1, cpatch
    li a0, 0
    jal ra, cpatch
    li t6, 1
    bne a0, t6, fail
    li t0, 0x0515 /* c.addi a0, 5 */
    sh t0, 0(s1)
    fence.i
    li a0, 0
    jal ra, cpatch
    li TESTNUM, 5
    li t6, 5
    bne a0, t6, fail

    /* misaligned accesses inside one page */
    la s2, mdata
    CHECK(10, a0, 0x0807060504030201, ld a0, 1(s2))
    CHECK(11, a0, 0x04030201, lw a0, 1(s2))
    CHECK(12, a0, 0x0302, lhu a0, 2(s2); li t0, 0x0302; bne a0, t0, fail; lh a0, 3(s2); li t0, 0x0403; bne a0, t0, fail; li a0, 0x0302)
    CHECK(13, a0, 0xffffffff8786, lhu a1, 0(s2); li a0, 0xffffffff8786; li t0, 0x8786; sh t0, 9(s2); lh a1, 9(s2); li t0, 0xffffffffffff8786; bne a1, t0, fail)
    CHECK(14, a0, 0x1122334455667788, li t0, 0x1122334455667788; sd t0, 17(s2); ld a0, 17(s2))
    CHECK(15, a0, 0x55667788, lwu a0, 17(s2))
    CHECK(16, a0, 0x33445566, lwu a0, 19(s2))
    CHECK(17, a0, 0xffffffffaabbccdd, li t0, 0xaabbccdd; sw t0, 29(s2); lw a0, 29(s2))
    /* FP misaligned */
    CHECK(18, a0, 0x1122334455667788, fld f1, 17(s2); fmv.x.d a0, f1)
    CHECK(19, a0, 0x0123456789abcdef, li t0, 0x0123456789abcdef; fmv.d.x f1, t0; fsd f1, 37(s2); ld a0, 37(s2))

    /* misaligned across a page boundary, both pages untouched so far */
    la s3, cross
    addi s3, s3, -3
    CHECK(20, a0, 0, ld a0, 0(s3))
    CHECK(21, a0, 0xa1a2a3a4a5a6a7a8, li t0, 0xa1a2a3a4a5a6a7a8; li t1, 0x1000; add s4, s3, t1; sd t0, 0(s4); ld a0, 0(s4))
    CHECK(22, a0, 0xa5a6a7a8, lwu a0, 0(s4))
    CHECK(23, a0, 0xa1a2a3a4, lwu a0, 4(s4))
    CHECK(24, a0, 0xbeef, li t0, 0xbeef; li t1, 0x1002; add s5, s4, t1; sh t0, 0(s5); lhu a0, 0(s5))

#ifdef ENV_V
    /* counters from U-mode */
    li TESTNUM, 30
    rdcycle s6
    rdinstret s7
    rdtime s8
    li t0, 200
1:  addi t0, t0, -1
    bnez t0, 1b
    rdcycle a0
    rdinstret a1
    rdtime a2
    bgeu s6, a0, fail
    bgeu s7, a1, fail
    li TESTNUM, 31
    sub t0, a1, s7
    li t1, 400
    bltu t0, t1, fail
    li TESTNUM, 32
    bltu a2, s8, fail
    /* instret counts exactly: three instructions between the reads */
    li TESTNUM, 33
    rdinstret a0
    nop
    nop
    rdinstret a1
    sub a0, a1, a0
    li t6, 3
    bne a0, t6, fail
#endif
    TEST_END

    .align 2
    .option push
    .option norvc
patch:
    addi a0, a0, 1
    ret
    .option pop
    .option push
    .option rvc
cpatch:
    c.addi a0, 1
    c.jr ra
    .option pop
RVTEST_CODE_END

RVTEST_DATA_BEGIN
    .align 6
mdata:
    .byte 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a
    .skip 64
    .align 12
cross_page:
    .skip 16384
    .align 12
    .equ cross, cross_page + 4096
RVTEST_DATA_END
