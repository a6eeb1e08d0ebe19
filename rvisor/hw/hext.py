"""The hypervisor extension's instructions and trap details, as the engine calls them.

* ``system_check``: SRET, WFI and SFENCE.VMA in each mode, with the illegal- and
  virtual-instruction cases of the Hypervisor chapter ("Trap Cause Codes").
* ``hyp_op``: HLV/HLVX/HSV of every width ("Hypervisor Virtual-Machine Load and Store
  Instructions") and HFENCE.VVMA/HFENCE.GVMA ("Hypervisor Memory-Management Fence
  Instructions").
* ``tinst_value``: the mtinst/htinst value of an exception ("Transformed Instruction or
  Pseudoinstruction for mtinst or htinst").

Result codes are the engine's: OK, MMIO, YIELD, HTIF, FAULT + cause (``rvisor.hw.engine``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from rvisor.hw import layout as L
from rvisor.hw.clint import clint_load, clint_store
from rvisor.hw.gstage import translate_guest
from rvisor.hw.tlb import ACC_LOAD, ACC_STORE, ASID_MASK, VMID_MASK, tlb_fence

OK = 0  # same codes as rvisor.hw.engine
MMIO = 1
FAULT = 2
YIELD = -1  # an HSV to the CLINT sent an IPI
HTIF = -2  # an HSV wrote the HTIF tohost word

SYS_SRET = 0
SYS_WFI = 1
SYS_SFENCE = 2

# exception causes for which mtinst/htinst receive a transformed load/store/AMO/HLV/HSV
TINST_CAUSES = (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 13) | (1 << 15) | (1 << 21) | (1 << 23)


# runs for SRET, WFI and SFENCE.VMA: the exception the instruction raises in this mode, or -1
@njit(cache=True, nogil=True)
def system_check(h, kind, priv, csr, hs):
    """Priv spec 3.1.6.5 (TVM, TW, TSR: HS-mode only, TW in every mode below M) and the
    virtual-instruction list of the Hypervisor chapter: in VU-mode SRET, WFI (TW=0) and
    SFENCE.VMA; in VS-mode SRET with VTSR, WFI with VTW (TW=0; the time limit is taken as
    zero) and SFENCE.VMA with VTVM."""
    virt = hs[h, L.HS_V]
    st = csr[h, L.CSR_MSTATUS]
    hst = csr[h, L.CSR_HSTATUS]
    if priv == L.PRV_M:
        return -1
    if kind == SYS_WFI and (st & L.MSTATUS_TW):
        return L.EXC_ILLEGAL
    if virt != 0:
        if priv == L.PRV_U:
            return L.EXC_VIRTUAL_INSN
        if kind == SYS_SRET and (hst & L.HSTATUS_VTSR):
            return L.EXC_VIRTUAL_INSN
        if kind == SYS_WFI and (hst & L.HSTATUS_VTW):
            return L.EXC_VIRTUAL_INSN
        if kind == SYS_SFENCE and (hst & L.HSTATUS_VTVM):
            return L.EXC_VIRTUAL_INSN
        return -1
    if priv == L.PRV_U:
        return L.EXC_ILLEGAL
    if kind == SYS_SRET and (st & L.MSTATUS_TSR):
        return L.EXC_ILLEGAL
    if kind == SYS_SFENCE and (st & L.MSTATUS_TVM):
        return L.EXC_ILLEGAL
    return -1


# runs for SFENCE.VMA that passed system_check, and for HFENCE.VVMA: the VS-stage form drops the
# guest entries of the current hgatp.VMID, the HS form the host entries
@njit(cache=True, nogil=True)
def sfence(h, insn, guest, x, csr, hs, tlb):
    """Priv spec 4.2.1: rs1 = x0 orders every address, else only the leaf that maps the virtual
    address in rs1; rs2 = x0 every address space, else only ASID rs2, global mappings excepted.
    Hypervisor chapter, "Hypervisor Memory-Management Fence Instructions": in VS-mode, and for
    HFENCE.VVMA, the addresses and ASIDs are the guest's and only the VMID in hgatp is affected."""
    rs1 = (insn >> 15) & 31
    rs2 = (insn >> 20) & 31
    asid = (x[h, rs2] & ASID_MASK) if rs2 != 0 else -1
    vmid = ((csr[h, L.CSR_HGATP] >> 44) & VMID_MASK) if guest else -1
    tlb_fence(h, tlb, hs, guest, vmid, asid, rs1 != 0, x[h, rs1] >> 12)


# runs for SYSTEM instructions with funct3 = 4 (HLV/HLVX/HSV) and for HFENCE.VVMA/GVMA.
# Returns (code, tval): OK (tval 1 after a CLINT store), MMIO (exit slots filled), YIELD, HTIF
# (a store like any other: the engine leaves so that Python sees what it wrote), or FAULT + cause.
@njit(cache=True, nogil=True)
def hyp_op(h, insn, priv, x, ram, rom, csr, hs, r64, mach, tlb, cnt, mtime):
    f3 = (insn >> 12) & 7
    f7 = (insn >> 25) & 0x7F
    rd = (insn >> 7) & 31
    rs2 = (insn >> 20) & 31
    virt = hs[h, L.HS_V]
    if (csr[h, L.CSR_MISA] & L.MISA_H) == 0:
        return FAULT + L.EXC_ILLEGAL, 0
    if f3 == 0:
        # HFENCE.VVMA (0010001) / HFENCE.GVMA (0110001): rd = 0
        if rd != 0 or (f7 != 0x11 and f7 != 0x31):
            return FAULT + L.EXC_ILLEGAL, 0
        if virt != 0:
            return FAULT + L.EXC_VIRTUAL_INSN, 0
        if priv == L.PRV_U:
            return FAULT + L.EXC_ILLEGAL, 0
        if f7 == 0x31 and priv == L.PRV_S and (csr[h, L.CSR_MSTATUS] & L.MSTATUS_TVM):
            return FAULT + L.EXC_ILLEGAL, 0
        if f7 == 0x11:
            sfence(h, insn, True, x, csr, hs, tlb)
        else:
            # HFENCE.GVMA: rs2 a VMID; rs1 (guest physical address >> 2) narrows nothing here, since
            # the TLB caches combined translations (rvisor.hw.tlb): the VMID's entries all go
            rs2v = (insn >> 20) & 31
            vmid = (x[h, rs2v] & VMID_MASK) if rs2v != 0 else -1
            tlb_fence(h, tlb, hs, True, vmid, -1, False, 0)
        return OK, 0
    if f3 != 4 or f7 < 0x30 or f7 > 0x37:
        return FAULT + L.EXC_ILLEGAL, 0
    store = (f7 & 1) != 0
    size = 1 << ((f7 >> 1) & 3)
    hlvx = False
    unsigned = False
    if store:
        if rd != 0:
            return FAULT + L.EXC_ILLEGAL, 0
    elif rs2 == 1 and size < 8:
        unsigned = True
    elif rs2 == 3 and (size == 2 or size == 4):
        hlvx = True
        unsigned = True
    elif rs2 != 0:
        return FAULT + L.EXC_ILLEGAL, 0
    if virt != 0:
        return FAULT + L.EXC_VIRTUAL_INSN, 0
    if priv == L.PRV_U and (csr[h, L.CSR_HSTATUS] & L.HSTATUS_HU) == 0:
        return FAULT + L.EXC_ILLEGAL, 0
    # the explicit access is made as though V=1 in mode hstatus.SPVP, whatever MPRV says
    epriv = L.PRV_S if csr[h, L.CSR_HSTATUS] & L.HSTATUS_SPVP else L.PRV_U
    acc = ACC_STORE if store else ACC_LOAD
    va = x[h, (insn >> 15) & 31]
    ram_base = mach[L.M_RAM_BASE]
    ram_size = mach[L.M_RAM_SIZE]
    value = x[h, rs2] if store else np.int64(0)
    pa = 0
    # translate each page the access touches before touching memory (a faulting store writes nothing)
    pa0 = -1
    pa1 = -1
    for i in range(size):
        a = va + i
        if i == 0 or (a & 0xFFF) == 0:
            # HLV/HSV share the TLB with VS/VU accesses of the same mode (the key is the same), so a
            # cached guest translation stays visible to them until a fence, as for the guest; HLVX
            # needs execute permission instead of read and always walks
            pa = translate_guest(h, a, acc, epriv, hlvx, not hlvx, csr, hs, r64, ram_base, ram_size, tlb, cnt)
            if pa < 0:
                hs[h, L.HS_HLV] = 1  # take_trap sets GVA: the fault is at a guest virtual address
                return FAULT - pa - 1, a
            if i == 0:
                pa0 = pa
            else:
                pa1 = pa
    page_end = (va | 0xFFF) + 1
    off0 = pa0 - ram_base
    if pa1 < 0 and not (0 <= off0 < ram_size):
        # a device or the CLINT, naturally contained in one page
        if L.CLINT_BASE <= pa0 < L.CLINT_BASE + L.CLINT_SIZE:
            if store:
                if clint_store(pa0 - L.CLINT_BASE, size, value, hs, mach, mtime) == 2:
                    return YIELD, 0
                return OK, 1  # timers or mtime may have moved: the engine re-checks interrupts
            v = clint_load(pa0 - L.CLINT_BASE, size, hs, mach, mtime)
        elif not store and L.ROM_BASE <= pa0 and pa0 + size <= L.ROM_BASE + L.ROM_SIZE:
            v = np.int64(0)
            for i in range(size):
                v |= np.int64(rom[pa0 - L.ROM_BASE + i]) << (8 * i)
        else:
            hs[h, L.HS_EXIT_ADDR] = pa0
            hs[h, L.HS_EXIT_SIZE] = size
            hs[h, L.HS_EXIT_TVAL] = va
            hs[h, L.HS_EXIT_RD] = rd
            if store:
                hs[h, L.HS_EXIT_FLAGS] = L.MMIO_WRITE
                hs[h, L.HS_EXIT_VALUE] = value
            else:
                hs[h, L.HS_EXIT_FLAGS] = 0 if unsigned or size == 8 else L.MMIO_SIGNED
            return MMIO, 0
    else:
        v = np.int64(0)
        touched = False
        for i in range(size):
            a = va + i
            p = (pa0 + i) if a < page_end or pa1 < 0 else (pa1 + (a - page_end))
            off = p - ram_base
            if off < 0 or off >= ram_size:
                hs[h, L.HS_HLV] = 1
                return FAULT + (L.EXC_STORE_ACCESS if store else L.EXC_LOAD_ACCESS), a
            if store:
                ram[off] = (value >> (8 * i)) & 0xFF
                if (p & ~7) == mach[L.M_TOHOST]:
                    touched = True
            else:
                v |= np.int64(ram[off]) << (8 * i)
        if store:
            return (HTIF if touched else OK), 0
    if size < 8:
        if unsigned:
            v &= (np.int64(1) << (8 * size)) - 1
        else:
            v = (v << (64 - 8 * size)) >> (64 - 8 * size)
    if rd != 0:
        x[h, rd] = v
    return OK, 0


# runs on every exception the engine raises: the value for mtinst/htinst
@njit(cache=True, nogil=True)
def tinst_value(h, exc, tval, insn, ilen, x, hs):
    """Zero, a transformed load/store/AMO/HLV/HSV (rs1 field <- faulting address minus the
    original address, immediates zeroed, bit 1 cleared for a compressed instruction), or for a
    guest-page fault in the VS-stage walk's own PTE access the pseudoinstruction 0x3000/0x3020."""
    if exc >= 20 and exc != L.EXC_VIRTUAL_INSN and hs[h, L.HS_IMPLICIT] != 0:
        return hs[h, L.HS_IMPLICIT]
    if exc > 23 or ((TINST_CAUSES >> exc) & 1) == 0:
        return 0
    op = insn & 0x7F
    base = x[h, (insn >> 15) & 31]
    if op == 0x03 or op == 0x07:
        va = base + ((insn << 32) >> 52)
        t = insn & 0x7FFF  # funct3, rd, opcode
    elif op == 0x23 or op == 0x27:
        va = base + ((((insn << 32) >> 57) << 5) | ((insn >> 7) & 0x1F))
        t = insn & ((0x1F << 20) | 0x707F)  # rs2, funct3, opcode
    elif op == 0x2F or (op == 0x73 and ((insn >> 12) & 7) == 4):
        va = base
        t = insn & ~(0x1F << 15) & 0xFFFFFFFF
    else:
        return 0
    t |= ((tval - va) & 0x1F) << 15
    if ilen == 2:
        t &= ~2
    return t
