/* RV64I and M: arithmetic, shifts, W forms, compares, branches, jumps, loads/stores, x0. */
#include "env.h"
#include "macros.h"

RVTEST_CODE_BEGIN
    TEST_RR(2, add, 0x0000000100000000, 0x00000000ffffffff, 1)
    TEST_RR(3, add, 0x8000000000000000, 0x7fffffffffffffff, 1)
    TEST_RR(4, sub, 0xffffffffffffffff, 0, 1)
    TEST_RR(5, addw, 0xffffffff80000000, 0x7fffffff, 1)
    TEST_RR(6, subw, 0x000000007fffffff, 0xffffffff80000000, 1)
    TEST_RI(7, addiw, 0xffffffff80000000, 0x7fffffff, 1)
    TEST_RI(8, addi, 0xfffffffffffff800, 0, -2048)
    TEST_RR(9, sll, 0x8000000000000000, 1, 63)
    TEST_RR(10, sll, 2, 1, 65)
    TEST_RR(11, srl, 1, 0x8000000000000000, 63)
    TEST_RR(12, sra, 0xffffffffffffffff, 0x8000000000000000, 63)
    TEST_RR(13, sllw, 0xffffffff80000000, 1, 31)
    TEST_RR(14, sllw, 2, 1, 33)
    TEST_RR(15, srlw, 1, 0xffffffff80000000, 31)
    TEST_RR(16, sraw, 0xffffffffffffffff, 0x0000000080000000, 31)
    TEST_RI(17, srai, 0xfffffffffffffff8, 0x8000000000000000, 60)
    TEST_RI(18, srliw, 0x0000000000000001, 0xffffffff80000000, 31)
    TEST_RI(19, sraiw, 0xffffffffffffffff, 0x0000000080000000, 31)
    TEST_RI(20, slliw, 0xffffffff80000000, 0x0000000000000001, 31)
    TEST_RR(21, slt, 1, 0x8000000000000000, 0)
    TEST_RR(22, sltu, 0, 0x8000000000000000, 0)
    TEST_RI(23, sltiu, 1, 0, -1)
    TEST_RI(24, slti, 0, 0, -1)
    TEST_RI(25, xori, 0xffffffffff000fff, 0x0000000000fff0f0, -241)
    TEST_RR(26, and, 0x0f000f00, 0xff00ff00, 0x0f0f0f0f)
    TEST_RR(27, or, 0xff0fff0f, 0xff00ff00, 0x0f0f0f0f)
    TEST_RR_SAME(28, add, 26, 13)
    CHECK(29, a0, 0xffffffff80000000, lui a0, 0x80000)
    CHECK(30, a0, 0, li a0, 5; add x0, a0, a0; mv a0, x0)
    /* auipc: pc-relative, independent of where the code runs */
    CHECK(31, a0, 8, 1: auipc a0, 0; 2: auipc a1, 0; sub a0, a1, a0; addi a0, a0, 4)
    CHECK(32, a0, 0x1000, auipc a0, 1; auipc a1, 0; sub a0, a0, a1; addi a0, a0, 4)
    TEST_BR(33, beq, 1, 3, 3)
    TEST_BR(34, bne, 0, 3, 3)
    TEST_BR(35, blt, 1, -1, 0)
    TEST_BR(36, bltu, 0, -1, 0)
    TEST_BR(37, bge, 1, 0, -1)
    TEST_BR(38, bgeu, 1, -1, 0)
    /* jal / jalr link values and target with bit 0 cleared */
    CHECK(39, a0, 0, la t1, 1f; jal a2, 1f; 1: sub a0, a2, t1)
    CHECK(40, a0, 1, la t1, 2f; addi t1, t1, 1; li a0, 0; jalr a3, 0(t1); j 3f; 2: li a0, 1; 3: nop)
    CHECK(41, a0, 1, la t1, 2f; addi t1, t1, -4; li a0, 0; jalr t1, 4(t1); j 3f; 2: li a0, 1; 3: nop)
    /* loads and stores, sign and zero extension */
    la s0, data
    CHECK(42, a0, 0xffffffffffffff80, lb a0, 0(s0))
    CHECK(43, a0, 0x80, lbu a0, 0(s0))
    CHECK(44, a0, 0xffffffffffff8180, lh a0, 0(s0))
    CHECK(45, a0, 0x8180, lhu a0, 0(s0))
    CHECK(46, a0, 0xffffffff83828180, lw a0, 0(s0))
    CHECK(47, a0, 0x83828180, lwu a0, 0(s0))
    CHECK(48, a0, 0x8786858483828180, ld a0, 0(s0))
    CHECK(49, a0, 0x1122334455667788, li a1, 0x1122334455667788; sd a1, 8(s0); ld a0, 8(s0))
    CHECK(50, a0, 0x11223344556677aa, li a1, 0xaa; sb a1, 8(s0); ld a0, 8(s0))
    CHECK(51, a0, 0x112233445566bbbb, li a1, 0xbbbb; sh a1, 8(s0); ld a0, 8(s0))
    CHECK(52, a0, 0x11223344cccccccc, li a1, 0xcccccccc; sw a1, 8(s0); ld a0, 8(s0))
    CHECK(53, a0, 0xffffffffcccccccc, lw a0, 8(s0))
    CHECK(54, a0, 0x11, lbu a0, 15(s0))
    CHECK(55, a0, 0x0, li a0, 0x55; lb x0, 0(s0); mv a0, x0)

    /* M */
    TEST_RR(60, mul, 0x0000000000001200, 0x00000600, 3)
    TEST_RR(61, mul, 0xfffffffffffffffe, 0xffffffffffffffff, 2)
    TEST_RR(62, mulh, 0xffffffffffffffff, 0xffffffffffffffff, 1)
    TEST_RR(63, mulh, 0x4000000000000000, 0x8000000000000000, 0x8000000000000000)
    TEST_RR(64, mulhu, 0xfffffffffffffffe, 0xffffffffffffffff, 0xffffffffffffffff)
    TEST_RR(65, mulhsu, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff)
    TEST_RR(66, mulhsu, 0xc000000000000000, 0x8000000000000000, 0x8000000000000000)
    TEST_RR(67, mulw, 0x0000000000000000, 0x0000000100000000, 7)
    TEST_RR(68, mulw, 0xffffffff80000000, 0x40000000, 2)
    TEST_RR(69, div, 0xffffffffffffffff, 7, 0)
    TEST_RR(70, div, 0x8000000000000000, 0x8000000000000000, -1)
    TEST_RR(71, divu, 0xffffffffffffffff, 7, 0)
    TEST_RR(72, rem, 7, 7, 0)
    TEST_RR(73, rem, 0, 0x8000000000000000, -1)
    TEST_RR(74, remu, 7, 7, 0)
    TEST_RR(75, div, -2, -7, 3)
    TEST_RR(76, rem, -1, -7, 3)
    TEST_RR(77, divw, 0xffffffff80000000, 0xffffffff80000000, -1)
    TEST_RR(78, remw, 0, 0xffffffff80000000, -1)
    TEST_RR(79, divuw, 0xffffffffffffffff, 5, 0)
    TEST_RR(80, remuw, 0xffffffff80000005, 0x80000005, 0)
    TEST_RR(81, divw, 0xffffffffffffffff, 0x12345678, 0)
    TEST_RR(82, remw, 0x0000000012345678, 0xff12345678, 0)
    TEST_RR(83, divuw, 0x0000000000000001, 0xffffffffffffffff, 0xffffffff)
    TEST_RR(84, mul, 0x0000000000000000, 0x8000000000000000, 2)
    TEST_RR_SAME(85, mul, 0x0000000000000009, 3)
    TEST_END
RVTEST_CODE_END

RVTEST_DATA_BEGIN
data:
    .byte 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87
    .dword 0
RVTEST_DATA_END
