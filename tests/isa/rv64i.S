/* RV64I: every base instruction, with the usual edge cases. */
#include "test.h"

TEST_BEGIN
    /* ---- ADD / SUB / ADDI and the W forms: wrap-around ---- */
    TEST_RR   1, add,  2, 1, 1
    TEST_RR   2, add,  0x8000000000000000, 0x7fffffffffffffff, 1
    TEST_RR   3, add,  0, -1, 1
    TEST_RR   4, add,  0xffffffff00000000, 0xffffffff80000000, 0xffffffff80000000
    TEST_RR   5, sub,  -1, 0, 1
    TEST_RR   6, sub,  0x7fffffffffffffff, 0x8000000000000000, 1
    TEST_RR   7, sub,  -4, 3, 7
    TEST_RR   8, sub,  0x8000000000000000, 0, 0x8000000000000000
    TEST_RI   9, addi, 0x8000000000000000, 0x7fffffffffffffff, 1
    TEST_RI  10, addi, 0xfffffffffffff800, 0, -2048
    TEST_RI  11, addi, 2052, 5, 2047
    TEST_RR  12, addw, 0xffffffff80000000, 0x7fffffff, 1
    TEST_RR  13, addw, 0, 0xffffffff, 1
    TEST_RR  14, addw, 8, 0x100000005, 0x200000003
    TEST_RR  15, subw, -1, 0, 1
    TEST_RR  16, subw, 0x7fffffff, 0xffffffff80000000, 1
    TEST_RR  17, subw, 0xffffffff80000000, 0x7fffffff, -1
    TEST_RI  18, addiw, 0xffffffff80000000, 0x7fffffff, 1
    TEST_RI  19, addiw, 0xffffffff9abcdef0, 0x123456789abcdef0, 0
    TEST_RI  20, addiw, 0x7ffff800, 0xffffffff7fffffff, -2047
    TEST_RI  21, addiw, 0x7ff, 0x100000000, 2047

    /* ---- shifts: 0 / 31 / 32 / 63 and amount masking ---- */
    TEST_RR  22, sll, 1, 1, 0
    TEST_RR  23, sll, 0x80000000, 1, 31
    TEST_RR  24, sll, 0x100000000, 1, 32
    TEST_RR  25, sll, 0x8000000000000000, 1, 63
    TEST_RR  26, sll, 1, 1, 64
    TEST_RR  27, sll, 0x2468acf13579bde0, 0x123456789abcdef0, 0xffffffffffffffc1
    TEST_RR  28, srl, 0x8000000000000000, 0x8000000000000000, 0
    TEST_RR  29, srl, 0x1ffffffff, -1, 31
    TEST_RR  30, srl, 0x80000000, 0x8000000000000000, 32
    TEST_RR  31, srl, 1, 0x8000000000000000, 63
    TEST_RR  32, srl, 0x4000000000000000, 0x8000000000000000, 65
    TEST_RR  33, sra, 0x8000000000000000, 0x8000000000000000, 0
    TEST_RR  34, sra, 0xffffffff00000000, 0x8000000000000000, 31
    TEST_RR  35, sra, 0xffffffff80000000, 0x8000000000000000, 32
    TEST_RR  36, sra, -1, 0x8000000000000000, 63
    TEST_RR  37, sra, 0x3fffffffffffffff, 0x7fffffffffffffff, 1
    TEST_RR  38, sra, 0xc000000000000000, 0x8000000000000000, 0x41
    TEST_RI  39, slli, 0x123456789abcdef0, 0x123456789abcdef0, 0
    TEST_RI  40, slli, 0x9abcdef000000000, 0x123456789abcdef0, 32
    TEST_RI  41, slli, 0x8000000000000000, 0xffffffffffffffff, 63
    TEST_RI  42, slli, 0xffffffff80000000, 0xffffffffffffffff, 31
    TEST_RI  43, srli, 0x00000000ffffffff, 0xffffffffffffffff, 32
    TEST_RI  44, srli, 1, 0xffffffffffffffff, 63
    TEST_RI  45, srli, 0x1ffffffff, 0xffffffffffffffff, 31
    TEST_RI  46, srai, 0xffffffff80000000, 0x8000000000000000, 32
    TEST_RI  47, srai, -1, 0x8000000000000000, 63
    TEST_RI  48, srai, 0x0000000012345678, 0x1234567800000000, 32
    TEST_RI  49, srai, 0x8000000000000000, 0x8000000000000000, 0
    /* W shifts: 32-bit result sign-extended, amount masked to 5 bits */
    TEST_RR  50, sllw, 0xffffffff80000000, 1, 31
    TEST_RR  51, sllw, 1, 1, 32
    TEST_RR  52, sllw, 1, 0xffffffff00000001, 0
    TEST_RR  53, sllw, 0xffffffffabcdef00, 0x00000000ffabcdef, 8
    TEST_RR  54, srlw, 1, 0xffffffff80000000, 31
    TEST_RR  55, srlw, 0xffffffff80000000, 0x0000000080000000, 0
    TEST_RR  56, srlw, -1, -1, 32
    TEST_RR  57, srlw, 0x7fffffff, -1, 33
    TEST_RR  58, srlw, 0x12345678, 0xabcdef0012345678, 0
    TEST_RR  59, sraw, -1, 0x80000000, 31
    TEST_RR  60, sraw, 0, 0x7fffffff, 31
    TEST_RR  61, sraw, 0xfffffffff8000000, 0x180000000, 4
    TEST_RR  62, sraw, 0xffffffffc0000000, 0x80000000, 33
    TEST_RI  63, slliw, 0xffffffff80000000, 1, 31
    TEST_RI  64, slliw, 0xfffffffff0000000, 0x12345678f, 28
    TEST_RI  65, slliw, 0x12345678, 0xffffffff12345678, 0
    TEST_RI  66, srliw, 1, 0xffffffff80000000, 31
    TEST_RI  67, srliw, 0xffffffff80000000, 0x0000000080000000, 0
    TEST_RI  68, srliw, 0x0fffffff, 0x00000000ffffffff, 4
    TEST_RI  69, sraiw, -1, 0x80000000, 31
    TEST_RI  70, sraiw, 0xfffffffff8000000, 0x80000000, 4
    TEST_RI  71, sraiw, 0x07ffffff, 0xffffffff7fffffff, 4
    TEST_RI  72, sraiw, 0xffffffff80000000, 0x80000000, 0

    /* ---- compares: signed vs unsigned ---- */
    TEST_RR  73, slt,  1, -1, 1
    TEST_RR  74, sltu, 0, -1, 1
    TEST_RR  75, slt,  0, 1, -1
    TEST_RR  76, sltu, 1, 1, -1
    TEST_RR  77, slt,  0, 5, 5
    TEST_RR  78, slt,  1, 0x8000000000000000, 0x7fffffffffffffff
    TEST_RR  79, sltu, 0, 0x8000000000000000, 0x7fffffffffffffff
    TEST_RI  80, slti, 1, -1, 0
    TEST_RI  81, slti, 0, 0, -1
    TEST_RI  82, slti, 1, 0x8000000000000000, -2048
    TEST_RI  83, sltiu, 1, 0, -1
    TEST_RI  84, sltiu, 0, 1, 1
    TEST_RI  85, sltiu, 1, 0, 1
    TEST_RI  86, sltiu, 0, -1, -1

    /* ---- logic ---- */
    TEST_RR  87, and, 0x0f000f0000f000f0, 0x0ff00ff00ff00ff0, 0xff00ff00f0f0f0f0
    TEST_RR  88, or,  0xfff0fff0fff0fff0, 0x0ff00ff00ff00ff0, 0xff00ff00f0f0f0f0
    TEST_RR  89, xor, 0xf0f0f0f0ff00ff00, 0x0ff00ff00ff00ff0, 0xff00ff00f0f0f0f0
    TEST_RI  90, andi, 0x123456789abcdef0, 0x123456789abcdef0, -1
    TEST_RI  91, andi, 0x0f0, 0x123456789abcdef0, 0x0ff
    TEST_RI  92, ori,  0xfffffffffffff800, 0, -2048
    TEST_RI  93, ori,  0x123456789abcdeff, 0x123456789abcdef0, 0x00f
    TEST_RI  94, xori, 0xedcba9876543210f, 0x123456789abcdef0, -1
    TEST_RI  95, xori, 0x123456789abcd90f, 0x123456789abcdef0, 0x7ff

    /* ---- LUI / AUIPC ---- */
    li gp, 96
    lui a3, 0x80000
    CHECK    96, a3, 0xffffffff80000000
    lui a3, 0x7ffff
    CHECK    97, a3, 0x7ffff000
    lui a3, 0xfffff
    CHECK    98, a3, 0xfffffffffffff000
    lui a3, 0
    CHECK    99, a3, 0
.Lauipc0:
    auipc a3, 0
    CHECKA  100, a3, .Lauipc0
.Lauipc1:
    auipc a3, 1
    addi a3, a3, -0x7ff
    addi a3, a3, -0x7ff
    addi a3, a3, -2
    CHECKA  101, a3, .Lauipc1
.Lauipc2:
    auipc a3, 0x80000           /* pc - 2^31, sign-extended offset */
    la a4, .Lauipc2
    sub a3, a4, a3
    CHECK   102, a3, 0x80000000

    /* ---- branches, taken and not, forward and backward ---- */
    TEST_BR 103, beq,  1, 3, 3
    TEST_BR 104, beq,  0, 3, 4
    TEST_BR 105, bne,  1, 3, 4
    TEST_BR 106, bne,  0, -1, -1
    TEST_BR 107, blt,  1, -1, 1
    TEST_BR 108, blt,  0, 1, -1
    TEST_BR 109, blt,  0, 7, 7
    TEST_BR 110, bge,  1, 7, 7
    TEST_BR 111, bge,  1, 1, -1
    TEST_BR 112, bge,  0, 0x8000000000000000, 0
    TEST_BR 113, bltu, 0, -1, 1
    TEST_BR 114, bltu, 1, 1, -1
    TEST_BR 115, bltu, 0, 5, 5
    TEST_BR 116, bgeu, 1, -1, 1
    TEST_BR 117, bgeu, 0, 0, -1
    TEST_BR 118, bgeu, 1, 9, 9

    /* ---- JAL / JALR ---- */
    li gp, 119
    li a3, 0
    jal a4, .Ljal1
.Ljal1_ret:
    j .Ljal1_done
.Ljal1:
    li a3, 1
    CHECKA  119, a4, .Ljal1_ret
    jalr x0, 0(a4)
.Ljal1_done:
    CHECK   120, a3, 1
    /* jal backwards, link into x0 (ignored) */
    li a3, 0
    j .Ljal2_start
.Ljal2:
    li a3, 2
    j .Ljal2_done
.Ljal2_start:
    jal x0, .Ljal2
.Ljal2_done:
    CHECK   121, a3, 2
    CHECK   122, x0, 0
    /* jalr: target bit 0 is cleared */
    li a3, 0
    la a1, .Ljalr1
    addi a1, a1, 1
    jalr a4, 0(a1)
.Ljalr1_ret:
    j .Ljalr1_done
    .align 2
.Ljalr1:
    li a3, 3
    jalr x0, 0(a4)
.Ljalr1_done:
    CHECK   123, a3, 3
    CHECKA  124, a4, .Ljalr1_ret
    /* jalr: odd immediate, negative offset */
    li a3, 0
    la a1, .Ljalr2
    addi a1, a1, 9
    jalr a4, -8(a1)
.Ljalr2_ret:
    j .Ljalr2_done
    .align 2
.Ljalr2:
    li a3, 4
    jalr x0, 0(a4)
.Ljalr2_done:
    CHECK   125, a3, 4
    /* jalr with rd = rs1: the target uses the old rs1 */
    li a3, 0
    la a1, .Ljalr3
    jalr a1, 0(a1)
.Ljalr3_ret:
    j .Ljalr3_done
.Ljalr3:
    li a3, 5
    jalr x0, 0(a1)
.Ljalr3_done:
    CHECK   126, a3, 5
    CHECKA  127, a1, .Ljalr3_ret

    /* ---- loads: sign and zero extension ---- */
    TEST_LD 128, lb,  0xffffffffffffff88, ldata, 0
    TEST_LD 129, lbu, 0x88, ldata, 0
    TEST_LD 130, lb,  0x7f, ldata, 8
    TEST_LD 131, lh,  0xffffffffffff8788, ldata, 0
    TEST_LD 132, lhu, 0x8788, ldata, 0
    TEST_LD 133, lh,  0x7f7f, ldata, 8
    TEST_LD 134, lw,  0xffffffff85868788, ldata, 0
    TEST_LD 135, lwu, 0x85868788, ldata, 0
    TEST_LD 136, lw,  0x7f7f7f7f, ldata, 8
    TEST_LD 137, ld,  0x8182838485868788, ldata, 0
    TEST_LD 138, lb,  0xffffffffffffff81, ldata, 7
    TEST_LD 139, lhu, 0x8384, ldata, 4
    TEST_LD 140, lw,  0x7f7f7f7f, ldata + 16, -8
    TEST_LD 141, lbu, 0x81, ldata + 8, -1
    TEST_LD 142, ld,  0x0123456789abcdef, ldata, 16
    li gp, 143
    la a1, ldata
    lw a1, 0(a1)                /* rd = base register */
    CHECK   143, a1, 0xffffffff85868788

    /* ---- stores of every size; neighbours are untouched ---- */
    TEST_ST 144, sd, ld, 0x1122334455667788, 0x1122334455667788, sdata, 0
    TEST_ST 145, sb, ld, 0x11223344556677aa, 0xfffffffffffffaa, sdata, 0
    TEST_ST 146, sh, ld, 0x112233445566bbcc, 0x123bbcc, sdata, 0
    TEST_ST 147, sw, ld, 0x11223344deadbeef, 0x12deadbeef, sdata, 0
    TEST_ST 148, sb, lbu, 0xee, 0xee, sdata, 6
    TEST_ST 149, sh, lhu, 0xcafe, 0xcafe, sdata, 10
    TEST_ST 150, sw, lw, 0xffffffff80000001, 0x80000001, sdata, 12
    TEST_ST 151, sd, ld, -2, -2, sdata, 16
    TEST_ST 152, sb, lb, 0, 0x100, sdata + 24, -7
    TEST_LD 153, ld, 0xffffffffffff00fe, sdata, 16
    TEST_LD 154, ld, 0x80000001cafe0000, sdata, 8

    /* ---- writes to x0 are ignored ---- */
    TEST_RR_X0 155, add, 1, 2
    li gp, 156
    addi x0, x0, 5
    CHECK   156, x0, 0
    lui x0, 0x12345
    CHECK   157, x0, 0
    la a1, ldata
    ld x0, 0(a1)
    CHECK   158, x0, 0
    auipc x0, 1
    CHECK   159, x0, 0

    /* ---- source = destination, x0 as an operand ---- */
    TEST_RR_SRC1 160, add, 12, 5, 7
    TEST_RR_SRC2 161, sub, -2, 5, 7
    TEST_RR_SAME 162, add, 14, 7
    TEST_RR_SAME 163, sub, 0, 7
    li gp, 164
    li a1, 77
    add a3, x0, a1
    CHECK   164, a3, 77
    sub a3, x0, a1
    CHECK   165, a3, -77

    /* ---- FENCE, FENCE.I and a code patch made visible by FENCE.I ---- */
    li gp, 166
    fence
    fence rw, rw
    fence.i
    la a1, .Lpatch
    la a2, .Lpatch_src
    lw a2, 0(a2)
    sw a2, 0(a1)
    fence.i
    .option push
    .option norvc
.Lpatch:
    addi a3, zero, 1            /* replaced by addi a3, zero, 2 */
    .option pop
    CHECK   166, a3, 2
    TEST_LD 167, ld, 0x11ee3344deadbeef, sdata, 0

    TEST_END

    .align 2
.Lpatch_src:
    .option push
    .option norvc
    addi a3, zero, 2
    .option pop

    .data
    .align 4
ldata:
    .dword 0x8182838485868788
    .dword 0x817f7f7f7f7f7f7f
    .dword 0x0123456789abcdef
sdata:
    .dword 0, 0, 0, 0, 0
