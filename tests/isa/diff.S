/*
 * Differential program: mixes many instruction kinds over a few hundred
 * iterations, then prints every integer and FP register, fcsr and a
 * checksum of the memory it wrote, between "DUMP BEGIN" and "DUMP END".
 * The output is deterministic (no counters or time), so two correct
 * implementations print the same dump.
 */
#include "test.h"

#define ITER 300

TEST_BEGIN
    la a0, str_begin
    call uart_puts
    li s0, 0x243f6a8885a308d3
    li s1, 0x13198a2e03707344
    li s2, 0xa4093822299f31d0
    li s3, 0x082efa98ec4e6c89
    li s4, 0x452821e638d01377
    li s5, 0xbe5466cf34e90c6c
    li s6, 0
    li s7, 0
    li s8, 0
    li s9, 0
    li s10, ITER
    la s11, membuf
    fcvt.d.l fs0, s0
    fcvt.d.w fs1, s1
    fmv.d.x fs2, s2
    li t0, 0x3ff8000000000000
    fmv.d.x fs3, t0                 /* 1.5 */
    li t0, 0x40490fdb
    fmv.w.x fs4, t0                 /* pi, single */
    csrwi frm, 0
    csrwi fflags, 0
1:
    /* integer mix */
    mul t0, s0, s1
    mulhu t1, s0, s1
    mulh t2, s2, s3
    mulhsu t3, s3, s4
    add s0, s0, t1
    xor s1, s1, t0
    sub s2, s2, t2
    or t4, t3, s5
    and t5, t4, s4
    xor s3, s3, t5
    srli t6, s0, 13
    slli a0, s1, 7
    srai a1, s2, 29
    xor s4, s4, t6
    add s5, s5, a0
    sub s5, s5, a1
    andi a2, s0, 63
    sll a3, s1, a2
    srl a4, s2, a2
    sra a5, s3, a2
    xor s6, s6, a3
    add s7, s7, a4
    sub s8, s8, a5
    addw a6, s0, s1
    subw a7, s2, s3
    sllw t0, s4, a2
    srlw t1, s5, a2
    sraw t2, s6, a2
    add s9, s9, a6
    xor s9, s9, a7
    add s9, s9, t0
    xor s9, s9, t1
    add s9, s9, t2
    addiw t3, s7, -1234
    slliw t4, s8, 9
    srliw t5, s9, 3
    sraiw t6, s0, 17
    xor s6, s6, t3
    add s7, s7, t4
    xor s8, s8, t5
    add s8, s8, t6
    slt a0, s0, s1
    sltu a1, s2, s3
    slti a2, s4, -5
    sltiu a3, s5, 1000
    add s9, s9, a0
    add s9, s9, a1
    add s9, s9, a2
    add s9, s9, a3
    /* division, including by values that may be zero or -1 */
    andi t0, s1, 7
    addi t0, t0, -3
    div t1, s0, t0
    divu t2, s2, t0
    rem t3, s3, t0
    remu t4, s4, t0
    divw t5, s5, t0
    remuw t6, s6, t0
    add s0, s0, t1
    xor s1, s1, t2
    add s2, s2, t3
    xor s3, s3, t4
    add s4, s4, t5
    xor s5, s5, t6
    mulw a4, s7, s8
    xor s7, s7, a4
    /* data-dependent branches */
    andi a5, s9, 3
    beqz a5, 2f
    bltu s0, s1, 3f
    addi s8, s8, 11
    j 4f
2:  addi s8, s8, -7
    j 4f
3:  xori s8, s8, 0x5a5
4:  bge s2, s3, 5f
    addi s6, s6, 1
5:
    /* compressed forms */
    .option push
    .option rvc
    c.mv a0, s0
    c.add a0, s1
    c.srli a0, 3
    c.xor a0, s1
    c.addiw a0, 5
    c.slli a0, 2
    c.and a0, s0
    c.or a0, s1
    c.subw a0, s1
    .option pop
    add s9, s9, a0
    /* memory: stores of every size, then loads back */
    andi t0, s10, 0x1f8
    add t1, s11, t0
    sd s0, 0(t1)
    sw s1, 512(t1)
    sh s2, 1024(t1)
    sb s3, 1536(t1)
    sh s4, 2046(t1)
    lb t2, 3(t1)
    lh t3, 2(t1)
    lw t4, 4(t1)
    lbu t5, 1(t1)
    lhu t6, 6(t1)
    lwu a0, 512(t1)
    ld a1, 0(t1)
    add s5, s5, t2
    xor s5, s5, t3
    add s5, s5, t4
    xor s5, s5, t5
    add s5, s5, t6
    xor s5, s5, a0
    add s5, s5, a1
    /* atomics */
    li t2, 3072
    add t2, t2, s11
    addi t3, t2, 8
    addi t4, t2, 16
    amoadd.d a2, s0, (t2)
    amoxor.w a3, s1, (t2)
    amomaxu.d a4, s2, (t3)
    amomin.w a5, s3, (t4)
    add s6, s6, a2
    xor s6, s6, a3
    add s6, s6, a4
    xor s6, s6, a5
6:  lr.d a6, (t2)
    add a6, a6, s4
    sc.d a7, a6, (t2)
    bnez a7, 6b
    /* floating point */
    fcvt.d.l ft0, s0
    fcvt.d.lu ft1, s1
    fmul.d ft2, ft0, fs3
    fadd.d fs0, fs0, ft2
    fdiv.d ft3, fs0, ft1
    fsqrt.d ft4, fs3
    fmadd.d fs1, ft3, ft4, ft2
    fsub.d fs2, fs1, fs0
    fmin.d ft5, fs0, fs1
    fmax.d ft6, fs1, fs2
    fsgnjx.d fs3, fs3, ft5
    fabs.d fs3, fs3
    fcvt.s.d ft7, fs2
    fmul.s fs4, fs4, ft7
    fcvt.w.s t3, fs4, rtz
    fcvt.l.d t4, fs2, rtz
    feq.d t5, ft5, ft6
    flt.d t6, fs0, fs1
    fclass.d a0, fs2
    add s7, s7, t3
    xor s7, s7, t4
    add s7, s7, t5
    add s7, s7, t6
    add s7, s7, a0
    li t2, 2560
    add t2, t2, t1
    fsw fs4, 0(t2)
    li t2, 3584
    add t2, t2, t1
    fsd fs1, 0(t2)
    /* restart the single value when it leaves the normal range */
    fclass.s a1, fs4
    andi a1, a1, 0x42
    bnez a1, 7f
    li a1, 0x40490fdb
    fmv.w.x fs4, a1
7:  addi s10, s10, -1
    bnez s10, 1b

    /* a checksum of the buffer */
    la t0, membuf
    li t1, 4096
    add t1, t1, t0
    li a0, 0
    li a2, 0x100000001b3
8:  ld a1, 0(t0)
    xor a0, a0, a1
    mul a0, a0, a2
    srli a3, a0, 29
    xor a0, a0, a3
    addi t0, t0, 8
    bltu t0, t1, 8b
    la t0, checksum
    sd a0, 0(t0)

    /* save every register, then print them */
    csrw mscratch, t0
    la t0, regsave
    sd x1, 8(t0)
    sd x2, 16(t0)
    sd x3, 24(t0)
    sd x4, 32(t0)
    sd x6, 48(t0)
    sd x7, 56(t0)
    sd x8, 64(t0)
    sd x9, 72(t0)
    sd x10, 80(t0)
    sd x11, 88(t0)
    sd x12, 96(t0)
    sd x13, 104(t0)
    sd x14, 112(t0)
    sd x15, 120(t0)
    sd x16, 128(t0)
    sd x17, 136(t0)
    sd x18, 144(t0)
    sd x19, 152(t0)
    sd x20, 160(t0)
    sd x21, 168(t0)
    sd x22, 176(t0)
    sd x23, 184(t0)
    sd x24, 192(t0)
    sd x25, 200(t0)
    sd x26, 208(t0)
    sd x27, 216(t0)
    sd x28, 224(t0)
    sd x29, 232(t0)
    sd x30, 240(t0)
    sd x31, 248(t0)
    csrr t1, mscratch
    sd t1, 40(t0)
    csrw mscratch, tp
    .irp r, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    fsd f\r, (256 + 8 * \r)(t0)
    .endr
    csrr t1, fcsr
    sd t1, 512(t0)

    /* print: "xNN 0x...", "fNN 0x...", "fcsr 0x...", "mem 0x..." */
    li s0, 0
9:  li a0, 'x'
    la t0, regsave
    call print_reg_line
    addi s0, s0, 1
    li t0, 32
    bltu s0, t0, 9b
    li s0, 0
10: li a0, 'f'
    call print_reg_line
    addi s0, s0, 1
    li t0, 32
    bltu s0, t0, 10b
    la a0, str_fcsr
    call uart_puts
    la t0, regsave
    ld a0, 512(t0)
    call uart_puthex
    li a0, '\n'
    call uart_putc
    la a0, str_mem
    call uart_puts
    la t0, checksum
    ld a0, 0(t0)
    call uart_puthex
    li a0, '\n'
    call uart_putc
    la a0, str_end
    call uart_puts
    TEST_END

/* a0 = 'x' or 'f', s0 = register number: prints "<a0><NN> <value>" */
print_reg_line:
    addi sp, sp, -16
    sd ra, 0(sp)
    mv s1, a0
    call uart_putc
    li t0, 10
    divu a0, s0, t0
    addi a0, a0, '0'
    call uart_putc
    li t0, 10
    remu a0, s0, t0
    addi a0, a0, '0'
    call uart_putc
    li a0, ' '
    call uart_putc
    la t0, regsave
    slli t1, s0, 3
    add t0, t0, t1
    li t1, 'f'
    bne s1, t1, 1f
    addi t0, t0, 256
1:  ld a0, 0(t0)
    call uart_puthex
    li a0, '\n'
    call uart_putc
    ld ra, 0(sp)
    addi sp, sp, 16
    ret

    .section .rodata
str_begin: .asciz "DUMP BEGIN\n"
str_fcsr:  .asciz "fcsr "
str_mem:   .asciz "mem "
str_end:   .asciz "DUMP END\n"

    .data
    .align 4
regsave:  .fill 66, 8, 0
checksum: .dword 0
    .bss
    .align 12
membuf:   .fill 4096, 1, 0
