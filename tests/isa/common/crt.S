/*
 * Start-up code, trap handlers and reporting for the ISA test programs.
 *
 * Every hart enters _start in M-mode.  Hart 0 runs test_main; other harts run
 * secondary_main if the program defines it, otherwise they park.  Each hart
 * owns an 8 KiB block (layout in defs.h); tp, mscratch and sscratch point at
 * it.  Test programs keep tp and gp (current check number) intact.
 */
#include "defs.h"

#define REGSAVE(base, off) \
    sd x1, off+8(base);   sd x3, off+24(base);  sd x4, off+32(base);  \
    sd x5, off+40(base);  sd x6, off+48(base);  sd x7, off+56(base);  \
    sd x8, off+64(base);  sd x9, off+72(base);  sd x10, off+80(base); \
    sd x11, off+88(base); sd x12, off+96(base); sd x13, off+104(base); \
    sd x14, off+112(base); sd x15, off+120(base); sd x16, off+128(base); \
    sd x17, off+136(base); sd x18, off+144(base); sd x19, off+152(base); \
    sd x20, off+160(base); sd x21, off+168(base); sd x22, off+176(base); \
    sd x23, off+184(base); sd x24, off+192(base); sd x25, off+200(base); \
    sd x26, off+208(base); sd x27, off+216(base); sd x28, off+224(base); \
    sd x29, off+232(base); sd x30, off+240(base); sd x31, off+248(base)

/* restores everything except x2 (sp) */
#define REGLOAD(base, off) \
    ld x1, off+8(base);   ld x3, off+24(base);  ld x4, off+32(base);  \
    ld x5, off+40(base);  ld x6, off+48(base);  ld x7, off+56(base);  \
    ld x8, off+64(base);  ld x9, off+72(base);  ld x10, off+80(base); \
    ld x11, off+88(base); ld x12, off+96(base); ld x13, off+104(base); \
    ld x14, off+112(base); ld x15, off+120(base); ld x16, off+128(base); \
    ld x17, off+136(base); ld x18, off+144(base); ld x19, off+152(base); \
    ld x20, off+160(base); ld x21, off+168(base); ld x22, off+176(base); \
    ld x23, off+184(base); ld x24, off+192(base); ld x25, off+200(base); \
    ld x26, off+208(base); ld x27, off+216(base); ld x28, off+224(base); \
    ld x29, off+232(base); ld x30, off+240(base); ld x31, off+248(base)

    .section .text.init, "ax", @progbits
    .option push
    .option norvc
    .globl _start
_start:
    .option push
    .option norelax
    csrr t0, mhartid
    li t1, MAX_HARTS
    bgeu t0, t1, park
    la tp, hart_blocks
    slli t1, t0, HB_SHIFT
    add tp, tp, t1
    la sp, hart_stacks
    addi t1, t0, 1
    slli t1, t1, 14
    add sp, sp, t1
    /* clear the hart block */
    mv t1, tp
    li t2, (1 << HB_SHIFT)
    add t2, t2, tp
1:  sd zero, 0(t1)
    addi t1, t1, 8
    bltu t1, t2, 1b
    sd t0, HB_HARTID(tp)
    /* QEMU reports its version as marchid and mimpid (0x00MMmmpp); a few
       checks tolerate QEMU's documented deviations from the specification
       only when this is set, and stay strict everywhere else. */
    csrr t1, marchid
    csrr t2, mimpid
    bne t1, t2, 6f
    csrr t2, mvendorid
    bnez t2, 6f
    srli t2, t1, 16
    beqz t2, 6f
    srli t2, t1, 24
    bnez t2, 6f
    li t2, 1
    sd t2, HB_QEMU(tp)
6:
    csrw mscratch, tp
    csrw sscratch, tp
    /* PMP: one NAPOT entry covering everything, RWX, so that S/U may run.
       A hart without PMP traps here; the temporary mtvec skips the write. */
    la t1, 2f
    csrw mtvec, t1
    li t1, -1
    csrw pmpaddr0, t1
    li t1, 0x1f
    csrw pmpcfg0, t1
    .align 2
2:  la t1, m_trap_entry
    csrw mtvec, t1
    la t1, s_trap_entry
    csrw stvec, t1
    csrw mie, zero
    csrw mip, zero
    csrw medeleg, zero
    csrw mideleg, zero
    csrw satp, zero
    li t1, MSTATUS_FS_INIT
    csrw mstatus, t1
    fscsr zero
    li gp, 0
    bnez t0, secondary_start
    /* hart 0: clear .bss, then release the other harts */
    la t1, __bss_start
    la t2, __bss_end
3:  bgeu t1, t2, 4f
    sd zero, 0(t1)
    addi t1, t1, 8
    j 3b
4:  fence rw, rw
    li t1, 1
    la t2, boot_released
    sw t1, 0(t2)
    fence rw, rw
    call test_main
    j test_pass

secondary_start:
    la t2, boot_released
5:  lw t1, 0(t2)
    beqz t1, 5b
    fence rw, rw
    .weak secondary_main
    la t1, secondary_main
    beqz t1, park
    jalr t1
park:
    wfi
    j park
    .option pop
    .option pop

/* ------------------------------------------------------------------ */
/* M-mode trap handler                                                 */
    .text
    .align 4
    .globl m_trap_entry
m_trap_entry:
    csrrw sp, mscratch, sp
    REGSAVE(sp, HB_MSAVE)
    csrr t0, mscratch
    sd t0, HB_MSAVE+16(sp)
    csrw mscratch, sp
    mv s0, sp
    li t0, HB_MSTACK_TOP
    add sp, s0, t0
    ld t0, HB_MCOUNT(s0)
    addi t0, t0, 1
    sd t0, HB_MCOUNT(s0)
    csrr s1, mcause
    bltz s1, .Lm_irq
    li t0, CAUSE_ECALL_U
    beq s1, t0, .Lm_ecall
    li t0, CAUSE_ECALL_S
    beq s1, t0, .Lm_ecall
    li t0, CAUSE_ECALL_M
    beq s1, t0, .Lm_ecall
    li t0, CAUSE_ECALL_VS
    beq s1, t0, .Lm_ecall
.Lm_exc:
    ld t0, HB_RESUME(s0)
    ld t1, HB_SKIP(s0)
    or t2, t0, t1
    beqz t2, .Lm_unexpected
    sd s1, HB_CAUSE(s0)
    csrr t2, mepc
    sd t2, HB_EPC(s0)
    csrr t2, mtval
    sd t2, HB_TVAL(s0)
    csrr t2, misa                   /* with the H extension: mtval2 and mtinst too */
    srli t2, t2, 7
    andi t2, t2, 1
    beqz t2, 7f
    csrr t2, mtval2
    sd t2, HB_TVAL2(s0)
    csrr t2, mtinst
    sd t2, HB_TINST(s0)
7:  li t2, 3
    sd t2, HB_MODE(s0)
    csrr t2, mstatus
    sd t2, HB_STATUS(s0)
    srli t2, t2, 11
    andi t2, t2, 3
    sd t2, HB_PRIV(s0)
    ld t2, HB_COUNT(s0)
    addi t2, t2, 1
    sd t2, HB_COUNT(s0)
    sd zero, HB_RESUME(s0)
    sd zero, HB_SKIP(s0)
    beqz t0, .Lm_skip
    csrw mepc, t0
    ld t1, HB_RESUMEPRIV(s0)
    sd zero, HB_RESUMEPRIV(s0)
    beqz t1, .Lm_return
    addi t1, t1, -1
    slli t1, t1, 11
    li t2, MSTATUS_MPP
    csrc mstatus, t2
    csrs mstatus, t1
    call clear_mpv
    j .Lm_return
.Lm_skip:
    csrr a0, mepc
    call insn_length
    csrr t0, mepc
    add t0, t0, a0
    csrw mepc, t0
    j .Lm_return

.Lm_ecall:
    ld t0, HB_MSAVE+136(s0)         /* a7 */
    li t1, SVC_MAGIC
    bne t0, t1, .Lm_exc
    ld t0, HB_MSAVE+80(s0)          /* a0 */
    bnez t0, .Lm_unexpected
    /* SVC_GO_M: continue after the ecall in M-mode, interrupts off */
    csrr t0, mepc
    addi t0, t0, 4
    csrw mepc, t0
    li t0, MSTATUS_MPP
    csrs mstatus, t0
    call clear_mpv
    li t0, MSTATUS_MPIE
    csrc mstatus, t0
    j .Lm_return

.Lm_irq:
    slli s1, s1, 1
    srli s1, s1, 1
    ld t0, HB_LOGN(s0)
    li t1, 8
    bgeu t0, t1, 1f
    slli t1, t0, 3
    add t1, t1, s0
    sd s1, HB_LOG(t1)
    li t2, 3
    sd t2, HB_LOGMODE(t1)
1:  addi t0, t0, 1
    sd t0, HB_LOGN(s0)
    csrr t0, mepc
    sd t0, HB_IRQEPC(s0)
    csrr t0, mstatus
    sd t0, HB_IRQSTATUS(s0)
    srli t0, t0, 11
    andi t0, t0, 3
    sd t0, HB_IRQPRIV(s0)
    /* quiet the source: disable it in mie */
    li t0, 1
    sll t0, t0, s1
    csrc mie, t0
    j .Lm_return

.Lm_return:
    mv sp, s0
    REGLOAD(sp, HB_MSAVE)
    ld sp, HB_MSAVE+16(sp)
    mret

.Lm_unexpected:
    ld a0, HB_MSAVE+24(s0)          /* gp: current check */
    call print_fail_head
    la a0, str_unexp
    call uart_puts
    mv a0, s1
    call uart_puthex
    la a0, str_epc
    call uart_puts
    csrr a0, mepc
    call uart_puthex
    la a0, str_tval
    call uart_puts
    csrr a0, mtval
    call uart_puthex
    la a0, str_inm
    call uart_puts
    csrr a0, mstatus
    srli a0, a0, 11
    andi a0, a0, 3
    call uart_putdec
    li a0, '\n'
    call uart_putc
    mv tp, s0
    call flush_reports
    ld a0, HB_MSAVE+24(s0)
    j test_exit_fail

/* ------------------------------------------------------------------ */
/* S-mode trap handler                                                 */
    .align 4
    .globl s_trap_entry
s_trap_entry:
    csrrw sp, sscratch, sp
    REGSAVE(sp, HB_SSAVE)
    csrr t0, sscratch
    sd t0, HB_SSAVE+16(sp)
    csrw sscratch, sp
    mv s0, sp
    li t0, HB_SSTACK_TOP
    add sp, s0, t0
    ld t0, HB_SCOUNT(s0)
    addi t0, t0, 1
    sd t0, HB_SCOUNT(s0)
    csrr s1, scause
    bltz s1, .Ls_irq
    ld t0, HB_RESUME(s0)
    ld t1, HB_SKIP(s0)
    or t2, t0, t1
    beqz t2, .Ls_unexpected
    sd s1, HB_CAUSE(s0)
    csrr t2, sepc
    sd t2, HB_EPC(s0)
    csrr t2, stval
    sd t2, HB_TVAL(s0)
    ld t2, HB_HEXT(s0)              /* H programs: the HS view (this handler never runs in VS) */
    beqz t2, 7f
    csrr t2, htval
    sd t2, HB_TVAL2(s0)
    csrr t2, htinst
    sd t2, HB_TINST(s0)
    csrr t2, hstatus
    sd t2, HB_HSTATUS(s0)
7:  li t2, 1
    sd t2, HB_MODE(s0)
    csrr t2, sstatus
    sd t2, HB_STATUS(s0)
    srli t2, t2, 8
    andi t2, t2, 1
    sd t2, HB_PRIV(s0)
    ld t2, HB_COUNT(s0)
    addi t2, t2, 1
    sd t2, HB_COUNT(s0)
    sd zero, HB_RESUME(s0)
    sd zero, HB_SKIP(s0)
    beqz t0, .Ls_skip
    csrw sepc, t0
    ld t1, HB_RESUMEPRIV(s0)
    sd zero, HB_RESUMEPRIV(s0)
    beqz t1, .Ls_return
    li t2, MSTATUS_SPP
    csrc sstatus, t2
    addi t1, t1, -1
    beqz t1, .Ls_return
    csrs sstatus, t2
    j .Ls_return
.Ls_skip:
    csrr a0, sepc
    call insn_length
    csrr t0, sepc
    add t0, t0, a0
    csrw sepc, t0
    j .Ls_return

.Ls_irq:
    slli s1, s1, 1
    srli s1, s1, 1
    ld t0, HB_LOGN(s0)
    li t1, 8
    bgeu t0, t1, 1f
    slli t1, t0, 3
    add t1, t1, s0
    sd s1, HB_LOG(t1)
    li t2, 1
    sd t2, HB_LOGMODE(t1)
1:  addi t0, t0, 1
    sd t0, HB_LOGN(s0)
    csrr t0, sepc
    sd t0, HB_IRQEPC(s0)
    csrr t0, sstatus
    sd t0, HB_IRQSTATUS(s0)
    srli t0, t0, 8
    andi t0, t0, 1
    sd t0, HB_IRQPRIV(s0)
    li t0, 1
    sll t0, t0, s1
    csrc sie, t0
    ld t1, HB_HEXT(s0)              /* H programs: VS-level interrupts are enabled in hie */
    beqz t1, .Ls_return
    csrc hie, t0
    j .Ls_return

.Ls_return:
    mv sp, s0
    REGLOAD(sp, HB_SSAVE)
    ld sp, HB_SSAVE+16(sp)
    sret

.Ls_unexpected:
    /* report from S-mode: translation off so the UART is reachable */
    csrw satp, zero
    sfence.vma
    ld a0, HB_SSAVE+24(s0)
    call print_fail_head
    la a0, str_unexp
    call uart_puts
    mv a0, s1
    call uart_puthex
    la a0, str_epc
    call uart_puts
    csrr a0, sepc
    call uart_puthex
    la a0, str_tval
    call uart_puts
    csrr a0, stval
    call uart_puthex
    la a0, str_ins
    call uart_puts
    csrr a0, sstatus
    srli a0, a0, 8
    andi a0, a0, 1
    call uart_putdec
    li a0, '\n'
    call uart_putc
    mv tp, s0
    call flush_reports
    ld a0, HB_SSAVE+24(s0)
    j test_exit_fail

/* ------------------------------------------------------------------ */
/* VS-mode trap handler (H programs put it in vstvec, tp in vsscratch)  */
    .align 4
    .globl vs_trap_entry
vs_trap_entry:
    csrrw sp, sscratch, sp
    REGSAVE(sp, HB_SSAVE)
    csrr t0, sscratch
    sd t0, HB_SSAVE+16(sp)
    csrw sscratch, sp
    mv s0, sp
    li t0, HB_SSTACK_TOP
    add sp, s0, t0
    ld t0, HB_VSCOUNT(s0)
    addi t0, t0, 1
    sd t0, HB_VSCOUNT(s0)
    csrr s1, scause
    bltz s1, .Lvs_irq
    ld t0, HB_RESUME(s0)
    ld t1, HB_SKIP(s0)
    or t2, t0, t1
    beqz t2, .Lvs_unexpected
    sd s1, HB_CAUSE(s0)
    csrr t2, sepc
    sd t2, HB_EPC(s0)
    csrr t2, stval
    sd t2, HB_TVAL(s0)
    li t2, 5                        /* mode 5: VS */
    sd t2, HB_MODE(s0)
    csrr t2, sstatus
    sd t2, HB_STATUS(s0)
    srli t2, t2, 8
    andi t2, t2, 1
    sd t2, HB_PRIV(s0)
    ld t2, HB_COUNT(s0)
    addi t2, t2, 1
    sd t2, HB_COUNT(s0)
    sd zero, HB_RESUME(s0)
    sd zero, HB_SKIP(s0)
    beqz t0, .Lvs_skip
    csrw sepc, t0
    ld t1, HB_RESUMEPRIV(s0)
    sd zero, HB_RESUMEPRIV(s0)
    beqz t1, .Lvs_return
    li t2, MSTATUS_SPP
    csrc sstatus, t2
    addi t1, t1, -1
    beqz t1, .Lvs_return
    csrs sstatus, t2
    j .Lvs_return
.Lvs_skip:
    csrr a0, sepc
    call insn_length
    csrr t0, sepc
    add t0, t0, a0
    csrw sepc, t0
    j .Lvs_return

.Lvs_irq:
    slli s1, s1, 1
    srli s1, s1, 1
    ld t0, HB_LOGN(s0)
    li t1, 8
    bgeu t0, t1, 1f
    slli t1, t0, 3
    add t1, t1, s0
    sd s1, HB_LOG(t1)
    li t2, 5
    sd t2, HB_LOGMODE(t1)
1:  addi t0, t0, 1
    sd t0, HB_LOGN(s0)
    csrr t0, sepc
    sd t0, HB_IRQEPC(s0)
    csrr t0, sstatus
    sd t0, HB_IRQSTATUS(s0)
    srli t0, t0, 8
    andi t0, t0, 1
    sd t0, HB_IRQPRIV(s0)
    li t0, 1
    sll t0, t0, s1
    csrc sie, t0
    j .Lvs_return

.Lvs_return:
    mv sp, s0
    REGLOAD(sp, HB_SSAVE)
    ld sp, HB_SSAVE+16(sp)
    sret

.Lvs_unexpected:
    /* report from S-mode: translation off so the UART is reachable */
    csrw satp, zero
    sfence.vma
    ld a0, HB_SSAVE+24(s0)
    call print_fail_head
    la a0, str_unexp
    call uart_puts
    mv a0, s1
    call uart_puthex
    la a0, str_epc
    call uart_puts
    csrr a0, sepc
    call uart_puthex
    la a0, str_tval
    call uart_puts
    csrr a0, stval
    call uart_puthex
    la a0, str_invs
    call uart_puts
    csrr a0, sstatus
    srli a0, a0, 8
    andi a0, a0, 1
    call uart_putdec
    li a0, '\n'
    call uart_putc
    mv tp, s0
    call flush_reports
    ld a0, HB_SSAVE+24(s0)
    j test_exit_fail

/* M-mode, with the H extension, returning with MPP = M: clear mstatus.MPV.  MRET ignores MPV
   when MPP = M (priv spec, Hypervisor chapter, "Machine Status"), but QEMU 7.2 sets V = MPV
   regardless, so the handler leaves no MPV behind. Clobbers t0. */
clear_mpv:
    csrr t0, mstatus
    srli t0, t0, 11
    andi t0, t0, 3
    addi t0, t0, -3
    bnez t0, 1f
    csrr t0, misa
    srli t0, t0, 7
    andi t0, t0, 1
    beqz t0, 1f
    li t0, MSTATUS_MPV
    csrc mstatus, t0
1:  ret

/* a0 = address of an instruction -> a0 = its length (2 or 4) */
insn_length:
    lhu a0, 0(a0)
    andi a0, a0, 3
    li t0, 3
    beq a0, t0, 1f
    li a0, 2
    ret
1:  li a0, 4
    ret

/* ------------------------------------------------------------------ */
/* Check failure: gp = check number, t5 = value got, t6 = expected,    */
/* return address in t4.  Preserves every register.                    */
    .globl __check_fail
__check_fail:
    REGSAVE(tp, HB_FSAVE)
    sd sp, HB_FSAVE+16(tp)
    mv s0, tp
    li t0, HB_FSTACK_TOP
    add sp, s0, t0
    ld t0, HB_NFAIL(s0)
    addi t0, t0, 1
    sd t0, HB_NFAIL(s0)
    ld t0, HB_FIRSTFAIL(s0)
    bnez t0, 1f
    sd gp, HB_FIRSTFAIL(s0)
1:  ld t0, HB_DEFER(s0)
    bnez t0, 2f
    mv a0, gp
    mv a1, t5
    mv a2, t6
    call print_fail
    j 3f
2:  ld t0, HB_QN(s0)
    li t1, HB_QMAX
    bgeu t0, t1, 3f
    li t1, 24
    mul t1, t1, t0
    add t1, t1, s0
    sd gp, HB_QUEUE(t1)
    sd t5, HB_QUEUE+8(t1)
    sd t6, HB_QUEUE+16(t1)
    addi t0, t0, 1
    sd t0, HB_QN(s0)
3:  REGLOAD(tp, HB_FSAVE)
    ld sp, HB_FSAVE+16(tp)
    jr t4

/* C entry: check(n, got, expected) -> 1 if equal */
    .globl check
check:
    mv gp, a0
    beq a1, a2, 1f
    mv t5, a1
    mv t6, a2
    jal t4, __check_fail
    li a0, 0
    ret
1:  li a0, 1
    ret

/* print_fail(n, got, expected) */
    .globl print_fail
print_fail:
    addi sp, sp, -32
    sd ra, 0(sp)
    sd s1, 8(sp)
    sd s2, 16(sp)
    sd s3, 24(sp)
    mv s1, a0
    mv s2, a1
    mv s3, a2
    mv a0, s1
    call print_fail_head
    la a0, str_got
    call uart_puts
    mv a0, s2
    call uart_puthex
    la a0, str_expected
    call uart_puts
    mv a0, s3
    call uart_puthex
    li a0, '\n'
    call uart_putc
    ld ra, 0(sp)
    ld s1, 8(sp)
    ld s2, 16(sp)
    ld s3, 24(sp)
    addi sp, sp, 32
    ret

/* "FAIL <name> test <n>" */
    .globl print_fail_head
print_fail_head:
    addi sp, sp, -16
    sd ra, 0(sp)
    sd s1, 8(sp)
    mv s1, a0
    la a0, str_fail
    call uart_puts
    la a0, test_name
    call uart_puts
    la a0, str_test
    call uart_puts
    mv a0, s1
    call uart_putdec
    ld ra, 0(sp)
    ld s1, 8(sp)
    addi sp, sp, 16
    ret

/* print queued reports of this hart (tp) */
    .globl flush_reports
flush_reports:
    addi sp, sp, -16
    sd ra, 0(sp)
    sd s1, 8(sp)
1:  ld s1, HB_QPRINTED(tp)
    ld t0, HB_QN(tp)
    bgeu s1, t0, 2f
    li t1, 24
    mul t1, t1, s1
    add t1, t1, tp
    ld a0, HB_QUEUE(t1)
    ld a1, HB_QUEUE+8(t1)
    ld a2, HB_QUEUE+16(t1)
    addi s1, s1, 1
    sd s1, HB_QPRINTED(tp)
    call print_fail
    j 1b
2:  ld ra, 0(sp)
    ld s1, 8(sp)
    addi sp, sp, 16
    ret

/* End of a test (M-mode): PASS, or exit naming the first failed check. */
    .globl test_pass
test_pass:
    li t0, HB_FSTACK_TOP
    add sp, tp, t0
    call flush_reports
    ld a0, HB_FIRSTFAIL(tp)
    bnez a0, test_exit_fail
    la a0, str_pass
    call uart_puts
    la a0, test_name
    call uart_puts
    li a0, '\n'
    call uart_putc
    li t0, TESTDEV_BASE
    li t1, TESTDEV_PASS
    sw t1, 0(t0)
1:  j 1b

/* a0 = failing check number (0 -> 255) */
    .globl test_exit_fail
test_exit_fail:
    andi a0, a0, 0xff
    bnez a0, 1f
    li a0, 255
1:  slli a0, a0, 16
    li t1, TESTDEV_FAIL
    or a0, a0, t1
    li t0, TESTDEV_BASE
    sw a0, 0(t0)
2:  j 2b

/* ------------------------------------------------------------------ */
/* UART output (ns16550a, polled)                                       */
    .globl uart_putc
uart_putc:
    li t0, UART_BASE
1:  lbu t1, UART_LSR(t0)
    andi t1, t1, UART_LSR_THRE
    beqz t1, 1b
    sb a0, 0(t0)
    ret

    .globl uart_puts
uart_puts:
    addi sp, sp, -16
    sd ra, 0(sp)
    sd s1, 8(sp)
    mv s1, a0
1:  lbu a0, 0(s1)
    beqz a0, 2f
    call uart_putc
    addi s1, s1, 1
    j 1b
2:  ld ra, 0(sp)
    ld s1, 8(sp)
    addi sp, sp, 16
    ret

/* "0x" and 16 hex digits */
    .globl uart_puthex
uart_puthex:
    addi sp, sp, -32
    sd ra, 0(sp)
    sd s1, 8(sp)
    sd s2, 16(sp)
    mv s1, a0
    li a0, '0'
    call uart_putc
    li a0, 'x'
    call uart_putc
    li s2, 60
1:  srl a0, s1, s2
    andi a0, a0, 15
    li t0, 10
    blt a0, t0, 2f
    addi a0, a0, 'a' - 10
    j 3f
2:  addi a0, a0, '0'
3:  call uart_putc
    addi s2, s2, -4
    bgez s2, 1b
    ld ra, 0(sp)
    ld s1, 8(sp)
    ld s2, 16(sp)
    addi sp, sp, 32
    ret

/* unsigned decimal */
    .globl uart_putdec
uart_putdec:
    addi sp, sp, -48
    sd ra, 0(sp)
    sd s1, 8(sp)
    addi s1, sp, 40
    sb zero, 0(s1)
    li t1, 10
1:  remu t0, a0, t1
    divu a0, a0, t1
    addi t0, t0, '0'
    addi s1, s1, -1
    sb t0, 0(s1)
    bnez a0, 1b
    mv a0, s1
    call uart_puts
    ld ra, 0(sp)
    ld s1, 8(sp)
    addi sp, sp, 48
    ret

    .data
    .align 3
    .globl boot_released
boot_released: .word 0

    .section .rodata
str_fail:     .asciz "FAIL "
str_test:     .asciz " test "
str_got:      .asciz ": got "
str_expected: .asciz " expected "
str_pass:     .asciz "PASS "
str_unexp:    .asciz ": unexpected trap cause "
str_epc:      .asciz " epc "
str_tval:     .asciz " tval "
str_inm:      .asciz " in M-mode from mode "
str_ins:      .asciz " in S-mode from mode "
str_invs:     .asciz " in VS-mode from mode "
    .globl test_name
test_name:    .asciz TEST_NAME
