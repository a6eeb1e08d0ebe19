"""Control and status registers: who may access which, and what each write keeps.

Each CSR has one storage slot ``csr[h, number]``.  The supervisor views of
machine registers (sstatus, sie, sip) and the floating-point views
(fflags, frm) have no storage of their own: they are computed here from
the canonical register, as priv spec 3.1.6 and 4.1.1 describe.  WARL fields
keep only legal values (priv spec 2.3, "CSR field specifications").
"""

from __future__ import annotations

import numpy as np
from numba import njit

from rvisor.hw import layout as L
from rvisor.hw.hcsr import (
    H_CSRS,
    HSTATUS_RESET,
    MIP_VS,
    MIP_VSSIP,
    hcsr_read,
    hcsr_write,
)

SIGN = -(1 << 63)

MISA_RV64GC = SIGN | sum(1 << (ord(c) - ord("A")) for c in "ACDFIMSU")  # MXL = 2 (64-bit)
MISA_RV64GCH = MISA_RV64GC | L.MISA_H  # with the hypervisor extension (the default board)

# mstatus bits M-mode may write (priv spec 3.1.6); UXL/SXL are fixed at 64-bit.
MSTATUS_WMASK = (
    L.MSTATUS_SIE
    | L.MSTATUS_MIE
    | L.MSTATUS_SPIE
    | L.MSTATUS_MPIE
    | L.MSTATUS_SPP
    | L.MSTATUS_MPP
    | L.MSTATUS_FS
    | L.MSTATUS_MPRV
    | L.MSTATUS_SUM
    | L.MSTATUS_MXR
    | L.MSTATUS_TVM
    | L.MSTATUS_TW
    | L.MSTATUS_TSR
)
# sstatus: the S-level view of mstatus (priv spec 4.1.1)
SSTATUS_RMASK = (
    L.MSTATUS_SIE
    | L.MSTATUS_SPIE
    | L.MSTATUS_UBE
    | L.MSTATUS_SPP
    | L.MSTATUS_VS
    | L.MSTATUS_FS
    | L.MSTATUS_XS
    | L.MSTATUS_SUM
    | L.MSTATUS_MXR
    | L.MSTATUS_UXL
    | L.MSTATUS_SD
)
SSTATUS_WMASK = L.MSTATUS_SIE | L.MSTATUS_SPIE | L.MSTATUS_SPP | L.MSTATUS_FS | L.MSTATUS_SUM | L.MSTATUS_MXR
MSTATUS_RESET = (2 << 32) | (2 << 34)  # UXL = SXL = 64-bit

MIP_SSIP = 1 << L.IRQ_SSI
MIP_MSIP = 1 << L.IRQ_MSI
MIP_STIP = 1 << L.IRQ_STI
MIP_MTIP = 1 << L.IRQ_MTI
MIP_SEIP = 1 << L.IRQ_SEI
MIP_MEIP = 1 << L.IRQ_MEI
S_IRQS = MIP_SSIP | MIP_STIP | MIP_SEIP
ALL_IRQS = S_IRQS | MIP_MSIP | MIP_MTIP | MIP_MEIP
MEDELEG_MASK = 0xB3FF  # causes 0-9, 12, 13, 15; ecall from M (11) cannot be delegated
MEDELEG_H = (1 << L.EXC_ECALL_VS) | (0xF << L.EXC_INSN_GUEST_PAGE)  # causes 10, 20-23
MENVCFG_STCE = SIGN  # bit 63
MENVCFG_WMASK = SIGN | 1  # STCE, FIOM
N_PMP = 16
SATP_MASK = -(1 << 60) | (0xFFFF << 44) | ((1 << 44) - 1)  # MODE (bits 63:60), ASID (16 bits), PPN


# runs at import: which CSR numbers exist on this hart (1), and which only with misa.H (2)
def _valid_table() -> np.ndarray:
    v = np.zeros(4096, dtype=np.int8)
    ok = [0x001, 0x002, 0x003]
    ok += list(range(0xC00, 0xC20))
    ok += [0x100, 0x104, 0x105, 0x106, 0x10A, 0x140, 0x141, 0x142, 0x143, 0x144, 0x14D, 0x180]
    ok += [0xF11, 0xF12, 0xF13, 0xF14, 0xF15]
    ok += [0x300, 0x301, 0x302, 0x303, 0x304, 0x305, 0x306, 0x30A, 0x320]
    ok += list(range(0x323, 0x340))
    ok += [0x340, 0x341, 0x342, 0x343, 0x344]
    ok += list(range(0x3A0, 0x3B0, 2))  # pmpcfg0, 2, ..., 14 (odd ones exist only on RV32)
    ok += list(range(0x3B0, 0x3F0))
    ok += [0xB00, 0xB02] + list(range(0xB03, 0xB20))
    ok += [0x7A0, 0x7A1, 0x7A2, 0x7A3]
    v[ok] = 1
    v[list(H_CSRS)] = 2
    return v


CSR_VALID = _valid_table()


# runs at hart reset: the CSR values priv spec 3.4 defines (and fixed ID registers)
def reset_csrs(row: np.ndarray, hartid: int, hext: bool = True) -> None:
    row[:] = 0
    row[L.CSR_MISA] = MISA_RV64GCH if hext else MISA_RV64GC
    row[L.CSR_MHARTID] = hartid
    row[L.CSR_MSTATUS] = MSTATUS_RESET
    if hext:
        row[L.CSR_HSTATUS] = HSTATUS_RESET  # VSXL = 64-bit (read-only)
        row[L.CSR_VSSTATUS] = 2 << 32  # UXL = 64-bit (read-only)


# runs for every timer comparison (mtime against mtimecmp/stimecmp)
@njit(cache=True, nogil=True)
def ugte(a: int, b: int) -> bool:
    """Unsigned a >= b on 64-bit patterns held in int64."""
    return (a ^ SIGN) >= (b ^ SIGN)


# runs whenever the engine or Python needs the mip value hardware presents (priv 3.1.9)
@njit(cache=True, nogil=True)
def mip_value(h, csr, hs, mtime):
    v = csr[h, L.CSR_MIP] & (S_IRQS | MIP_VS)  # the VS bits hold hvip (zero without misa.H)
    if csr[h, L.CSR_HENVCFG] & csr[h, L.CSR_MENVCFG] & MENVCFG_STCE:
        # Sstc for VS: VSTIP is also raised while time + htimedelta >= vstimecmp
        if ugte(mtime + csr[h, L.CSR_HTIMEDELTA], csr[h, L.CSR_VSTIMECMP]):
            v |= 1 << L.IRQ_VSTI
    if csr[h, L.CSR_MENVCFG] & MENVCFG_STCE:
        v &= ~MIP_STIP
        if ugte(mtime, csr[h, L.CSR_STIMECMP]):
            v |= MIP_STIP
    if hs[h, L.HS_FIRMWARE] != 0 and ugte(mtime, hs[h, L.HS_SBI_TIMECMP]):
        v |= MIP_STIP
    if ugte(mtime, hs[h, L.HS_MTIMECMP]):
        v |= MIP_MTIP
    if hs[h, L.HS_MSIP] != 0:
        v |= MIP_MSIP
    v |= hs[h, L.HS_EXT_IRQ] & (MIP_MEIP | MIP_SEIP)
    return v


# runs before a CSR instruction touches register `num`: Zicsr privilege/read-only rules.
# Returns 0 (allowed), 1 (illegal instruction) or 2 (virtual instruction).
@njit(cache=True, nogil=True)
def csr_allowed(h, num, write, priv, virt, csr):
    """Priv spec 2.1 (CSR address mapping) and, with V=1, the virtual-instruction cases of the
    Hypervisor chapter ("Trap Cause Codes"): an access that HS-mode could make is a virtual
    instruction, anything else is illegal."""
    valid = CSR_VALID[num]
    if valid == 0 or (valid == 2 and (csr[h, L.CSR_MISA] & L.MISA_H) == 0):
        return 1
    if write and (num >> 10) == 3:
        return 1
    lvl = (num >> 8) & 3
    if lvl == 3 and priv < L.PRV_M:
        return 1
    if virt:
        if lvl == 2 or (lvl == 1 and priv == L.PRV_U):
            return 2  # hypervisor/VS CSRs from VS or VU, supervisor CSRs from VU
    elif lvl > priv and priv < L.PRV_S:
        return 1
    if num <= 3:
        # FS off in sstatus or vsstatus: always illegal, never virtual (Hypervisor chapter)
        if (csr[h, L.CSR_MSTATUS] & L.MSTATUS_FS) == 0:
            return 1
        if virt and (csr[h, L.CSR_VSSTATUS] & L.MSTATUS_FS) == 0:
            return 1
    if 0xC00 <= num <= 0xC1F and priv < L.PRV_M:
        bit = 1 << (num - 0xC00)
        if (csr[h, L.CSR_MCOUNTEREN] & bit) == 0:
            return 1
        if virt:
            if (csr[h, L.CSR_HCOUNTEREN] & bit) == 0:
                return 2
            if priv == L.PRV_U and (csr[h, L.CSR_SCOUNTEREN] & bit) == 0:
                return 2
        elif priv == L.PRV_U and (csr[h, L.CSR_SCOUNTEREN] & bit) == 0:
            return 1
    if num == L.CSR_SATP and priv == L.PRV_S:
        if virt:
            if csr[h, L.CSR_HSTATUS] & L.HSTATUS_VTVM:
                return 2
        elif csr[h, L.CSR_MSTATUS] & L.MSTATUS_TVM:
            return 1
    if num == L.CSR_HGATP and priv == L.PRV_S and (csr[h, L.CSR_MSTATUS] & L.MSTATUS_TVM):
        return 1
    if (num == L.CSR_STIMECMP or num == L.CSR_VSTIMECMP) and priv < L.PRV_M:
        if (csr[h, L.CSR_MENVCFG] & MENVCFG_STCE) == 0 or (csr[h, L.CSR_MCOUNTEREN] & 2) == 0:
            return 1
        if virt and ((csr[h, L.CSR_HENVCFG] & MENVCFG_STCE) == 0 or (csr[h, L.CSR_HCOUNTEREN] & 2) == 0):
            return 2
    return 0


# runs on a CSR read that passed csr_allowed: computes views and counters
@njit(cache=True, nogil=True)
def csr_read(h, num, csr, hs, instret, mtime):
    if num == L.CSR_SSTATUS:
        return csr[h, L.CSR_MSTATUS] & SSTATUS_RMASK
    # the stored mideleg holds only the S-level bits, so sie/sip never show VS-level bits
    if num == L.CSR_SIE:
        return csr[h, L.CSR_MIE] & csr[h, L.CSR_MIDELEG]
    if num == L.CSR_SIP:
        return mip_value(h, csr, hs, mtime) & csr[h, L.CSR_MIDELEG]
    if num == L.CSR_MIP:
        return mip_value(h, csr, hs, mtime)
    if num == L.CSR_MIDELEG and (csr[h, L.CSR_MISA] & L.MISA_H):
        return csr[h, num] | MIP_VS  # VS-level interrupts: read-only one (Hypervisor chapter)
    if CSR_VALID[num] == 2:
        return hcsr_read(h, num, csr, mip_value(h, csr, hs, mtime))
    if num == L.CSR_TIME and hs[h, L.HS_V] != 0:
        return mtime + csr[h, L.CSR_HTIMEDELTA]  # time in VS/VU (Hypervisor chapter, htimedelta)
    if num == L.CSR_FFLAGS:
        return csr[h, L.CSR_FCSR] & 0x1F
    if num == L.CSR_FRM:
        return (csr[h, L.CSR_FCSR] >> 5) & 7
    if num == L.CSR_TIME:
        return mtime
    if num == L.CSR_CYCLE or num == L.CSR_MCYCLE:
        return instret + csr[h, L.CSR_MCYCLE]
    if num == L.CSR_INSTRET or num == L.CSR_MINSTRET:
        return instret + csr[h, L.CSR_MINSTRET]
    if 0xC03 <= num <= 0xC1F or 0xB03 <= num <= 0xB1F or 0x323 <= num <= 0x33F:
        return 0
    if 0x7A0 <= num <= 0x7A3:
        return 0
    return csr[h, num]


# runs on a CSR write that passed csr_allowed: keeps only legal (WARL) values.
# Returns True when the write may change translation (caller flushes its caches).
@njit(cache=True, nogil=True)
def csr_write(h, num, v, csr, hs, instret):
    if CSR_VALID[num] == 2:
        return hcsr_write(h, num, v, csr)
    if num == L.CSR_MSTATUS or num == L.CSR_SSTATUS:
        old = csr[h, L.CSR_MSTATUS]
        mask = MSTATUS_WMASK if num == L.CSR_MSTATUS else SSTATUS_WMASK
        if num == L.CSR_MSTATUS and (csr[h, L.CSR_MISA] & L.MISA_H):
            mask |= L.MSTATUS_MPV | L.MSTATUS_GVA
        new = (old & ~mask) | (v & mask)
        if (new & L.MSTATUS_MPP) == (2 << 11):  # MPP is WARL: 2 (reserved) keeps the old value
            new = (new & ~L.MSTATUS_MPP) | (old & L.MSTATUS_MPP)
        new &= ~L.MSTATUS_SD
        if (new & L.MSTATUS_FS) == L.MSTATUS_FS:
            new |= L.MSTATUS_SD
        csr[h, L.CSR_MSTATUS] = new
        # no flush: the TLB key holds everything of mstatus a translation depends on
        # (privilege, SUM, MXR; MPRV/MPP/MPV select the key at the next interrupt check)
        return False
    if num == L.CSR_FFLAGS or num == L.CSR_FRM or num == L.CSR_FCSR:
        f = csr[h, L.CSR_FCSR]
        if num == L.CSR_FFLAGS:
            f = (f & ~0x1F) | (v & 0x1F)
        elif num == L.CSR_FRM:
            f = (f & 0x1F) | ((v & 7) << 5)
        else:
            f = v & 0xFF
        csr[h, L.CSR_FCSR] = f
        csr[h, L.CSR_MSTATUS] |= L.MSTATUS_FS | L.MSTATUS_SD
        return False
    if num == L.CSR_MISA or num == L.CSR_MCOUNTINHIBIT or 0x7A0 <= num <= 0x7A3:
        return False  # WARL: accepted, kept fixed
    if 0xB03 <= num <= 0xB1F or 0x323 <= num <= 0x33F:
        return False  # hardware performance monitors are read-only zero here
    if num == L.CSR_MEDELEG:
        mask = MEDELEG_MASK
        if csr[h, L.CSR_MISA] & L.MISA_H:
            mask |= MEDELEG_H  # ecall from VS, guest-page faults, virtual instruction
        csr[h, num] = v & mask
        return False
    if num == L.CSR_MIDELEG:
        csr[h, num] = v & S_IRQS
        return False
    if num == L.CSR_MIE:
        # with misa.H the VS-level enables are writable (aliases of hie); SGEIE is zero (GEILEN 0)
        csr[h, num] = v & (ALL_IRQS | (MIP_VS if csr[h, L.CSR_MISA] & L.MISA_H else 0))
        return False
    if num == L.CSR_SIE:
        d = csr[h, L.CSR_MIDELEG]
        csr[h, L.CSR_MIE] = (csr[h, L.CSR_MIE] & ~d) | (v & d)
        return False
    if num == L.CSR_MIP:
        mask = S_IRQS
        if csr[h, L.CSR_MENVCFG] & MENVCFG_STCE:
            mask = MIP_SSIP | MIP_SEIP
        if csr[h, L.CSR_MISA] & L.MISA_H:
            mask |= MIP_VSSIP  # mip.VSSIP aliases hvip.VSSIP; VSTIP/VSEIP are read-only in mip
        csr[h, num] = (csr[h, num] & ~mask) | (v & mask)
        return False
    if num == L.CSR_SIP:
        mask = MIP_SSIP & csr[h, L.CSR_MIDELEG]
        csr[h, L.CSR_MIP] = (csr[h, L.CSR_MIP] & ~mask) | (v & mask)
        return False
    if num == L.CSR_MTVEC or num == L.CSR_STVEC:
        if (v & 3) < 2:
            csr[h, num] = v
        else:
            csr[h, num] = (v & ~3) | (csr[h, num] & 3)
        return False
    if num == L.CSR_MEPC or num == L.CSR_SEPC:
        csr[h, num] = v & ~1
        return False
    if num == L.CSR_MCOUNTEREN or num == L.CSR_SCOUNTEREN:
        csr[h, num] = v & 0xFFFFFFFF
        return False
    if num == L.CSR_MENVCFG:
        csr[h, num] = v & MENVCFG_WMASK
        return False
    if num == L.CSR_SENVCFG:
        csr[h, num] = v & 1
        return False
    if num == L.CSR_SATP:
        mode = (v >> 60) & 0xF
        if mode == 0 or mode == 8 or mode == 9:
            if mode == 0:
                v = 0
            csr[h, num] = v & SATP_MASK
        return True
    if num == L.CSR_MCYCLE or num == L.CSR_MINSTRET:
        # the register counts from here: store the offset from instructions retired so far
        csr[h, num] = v - instret - 1
        return False
    if 0x3A0 <= num <= 0x3AE:
        old = csr[h, num]
        new = 0
        first = (num - 0x3A0) * 4  # pmpcfg0 holds entries 0-7, pmpcfg2 entries 8-15
        for i in range(8):
            o = (old >> (8 * i)) & 0xFF
            b = (v >> (8 * i)) & 0xFF
            entry = first + i
            if entry >= N_PMP:
                b = 0
            elif o & 0x80:
                b = o  # locked entries ignore writes
            else:
                b &= 0x9F
                if (b & 3) == 2:  # W without R is reserved: drop W
                    b &= ~2
            new |= b << (8 * i)
        csr[h, num] = new
        return False
    if 0x3B0 <= num <= 0x3EF:
        entry = num - 0x3B0
        if entry < N_PMP:
            cfg = (csr[h, 0x3A0 + (entry // 8) * 2] >> (8 * (entry % 8))) & 0xFF
            locked = (cfg & 0x80) != 0
            if entry + 1 < N_PMP:
                # a locked TOR entry i+1 also locks pmpaddr i, its lower bound (priv spec 3.7.1)
                nxt = (csr[h, 0x3A0 + ((entry + 1) // 8) * 2] >> (8 * ((entry + 1) % 8))) & 0xFF
                if (nxt & 0x80) != 0 and ((nxt >> 3) & 3) == 1:
                    locked = True
            if not locked:
                csr[h, num] = v & ((1 << 54) - 1)
        return False
    if num == L.CSR_STIMECMP:
        csr[h, num] = v
        return False
    csr[h, num] = v
    return False
