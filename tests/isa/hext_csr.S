/* Hypervisor extension: the H and VS CSRs and their views, V=1 redirection of the S CSRs,
 * trap entry and xRET into and out of V=1, hedeleg routing, the virtual-instruction cases,
 * WFI under TW/VTW, counters under hcounteren, htimedelta.
 *
 * Spec: privileged ISA, chapter "Hypervisor Extension" (H v1.0).  Checks follow the spec;
 * where QEMU 7.2 (-cpu rv64,h=true) disagrees, the check tolerates QEMU's value only when the
 * program runs on QEMU (IF_QEMU), with the spec's text next to it. */
#include "hext.h"
.option arch, +h

TEST_BEGIN
    li a7, 0                            /* ecalls below are not service calls */
    HEXT_INIT

    /* ---- misa, hstatus, the delegation registers (from M) ---- */
    csrr t5, misa
    srli t5, t5, 7
    andi t5, t5, 1
    CHECK 1, t5, 1
    li t0, -1
    csrw hstatus, t0
    /* "hstatus": GVA, SPV, SPVP, HU, VTVM, VTW, VTSR writable; VSXL read-only 2 (VSXLEN=64);
       VGEIN holds 0..GEILEN (0 here); VSBE may be read-only; the WPRI bits read zero.
       QEMU 7.2 stores every written bit (WPRI and VGEIN too), so only the fields are checked
       there. */
    IF_QEMU 1f
    CHECK_CSR 2, hstatus, 0x2007003c0
    j 2f
1:  CHECK_CSRM 2, hstatus, 0x3007003e0, 0x2007003c0
2:  csrw hstatus, zero
    CHECK_CSR 3, hstatus, 0x200000000
    csrw hedeleg, t0
    /* "Bits of hedeleg that must be writable or must be read-only zero": 0-8, 12, 13, 15
       writable; 9-11 and 20-23 read-only zero */
    CHECK_CSRM 4, hedeleg, 0xffffff, 0xb1ff
    csrw hedeleg, zero
    csrw hideleg, t0
    CHECK_CSRM 5, hideleg, 0xffff, 0x444     /* "bits 10, 6, 2 writable; 12, 9, 5, 1 read-only 0" */
    csrw hideleg, zero
    csrw mideleg, zero
    /* "bits 10, 6, and 2 of mideleg ... are each read-only one. Furthermore, if any guest
       external interrupts are implemented (GEILEN is nonzero), bit 12 ... is also read-only
       one": GEILEN is 0 here, so bit 12 is zero.  QEMU 7.2 (GEILEN 0 too, hgeie reads 0)
       makes bit 12 read-only one; bit 13 is QEMU's Sscofpmf, not implemented here. */
    IF_QEMU 1f
    CHECK_CSR 6, mideleg, 0x444
    csrw mideleg, t0
    CHECK_CSR 7, mideleg, 0x666
    j 2f
1:  CHECK_CSRM 6, mideleg, 0xfff, 0x444
    csrw mideleg, t0
    CHECK_CSRM 7, mideleg, 0xfff, 0x666
2:
    csrw mideleg, zero

    /* ---- the interrupt registers and their aliases ---- */
    csrw mie, t0
    /* GEILEN = 0: "Bits of hie that are not writable shall be read-only zero" (SGEIE).
       QEMU 7.2 keeps mie.SGEIE writable without guest external interrupts. */
    IF_QEMU 1f
    CHECK_CSR 8, mie, 0x0eee
    j 2f
1:  CHECK_CSRM 8, mie, 0xfff, 0x0eee
2:  CHECK_CSRM 9, hie, 0xefff, 0x444
    CHECK_CSRM 10, sie, 0xffff, 0                 /* mideleg = 0: nothing in sie */
    csrw mie, zero
    csrw hie, t0
    CHECK_CSRM 11, hie, 0xefff, 0x444
    CHECK_CSRM 12, mie, 0xefff, 0x444            /* hie bits are aliases of mie's */
    csrw hie, zero
    CHECK_CSRM 13, mie, 0xffff, 0
    csrw hvip, t0
    CHECK_CSRM 14, hvip, 0xffff, 0x444
    CHECK_CSRM 15, hip, 0xefff, 0x444
    CHECK_CSRM 16, mip, 0x1444, 0x444
    li t1, 0x666
    csrw mideleg, t1
    CHECK_CSRM 17, sip, 0xffff, 0                /* VS-level bits never appear in sip */
    csrw mideleg, zero
    CHECK_CSR 18, vsip, 0                        /* hideleg = 0: vsip reads zero */
    li t1, MIP_VS
    csrw hideleg, t1
    /* "When bit 10 of hideleg is zero, vsip.SEIP ... read-only zeros. Else, vsip.SEIP and
       vsie.SEIE are aliases of hip.VSEIP and hie.VSEIE" (likewise bit 6 / STIP).  QEMU 7.2
       shows only vsip.SSIP. */
    IF_QEMU 1f
    CHECK_CSRM 19, vsip, 0xffff, 0x222
    j 2f
1:  CHECK_CSRM 19, vsip, 0x2, 0x2
2:
    csrw hip, zero                               /* only VSSIP is writable in hip */
    CHECK_CSRM 20, hvip, 0xffff, 0x440
    csrw hvip, zero
    li t1, MIP_VS
    csrs mip, t1                                 /* only VSSIP is writable in mip */
    /* "Bits SGEIP, VSEIP, VSTIP, and VSSIP in mip are aliases for the same bits in hip",
       where "VSEIP is read-only" and "VSTIP is read-only".  QEMU 7.2 lets mip write
       VSTIP and VSEIP into hvip. */
    IF_QEMU 1f
    CHECK_CSRM 21, hvip, 0xffff, 0x004
1:
    csrc mip, t1
    CHECK_CSRM 22, hvip, 0xffff, 0
    csrw vsip, t0                                /* vsip.SSIP aliases hip.VSSIP */
    CHECK_CSRM 23, hvip, 0xffff, 0x004
    csrw hvip, zero
    csrw hideleg, zero
    csrw vsip, t0                                /* not delegated: read-only zero */
    CHECK_CSRM 24, hvip, 0xffff, 0
    li t1, MIP_VS
    csrw hideleg, t1
    csrw vsie, t0
    CHECK_CSRM 25, vsie, 0xffff, 0x222
    CHECK_CSRM 26, hie, 0xefff, 0x444
    li t1, 0x400
    csrw hideleg, t1
    CHECK_CSRM 27, vsie, 0xffff, 0x200           /* undelegated bits read zero in vsie ... */
    csrw vsie, zero
    CHECK_CSRM 28, hie, 0xefff, 0x044            /* ... and writes leave them alone */
    csrw hie, zero
    csrw hideleg, zero
    CHECK_CSR 29, hgeip, 0
    csrw hgeie, t0
    CHECK_CSR 30, hgeie, 0                       /* GEILEN = 0 */

    /* ---- hgatp, vsatp, henvcfg, vsstatus, mstatus.MPV/GVA ---- */
    li t1, (8 << 60) | (0x3fff << 44) | 0xfffffffffff
    csrw hgatp, t1
    /* "In these modes, the lowest two bits of the physical page number (PPN) in hgatp always
       read as zeros"; VMIDLEN = 14 here.  QEMU 7.2 keeps PPN[1:0]. */
    IF_QEMU 1f
    CHECK_CSR 31, hgatp, (8 << 60) | (0x3fff << 44) | 0xffffffffffc
1:  li t1, (5 << 60) | 0x1000
    csrw hgatp, t1
    /* "A write to hgatp with an unsupported MODE value is not ignored as it is for satp.
       Instead, the fields of hgatp are WARL in the normal way": MODE is not 5 afterwards.
       QEMU 7.2 stores MODE = 5. */
    IF_QEMU 1f
    csrr t5, hgatp
    srli t5, t5, 60
    CHECK_NE 32, t5, 5
1:
    csrw hgatp, zero
    li t1, (8 << 60) | 0x12345
    csrw vsatp, t1
    CHECK_CSR 33, vsatp, (8 << 60) | 0x12345
    li t1, (5 << 60) | 0x1
    csrw vsatp, t1
    /* "When V=0, a write to vsatp with an unsupported MODE value is either ignored as it is
       for satp, or the fields of vsatp are treated as WARL": here ignored.  QEMU 7.2 stores
       MODE = 5, neither of the two. */
    IF_QEMU 1f
    CHECK_CSR 34, vsatp, (8 << 60) | 0x12345
1:
    csrw vsatp, zero
    csrw menvcfg, zero
    li t1, (1 << 63) | 1
    csrw henvcfg, t1
    /* machine.adoc, menvcfg: "When ... STCE in menvcfg is zero, ... STCE in henvcfg is
       read-only zero".  QEMU 7.2 keeps henvcfg.STCE writable. */
    IF_QEMU 1f
    CHECK_CSR 35, henvcfg, 1
1:
    li t1, (1 << 63)
    csrw menvcfg, t1
    li t1, (1 << 63) | 1
    csrw henvcfg, t1
    CHECK_CSR 36, henvcfg, (1 << 63) | 1
    csrw henvcfg, zero
    csrw vsstatus, t0
    /* vsstatus: SIE, SPIE, SPP, FS, SUM, MXR writable, UXL = 2, SD summarises FS; VS, XS,
       UBE are not implemented (no V extension, little-endian only). */
    /* QEMU 7.2 stores every bit written to vsstatus, WPRI fields included ("Implementations
       that do not furnish these fields must make them read-only zero", priv 2.3). */
    IF_QEMU 1f
    CHECK_CSR 37, vsstatus, 0x80000002000c6122
1:
    li t1, MSTATUS_FS_INIT
    csrw vsstatus, t1
    li t1, MSTATUS_MPV | MSTATUS_GVA
    csrs mstatus, t1
    CHECK_CSRM 38, mstatus, MSTATUS_MPV | MSTATUS_GVA, MSTATUS_MPV | MSTATUS_GVA
    csrc mstatus, t1
    csrw htimedelta, t0
    CHECK_CSR 39, htimedelta, -1
    csrw htimedelta, zero
    csrw hcounteren, t0
    /* "The counter-enable register hcounteren is a 32-bit register"; QEMU 7.2 keeps 64 bits */
    IF_QEMU 1f
    CHECK_CSR 40, hcounteren, 0xffffffff
1:
    csrw hcounteren, zero

    /* ---- MRET: V <- MPV unless MPP = M; MPV <- 0 ---- */
    /* "When an MRET instruction is executed, the virtualization mode V is set to MPV, unless
       MPP=3, in which case V remains 0."  QEMU 7.2 sets V = MPV even for MPP = M (and then
       runs M-mode code with V = 1, swapping the VS registers in), so this is skipped there. */
    IF_QEMU 2f
    li t1, MSTATUS_MPP | MSTATUS_MPV
    csrs mstatus, t1
    la t1, 1f
    csrw mepc, t1
    mret
1:  CHECK_CSRM 41, mstatus, MSTATUS_MPV, 0       /* still M (this read would trap below M) */
2:

    /* ---- V=1: the S CSR numbers reach the VS registers ---- */
    li t1, 0x1111
    csrw stval, t1
    li t1, 0x2222
    csrw vstval, t1
    li t1, 0x3330
    csrw vsepc, t1
    li t1, MSTATUS_SUM
    csrs vsstatus, t1
    csrc mstatus, t1
    li t1, MIP_VS
    csrw hideleg, t1
    li t1, 0x440
    csrw hie, t1
    li t1, 0x004
    csrw hvip, t1                                /* VSSIP pending; vsstatus.SIE = 0 holds it */
    GO_VS
    csrr a1, stval
    li t1, 0x4444
    csrw stval, t1
    csrr a2, sepc
    csrr a3, sstatus
    csrr a4, sie
    csrr a5, sip
    csrci sip, 2                                 /* clears hvip.VSSIP through vsip.SSIP */
    GO_M
    CHECK 42, a1, 0x2222
    CHECK_CSR 43, vstval, 0x4444
    CHECK_CSR 44, stval, 0x1111
    CHECK 45, a2, 0x3330
    li t1, MSTATUS_SUM
    and a3, a3, t1
    CHECK 46, a3, MSTATUS_SUM                    /* vsstatus.SUM, not mstatus.SUM */
    /* sie and sip in VS are vsie and vsip ("When V=1, vsip and vsie substitute for the usual
       sip and sie"); QEMU 7.2 reads zero there */
    IF_QEMU 1f
    CHECK 47, a4, 0x220
    li t1, 0x222
    and a5, a5, t1
    CHECK 48, a5, 0x002
1:
    CHECK_CSRM 49, hvip, 0xffff, 0
    csrw hie, zero
    csrw hideleg, zero
    li t1, MSTATUS_SUM
    csrc vsstatus, t1

    /* ---- trap entry from V=1 into M: MPV, MPP, GVA ---- */
    GO_VS
    li a7, 0
    TEST_EXC 50, CAUSE_ECALL_VS, 3, ecall
    CHECK_TPRIV 50, 1
    CHECK_STATUS 51, MSTATUS_MPV | MSTATUS_GVA, MSTATUS_MPV
    CHECK_HB 52, HB_TINST, 0                     /* ecall: no transformed instruction */
    GO_M
    GO_VU
    li a7, 0
    TEST_EXC 53, CAUSE_ECALL_U, 3, ecall
    CHECK_TPRIV 53, 0
    CHECK_STATUS 54, MSTATUS_MPV, MSTATUS_MPV
    GO_M
    GO_VS
    TEST_EXC 55, CAUSE_BREAKPOINT, 3, ebreak
    /* "For any trap (breakpoint, ...) that writes a guest virtual address to mtval, GVA is set" */
    ld t5, HB_TVAL(tp)
    beqz t5, 1f                                  /* mtval = 0 is allowed for ebreak: then GVA 0 */
    CHECK_STATUS 56, MSTATUS_GVA, MSTATUS_GVA
1:  GO_M
    GO_S                                         /* from HS: MPV = 0 */
    li a7, 0
    TEST_EXC 57, CAUSE_ECALL_S, 3, ecall
    CHECK_STATUS 57, MSTATUS_MPV | MSTATUS_GVA, 0
    GO_M

    /* ---- virtual-instruction exceptions from VS ---- */
    GO_VS
    TEST_VIRTUAL 60, 3, csrr a1, hstatus
    CHECK_STATUS 60, MSTATUS_MPV, MSTATUS_MPV
    TEST_VIRTUAL 61, 3, csrr a1, vsstatus
    TEST_VIRTUAL 62, 3, csrw hgatp, zero
    TEST_VIRTUAL 63, 3, csrr a1, hvip
    TEST_ILLEGAL 64, 3, csrr a1, mstatus        /* M CSRs stay illegal */
    TEST_VIRTUAL 65, 3, hfence.vvma
    TEST_VIRTUAL 66, 3, hfence.gvma
    la a2, scratch
    TEST_VIRTUAL 67, 3, hlv.d a1, (a2)
    TEST_VIRTUAL 68, 3, hsv.w a1, (a2)
    TEST_ILLEGAL 69, 3, mret
    GO_M
    /* tval of a virtual instruction is written as for an illegal instruction */
    GO_VS
    li gp, 70
    TRAP_ARM 1f
2:  csrr a1, hstatus
1:  TRAP_DISARM
    GO_M
    ld t5, HB_TVAL(tp)
    beqz t5, 3f
    la t1, 2b
    lwu t6, 0(t1)
    CHECKR 70, t5, t6
3:
    /* ---- from VU ---- */
    GO_VU
    TEST_VIRTUAL_QILL 71, 3, csrr a1, sstatus         /* S CSRs from VU */
    TEST_VIRTUAL_QILL 72, 3, csrr a1, sscratch
    TEST_VIRTUAL 73, 3, csrr a1, hstatus
    TEST_ILLEGAL 74, 3, csrr a1, mstatus
    TEST_VIRTUAL_QILL 75, 3, sret
    TEST_VIRTUAL_QILL 76, 3, sfence.vma
    TEST_VIRTUAL 77, 3, wfi                      /* VU, TW = 0 */
    TEST_VIRTUAL_QILL 78, 3, hfence.vvma
    la a2, scratch
    TEST_VIRTUAL 79, 3, hlv.w a1, (a2)
    GO_M
    /* ---- from U (V=0): hypervisor instructions are illegal without hstatus.HU ---- */
    GO_U
    la a2, scratch
    /* QEMU 7.2 writes a wrong mtval here (another instruction's bits), so on QEMU only the
       cause is checked: "mtval is written with the faulting instruction or zero" */
    IF_QEMU 1f
    TEST_ILLEGAL 80, 3, hlv.w a1, (a2)
    j 2f
1:  TEST_EXC 80, CAUSE_ILLEGAL, 3, hlv.w a1, (a2)
2:
    TEST_ILLEGAL 81, 3, hfence.vvma
    TEST_ILLEGAL 82, 3, csrr a1, hstatus
    GO_M

    /* ---- VTVM, VTSR, VTW; TVM/TSR do not apply in VS, TW does ---- */
    li t1, HSTATUS_VTVM | HSTATUS_VTSR | HSTATUS_VTW
    csrw hstatus, t1
    GO_VS
    /* "When VTVM=1, an attempt in VS-mode to execute SFENCE.VMA or SINVAL.VMA or to access
       CSR satp raises a virtual-instruction exception"; QEMU 7.2 lets satp through */
    IF_QEMU 1f
    TEST_VIRTUAL 85, 3, csrr a1, satp
1:
    TEST_VIRTUAL 86, 3, sfence.vma
    TEST_VIRTUAL 87, 3, sret
    TEST_VIRTUAL 88, 3, wfi                      /* VTW with a time limit of zero */
    GO_M
    csrw hstatus, zero
    li t1, MSTATUS_TVM | MSTATUS_TSR
    csrs mstatus, t1
    la t1, 2f
    csrw vsepc, t1
    li t1, MSTATUS_SPP
    csrs vsstatus, t1
    GO_VS
    /* "The TSR and TVM fields of mstatus affect execution only in HS-mode, not in VS-mode";
       QEMU 7.2 applies them in VS-mode too */
    IF_QEMU 4f
    TEST_NOEXC 89, csrr a1, satp
    TEST_NOEXC 90, sfence.vma
    li gp, 91
    TRAP_ARM 3f
    sret                                          /* to vsepc in VS (vsstatus.SPP = 1) */
3:  li t5, 1                                      /* trapped: fail */
    CHECK 91, t5, 0
    j 4f
2:  CHECK_NOTRAP 91
4:  GO_M
    GO_S
    /* "When mstatus.TVM=1, attempts to read or write hgatp while executing in HS-mode will
       raise an illegal-instruction exception"; QEMU 7.2 allows the access */
    IF_QEMU 1f
    TEST_ILLEGAL 92, 3, csrr a1, hgatp           /* TVM stops HS from using hgatp ... */
1:
    TEST_ILLEGAL 93, 3, hfence.gvma              /* ... and HFENCE.GVMA ... */
    TEST_NOEXC 94, hfence.vvma                   /* ... not HFENCE.VVMA */
    TEST_NOEXC 95, csrr a1, vsatp
    GO_M
    li t1, MSTATUS_TVM | MSTATUS_TSR
    csrc mstatus, t1
    li t1, MSTATUS_TW
    csrs mstatus, t1
    GO_VS
    TEST_ILLEGAL 96, 3, wfi                      /* TW applies in every mode below M */
    GO_M
    li t1, MSTATUS_TW
    csrc mstatus, t1
    /* VS WFI with VTW = TW = 0 completes (an enabled VS interrupt is pending, masked by SIE) */
    li t1, MIP_VS
    csrw hideleg, t1
    li t1, 0x004
    csrw hie, t1
    csrw hvip, t1
    GO_VS
    TEST_NOEXC 97, wfi
    GO_M
    csrw hvip, zero
    csrw hie, zero
    csrw hideleg, zero

    /* ---- counters: mcounteren, then hcounteren, then scounteren ---- */
    csrw mcounteren, zero
    GO_VS
    TEST_ILLEGAL 100, 3, rdcycle a1              /* mcounteren clear: illegal */
    GO_M
    li t1, 7
    csrw mcounteren, t1
    GO_VS
    TEST_VIRTUAL 101, 3, rdcycle a1              /* hcounteren clear: virtual */
    TEST_VIRTUAL 102, 3, rdtime a1
    GO_M
    li t1, 7
    csrw hcounteren, t1
    csrw scounteren, zero
    GO_VU
    TEST_VIRTUAL 103, 3, rdinstret a1            /* VU: scounteren clear: virtual */
    GO_M
    GO_VS
    TEST_NOEXC 104, rdcycle a1
    GO_M
    li t1, 7
    csrw scounteren, t1
    GO_VU
    TEST_NOEXC 105, rdinstret a1
    GO_M
    GO_U
    TEST_NOEXC 106, rdinstret a1
    GO_M
    /* time in VS/VU is time + htimedelta */
    li t1, 1 << 40
    csrw htimedelta, t1
    GO_VS
    rdtime a1
    GO_M
    rdtime a2
    CHECK_LTU 107, a2, a1
    addi a2, a2, 1
    li t1, 1 << 40
    sub a1, a1, t1
    CHECK_LTU 108, a1, a2                        /* ... and not more */
    csrw htimedelta, zero
    /* stimecmp in VS is vstimecmp, allowed by menvcfg.STCE, henvcfg.STCE, hcounteren.TM */
    li t1, (1 << 63)
    csrw menvcfg, t1
    csrw henvcfg, zero
    GO_VS
    TEST_VIRTUAL 109, 3, csrr a1, stimecmp
    GO_M
    li t1, (1 << 63)
    csrw henvcfg, t1
    li t1, -1
    csrw stimecmp, t1
    li t1, 0x5555
    csrw vstimecmp, t1
    GO_VS
    csrr a1, stimecmp
    li t1, -1
    csrw stimecmp, t1
    GO_M
    CHECK 110, a1, 0x5555
    CHECK_CSR 111, vstimecmp, -1
    CHECK_CSRM 112, hip, 0x40, 0                 /* vstimecmp in the future: no VSTIP */
    csrw vstimecmp, zero
    CHECK_CSRM 113, hip, 0x40, 0x40              /* vstimecmp <= time + htimedelta: VSTIP */
    CHECK_CSRM 114, mip, 0x40, 0x40
    csrw henvcfg, zero
    /* henvcfg.STCE = 0: "VSTIP in hip reverts to its defined behavior as if this extension is
       not implemented" (hvip.VSTIP only); QEMU 7.2 keeps the vstimecmp comparison */
    IF_QEMU 1f
    CHECK_CSRM 115, hip, 0x40, 0
1:
    li t1, -1
    csrw vstimecmp, t1

    /* ---- delegation to HS: SPV, SPVP, GVA, htval, htinst; SRET back into V=1 ---- */
    li t1, (1 << CAUSE_ECALL_VS) | (1 << CAUSE_ECALL_U) | (1 << CAUSE_VIRTUAL)
    csrw medeleg, t1
    GO_VS
    li a7, 0
    TEST_EXC 120, CAUSE_ECALL_VS, 1, ecall       /* the S handler returns into VS (SPV = 1) */
    CHECK_TPRIV 120, 1
    CHECK_HSTATUS 121, HSTATUS_SPV | HSTATUS_SPVP | HSTATUS_GVA, HSTATUS_SPV | HSTATUS_SPVP
    CHECK_HB 122, HB_TVAL2, 0
    TEST_EXC 123, CAUSE_VIRTUAL, 1, csrr a1, hstatus
    GO_M_ILL
    GO_VU
    li a7, 0
    TEST_EXC 124, CAUSE_ECALL_U, 1, ecall
    CHECK_TPRIV 124, 0
    CHECK_HSTATUS 125, HSTATUS_SPV | HSTATUS_SPVP, HSTATUS_SPV  /* SPVP = nominal mode U */
    GO_M_ILL
    /* a trap from V=0 leaves SPVP alone */
    li t1, HSTATUS_SPVP
    csrs hstatus, t1
    GO_U
    li a7, 0
    TEST_EXC 126, CAUSE_ECALL_U, 1, ecall
    CHECK_HSTATUS 127, HSTATUS_SPV | HSTATUS_SPVP, HSTATUS_SPVP
    GO_M_ILL
    csrw hstatus, zero
    csrw medeleg, zero
    /* SRET in HS: V <- SPV, then SPV <- 0 */
    GO_S
    li t1, HSTATUS_SPV
    csrs hstatus, t1
    li t1, MSTATUS_SPP
    csrc sstatus, t1                             /* to VU */
    la t1, 1f
    csrw sepc, t1
    sret
1:  li a7, 0
    TEST_EXC 128, CAUSE_ECALL_U, 3, ecall        /* we are in VU: MPV = 1, MPP = U */
    CHECK_STATUS 128, MSTATUS_MPV, MSTATUS_MPV
    CHECK_TPRIV 128, 0
    GO_M
    CHECK_CSRM 129, hstatus, HSTATUS_SPV, 0

    /* ---- hedeleg: further delegation to VS (vscause, vsepc, vsstatus.SPP) ---- */
    li t1, (1 << CAUSE_ECALL_U) | (1 << CAUSE_BREAKPOINT)
    csrw medeleg, t1
    csrw hedeleg, t1
    GO_VU
    li a7, 0
    TEST_EXC 130, CAUSE_ECALL_U, MODE_VS, ecall
    CHECK_TPRIV 130, 0
    GO_M_ILL
    GO_VS
    TEST_EXC 131, CAUSE_BREAKPOINT, MODE_VS, ebreak
    CHECK_TPRIV 131, 1
    GO_M_ILL
    csrw hedeleg, zero
    GO_VS
    TEST_EXC 132, CAUSE_BREAKPOINT, 1, ebreak     /* hedeleg clear: HS */
    GO_M_ILL
    GO_S
    TEST_EXC 133, CAUSE_BREAKPOINT, 1, ebreak     /* hedeleg only applies with V=1 */
    GO_M_ILL
    csrw medeleg, zero
    CHECK_CSR 134, hgatp, 0
TEST_END

    .data
    .align 3
scratch: .dword 0x1122334455667788
