/* Interrupts: CLINT timer and software interrupts, mip.SSIP/STIP/SEIP set by
   M-mode, delegation, priority order, global enables, WFI, vectored mtvec. */
#include "test.h"

#define MIP_SSIP (1 << IRQ_SSI)
#define MIP_MSIP (1 << IRQ_MSI)
#define MIP_STIP (1 << IRQ_STI)
#define MIP_MTIP (1 << IRQ_MTI)
#define MIP_SEIP (1 << IRQ_SEI)
#define MIP_MEIP (1 << IRQ_MEI)

#define PLIC_PRIO(irq)   (0x0c000000 + 4 * (irq))
#define PLIC_ENABLE_M0   0x0c002000
#define PLIC_THRESH_M0   0x0c200000
#define PLIC_CLAIM_M0    0x0c200004
#define UART_IER         (UART_BASE + 1)
#define UART_IRQ         10

/* mtimecmp = mtime + delta */
.macro MTIMECMP_IN delta
    li t0, CLINT_MTIME
    ld t1, 0(t0)
    li t2, \delta
    add t1, t1, t2
    li t0, CLINT_MTIMECMP
    sd t1, 0(t0)
.endm

.macro MTIMECMP_NEVER
    li t0, CLINT_MTIMECMP
    li t1, -1
    sd t1, 0(t0)
.endm

.macro MSIP_SET val
    li t0, CLINT_MSIP
    li t1, \val
    sw t1, 0(t0)
.endm

/* the first count log entries are exactly the interrupts in mask, in any order */
.macro CHECK_LOGSET n, count, mask
    li t4, 0
    .irp i, 0, 1, 2, 3, 4, 5
    .if \i < \count
    ld t5, (HB_LOG + 8 * \i)(tp)
    li t6, 1
    sll t6, t6, t5
    or t4, t4, t6
    .endif
    .endr
    mv t5, t4
    CHECK \n, t5, \mask
.endm

/* mip & mask == exp */
.macro CHECK_MIP n, mask, exp
    csrr t5, mip
    li t6, \mask
    and t5, t5, t6
    CHECK \n, t5, \exp
.endm

/* the UART raises its THR-empty interrupt through PLIC context 0 (M, hart 0) */
.macro UART_IRQ_ON
    li t0, PLIC_PRIO(UART_IRQ)
    li t1, 1
    sw t1, 0(t0)
    li t0, PLIC_ENABLE_M0
    li t1, (1 << UART_IRQ)
    sw t1, 0(t0)
    li t0, PLIC_THRESH_M0
    sw zero, 0(t0)
    li t0, UART_IER
    li t1, 2
    sb t1, 0(t0)
.endm

.macro UART_IRQ_OFF
    li t0, UART_IER
    sb zero, 0(t0)
    li t0, PLIC_CLAIM_M0
    lw t1, 0(t0)
    beqz t1, .Lnone\@
    sw t1, 0(t0)
.Lnone\@:
    li t0, PLIC_ENABLE_M0
    sw zero, 0(t0)
.endm

TEST_BEGIN
    MTIMECMP_NEVER
    csrw mie, zero
    csrci mstatus, MSTATUS_MIE | MSTATUS_SIE

    /* ---- machine timer ---- */
    li gp, 1
    CHECK_MIP 1, MIP_MTIP, 0
    li t0, CLINT_MTIMECMP
    sd zero, 0(t0)                                  /* due now */
    CHECK_MIP 2, MIP_MTIP, MIP_MTIP                 /* pending even when disabled */
    li a1, MIP_MTIP
    csrc mip, a1                                    /* read-only in mip */
    CHECK_MIP 3, MIP_MTIP, MIP_MTIP
    MTIMECMP_NEVER
    CHECK_MIP 4, MIP_MTIP, 0
    LOG_CLEAR
    MTIMECMP_IN 200
    li a1, MIP_MTIP
    csrw mie, a1
    csrsi mstatus, MSTATUS_MIE
    WAIT_LOG 1
    csrci mstatus, MSTATUS_MIE
    CHECK_LOGN 5, 1
    CHECK_LOG 6, 0, IRQ_MTI, 3
    csrr a3, mcause
    CHECK 7, a3, 0x8000000000000000 | IRQ_MTI
    ld a3, HB_IRQSTATUS(tp)
    andi a3, a3, MSTATUS_MPIE
    CHECK 8, a3, MSTATUS_MPIE                       /* MPIE = old MIE */
    ld a3, HB_IRQPRIV(tp)
    CHECK 9, a3, 3
    MTIMECMP_NEVER
    CHECK_MIP 10, MIP_MTIP, 0

    /* ---- machine software interrupt through msip ---- */
    li gp, 11
    LOG_CLEAR
    MSIP_SET 1
    CHECK_MIP 11, MIP_MSIP, MIP_MSIP
    li t0, CLINT_MSIP
    lw a3, 0(t0)
    CHECK 12, a3, 1
    li a1, MIP_MSIP
    csrw mie, a1
    csrsi mstatus, MSTATUS_MIE
    WAIT_LOG 1
    csrci mstatus, MSTATUS_MIE
    CHECK_LOG 13, 0, IRQ_MSI, 3
    MSIP_SET 0
    CHECK_MIP 14, MIP_MSIP, 0

    /* ---- M-mode with MIE = 0 takes nothing ---- */
    li gp, 15
    LOG_CLEAR
    MSIP_SET 1
    li a1, MIP_MSIP
    csrw mie, a1
    li a4, 1000
1:  addi a4, a4, -1
    bnez a4, 1b
    CHECK_LOGN 15, 0
    /* ... but a lower mode always takes M interrupts: in S with MIE = 0 */
    li a1, MSTATUS_MPIE
    csrc mstatus, a1                                /* MIE stays 0 after mret */
    GO_S
    WAIT_LOG 1
    GO_M
    CHECK_LOG 16, 0, IRQ_MSI, 3
    ld a3, HB_IRQPRIV(tp)
    CHECK 17, a3, 1
    MSIP_SET 0

    /* ---- supervisor software / timer interrupts raised by M in mip ---- */
    li gp, 18
    LOG_CLEAR
    li a1, MIP_SSIP | MIP_STIP
    csrs mip, a1
    CHECK_MIP 18, MIP_SSIP | MIP_STIP, MIP_SSIP | MIP_STIP
    csrc mip, a1
    CHECK_MIP 19, MIP_SSIP | MIP_STIP, 0
    /* not delegated: taken in M */
    li a1, MIP_SSIP
    csrw mie, a1
    csrs mip, a1
    csrsi mstatus, MSTATUS_MIE
    WAIT_LOG 1
    csrci mstatus, MSTATUS_MIE
    CHECK_LOG 20, 0, IRQ_SSI, 3
    li a1, MIP_SSIP
    csrc mip, a1
    /* delegated: taken in S when SIE = 1 */
    LOG_CLEAR
    li a1, MIP_SSIP | MIP_STIP
    csrw mideleg, a1
    csrw mie, a1
    csrs mip, a1
    csrsi mstatus, MSTATUS_SIE
    GO_S
    WAIT_LOG 2
    GO_M
    csrci mstatus, MSTATUS_SIE
    CHECK_LOGN 21, 2
    CHECK_LOG 22, 0, IRQ_SSI, 1                     /* SSI before STI */
    CHECK_LOG 23, 1, IRQ_STI, 1
    csrr a3, scause
    CHECK 24, a3, 0x8000000000000000 | IRQ_STI
    ld a3, HB_IRQSTATUS(tp)
    andi a3, a3, MSTATUS_SPP
    CHECK 25, a3, MSTATUS_SPP
    li a1, MIP_SSIP | MIP_STIP
    csrc mip, a1
    /* delegated, S with SIE = 0: not taken */
    LOG_CLEAR
    li a1, MIP_SSIP
    csrw mie, a1
    csrs mip, a1
    GO_S
    li a4, 1000
2:  addi a4, a4, -1
    bnez a4, 2b
    GO_M
    CHECK_LOGN 26, 0
    /* delegated, U with SIE = 0: taken (S interrupts are always on below S) */
    GO_U
    WAIT_LOG 1
    GO_M
    CHECK_LOG 27, 0, IRQ_SSI, 1
    ld a3, HB_IRQPRIV(tp)
    CHECK 28, a3, 0
    /* delegated, M with MIE = 1 and SIE = 1: never taken in M */
    LOG_CLEAR
    li a1, MIP_SSIP
    csrw mie, a1
    csrsi mstatus, MSTATUS_MIE | MSTATUS_SIE
    li a4, 1000
3:  addi a4, a4, -1
    bnez a4, 3b
    csrci mstatus, MSTATUS_MIE | MSTATUS_SIE
    CHECK_LOGN 29, 0
    /* S-mode raises its own software interrupt through sip */
    li a1, MIP_SSIP
    csrc mip, a1
    csrsi mstatus, MSTATUS_SIE
    GO_S
    csrw sie, a1
    csrs sip, a1
    WAIT_LOG 1
    csrc sip, a1
    GO_M
    csrci mstatus, MSTATUS_SIE
    CHECK_LOG 30, 0, IRQ_SSI, 1
    csrw mideleg, zero

    /* ---- priority: MEI > MSI > MTI > SEI > SSI > STI, all taken in M ---- */
    li gp, 31
    LOG_CLEAR
    UART_IRQ_ON
    li a4, 100000
4:  csrr a3, mip
    li a5, MIP_MEIP
    and a3, a3, a5
    bnez a3, 5f
    addi a4, a4, -1
    bnez a4, 4b
5:  CHECK_MIP 31, MIP_MEIP, MIP_MEIP
    MSIP_SET 1
    li t0, CLINT_MTIMECMP
    sd zero, 0(t0)
    li a1, MIP_SEIP | MIP_SSIP | MIP_STIP
    csrs mip, a1
    CHECK_MIP 32, 0xaaa, 0xaaa
    li a1, 0xaaa
    csrw mie, a1
    csrsi mstatus, MSTATUS_MIE
    WAIT_LOG 6
    csrci mstatus, MSTATUS_MIE
    CHECK_LOGN 33, 6
    /* QEMU 7.2 takes simultaneous interrupts in ascending cause order, not
       in the order the specification gives; there only the set is checked */
    IF_QEMU 8f
    CHECK_LOG 34, 0, IRQ_MEI, 3
    CHECK_LOG 35, 1, IRQ_MSI, 3
    CHECK_LOG 36, 2, IRQ_MTI, 3
    CHECK_LOG 37, 3, IRQ_SEI, 3
    CHECK_LOG 38, 4, IRQ_SSI, 3
    CHECK_LOG 39, 5, IRQ_STI, 3
    j 9f
8:  CHECK_LOGSET 34, 6, 0xaaa
9:
    UART_IRQ_OFF
    MSIP_SET 0
    MTIMECMP_NEVER
    li a1, MIP_SEIP | MIP_SSIP | MIP_STIP
    csrc mip, a1
    CHECK_MIP 40, 0xaaa, 0

    /* ---- priority among delegated interrupts, taken in S: SEI > SSI > STI;
            a pending M interrupt goes first ---- */
    li gp, 41
    LOG_CLEAR
    li a1, MIP_SEIP | MIP_SSIP | MIP_STIP
    csrw mideleg, a1
    csrs mip, a1
    MSIP_SET 1
    li a1, MIP_SEIP | MIP_SSIP | MIP_STIP | MIP_MSIP
    csrw mie, a1
    csrsi mstatus, MSTATUS_SIE
    GO_S
    WAIT_LOG 4
    GO_M
    csrci mstatus, MSTATUS_SIE
    CHECK_LOGN 41, 4
    CHECK_LOG 42, 0, IRQ_MSI, 3
    IF_QEMU 10f                                     /* see above */
    CHECK_LOG 43, 1, IRQ_SEI, 1
    CHECK_LOG 44, 2, IRQ_SSI, 1
    CHECK_LOG 45, 3, IRQ_STI, 1
    j 11f
10: CHECK_LOGSET 43, 4, 0x22a
11:
    MSIP_SET 0
    li a1, MIP_SEIP | MIP_SSIP | MIP_STIP
    csrc mip, a1
    csrw mideleg, zero

    /* ---- WFI wakes on a pending, locally enabled interrupt with MIE = 0 ---- */
    li gp, 46
    LOG_CLEAR
    csrci mstatus, MSTATUS_MIE
    li a1, MIP_MTIP
    csrw mie, a1
    MTIMECMP_IN 300
    wfi
    li a4, 100000                                   /* wfi may also return early */
6:  csrr a3, mip
    andi a3, a3, MIP_MTIP
    bnez a3, 7f
    wfi
    addi a4, a4, -1
    bnez a4, 6b
7:  CHECK_MIP 46, MIP_MTIP, MIP_MTIP
    CHECK_LOGN 47, 0                                /* no trap */
    MTIMECMP_NEVER
    MSIP_SET 1
    li a1, MIP_MSIP
    csrw mie, a1
    wfi                                             /* already pending: returns */
    CHECK_LOGN 48, 0
    MSIP_SET 0
    /* WFI in S with a delegated S interrupt pending while SIE = 0 */
    li a1, MIP_STIP
    csrw mideleg, a1
    csrw mie, a1
    csrs mip, a1
    GO_S
    wfi
    GO_M
    CHECK_LOGN 49, 0
    li a1, MIP_STIP
    csrc mip, a1
    csrw mideleg, zero

    /* ---- vectored mtvec: interrupt code c goes to base + 4 * c ---- */
    li gp, 50
    LOG_CLEAR
    sd zero, HB_USER0(tp)
    la a1, mvec
    ori a1, a1, 1
    csrw mtvec, a1
    csrr a3, mtvec
    /* vectored mode is optional (mtvec.MODE is WARL): without it, only
       check that the direct-mode base stayed */
    beq a3, a1, 12f
    la a1, mvec
    CHECKR 50, a3, a1
    j 13f
12:
    li a1, MIP_MTIP
    csrw mie, a1
    MTIMECMP_IN 100
    csrsi mstatus, MSTATUS_MIE
    WAIT_LOG 1
    csrci mstatus, MSTATUS_MIE
    MTIMECMP_NEVER
    CHECK_LOG 51, 0, IRQ_MTI, 3
    CHECK_HB 52, HB_USER0, IRQ_MTI                  /* came through slot 7 */
    /* exceptions still go to the base */
    TEST_EXC 53, CAUSE_BREAKPOINT, 3, ebreak
    CHECK_HB 54, HB_USER0, IRQ_MTI
13: la a1, m_trap_entry
    csrw mtvec, a1

    /* ---- Sstc: stimecmp raises a supervisor timer interrupt in S ---- */
    li gp, 55
    LOG_CLEAR
    li a1, 1
    slli a1, a1, 63
    csrs menvcfg, a1
    li a1, 7
    csrw mcounteren, a1
    li a1, MIP_STIP
    csrw mideleg, a1
    csrw mie, a1
    csrsi mstatus, MSTATUS_SIE
    GO_S
    rdtime a2
    addi a2, a2, 200
    csrw stimecmp, a2
    WAIT_LOG 1
    li a2, -1
    csrw stimecmp, a2
    GO_M
    csrci mstatus, MSTATUS_SIE
    CHECK_LOG 55, 0, IRQ_STI, 1
    CHECK_MIP 56, MIP_STIP, 0
    li a1, 1
    slli a1, a1, 63
    csrc menvcfg, a1
    csrw mideleg, zero
    csrw mie, zero
    TEST_END

/* vector table: slot 0 takes exceptions, slot c interrupt code c */
    .text
    .align 8
    .option push
    .option norvc
mvec:
    j m_trap_entry
    .rept 6
    j m_trap_entry
    .endr
    j mvec_mti                                       /* slot 7 */
    .rept 8
    j m_trap_entry
    .endr
    .option pop
mvec_mti:
    csrrw sp, mscratch, sp
    sd t0, HB_USER0 + 8(sp)
    li t0, IRQ_MTI
    sd t0, HB_USER0(sp)
    ld t0, HB_USER0 + 8(sp)
    csrrw sp, mscratch, sp
    j m_trap_entry
