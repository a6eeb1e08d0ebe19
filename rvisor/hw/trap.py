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
# priority order of interrupt numbers, highest first (priv spec 3.1.9)
IRQ_ORDER = (11, 3, 7, 9, 1, 5)
# take_trap's answer when the trap targets M-mode owned by the built-in firmware: an odd
# value can never be a handler address (xtvec bases are 4-byte aligned)
TO_FIRMWARE = 1


# runs on every trap: saves state into the target mode's CSRs, returns the handler pc.
# Returns TO_FIRMWARE when the trap targets M-mode but the built-in firmware owns M-mode
# (the caller then exits to Python with EXIT_TRAP).
@njit(cache=True, nogil=True)
def take_trap(h, cause, tval, pc, interrupt, csr, hs, cnt):
    priv = hs[h, L.HS_PRIV]
    if interrupt:
        deleg = (csr[h, L.CSR_MIDELEG] >> cause) & 1
        cnt[h, L.CNT_IRQ + cause] += 1
        xcause = cause | IRQ_BIT
    else:
        deleg = (csr[h, L.CSR_MEDELEG] >> cause) & 1
        if cause < L.CNT_IRQ - L.CNT_EXC:
            cnt[h, L.CNT_EXC + cause] += 1
        xcause = cause
    st = csr[h, L.CSR_MSTATUS]
    if priv <= L.PRV_S and deleg:
        csr[h, L.CSR_SEPC] = pc
        csr[h, L.CSR_SCAUSE] = xcause
        csr[h, L.CSR_STVAL] = tval
        st &= ~(L.MSTATUS_SPP | L.MSTATUS_SPIE)
        if priv == L.PRV_S:
            st |= L.MSTATUS_SPP
        if st & L.MSTATUS_SIE:
            st |= L.MSTATUS_SPIE
        st &= ~L.MSTATUS_SIE
        csr[h, L.CSR_MSTATUS] = st
        tvec = csr[h, L.CSR_STVEC]
        new_priv = L.PRV_S
    else:
        if hs[h, L.HS_FIRMWARE] != 0:
            hs[h, L.HS_EXIT_CAUSE] = xcause
            hs[h, L.HS_EXIT_TVAL] = tval
            hs[h, L.HS_EXIT_PC] = pc
            return TO_FIRMWARE
        csr[h, L.CSR_MEPC] = pc
        csr[h, L.CSR_MCAUSE] = xcause
        csr[h, L.CSR_MTVAL] = tval
        st = (st & ~L.MSTATUS_MPP) | (priv << 11)
        st &= ~L.MSTATUS_MPIE
        if st & L.MSTATUS_MIE:
            st |= L.MSTATUS_MPIE
        st &= ~L.MSTATUS_MIE
        csr[h, L.CSR_MSTATUS] = st
        tvec = csr[h, L.CSR_MTVEC]
        new_priv = L.PRV_M
    if new_priv != priv:
        cnt[h, L.CNT_PRIV_SWITCH] += 1
    hs[h, L.HS_PRIV] = new_priv
    base = tvec & ~3
    if interrupt and (tvec & 3) == 1:
        return base + 4 * cause
    return base


# runs at each interrupt check: the interrupt to take now, or -1 (priv spec 3.1.9)
@njit(cache=True, nogil=True)
def pick_interrupt(priv, mstatus, pending, mideleg):
    m_pend = pending & ~mideleg
    s_pend = pending & mideleg
    # M-level interrupts are enabled in lower modes always, in M-mode when MIE is set
    if not (priv < L.PRV_M or (mstatus & L.MSTATUS_MIE)):
        m_pend = 0
    # S-level interrupts: in U always, in S when SIE is set, never in M
    if not (priv < L.PRV_S or (priv == L.PRV_S and (mstatus & L.MSTATUS_SIE))):
        s_pend = 0
    if m_pend:
        for irq in IRQ_ORDER:
            if (m_pend >> irq) & 1:
                return irq
    if s_pend:
        for irq in IRQ_ORDER:
            if (s_pend >> irq) & 1:
                return irq
    return -1


# runs on MRET and SRET: returns the pc to continue at (priv spec 3.3.2)
@njit(cache=True, nogil=True)
def xret(h, to_m, csr, hs, cnt):
    st = csr[h, L.CSR_MSTATUS]
    priv = hs[h, L.HS_PRIV]
    if to_m:
        new_priv = (st >> 11) & 3
        st &= ~L.MSTATUS_MIE
        if st & L.MSTATUS_MPIE:
            st |= L.MSTATUS_MIE
        st |= L.MSTATUS_MPIE
        st &= ~L.MSTATUS_MPP  # MPP <- U (the least-privileged supported mode)
        pc = csr[h, L.CSR_MEPC]
    else:
        new_priv = L.PRV_S if st & L.MSTATUS_SPP else L.PRV_U
        st &= ~L.MSTATUS_SIE
        if st & L.MSTATUS_SPIE:
            st |= L.MSTATUS_SIE
        st |= L.MSTATUS_SPIE
        st &= ~L.MSTATUS_SPP
        pc = csr[h, L.CSR_SEPC]
    if new_priv != L.PRV_M:
        st &= ~L.MSTATUS_MPRV  # xRET to a mode below M clears MPRV (priv 3.1.6.3)
    csr[h, L.CSR_MSTATUS] = st
    if new_priv != priv:
        cnt[h, L.CNT_PRIV_SWITCH] += 1
    hs[h, L.HS_PRIV] = new_priv
    return pc
