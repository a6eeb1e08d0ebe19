"""The hypervisor extension's CSRs: hstatus, the H delegation and interrupt registers, the VS copies.

Priv spec, chapter "Hypervisor Extension", section "Hypervisor and Virtual Supervisor CSRs".
Every register has its own storage slot ``csr[h, number]`` except the views:

* ``hvip`` is stored in bits 2, 6, 10 of the ``mip`` slot (the VS-level bits of ``mip``
  and ``hip`` are aliases of it: VSSIP is writable through all three, VSTIP and VSEIP only
  through ``hvip``);
* ``hie`` is the VS-level bits of ``mie``; ``vsie``/``vsip`` are ``hie``/``hip`` shifted
  right by one, masked by ``hideleg`` ("Virtual Supervisor Interrupt Registers");
* ``hgeip``/``hgeie`` read as zero: GEILEN = 0 (the board has no IMSIC).

While V=1 the supervisor CSR numbers reach the VS registers (``vs_number``); the access
rules, including the virtual-instruction cases, are in ``rvisor.hw.csr.csr_allowed``.
"""

from __future__ import annotations

from numba import njit

from rvisor.hw import layout as L

SIGN = -(1 << 63)
MIP_VS = (1 << L.IRQ_VSSI) | (1 << L.IRQ_VSTI) | (1 << L.IRQ_VSEI)  # VSSIP, VSTIP, VSEIP
MIP_VSSIP = 1 << L.IRQ_VSSI
# hedeleg: writable bits per the table "Bits of hedeleg that must be writable": causes 0-8, 12, 13,
# 15; environment calls from HS/VS/M (9-11), guest-page faults and virtual instruction read 0
HEDELEG_MASK = 0xB1FF
HSTATUS_WMASK = (
    L.HSTATUS_GVA | L.HSTATUS_SPV | L.HSTATUS_SPVP | L.HSTATUS_HU
    | L.HSTATUS_VTVM | L.HSTATUS_VTW | L.HSTATUS_VTSR
)
HSTATUS_RESET = 2 << 32  # VSXL = 64-bit, read-only
# vsstatus: the fields of sstatus (priv spec, "vsstatus"); UXL is read-only 64-bit
VSSTATUS_WMASK = L.MSTATUS_SIE | L.MSTATUS_SPIE | L.MSTATUS_SPP | L.MSTATUS_FS | L.MSTATUS_SUM | L.MSTATUS_MXR
HENVCFG_STCE = SIGN
HENVCFG_WMASK = SIGN | 1  # STCE, FIOM
HGATP_MASK = -(1 << 60) | (0x3FFF << 44) | (((1 << 44) - 1) & ~3)  # MODE, 14-bit VMID, PPN[1:0] = 0
SATP_MASK = -(1 << 60) | (0xFFFF << 44) | ((1 << 44) - 1)

# hypervisor and VS CSR numbers: they exist only while misa.H is set
H_CSRS = (
    L.CSR_HSTATUS,
    L.CSR_HEDELEG,
    L.CSR_HIDELEG,
    L.CSR_HIE,
    L.CSR_HTIMEDELTA,
    L.CSR_HCOUNTEREN,
    L.CSR_HGEIE,
    L.CSR_HENVCFG,
    L.CSR_HTVAL,
    L.CSR_HIP,
    L.CSR_HVIP,
    L.CSR_HTINST,
    L.CSR_HGATP,
    L.CSR_HGEIP,
    L.CSR_VSSTATUS,
    L.CSR_VSIE,
    L.CSR_VSTVEC,
    L.CSR_VSSCRATCH,
    L.CSR_VSEPC,
    L.CSR_VSCAUSE,
    L.CSR_VSTVAL,
    L.CSR_VSIP,
    L.CSR_VSTIMECMP,
    L.CSR_VSATP,
    L.CSR_MTINST,
    L.CSR_MTVAL2,
)


# runs for every CSR instruction made with V=1: the register an S-level number reaches.
@njit(cache=True, nogil=True)
def vs_number(num):
    """sstatus, sie, stvec, sscratch, sepc, scause, stval, sip, stimecmp, satp -> their VS copies
    (priv spec, "Hypervisor and Virtual Supervisor CSRs": "When V=1, ... substitutes for")."""
    if num == L.CSR_SSTATUS or num == L.CSR_SIE or num == L.CSR_STVEC or num == L.CSR_SATP:
        return num + 0x100
    if L.CSR_SSCRATCH <= num <= L.CSR_SIP or num == L.CSR_STIMECMP:
        return num + 0x100
    return num


# runs when the engine or a CSR read needs hip: pending VS-level interrupts (hvip, vstimecmp)
@njit(cache=True, nogil=True)
def hip_of(mip):
    """hip = the VS-level bits of mip; SGEIP is zero with GEILEN = 0 (priv spec, "hip")."""
    return mip & MIP_VS


# runs on a CSR read of a hypervisor or VS register that passed csr_allowed; mip is the value
# hardware presents in mip (rvisor.hw.csr.mip_value)
@njit(cache=True, nogil=True)
def hcsr_read(h, num, csr, mip):
    if num == L.CSR_HIP:
        return hip_of(mip)
    if num == L.CSR_HVIP:
        return csr[h, L.CSR_MIP] & MIP_VS
    if num == L.CSR_HIE:
        return csr[h, L.CSR_MIE] & MIP_VS
    if num == L.CSR_VSIP:
        return (mip & csr[h, L.CSR_HIDELEG] & MIP_VS) >> 1
    if num == L.CSR_VSIE:
        return (csr[h, L.CSR_MIE] & csr[h, L.CSR_HIDELEG] & MIP_VS) >> 1
    if num == L.CSR_HGEIP or num == L.CSR_HGEIE:
        return 0
    if num == L.CSR_HENVCFG:
        # henvcfg.STCE is read-only zero while menvcfg.STCE is zero (Sstc)
        return csr[h, num] & (csr[h, L.CSR_MENVCFG] | ~HENVCFG_STCE)
    return csr[h, num]


# runs on a CSR write of a hypervisor or VS register that passed csr_allowed (WARL fields).
# Returns True when the write may change translation (the caller flushes its caches).
@njit(cache=True, nogil=True)
def hcsr_write(h, num, v, csr):
    if num == L.CSR_HSTATUS:
        csr[h, num] = (v & HSTATUS_WMASK) | HSTATUS_RESET
        return False
    if num == L.CSR_HEDELEG:
        csr[h, num] = v & HEDELEG_MASK
        return False
    if num == L.CSR_HIDELEG:
        csr[h, num] = v & MIP_VS  # bits 10, 6, 2 writable; S-level bits read-only zero
        return False
    if num == L.CSR_HIE:
        csr[h, L.CSR_MIE] = (csr[h, L.CSR_MIE] & ~MIP_VS) | (v & MIP_VS)  # SGEIE read-only 0
        return False
    if num == L.CSR_HVIP:
        csr[h, L.CSR_MIP] = (csr[h, L.CSR_MIP] & ~MIP_VS) | (v & MIP_VS)
        return False
    if num == L.CSR_HIP:
        # only VSSIP is writable in hip (an alias of hvip.VSSIP)
        csr[h, L.CSR_MIP] = (csr[h, L.CSR_MIP] & ~MIP_VSSIP) | (v & MIP_VSSIP)
        return False
    if num == L.CSR_VSIP:
        # vsip.SSIP aliases hip.VSSIP when hideleg[2] is set; STIP/SEIP are read-only
        m = csr[h, L.CSR_HIDELEG] & MIP_VSSIP
        csr[h, L.CSR_MIP] = (csr[h, L.CSR_MIP] & ~m) | ((v << 1) & m)
        return False
    if num == L.CSR_VSIE:
        m = csr[h, L.CSR_HIDELEG] & MIP_VS
        csr[h, L.CSR_MIE] = (csr[h, L.CSR_MIE] & ~m) | ((v << 1) & m)
        return False
    if num == L.CSR_HGEIE or num == L.CSR_HGEIP:
        return False  # GEILEN = 0: read-only zero
    if num == L.CSR_HCOUNTEREN:
        csr[h, num] = v & 0xFFFFFFFF
        return False
    if num == L.CSR_HENVCFG:
        csr[h, num] = v & HENVCFG_WMASK
        return False
    if num == L.CSR_VSSTATUS:
        new = (csr[h, num] & ~VSSTATUS_WMASK) | (v & VSSTATUS_WMASK)
        # FS is tracked as Off or Dirty only (priv spec 3.1.6.6 allows it: "an attempt to set FS
        # to Initial or Clean causes it to be set to Dirty"), so FP writes in V=1 need no update
        if new & L.MSTATUS_FS:
            new |= L.MSTATUS_FS | L.MSTATUS_SD
        else:
            new &= ~L.MSTATUS_SD
        csr[h, num] = new | (2 << 32)
        return False
    if num == L.CSR_VSTVEC:
        if (v & 3) < 2:
            csr[h, num] = v
        else:
            csr[h, num] = (v & ~3) | (csr[h, num] & 3)
        return False
    if num == L.CSR_VSEPC:
        csr[h, num] = v & ~1
        return False
    if num == L.CSR_VSATP:
        mode = (v >> 60) & 0xF
        if mode == 0 or mode == 8 or mode == 9:  # an unsupported MODE leaves vsatp unchanged
            csr[h, num] = 0 if mode == 0 else v & SATP_MASK
        return True
    if num == L.CSR_HGATP:
        mode = (v >> 60) & 0xF
        if mode != 0 and mode != 8 and mode != 9:
            v &= (1 << 60) - 1  # WARL: an unsupported MODE reads as Bare (not ignored as for satp)
        csr[h, num] = v & HGATP_MASK
        return True
    csr[h, num] = v  # htimedelta, htval, htinst, mtval2, mtinst, vsscratch, vscause, vstval, vstimecmp
    return False
