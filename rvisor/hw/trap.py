"""Taking traps: exceptions and interrupts enter M- or S-mode here.

A trap goes to M-mode unless the hart is in S or U and the cause is
delegated in medeleg/mideleg (priv spec 3.1.8).  Entering a mode saves the
pc in xepc, the cause in xcause, the fault value in xtval, the previous
privilege in xPP, the previous interrupt enable in xPIE, clears xIE and jumps
to xtvec (base + 4 * cause for interrupts in vectored mode; priv 3.1.7).
Interrupt selection follows priv spec 3.1.9: M-level interrupts before
S-level ones, and within a level MEI, MSI, MTI, SEI, SSI, STI.
"""

from __future__ import annotations

from numba import njit

from rvisor.hw import layout as L

IRQ_BIT = -(1 << 63)  # xcause bit 63: the trap is an interrupt
# priority order of interrupt numbers, highest first (priv spec 3.1.9 with the Hypervisor
# chapter: MEI, MSI, MTI, SEI, SSI, STI, SGEI, VSEI, VSSI, VSTI)
IRQ_ORDER = (11, 3, 7, 9, 1, 5, 12, 10, 2, 6)
# take_trap's answer when the trap targets M-mode owned by the built-in firmware: an odd
# value can never be a handler address (xtvec bases are 4-byte aligned)
TO_FIRMWARE = 1
# take_trap's answer when the trap from V=1 targets HS-mode and the VMM (HS_VMM=1) plays HS: the
# engine stops before the instruction with nothing changed and returns EXIT_HS_TRAP
TO_VMM = 3


# causes whose xtval holds a (guest) virtual address: a trap from V=1, or from an HLV/HSV or an
# MPRV access made as though V=1, sets GVA for them (Hypervisor chapter, hstatus.GVA / mstatus.GVA)
GVA_CAUSES = (
    (1 << 0) | (1 << 1) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7)
    | (1 << 12) | (1 << 13) | (1 << 15) | (1 << 20) | (1 << 21) | (1 << 23)
)
DATA_CAUSES = (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 13) | (1 << 15) | (1 << 21) | (1 << 23)
GUEST_PAGE_CAUSES = (1 << 20) | (1 << 21) | (1 << 23)
MIP_VS = (1 << 2) | (1 << 6) | (1 << 10)


# runs on a trap into S-mode or VS-mode: the new sstatus/vsstatus — SPP = the old mode, SPIE = SIE,
# SIE = 0 (priv spec 4.1.1, "Supervisor Status Register")
@njit(cache=True, nogil=True)
def s_entry_status(st, priv):
    st &= ~(L.MSTATUS_SPP | L.MSTATUS_SPIE)
    if priv == L.PRV_S:
        st |= L.MSTATUS_SPP
    if st & L.MSTATUS_SIE:
        st |= L.MSTATUS_SPIE
    return st & ~L.MSTATUS_SIE


# runs on every trap: saves state into the target mode's CSRs, returns the handler pc.
# Returns TO_FIRMWARE when the trap targets M-mode but the built-in firmware owns M-mode
# (the caller then exits to Python with EXIT_TRAP).
@njit(cache=True, nogil=True)
def take_trap(h, cause, tval, pc, interrupt, csr, hs, cnt):
    """Trap entry, priv spec 3.1.6.1/3.1.8 and the Hypervisor chapter, "Trap Entry": to M unless
    delegated by medeleg/mideleg, then to HS unless V=1 and further delegated by hedeleg/hideleg,
    then to VS.  M and HS entries save V in MPV/SPV, write GVA, mtval2/htval (guest physical
    address >> 2 for guest-page faults) and mtinst/htinst (``HS_TINST``); V becomes 0."""
    priv = hs[h, L.HS_PRIV]
    virt = hs[h, L.HS_V]
    hlv = hs[h, L.HS_HLV]
    hs[h, L.HS_HLV] = 0
    tinst = hs[h, L.HS_TINST]
    hs[h, L.HS_TINST] = 0
    if interrupt:
        mideleg = csr[h, L.CSR_MIDELEG]
        if csr[h, L.CSR_MISA] & L.MISA_H:
            mideleg |= MIP_VS
        deleg = (mideleg >> cause) & 1
        vdeleg = (csr[h, L.CSR_HIDELEG] >> cause) & 1
        cnt[h, L.CNT_IRQ + cause] += 1
        xcause = cause | IRQ_BIT
        tinst = 0
    else:
        deleg = (csr[h, L.CSR_MEDELEG] >> cause) & 1
        vdeleg = (csr[h, L.CSR_HEDELEG] >> cause) & 1
        if cause < L.CNT_IRQ - L.CNT_EXC:
            cnt[h, L.CNT_EXC + cause] += 1
        xcause = cause
    st = csr[h, L.CSR_MSTATUS]
    gva = 0
    gpa = 0
    if not interrupt:
        if (GVA_CAUSES >> cause) & 1:
            if virt != 0 or hlv != 0:
                gva = 1
            elif (
                priv == L.PRV_M
                and (st & L.MSTATUS_MPRV)
                and (st & L.MSTATUS_MPV)
                and ((st >> 11) & 3) != L.PRV_M
                and (DATA_CAUSES >> cause) & 1
            ):
                gva = 1
        if (GUEST_PAGE_CAUSES >> cause) & 1:
            gpa = hs[h, L.HS_GPA]
    if priv <= L.PRV_S and deleg and virt != 0 and vdeleg:
        # into VS-mode: vsstatus, vsepc, vscause, vstval; V stays 1 ("Trap Entry", table h-vspp)
        if interrupt and (cause == L.IRQ_VSSI or cause == L.IRQ_VSTI or cause == L.IRQ_VSEI):
            xcause = (cause - 1) | IRQ_BIT  # VS-level interrupts reach VS as S-level ones
        csr[h, L.CSR_VSEPC] = pc
        csr[h, L.CSR_VSCAUSE] = xcause
        csr[h, L.CSR_VSTVAL] = tval
        csr[h, L.CSR_VSSTATUS] = s_entry_status(csr[h, L.CSR_VSSTATUS], priv)
        tvec = csr[h, L.CSR_VSTVEC]
        new_priv = L.PRV_S
        new_virt = 1
        vcause = xcause & ~IRQ_BIT
    elif priv <= L.PRV_S and deleg and virt != 0 and hs[h, L.HS_VMM] != 0:
        # the VMM is HS: report what scause/stval/htval/htinst would hold and leave V=1 state as is
        hs[h, L.HS_EXIT_CAUSE] = xcause
        hs[h, L.HS_EXIT_TVAL] = tval
        hs[h, L.HS_EXIT_PC] = pc
        hs[h, L.HS_GPA] = gpa
        hs[h, L.HS_TINST] = tinst
        hs[h, L.HS_HLV] = gva  # for the VMM: 1 when stval holds a guest virtual address
        return TO_VMM
    elif priv <= L.PRV_S and deleg:
        csr[h, L.CSR_SEPC] = pc
        csr[h, L.CSR_SCAUSE] = xcause
        csr[h, L.CSR_STVAL] = tval
        st = s_entry_status(st, priv)
        csr[h, L.CSR_MSTATUS] = st
        if csr[h, L.CSR_MISA] & L.MISA_H:
            hst = csr[h, L.CSR_HSTATUS] & ~(L.HSTATUS_SPV | L.HSTATUS_GVA)
            if virt != 0:
                hst |= L.HSTATUS_SPV
                hst &= ~L.HSTATUS_SPVP
                if priv == L.PRV_S:
                    hst |= L.HSTATUS_SPVP  # SPVP is left unchanged when V was 0
            if gva:
                hst |= L.HSTATUS_GVA
            csr[h, L.CSR_HSTATUS] = hst
            csr[h, L.CSR_HTVAL] = gpa
            csr[h, L.CSR_HTINST] = tinst
        tvec = csr[h, L.CSR_STVEC]
        new_priv = L.PRV_S
        new_virt = 0
        vcause = cause
    else:
        if hs[h, L.HS_FIRMWARE] != 0:
            hs[h, L.HS_EXIT_CAUSE] = xcause
            hs[h, L.HS_EXIT_TVAL] = tval
            hs[h, L.HS_EXIT_PC] = pc
            hs[h, L.HS_TINST] = tinst  # kept for the firmware, which may hand the trap to HS
            hs[h, L.HS_HLV] = hlv
            return TO_FIRMWARE
        csr[h, L.CSR_MEPC] = pc
        csr[h, L.CSR_MCAUSE] = xcause
        csr[h, L.CSR_MTVAL] = tval
        st = (st & ~L.MSTATUS_MPP) | (priv << 11)
        st &= ~L.MSTATUS_MPIE
        if st & L.MSTATUS_MIE:
            st |= L.MSTATUS_MPIE
        st &= ~L.MSTATUS_MIE
        if csr[h, L.CSR_MISA] & L.MISA_H:
            st &= ~(L.MSTATUS_MPV | L.MSTATUS_GVA)
            if virt != 0:
                st |= L.MSTATUS_MPV
            if gva:
                st |= L.MSTATUS_GVA
            csr[h, L.CSR_MTVAL2] = gpa
            csr[h, L.CSR_MTINST] = tinst
        csr[h, L.CSR_MSTATUS] = st
        tvec = csr[h, L.CSR_MTVEC]
        new_priv = L.PRV_M
        new_virt = 0
        vcause = cause
    if new_priv != priv or new_virt != virt:
        cnt[h, L.CNT_PRIV_SWITCH] += 1
    hs[h, L.HS_PRIV] = new_priv
    hs[h, L.HS_V] = new_virt
    base = tvec & ~3
    if interrupt and (tvec & 3) == 1:
        return base + 4 * vcause
    return base


# runs at each interrupt check: the interrupt to take now, or -1 (priv spec 3.1.9 and the
# Hypervisor chapter: an interrupt goes to M unless in mideleg, to HS unless also in hideleg)
@njit(cache=True, nogil=True)
def pick_interrupt(priv, virt, mstatus, pending, mideleg, hideleg, vsstatus):
    mideleg |= MIP_VS  # VS-level interrupts are always delegated past M (no such bit pends without H)
    m_pend = pending & ~mideleg
    s_pend = pending & mideleg & ~hideleg
    vs_pend = pending & mideleg & hideleg
    # M-level interrupts are enabled in lower modes always, in M-mode when MIE is set
    if not (priv < L.PRV_M or (mstatus & L.MSTATUS_MIE)):
        m_pend = 0
    # HS-level: in V=1 and in U always, in HS when SIE is set, never in M
    if not (virt != 0 or priv < L.PRV_S or (priv == L.PRV_S and (mstatus & L.MSTATUS_SIE))):
        s_pend = 0
    # VS-level: only with V=1, in VU always, in VS when vsstatus.SIE is set
    if not (virt != 0 and (priv == L.PRV_U or (vsstatus & L.MSTATUS_SIE))):
        vs_pend = 0
    if m_pend:
        for irq in IRQ_ORDER:
            if (m_pend >> irq) & 1:
                return irq
    if s_pend:
        for irq in IRQ_ORDER:
            if (s_pend >> irq) & 1:
                return irq
    if vs_pend:
        for irq in IRQ_ORDER:
            if (vs_pend >> irq) & 1:
                return irq
    return -1


# runs on MRET and SRET: returns the pc to continue at (priv spec 3.3.2, Hypervisor chapter
# "Trap Return")
@njit(cache=True, nogil=True)
def xret(h, to_m, csr, hs, cnt):
    st = csr[h, L.CSR_MSTATUS]
    priv = hs[h, L.HS_PRIV]
    virt = hs[h, L.HS_V]
    new_virt = 0
    if to_m:
        new_priv = (st >> 11) & 3
        if new_priv != L.PRV_M and (st & L.MSTATUS_MPV):
            new_virt = 1  # MPV is ignored when MPP = M
        st &= ~L.MSTATUS_MIE
        if st & L.MSTATUS_MPIE:
            st |= L.MSTATUS_MIE
        st |= L.MSTATUS_MPIE
        st &= ~(L.MSTATUS_MPP | L.MSTATUS_MPV)  # MPP <- U (the least-privileged supported mode)
        pc = csr[h, L.CSR_MEPC]
    elif virt != 0:
        # SRET in VS-mode: vsstatus and vsepc; V stays 1
        vs = csr[h, L.CSR_VSSTATUS]
        new_priv = L.PRV_S if vs & L.MSTATUS_SPP else L.PRV_U
        vs &= ~L.MSTATUS_SIE
        if vs & L.MSTATUS_SPIE:
            vs |= L.MSTATUS_SIE
        vs |= L.MSTATUS_SPIE
        vs &= ~L.MSTATUS_SPP
        csr[h, L.CSR_VSSTATUS] = vs
        new_virt = 1
        pc = csr[h, L.CSR_VSEPC]
    else:
        new_priv = L.PRV_S if st & L.MSTATUS_SPP else L.PRV_U
        hst = csr[h, L.CSR_HSTATUS]
        if hst & L.HSTATUS_SPV:
            new_virt = 1
            csr[h, L.CSR_HSTATUS] = hst & ~L.HSTATUS_SPV
        st &= ~L.MSTATUS_SIE
        if st & L.MSTATUS_SPIE:
            st |= L.MSTATUS_SIE
        st |= L.MSTATUS_SPIE
        st &= ~L.MSTATUS_SPP
        pc = csr[h, L.CSR_SEPC]
    if new_priv != L.PRV_M:
        st &= ~L.MSTATUS_MPRV  # xRET to a mode below M clears MPRV (priv 3.1.6.3)
    csr[h, L.CSR_MSTATUS] = st
    if new_priv != priv or new_virt != virt:
        cnt[h, L.CNT_PRIV_SWITCH] += 1
    hs[h, L.HS_PRIV] = new_priv
    hs[h, L.HS_V] = new_virt
    return pc
