/* Hypervisor extension: interrupt routing through mideleg/hideleg and hvip, the VS-level
 * interrupts taken in VS as S-level ones (codes 1, 5, 9), their enables (vsstatus.SIE, vsie)
 * in each mode, priority, vstimecmp (Sstc) and WFI in VS waking on a VS-level interrupt.
 *
 * Spec: privileged ISA, chapter "Hypervisor Extension": "Hypervisor Interrupt Registers",
 * "Virtual Supervisor Interrupt Registers", "Trap Entry"; machine.adoc "Machine Interrupt
 * Registers" for the priority order (MEI, MSI, MTI, SEI, SSI, STI, SGEI, VSEI, VSSI, VSTI).
 * The handlers in crt.S log each interrupt (code, mode: 1 = HS, 5 = VS) and disable it in
 * sie (and hie for VS-level codes in HS). */
#include "hext.h"
.option arch, +h

TEST_BEGIN
    li a7, 0
    HEXT_INIT
    csrw mideleg, zero                           /* the VS-level bits are read-only one */

    /* ---- not in hideleg: a VS-level interrupt goes to HS, taken whenever V=1 ---- */
    LOG_CLEAR
    li t1, 1 << IRQ_VSSI
    csrw hie, t1
    csrw hvip, t1
    GO_S                                         /* HS with sstatus.SIE = 0: held */
    nop
    GO_M
    CHECK_LOGN 1, 0
    GO_VS                                        /* V=1: HS-level interrupts always enabled */
    nop
    GO_M
    CHECK_LOGN 2, 1
    CHECK_LOG 3, 0, IRQ_VSSI, 1                  /* scause = 2 in HS */
    ld t5, HB_IRQPRIV(tp)
    CHECK 4, t5, 1                               /* from VS: SPP = 1 */
    CHECK_CSRM 5, hie, MIP_VS, 0                 /* the handler disabled it */
    /* HS with SIE = 1 takes it too */
    LOG_CLEAR
    li t1, 1 << IRQ_VSTI
    csrw hvip, t1
    csrw hie, t1
    GO_S
    csrsi sstatus, MSTATUS_SIE
    nop
    csrci sstatus, MSTATUS_SIE
    GO_M
    CHECK_LOGN 6, 1
    CHECK_LOG 7, 0, IRQ_VSTI, 1
    csrw hvip, zero

    /* ---- delegated with hideleg: taken in VS as an S-level interrupt ---- */
    LOG_CLEAR
    li t1, MIP_VS
    csrw hideleg, t1
    li t1, 1 << IRQ_VSSI
    csrw hie, t1
    csrw hvip, t1
    GO_S
    csrsi sstatus, MSTATUS_SIE                   /* V=0: VS-level interrupts never taken */
    nop
    csrci sstatus, MSTATUS_SIE
    GO_M
    CHECK_LOGN 10, 0
    GO_VS                                        /* vsstatus.SIE = 0: held */
    nop
    GO_M
    CHECK_LOGN 11, 0
    GO_VS
    csrsi sstatus, MSTATUS_SIE                   /* this is vsstatus.SIE */
    nop
    csrci sstatus, MSTATUS_SIE
    GO_M
    CHECK_LOGN 12, 1
    CHECK_LOG 13, 0, IRQ_SSI, MODE_VS            /* vscause = 1: VSSI translated to SSI */
    CHECK_CSRM 14, hie, MIP_VS, 0                /* disabled through vsie.SSIE */
    CHECK_CSRM 15, vscause, -1, (1 << 63) | IRQ_SSI
    /* in VU it is taken whatever vsstatus.SIE says */
    LOG_CLEAR
    li t1, 1 << IRQ_VSSI
    csrw hie, t1
    GO_VU
    nop
    GO_M
    CHECK_LOGN 16, 1
    CHECK_LOG 17, 0, IRQ_SSI, MODE_VS
    ld t5, HB_IRQPRIV(tp)
    CHECK 18, t5, 0                              /* from VU: vsstatus.SPP = 0 */
    /* clearing vsip.SSIP from VS clears hvip.VSSIP */
    GO_VS
    csrci sip, 2
    GO_M
    CHECK_CSRM 19, hvip, MIP_VS, 0

    /* ---- priority among VS-level interrupts: VSEI, VSSI, VSTI (seen as SEI, SSI, STI) ---- */
    LOG_CLEAR
    li t1, MIP_VS
    csrw hvip, t1
    csrw hie, t1
    GO_VU
    nop
    nop
    nop
    GO_M
    CHECK_LOGN 20, 3
    /* QEMU 7.2 takes simultaneous interrupts in ascending cause order (tests/isa/README.md) */
    IF_QEMU 1f
    CHECK_LOG 21, 0, IRQ_SEI, MODE_VS
    CHECK_LOG 22, 1, IRQ_SSI, MODE_VS
    CHECK_LOG 23, 2, IRQ_STI, MODE_VS
    j 2f
1:  CHECK_LOG 21, 0, IRQ_SSI, MODE_VS
    CHECK_LOG 22, 1, IRQ_STI, MODE_VS
    CHECK_LOG 23, 2, IRQ_SEI, MODE_VS
2:
    csrw hvip, zero

    /* ---- part delegated: VSTI to VS, VSSI to HS; HS-level first ---- */
    LOG_CLEAR
    li t1, 1 << IRQ_VSTI
    csrw hideleg, t1
    li t1, (1 << IRQ_VSTI) | (1 << IRQ_VSSI)
    csrw hvip, t1
    csrw hie, t1
    GO_VU
    nop
    nop
    GO_M
    CHECK_LOGN 24, 2
    CHECK_LOG 25, 0, IRQ_VSSI, 1
    CHECK_LOG 26, 1, IRQ_STI, MODE_VS
    csrw hvip, zero
    li t1, MIP_VS
    csrw hideleg, t1

    /* ---- vstimecmp: VSTIP while time + htimedelta >= vstimecmp ---- */
    li t1, 1 << 63
    csrw menvcfg, t1
    csrw henvcfg, t1
    li t1, 7
    csrw mcounteren, t1
    csrw hcounteren, t1
    li t1, -1
    csrw vstimecmp, t1
    LOG_CLEAR
    li t1, 1 << IRQ_VSTI
    csrw hie, t1
    GO_VS
    csrsi sstatus, MSTATUS_SIE
    rdtime t1                                    /* time + htimedelta, as VS sees it */
    li t2, 1000000                               /* 0.1 s: QEMU's clock is the host's, and a */
    add t1, t1, t2                               /* loaded host may stall it between here and 27 */
    csrw stimecmp, t1                            /* vstimecmp */
    nop
    CHECK_LOGN 27, 0                             /* not yet */
    wfi                                          /* VTW = TW = 0: waits for the timer */
    nop
    csrci sstatus, MSTATUS_SIE
    GO_M
    CHECK_LOGN 28, 1
    CHECK_LOG 29, 0, IRQ_STI, MODE_VS
    CHECK_CSRM 30, hip, 1 << IRQ_VSTI, 1 << IRQ_VSTI  /* still pending: vstimecmp passed */
    li t1, -1
    csrw vstimecmp, t1
    CHECK_CSRM 31, hip, 1 << IRQ_VSTI, 0
    /* htimedelta moves the VS view of time */
    rdtime t1
    li t2, 1 << 40
    csrw htimedelta, t2
    add t1, t1, t2
    csrw vstimecmp, t1
    CHECK_CSRM 32, hip, 1 << IRQ_VSTI, 1 << IRQ_VSTI
    csrw htimedelta, zero
    /* "If the result of this comparison changes, it is guaranteed to be reflected in VSTIP
       eventually, but not necessarily immediately": rvisor reflects it at once; QEMU 7.2
       only re-evaluates VSTIP when vstimecmp is written */
    IF_QEMU 1f
    CHECK_CSRM 33, hip, 1 << IRQ_VSTI, 0
1:
    li t1, -1
    csrw vstimecmp, t1
    csrw hie, zero
    csrw henvcfg, zero
    csrw hideleg, zero
TEST_END
