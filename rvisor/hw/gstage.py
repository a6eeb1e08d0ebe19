"""Two-stage address translation for V=1: the VS-stage walk (vsatp) and the G-stage walk (hgatp).

Priv spec, Hypervisor chapter, "Two-Stage Address Translation": a guest virtual address is
translated by the VS stage (vsatp: Bare, Sv39, Sv48) into a guest physical address, which the
G stage (hgatp: Bare, Sv39x4, Sv48x4) translates into a supervisor physical address.  Every
access the VS-stage walk makes to its page tables is itself a guest physical access translated
by the G stage, as an implicit load (or store, for A/D updates); a G-stage fault there is
reported for the original access type with htval = the PTE's guest physical address >> 2 and
htinst = the pseudoinstruction 0x3000 (read) / 0x3020 (write) of the section "Transformed
Instruction or Pseudoinstruction".  G-stage accesses are user-level: leaves need U = 1.

The software TLB caches the combined translation (guest virtual page -> host physical page),
so a warm guest pays one tag compare per access, as in S/U mode.  Guest entries carry the V bit
of the key (``vs_key``) and a guest context slot (vsatp and hgatp: guest ASID and VMID, see
``rvisor.hw.tlb``), so host and guest translations never alias, nor do two VMs' or two guest
address spaces'.
"""

from __future__ import annotations

from numba import njit

from rvisor.hw import layout as L
from rvisor.hw.tlb import (
    ACC_FETCH,
    ACC_LOAD,
    ACC_STORE,
    CTX_SHIFT,
    INFO_GLOBAL,
    TAG_SHIFT,
    TLB_ENTRIES,
    TLB_INFO,
    TLB_PAGE,
    TLB_TAG,
    ctx_salt,
)

PTE_V = 1
PTE_R = 2
PTE_W = 4
PTE_X = 8
PTE_U = 16
PTE_G = 32
PTE_A = 64
PTE_D = 128
PPN_MASK = (1 << 44) - 1
PTE_RESERVED = -(1 << 54)
KEY_V = 16  # TLB key bit: a guest (V=1) translation
KEY_HSMXR = 32  # TLB key bit: HS-level mstatus.MXR (applies to both stages in V=1)

PAGE_FAULT = (L.EXC_INSN_PAGE, L.EXC_LOAD_PAGE, L.EXC_STORE_PAGE)
GUEST_PAGE_FAULT = (L.EXC_INSN_GUEST_PAGE, L.EXC_LOAD_GUEST_PAGE, L.EXC_STORE_GUEST_PAGE)
ACCESS_FAULT = (L.EXC_INSN_ACCESS, L.EXC_LOAD_ACCESS, L.EXC_STORE_ACCESS)
IMPLICIT_NONE = 0
IMPLICIT_READ = 1
IMPLICIT_WRITE = 2
TINST_PTE_READ = 0x3000  # 64-bit read for VS-stage address translation
TINST_PTE_WRITE = 0x3020  # 64-bit write (A/D update) for VS-stage address translation


# runs whenever the translation context of a V=1 access is computed: its TLB key
@njit(cache=True, nogil=True)
def vs_key(priv, vsstatus, mstatus):
    """Nominal privilege, vsstatus.SUM and MXR, the V bit and the HS-level MXR."""
    return (
        priv
        | (((vsstatus >> 18) & 1) << 2)
        | (((vsstatus >> 19) & 1) << 3)
        | KEY_V
        | (((mstatus >> 19) & 1) << 5)
    )


# runs when a G-stage walk fails: records what htval/mtval2 and htinst/mtinst will report
@njit(cache=True, nogil=True)
def guest_page_fault(h, gpa, acc, implicit, hs):
    hs[h, L.HS_GPA] = (gpa >> 2) & ((1 << 62) - 1)
    if implicit == IMPLICIT_READ:
        hs[h, L.HS_IMPLICIT] = TINST_PTE_READ
    elif implicit == IMPLICIT_WRITE:
        hs[h, L.HS_IMPLICIT] = TINST_PTE_WRITE
    else:
        hs[h, L.HS_IMPLICIT] = 0
    return -(GUEST_PAGE_FAULT[acc] + 1)


# runs for every guest physical access that misses the TLB: the G-stage walk.
# Returns the supervisor physical address or -(cause + 1).
@njit(cache=True, nogil=True)
def gstage(h, gpa, acc, implicit, hgatp, mxr, hlvx, hs, r64, ram_base, ram_size, cnt):
    """Sv39x4/Sv48x4 (Hypervisor chapter, "Guest Physical Address Translation"): the priv spec
    4.3.2 algorithm with hgatp for satp, a 16 KiB root indexed by 11 bits, address bits above
    41 (Sv39x4) or 50 (Sv48x4) zero, every leaf checked as a U-mode access, guest-page faults.
    `implicit` says the access is the VS-stage walk's own PTE read or A/D write."""
    mode = (hgatp >> 60) & 0xF
    if mode == 0:
        if gpa >> 56:
            return -(ACCESS_FAULT[acc] + 1)  # beyond the 56-bit physical address space
        return gpa
    levels = 3 if mode == 8 else 4
    if gpa >> (12 + 9 * levels + 2):
        return guest_page_fault(h, gpa, acc, implicit, hs)  # the "high bits must be zero" rule
    cnt[h, L.CNT_TLB_MISS] += 1
    a = (hgatp & PPN_MASK & ~3) << 12
    i = levels - 1
    while True:
        width = 0x7FF if i == levels - 1 else 0x1FF
        pte_addr = a + ((gpa >> (12 + 9 * i)) & width) * 8
        off = pte_addr - ram_base
        if off < 0 or off >= ram_size:
            return -(ACCESS_FAULT[acc] + 1)
        pte = r64[off >> 3]
        if (pte & PTE_V) == 0 or ((pte & PTE_R) == 0 and (pte & PTE_W) != 0) or (pte & PTE_RESERVED):
            return guest_page_fault(h, gpa, acc, implicit, hs)
        if pte & (PTE_R | PTE_X):
            break
        if pte & (PTE_D | PTE_A | PTE_U):
            return guest_page_fault(h, gpa, acc, implicit, hs)
        i -= 1
        if i < 0:
            return guest_page_fault(h, gpa, acc, implicit, hs)
        a = ((pte >> 10) & PPN_MASK) << 12
    if (pte & PTE_U) == 0:
        return guest_page_fault(h, gpa, acc, implicit, hs)  # G-stage accesses are user-level
    # implicit accesses are checked as loads (PTE reads) or stores (A/D updates), never with MXR
    kind = acc
    if implicit == IMPLICIT_READ:
        kind = ACC_LOAD
        mxr = 0
    elif implicit == IMPLICIT_WRITE:
        kind = ACC_STORE
    if kind == ACC_FETCH:
        if (pte & PTE_X) == 0:
            return guest_page_fault(h, gpa, acc, implicit, hs)
    elif kind == ACC_LOAD:
        if hlvx and implicit == IMPLICIT_NONE:
            if (pte & PTE_X) == 0:
                return guest_page_fault(h, gpa, acc, implicit, hs)
        elif (pte & PTE_R) == 0 and not (mxr and (pte & PTE_X)):
            return guest_page_fault(h, gpa, acc, implicit, hs)
    elif (pte & PTE_W) == 0:
        return guest_page_fault(h, gpa, acc, implicit, hs)
    ppn = (pte >> 10) & PPN_MASK
    if i > 0 and (ppn & ((1 << (9 * i)) - 1)) != 0:
        return guest_page_fault(h, gpa, acc, implicit, hs)  # misaligned superpage
    want = PTE_A | (PTE_D if kind == ACC_STORE else 0)
    if (pte & want) != want:
        r64[off >> 3] = pte | want
    low = (1 << (9 * i)) - 1
    return (((ppn & ~low) | ((gpa >> 12) & low)) << 12) | (gpa & 0xFFF)


# runs for every V=1 access (and HLV/HSV, MPRV with MPV) that misses the TLB: two-stage translation.
# Returns the supervisor physical address or -(cause + 1). `fill` caches the result in the TLB.
@njit(cache=True, nogil=True)
def translate_guest(h, va, acc, priv, hlvx, fill, csr, hs, r64, ram_base, ram_size, tlb, cnt):
    """VS stage (priv spec 4.3.2 with vsatp, vsstatus.SUM, and MXR from vsstatus or the HS-level
    mstatus; HLVX needs execute permission instead of read), then the G stage."""
    mstatus = csr[h, L.CSR_MSTATUS]
    vsst = csr[h, L.CSR_VSSTATUS]
    hgatp = csr[h, L.CSR_HGATP]
    hsmxr = (mstatus >> 19) & 1
    vpn = va >> 12
    k = hs[h, L.HS_CTX_GUEST]
    idx = (vpn ^ ctx_salt(k)) & (TLB_ENTRIES - 1)
    key = vs_key(priv, vsst, mstatus) | (k << CTX_SHIFT)
    if fill and tlb[h, acc, idx, TLB_TAG] == ((vpn << TAG_SHIFT) | key):
        return tlb[h, acc, idx, TLB_PAGE] | (va & 0xFFF)
    hs[h, L.HS_IMPLICIT] = 0
    vsatp = csr[h, L.CSR_VSATP]
    mode = (vsatp >> 60) & 0xF
    info = 0
    if mode == 0:
        gpa = va
    else:
        cnt[h, L.CNT_TLB_MISS] += 1
        pf = -(PAGE_FAULT[acc] + 1)
        levels = 3 if mode == 8 else 4
        top = va >> (12 + 9 * levels - 1)
        if top != 0 and top != -1:
            return pf
        a = (vsatp & PPN_MASK) << 12
        i = levels - 1
        glob = 0
        while True:
            pte_gpa = a + ((va >> (12 + 9 * i)) & 0x1FF) * 8
            pte_pa = gstage(h, pte_gpa, acc, IMPLICIT_READ, hgatp, 0, False, hs, r64, ram_base, ram_size, cnt)
            if pte_pa < 0:
                return pte_pa
            off = pte_pa - ram_base
            if off < 0 or off >= ram_size:
                return -(ACCESS_FAULT[acc] + 1)
            pte = r64[off >> 3]
            glob |= pte & PTE_G
            if (pte & PTE_V) == 0 or ((pte & PTE_R) == 0 and (pte & PTE_W) != 0) or (pte & PTE_RESERVED):
                return pf
            if pte & (PTE_R | PTE_X):
                break
            if pte & (PTE_D | PTE_A | PTE_U):
                return pf
            i -= 1
            if i < 0:
                return pf
            a = ((pte >> 10) & PPN_MASK) << 12
        if pte & PTE_U:
            if priv == L.PRV_S and (acc == ACC_FETCH or (vsst & L.MSTATUS_SUM) == 0):
                return pf
        elif priv == L.PRV_U:
            return pf
        if acc == ACC_FETCH:
            if (pte & PTE_X) == 0:
                return pf
        elif acc == ACC_LOAD:
            if hlvx:
                if (pte & PTE_X) == 0:
                    return pf
            elif (pte & PTE_R) == 0 and not (((vsst >> 19) & 1 or hsmxr) and (pte & PTE_X)):
                return pf
        elif (pte & PTE_W) == 0:
            return pf
        ppn = (pte >> 10) & PPN_MASK
        if i > 0 and (ppn & ((1 << (9 * i)) - 1)) != 0:
            return pf
        want = PTE_A | (PTE_D if acc == ACC_STORE else 0)
        if (pte & want) != want:
            # the A/D update is an implicit store to the PTE through the G stage
            wpa = gstage(h, pte_gpa, acc, IMPLICIT_WRITE, hgatp, 0, False, hs, r64, ram_base, ram_size, cnt)
            if wpa < 0:
                return wpa
            r64[off >> 3] = pte | want
        low = (1 << (9 * i)) - 1
        gpa = (((ppn & ~low) | ((va >> 12) & low)) << 12) | (va & 0xFFF)
        info = i | (INFO_GLOBAL if glob else 0)  # the VS-stage leaf: what HFENCE.VVMA addresses
    pa = gstage(h, gpa, acc, IMPLICIT_NONE, hgatp, hsmxr, hlvx, hs, r64, ram_base, ram_size, cnt)
    if pa < 0:
        return pa
    if fill:
        tlb[h, acc, idx, TLB_TAG] = (vpn << TAG_SHIFT) | key
        tlb[h, acc, idx, TLB_PAGE] = pa & ~0xFFF
        tlb[h, acc, idx, TLB_INFO] = info
    return pa
