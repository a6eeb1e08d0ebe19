"""Virtual memory: the Sv39/Sv48 page-table walk and the software TLB fill.

Follows priv spec 4.3.2 ("Virtual Address Translation Process") and 4.4/4.5
for Sv39 and Sv48: sign-extended virtual addresses, 9-bit VPN fields, leaf
PTEs at any level (superpages must be aligned), R/W/X/U permission checks
with mstatus.SUM and MXR, hardware A/D updates.
"""

from __future__ import annotations

from numba import njit

from rvisor.hw import layout as L
from rvisor.hw.gstage import translate_guest, vs_key
from rvisor.hw.tlb import (
    ACC_FETCH,
    ACC_LOAD,
    ACC_STORE,
    CTX_SHIFT,
    INFO_GLOBAL,
    N_CTX,
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
PTE_RESERVED = -(1 << 54)  # bits 63:54 (N, PBMT, reserved): must be zero without Svnapot/Svpbmt

PAGE_FAULT = (L.EXC_INSN_PAGE, L.EXC_LOAD_PAGE, L.EXC_STORE_PAGE)
ACCESS_FAULT = (L.EXC_INSN_ACCESS, L.EXC_LOAD_ACCESS, L.EXC_STORE_ACCESS)


# runs when the TLB has no entry for (va, acc, key): walks the page table.
# Returns the physical address, or -(cause + 1) for a fault.
@njit(cache=True, nogil=True)
def walk(h, va, acc, priv, mstatus, satp, r64, ram_base, ram_size, tlb, cnt, key):
    cnt[h, L.CNT_TLB_MISS] += 1
    pf = -(PAGE_FAULT[acc] + 1)
    mode = (satp >> 60) & 0xF
    levels = 3 if mode == 8 else 4
    vabits = 12 + 9 * levels
    top = va >> (vabits - 1)
    if top != 0 and top != -1:
        return pf  # not a canonical (sign-extended) address
    a = (satp & PPN_MASK) << 12
    i = levels - 1
    glob = 0
    while True:
        pte_addr = a + ((va >> (12 + 9 * i)) & 0x1FF) * 8
        off = pte_addr - ram_base
        if off < 0 or off >= ram_size:
            return -(ACCESS_FAULT[acc] + 1)  # the PTE itself is not in memory
        pte = r64[off >> 3]
        glob |= pte & PTE_G  # G in a non-leaf PTE makes every mapping below it global (priv 4.3.1)
        if (pte & PTE_V) == 0 or ((pte & PTE_R) == 0 and (pte & PTE_W) != 0) or (pte & PTE_RESERVED):
            return pf
        if pte & (PTE_R | PTE_X):
            break
        if pte & (PTE_D | PTE_A | PTE_U):
            return pf  # reserved in a non-leaf PTE (priv spec 4.3.1, 4.3.2 step 3)
        i -= 1
        if i < 0:
            return pf
        a = ((pte >> 10) & PPN_MASK) << 12
    # a leaf: check the permissions (priv spec 4.3.1)
    if pte & PTE_U:
        if priv == L.PRV_S and (acc == ACC_FETCH or (mstatus & L.MSTATUS_SUM) == 0):
            return pf
    elif priv == L.PRV_U:
        return pf
    if acc == ACC_FETCH:
        if (pte & PTE_X) == 0:
            return pf
    elif acc == ACC_LOAD:
        if (pte & PTE_R) == 0 and not ((mstatus & L.MSTATUS_MXR) and (pte & PTE_X)):
            return pf
    else:
        # stores and AMOs need W (AMOs also R, which W implies here since W-only is reserved)
        if (pte & PTE_W) == 0:
            return pf
    ppn = (pte >> 10) & PPN_MASK
    if i > 0 and (ppn & ((1 << (9 * i)) - 1)) != 0:
        return pf  # misaligned superpage
    # hardware A/D update (priv 4.3.1: the Svade-less option)
    want = PTE_A | (PTE_D if acc == ACC_STORE else 0)
    if (pte & want) != want:
        r64[off >> 3] = pte | want
    low = (1 << (9 * i)) - 1
    page = ((ppn & ~low) | ((va >> 12) & low)) << 12
    vpn = va >> 12
    idx = (vpn ^ ctx_salt((key >> CTX_SHIFT) & (N_CTX - 1))) & (TLB_ENTRIES - 1)
    tlb[h, acc, idx, TLB_TAG] = (vpn << TAG_SHIFT) | key
    tlb[h, acc, idx, TLB_PAGE] = page
    tlb[h, acc, idx, TLB_INFO] = i | (INFO_GLOBAL if glob else 0)
    return page | (va & 0xFFF)


# runs for every data access that is not a TLB hit: translate va or report a fault
@njit(cache=True, nogil=True)
def translate(h, va, acc, csr, hs, r64, ram_base, ram_size, tlb, cnt):
    """With V=1, or MPRV with MPV and MPP below M, the access takes the two-stage path
    (Hypervisor chapter, "Machine Status": MPRV translates as though V = MPV, mode = MPP)."""
    priv = hs[h, L.HS_PRIV]
    virt = hs[h, L.HS_V]
    mstatus = csr[h, L.CSR_MSTATUS]
    if acc != ACC_FETCH and priv == L.PRV_M and (mstatus & L.MSTATUS_MPRV):
        priv = (mstatus >> 11) & 3
        if priv != L.PRV_M and (mstatus & L.MSTATUS_MPV):
            virt = 1
    if virt != 0:
        return translate_guest(h, va, acc, priv, False, True, csr, hs, r64, ram_base, ram_size, tlb, cnt)
    satp = csr[h, L.CSR_SATP]
    if priv == L.PRV_M or ((satp >> 60) & 0xF) == 0:
        if va >> 56:
            return -(ACCESS_FAULT[acc] + 1)  # beyond the 56-bit physical address space
        return va
    k = hs[h, L.HS_CTX_HOST]
    key = tlb_key(priv, mstatus) | (k << CTX_SHIFT)
    vpn = va >> 12
    idx = (vpn ^ ctx_salt(k)) & (TLB_ENTRIES - 1)
    if tlb[h, acc, idx, TLB_TAG] == ((vpn << TAG_SHIFT) | key):
        return tlb[h, acc, idx, TLB_PAGE] | (va & 0xFFF)
    return walk(h, va, acc, priv, mstatus, satp, r64, ram_base, ram_size, tlb, cnt, key)


# runs whenever the translation context changes: the key bits of a host TLB tag (privilege, SUM,
# MXR); the context slot is or-ed in above them (rvisor.hw.tlb)
@njit(cache=True, nogil=True)
def tlb_key(priv, mstatus):
    return priv | (((mstatus >> 18) & 1) << 2) | (((mstatus >> 19) & 1) << 3)


# runs at each interrupt check of the engine: the TLB key of explicit data accesses (context slot
# included), or -1 when they are not translated (M-mode, or satp Bare with V=0)
@njit(cache=True, nogil=True)
def data_key(h, priv, csr, hs):
    mstatus = csr[h, L.CSR_MSTATUS]
    virt = hs[h, L.HS_V]
    if priv == L.PRV_M and (mstatus & L.MSTATUS_MPRV):
        priv = (mstatus >> 11) & 3
        if priv != L.PRV_M and (mstatus & L.MSTATUS_MPV):
            virt = 1
    if virt != 0:
        return vs_key(priv, csr[h, L.CSR_VSSTATUS], mstatus) | (hs[h, L.HS_CTX_GUEST] << CTX_SHIFT)
    if priv == L.PRV_M or ((csr[h, L.CSR_SATP] >> 60) & 0xF) == 0:
        return -1
    return tlb_key(priv, mstatus) | (hs[h, L.HS_CTX_HOST] << CTX_SHIFT)


ACC_NAMES = {ACC_FETCH: "fetch", ACC_LOAD: "load", ACC_STORE: "store"}
