/* RV64C: the compressed instructions of all three quadrants. */
#include "test.h"

/* a 16-bit encoding is illegal: cause 2, tval 0 or the 16 bits */
.macro TEST_ILLEGAL16 n, bits
    li gp, \n
    TRAP_ARM .Lres\@
.Linsn\@:
    .2byte \bits
.Lres\@:
    CHECK_TRAP_AT \n, CAUSE_ILLEGAL, 3, .Linsn\@
    ld t5, HB_TVAL(tp)
    beqz t5, .Lz\@
    CHECK \n, t5, \bits
.Lz\@:
.endm

TEST_BEGIN
    .option push
    .option rvc

    /* ---------------- quadrant 1: immediates and ALU ---------------- */
    li gp, 1
    c.li s0, -32
    CHECK 1, s0, -32
    c.li s0, 31
    CHECK 2, s0, 31
    c.addi s0, -1
    CHECK 3, s0, 30
    c.addi s0, 31
    CHECK 4, s0, 61
    c.nop
    li a0, 0x7fffffff
    c.addiw a0, 1
    CHECK 5, a0, 0xffffffff80000000
    li a0, 0x1234567887654321
    c.addiw a0, 0                   /* sext.w */
    CHECK 6, a0, 0xffffffff87654321
    c.lui a0, 0x1f
    CHECK 7, a0, 0x1f000
    c.lui a0, 0xfffff
    CHECK 8, a0, 0xfffffffffffff000
    c.lui a0, 0xfffe0
    CHECK 9, a0, 0xfffffffffffe0000
    li s1, 0x8000000000000000
    c.srli s1, 63
    CHECK 10, s1, 1
    li s1, 0x8000000000000000
    c.srli s1, 32
    CHECK 11, s1, 0x80000000
    li s1, 0x8000000000000000
    c.srai s1, 1
    CHECK 12, s1, 0xc000000000000000
    li s1, 0x8000000000000000
    c.srai s1, 63
    CHECK 13, s1, -1
    li s1, 0x123456789abcdef0
    c.andi s1, 0x1f
    CHECK 14, s1, 0x10
    li s1, 0x123456789abcdef0
    c.andi s1, -32
    CHECK 15, s1, 0x123456789abcdee0
    li a5, 10
    li a4, 3
    c.sub a5, a4
    CHECK 16, a5, 7
    li a5, 0x0ff0
    li a4, 0x00ff
    c.xor a5, a4
    CHECK 17, a5, 0x0f0f
    li a5, 0x0ff0
    c.or a5, a4
    CHECK 18, a5, 0x0fff
    li a5, 0x0ff0
    c.and a5, a4
    CHECK 19, a5, 0x00f0
    li a5, 0x80000000
    li a4, 1
    c.subw a5, a4
    CHECK 20, a5, 0x7fffffff
    li a5, 0
    c.subw a5, a4
    CHECK 21, a5, -1
    li a5, 0x7fffffff
    c.addw a5, a4
    CHECK 22, a5, 0xffffffff80000000
    li a5, 0xffffffff00000002
    li a4, 0x0000000500000003
    c.addw a5, a4
    CHECK 23, a5, 5

    /* ---------------- quadrant 2: slli, mv, add ---------------- */
    li a0, 1
    c.slli a0, 63
    CHECK 24, a0, 0x8000000000000000
    li a0, 0x0123456789abcdef
    c.slli a0, 4
    CHECK 25, a0, 0x123456789abcdef0
    li a1, 0x5555
    c.mv a0, a1
    CHECK 26, a0, 0x5555
    li a1, 0x1111
    c.add a0, a1
    CHECK 27, a0, 0x6666
    li a1, -0x6666
    c.add a0, a1
    CHECK 28, a0, 0

    /* ---------------- stack-pointer forms ---------------- */
    la sp, cstack_top
    c.addi16sp sp, -64
    la a0, cstack_top
    addi a0, a0, -64
    CHECKR 29, sp, a0
    c.addi16sp sp, 496
    addi a0, a0, 496
    CHECKR 30, sp, a0
    c.addi16sp sp, -512
    addi a0, a0, -512
    CHECKR 31, sp, a0
    c.addi4spn s0, sp, 4
    addi a0, sp, 4
    CHECKR 32, s0, a0
    c.addi4spn s0, sp, 1020
    addi a0, sp, 1020
    CHECKR 33, s0, a0
    li a1, 0x8badf00d
    c.swsp a1, 8(sp)
    c.lwsp a2, 8(sp)                /* sign-extends */
    CHECK 34, a2, 0xffffffff8badf00d
    li a1, 0x0123456789abcdef
    c.sdsp a1, 16(sp)
    c.ldsp a2, 16(sp)
    CHECK 35, a2, 0x0123456789abcdef
    c.sdsp a1, 504(sp)
    c.ldsp a3, 504(sp)
    CHECK 36, a3, 0x0123456789abcdef
    c.lwsp a3, 20(sp)               /* upper word of the dword */
    CHECK 37, a3, 0x01234567
    c.swsp a1, 252(sp)
    lwu a3, 252(sp)
    CHECK 38, a3, 0x89abcdef

    /* ---------------- register-based loads and stores ---------------- */
    la s0, cdata
    c.lw a0, 0(s0)
    CHECK 39, a0, 0xffffffff80000001
    c.lw a0, 4(s0)
    CHECK 40, a0, 0x7ffffffe
    c.ld a1, 8(s0)
    CHECK 41, a1, 0xfedcba9876543210
    li a2, 0x44332211
    c.sw a2, 124(s0)
    lw a3, 124(s0)
    CHECK 42, a3, 0x44332211
    li a2, 0xa1a2a3a4a5a6a7a8
    c.sd a2, 248(s0)
    ld a3, 248(s0)
    CHECK 43, a3, 0xa1a2a3a4a5a6a7a8
    c.ld a4, 248(s0)
    CHECK 44, a4, 0xa1a2a3a4a5a6a7a8

    /* ---------------- floating-point loads and stores ---------------- */
    c.fld fa0, 16(s0)
    fmv.x.d a0, fa0
    CHECK 45, a0, 0x400921fb54442d18
    c.fsd fa0, 240(s0)
    ld a0, 240(s0)
    CHECK 46, a0, 0x400921fb54442d18
    la sp, cstack_top
    addi sp, sp, -512
    li a0, 0xc000000000000000
    sd a0, 40(sp)
    c.fldsp fa1, 40(sp)
    fmv.x.d a1, fa1
    CHECK 47, a1, 0xc000000000000000
    c.fsdsp fa1, 488(sp)
    ld a1, 488(sp)
    CHECK 48, a1, 0xc000000000000000

    /* ---------------- control transfer ---------------- */
    li a3, 0
    c.j 1f
    li a3, 99
1:  CHECK 49, a3, 0
    li a3, 0
    j 3f
2:  li a3, 1
    c.j 4f
3:  c.j 2b                          /* backward */
4:  CHECK 50, a3, 1
    li s1, 0
    li a3, 0
    c.beqz s1, 5f
    li a3, 1
5:  CHECK 51, a3, 0                 /* taken */
    li s1, 7
    c.beqz s1, 6f
    li a3, 2
6:  CHECK 52, a3, 2                 /* not taken */
    li a3, 0
    c.bnez s1, 7f
    li a3, 3
7:  CHECK 53, a3, 0                 /* taken */
    li s1, 0
    c.bnez s1, 8f
    li a3, 4
8:  CHECK 54, a3, 4                 /* not taken */
    /* backward c.beqz / c.bnez */
    li s1, 3
    li a3, 0
9:  addi a3, a3, 1
    c.addi s1, -1
    c.bnez s1, 9b
    CHECK 55, a3, 3
    li s1, 0
    li a3, 0
    j 11f
10: li a3, 5
    j 12f
11: c.beqz s1, 10b
12: CHECK 56, a3, 5
    /* c.jr (bit 0 of the target is cleared like jalr) */
    li a3, 0
    la a0, 13f
    c.jr a0
    li a3, 6
13: CHECK 57, a3, 0
    la a0, 14f
    addi a0, a0, 1
    c.jr a0
    li a3, 7
14: CHECK 58, a3, 0
    /* c.jalr: ra = pc + 2 */
    la a0, cfunc
    c.jalr a0
15: CHECKA 59, ra, 15b
    CHECK 60, a0, 0x40
    /* a 32-bit instruction at an address that is 2 mod 4, reached by jalr */
    .align 2
    c.nop
16: addi a3, zero, 0x3a             /* 4 bytes at 2 mod 4 */
    la a0, 16b
    andi a0, a0, 3
    CHECK 61, a0, 2
    CHECK 62, a3, 0x3a

    /* ---------------- c.ebreak and illegal encodings ---------------- */
    li gp, 63
    TRAP_ARM 17f
18: c.ebreak
17: CHECK_TRAP_AT 63, CAUSE_BREAKPOINT, 3, 18b
    ld t5, HB_TVAL(tp)
    beqz t5, 19f                    /* mtval may be 0 or the pc */
    CHECKA 64, t5, 18b
19: TEST_ILLEGAL16 65, 0x0000       /* all zero: defined illegal */
    TEST_ILLEGAL16 66, 0x0004       /* c.addi4spn with nzuimm = 0 */
    TEST_ILLEGAL16 67, 0x4002       /* c.lwsp with rd = x0 */
    TEST_ILLEGAL16 68, 0x6002       /* c.ldsp with rd = x0 */
    TEST_ILLEGAL16 69, 0x8002       /* c.jr with rs1 = x0 */
    TEST_ILLEGAL16 70, 0x6101       /* c.addi16sp with nzimm = 0 */
    TEST_ILLEGAL16 71, 0x6501       /* c.lui a0 with nzimm = 0 */
    .option pop
    TEST_END

    .align 2
cfunc:
    .option push
    .option rvc
    c.li a0, 0
    c.addi a0, 0x2
    c.slli a0, 5
    c.jr ra
    .option pop

    .data
    .align 4
cdata:
    .word 0x80000001, 0x7ffffffe
    .dword 0xfedcba9876543210
    .dword 0x400921fb54442d18
    .fill 256, 1, 0
    .bss
    .align 4
cstack:
    .fill 2048, 1, 0
cstack_top:
