/* Macros for the hypervisor-extension programs (hext_*.S): entering VS/VU, the VS trap
 * handler (vs_trap_entry in crt.S, mode 5 in HB_MODE / HB_LOGMODE), H CSR checks. */
#ifndef ISA_HEXT_H
#define ISA_HEXT_H
#include "test.h"

#define HSTATUS_GVA     (1 << 6)
#define HSTATUS_SPV     (1 << 7)
#define HSTATUS_SPVP    (1 << 8)
#define HSTATUS_HU      (1 << 9)
#define HSTATUS_VTVM    (1 << 20)
#define HSTATUS_VTW     (1 << 21)
#define HSTATUS_VTSR    (1 << 22)
#define MODE_VS         5               /* HB_MODE of a trap taken by vs_trap_entry */
#define IRQ_VSSI        2
#define IRQ_VSTI        6
#define IRQ_VSEI        10
#define MIP_VS          0x444

/* from M: every H register at a known state, the VS handler installed */
.macro HEXT_INIT
    li t6, 1
    sd t6, HB_HEXT(tp)
    la t6, vs_trap_entry
    csrw vstvec, t6
    csrw vsscratch, tp
    csrw hgatp, zero
    csrw vsatp, zero
    csrw hedeleg, zero
    csrw hideleg, zero
    csrw hvip, zero
    csrw hie, zero
    csrw hcounteren, zero
    csrw htimedelta, zero
    csrw henvcfg, zero
    csrw hstatus, zero
    li t6, MSTATUS_FS_INIT
    csrw vsstatus, t6
    sfence.vma
    hfence.gvma
.endm

/* from M: continue at the next line with V=1 in mode (0 = VU, 1 = VS) */
.macro GO_VMODE mode
    li t6, MSTATUS_MPP
    csrc mstatus, t6
    li t6, (\mode << 11) | MSTATUS_MPV
    csrs mstatus, t6
    la t6, .Lgv\@
    csrw mepc, t6
    mret
.Lgv\@:
.endm

.macro GO_VS
    GO_VMODE 1
.endm

.macro GO_VU
    GO_VMODE 0
.endm

/* from any mode, whatever is delegated: back to M at the next line through an M-mode-only
   CSR read (illegal below M, never delegated by these programs) */
.macro GO_M_ILL
    TRAP_ARM_TO .Lgm\@, 3
    csrr t6, mscratch
.Lgm\@:
    TRAP_DISARM
.endm

.macro CHECK_CSR n, csr, exp
    csrr t5, \csr
    CHECK \n, t5, \exp
.endm

/* the csr, masked, equals exp */
.macro CHECK_CSRM n, csr, mask, exp
    csrr t5, \csr
    li t6, \mask
    and t5, t5, t6
    CHECK \n, t5, \exp
.endm

/* bits of the recorded trap status (HB_STATUS: mstatus or sstatus on entry) */
.macro CHECK_STATUS n, mask, exp
    ld t5, HB_STATUS(tp)
    li t6, \mask
    and t5, t5, t6
    CHECK \n, t5, \exp
.endm

/* bits of hstatus recorded on entry to HS */
.macro CHECK_HSTATUS n, mask, exp
    ld t5, HB_HSTATUS(tp)
    li t6, \mask
    and t5, t5, t6
    CHECK \n, t5, \exp
.endm

/* one instruction raises a virtual-instruction exception, taken in mode */
.macro TEST_VIRTUAL n, mode, insn:vararg
    TEST_EXC \n, CAUSE_VIRTUAL, \mode, \insn
.endm

/* as TEST_VIRTUAL; on QEMU 7.2 an illegal-instruction exception is accepted instead (QEMU
   raises cause 2 where the spec lists a virtual-instruction exception for VU-mode: "in VU-mode,
   attempts to access an implemented non-high-half supervisor CSR ...", "or to execute a
   supervisor instruction (SRET or SFENCE)", "attempts to execute a hypervisor instruction") */
.macro TEST_VIRTUAL_QILL n, mode, insn:vararg
    li gp, \n
    TRAP_ARM .Lr\@
.Li\@:
    \insn
.Lr\@:
    ld t5, HB_CAUSE(tp)
    li t6, CAUSE_ILLEGAL
    bne t5, t6, .Lc\@
    IF_QEMU .Lq\@
.Lc\@:
    CHECK_TRAP_AT \n, CAUSE_VIRTUAL, \mode, .Li\@
    j .Ld\@
.Lq\@:
    CHECK_TRAP_AT \n, CAUSE_ILLEGAL, \mode, .Li\@
.Ld\@:
.endm

#endif
