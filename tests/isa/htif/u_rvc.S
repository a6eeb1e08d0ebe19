/* C: the three quadrants, as executed (assembled with .option rvc). */
#include "env.h"
#include "macros.h"

RVTEST_CODE_BEGIN
    .option push
    .option rvc
    la s0, cdata
    CHECK(2, a0, 0x20, li a0, 0; c.addi a0, 0x10; c.addi a0, 0x10)
    CHECK(3, a0, -32, c.li a0, -32)
    CHECK(4, a0, 0xfffffffffffe0000, c.lui a0, 0xfffe0)
    CHECK(5, a0, 0x1f000, c.lui a0, 0x1f)
    CHECK(6, a0, 0xffffffff80000000, li a0, 0x7fffffff; c.addiw a0, 1)
    CHECK(7, a0, 0xffffffffffffffff, li a0, 0xffffffff; c.addiw a0, 0)
    CHECK(8, a0, 0xffffffff80000000, li a0, 0x7fffffff; li a1, 1; c.addw a0, a1)
    CHECK(9, a0, 0x7fffffff, li a0, 0xffffffff80000000; li a1, 1; c.subw a0, a1)
    CHECK(10, a0, 0xffffffffffffffff, li a0, 0x8000000000000000; c.srai a0, 63)
    CHECK(11, a0, 1, li a0, 0x8000000000000000; c.srli a0, 63)
    CHECK(12, a0, 0x8000000000000000, li a0, 1; c.slli a0, 63)
    CHECK(13, a0, 0x0f, li a0, 0xff; c.andi a0, 0x0f)
    CHECK(14, a0, 0xffffffffffffffe0, li a0, -1; c.andi a0, -32)
    CHECK(15, a0, 3, li a0, 1; li a1, 2; c.or a0, a1)
    CHECK(16, a0, 3, li a0, 6; li a1, 5; c.xor a0, a1)
    CHECK(17, a0, 4, li a0, 6; li a1, 5; c.and a0, a1)
    CHECK(18, a0, 1, li a0, 6; li a1, 5; c.sub a0, a1)
    CHECK(19, a0, 11, li a0, 6; li a1, 5; c.add a0, a1)
    CHECK(20, a0, 5, li a1, 5; c.mv a0, a1)
    /* stack-pointer forms (sp saved and restored) */
    CHECK(21, a0, 0x40, mv s1, sp; li sp, 0x1000; c.addi16sp sp, 0x30; c.addi16sp sp, -0x10; li a0, 0x1000; sub a0, sp, a0; addi a0, a0, 0x20; mv sp, s1)
    CHECK(22, a0, 0x3fc, mv s1, sp; li sp, 0; c.addi4spn a0, sp, 0x3fc; mv sp, s1)
    /* loads/stores */
    CHECK(23, a0, 0xffffffff87654321, c.lw a0, 0(s0))
    CHECK(24, a0, 0x0123456787654321, c.ld a0, 0(s0))
    CHECK(25, a0, 0x55aa, li a1, 0x55aa; c.sw a1, 8(s0); c.lw a0, 8(s0))
    CHECK(26, a0, 0x1122334455667788, li a1, 0x1122334455667788; c.sd a1, 16(s0); c.ld a0, 16(s0))
    CHECK(27, a0, 0x1122334455667788, mv s1, sp; mv sp, s0; c.ldsp a0, 16(sp); mv sp, s1)
    CHECK(28, a0, 0x99, mv s1, sp; mv sp, s0; li a1, 0x99; c.sdsp a1, 24(sp); c.swsp a1, 32(sp); c.lwsp a0, 32(sp); c.ldsp a2, 24(sp); mv sp, s1; bne a0, a2, fail)
    /* control flow */
    CHECK(29, a0, 1, li a0, 0; c.j 1f; li a0, 2; 1: c.addi a0, 1)
    CHECK(30, a0, 1, li a0, 0; li a1, 0; c.beqz a1, 1f; li a0, 2; 1: c.addi a0, 1)
    CHECK(31, a0, 1, li a0, 0; li a1, 1; c.bnez a1, 1f; li a0, 2; 1: c.addi a0, 1)
    CHECK(32, a0, 3, li a0, 0; li a1, 1; c.beqz a1, 1f; li a0, 2; 1: c.addi a0, 1)
    CHECK(33, a0, 1, la t0, 1f; li a0, 0; c.jr t0; li a0, 2; 1: c.addi a0, 1)
    CHECK(34, a0, 0, la t0, 1f; la t1, 2f; c.jalr t0; 2: j 3f; 1: sub a0, ra, t1; ret; 3: nop)
    .option pop
    TEST_END
RVTEST_CODE_END

RVTEST_DATA_BEGIN
    .align 3
cdata:
    .dword 0x0123456787654321
    .dword 0
    .dword 0
    .dword 0
    .dword 0
RVTEST_DATA_END
