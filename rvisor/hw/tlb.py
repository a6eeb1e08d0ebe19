"""Software TLB geometry shared by the engine and ``Machine``, and its translation contexts.

One direct-mapped table per access type (fetch, load, store), each entry
``(tag, physical page address, info, spare)``.  The tag is

    vpn << TAG_SHIFT | ctx << CTX_SHIFT | key

* ``key`` (6 bits) folds in what besides the page tables decides whether a
  cached translation may be reused: the effective privilege, mstatus.SUM/MXR,
  and for guest (V=1) translations the V bit, vsstatus.SUM/MXR and the
  HS-level MXR (``rvisor.hw.gstage.vs_key``).
* ``ctx`` (5 bits) names a *translation context*: a slot of a small per-hart
  table of recently used address spaces (``hs[h, HS_CTX + 2 * ctx]`` and
  ``+ 1``).  Slots 0-15 are host contexts, identified by the whole satp value
  (MODE, ASID, root PPN); slots 16-31 guest contexts, identified by the pair
  (vsatp, hgatp): guest ASID and VMID, with both roots.  ``HS_CTX_HOST`` and
  ``HS_CTX_GUEST`` hold the slots of the current satp and of the current
  vsatp/hgatp pair.

The entry of page ``vpn`` in context ``ctx`` sits at index
``(vpn ^ ctx_salt(ctx)) % TLB_ENTRIES``, so two address spaces that use the same
virtual pages (two guests running the same kernel) do not evict each other.
A TLB hit stays one compare of the tag with a key that the engine computes at
its interrupt checks, with the salt beside it: the hot path pays one XOR more
than an untagged table.  A write of satp, vsatp or hgatp only selects another
slot (``ctx_select``); when the new value is in the table its entries are
still there, and otherwise the oldest slot of that half (round robin) is
reused after dropping the entries tagged with it.  No context's entries are
dropped by a switch to another one.

Identifying a context by its whole satp (resp. vsatp and hgatp), root
included, is stricter than the spec needs (priv spec 4.2.1: entries are
tagged by ASID, and reusing an ASID for another address space needs an
SFENCE.VMA): a new root with an old ASID starts with no entries, while every
fence by ASID or VMID still reaches all contexts with that ASID or VMID.

Fences (priv spec 4.2.1 "Supervisor Memory-Management Fence Instruction",
Hypervisor chapter "Hypervisor Memory-Management Fence Instructions"):
``tlb_fence`` drops the entries of one side that match its selectors.

* SFENCE.VMA in HS/M (V=0): host entries; rs1 an address, rs2 an ASID.
* SFENCE.VMA in VS, and HFENCE.VVMA: guest entries of the current
  hgatp.VMID; rs1 a guest virtual address, rs2 a guest ASID.
* HFENCE.GVMA: guest entries of the VMID in rs2 (every VMID with rs2 = x0).
  Its rs1 (guest physical address >> 2) selects nothing finer: the TLB holds
  combined guest-virtual to host-physical translations, whose G-stage part
  includes the walk's own page-table accesses, so every entry of that VMID is
  dropped (a superset of what the fence must order).

An address selects the entries whose leaf covers it: ``info`` records the
leaf's level (the VS-stage leaf for guest entries), so a superpage cached as
several 4 KiB entries is dropped whole.  Global mappings (G set in the leaf or
any PTE above it) have ``INFO_GLOBAL`` set: a fence with an ASID operand keeps
them ("accesses to global mappings are not ordered"); each context still
caches its own copy.

Contract with Python code (devices, firmware, the VMM): the arrays ``csr``
and ``hs`` may be changed between engine runs.  ``engine.run`` calls
``ctx_select`` at entry, so writing satp, vsatp or hgatp straight into the
csr array (a VMM switching a hart to another VM or vCPU) needs no flush: the
next run selects the context that matches.  ``Machine.flush_tlb`` drops every
entry of a hart; it is needed only when page tables changed without a fence,
or when a VMID/ASID with the same root is reused for different tables.  Code
that rewrites the context slots themselves must drop the hart's entries too
(``Machine.reset_hart`` does both).

A separate store table means a store to a page first cached by a load walks
again and sets the PTE's D bit (priv spec 4.3.1, A/D updates).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from rvisor.hw import layout as L

ACC_FETCH = 0
ACC_LOAD = 1
ACC_STORE = 2

TLB_ENTRIES = 256
TLB_TAG = 0
TLB_PAGE = 1
TLB_INFO = 2  # bits 0-1: level of the leaf (0: 4 KiB); INFO_GLOBAL
TLB_SHAPE = (3, TLB_ENTRIES, 4)
TLB_WIDTH = TLB_SHAPE[2]  # slots per entry
TLB_FLAT = TLB_SHAPE[0] * TLB_ENTRIES * TLB_WIDTH  # one hart's table as a flat row (the engine's view)
INFO_GLOBAL = 4
NO_PAGE = 1 << 62  # a page number no address has (va >> 12 stays within +-2**51)

CTX_SHIFT = 6  # the context index sits above the 6 key bits
CTX_BITS = 5
TAG_SHIFT = CTX_SHIFT + CTX_BITS  # TLB tag = vpn << TAG_SHIFT | ctx << CTX_SHIFT | key
N_CTX = 1 << CTX_BITS
CTX_GUEST0 = N_CTX // 2  # slots 0..15 host contexts, 16..31 guest contexts
KEY_MASK = (1 << CTX_SHIFT) - 1
ASID_MASK = 0xFFFF
VMID_MASK = 0x3FFF


# runs at hart reset: every context slot empty (no satp/vsatp/hgatp value equals -1)
def reset_contexts(row: np.ndarray) -> None:
    row[L.HS_CTX : L.HS_CTX + 2 * N_CTX] = -1
    row[L.HS_CTX_HOST] = 0
    row[L.HS_CTX_GUEST] = CTX_GUEST0
    row[L.HS_CTX_NEXT_HOST] = 0
    row[L.HS_CTX_NEXT_GUEST] = CTX_GUEST0


# runs wherever a TLB index is computed (the engine once per interrupt check): the context's
# index salt, non-zero and different for each slot
@njit(cache=True, nogil=True)
def ctx_salt(k):
    return ((k + 1) * 157) & (TLB_ENTRIES - 1)


# runs on a data access in the engine's fast path (when the last page it hit differs): the
# physical page of va's entry in the hart's flat table for access `acc`, or -1 on a miss
@njit(cache=True, nogil=True)
def tlb_hit(tlbh, acc, vpn, salt, key):
    e = (acc * TLB_ENTRIES + ((vpn ^ salt) & (TLB_ENTRIES - 1))) * TLB_WIDTH
    if tlbh[e + TLB_TAG] == ((vpn << TAG_SHIFT) | key):
        return tlbh[e + TLB_PAGE]
    return -1


# runs on every translated load or store in the engine's fast path: the engine keeps the last
# page that loads and that stores hit (cached_vpn -> cached_page); a run of accesses to one page
# then skips the table's index and tag arithmetic.  Returns the cache after this access to vpn,
# (NO_PAGE, -1) when the table misses too (the slow path walks and fills it)
@njit(cache=True, nogil=True)
def last_page(tlbh, acc, vpn, salt, key, cached_vpn, cached_page):
    if vpn == cached_vpn:
        return cached_vpn, cached_page
    page = tlb_hit(tlbh, acc, vpn, salt, key)
    return (vpn if page >= 0 else NO_PAGE), page


# runs when a context slot is given to a new address space: forget the slot's old entries
@njit(cache=True, nogil=True)
def drop_context(tlb, h, k):
    for a in range(3):
        for i in range(TLB_ENTRIES):
            t = tlb[h, a, i, TLB_TAG]
            if t != -1 and ((t >> CTX_SHIFT) & (N_CTX - 1)) == k:
                tlb[h, a, i, TLB_TAG] = -1


# runs when satp, vsatp or hgatp differ from the current context's: the slot of (w0, w1) in one
# half of the table, reusing the next slot of that half round robin when it is not there
@njit(cache=True, nogil=True)
def ctx_find(h, guest, w0, w1, hs, tlb):
    lo = CTX_GUEST0 if guest else 0
    for k in range(lo, lo + CTX_GUEST0):
        if hs[h, L.HS_CTX + 2 * k] == w0 and hs[h, L.HS_CTX + 2 * k + 1] == w1:
            return k
    nxt = L.HS_CTX_NEXT_GUEST if guest else L.HS_CTX_NEXT_HOST
    k = hs[h, nxt]
    if k < lo or k >= lo + CTX_GUEST0:
        k = lo
    hs[h, nxt] = lo + (k - lo + 1) % CTX_GUEST0
    drop_context(tlb, h, k)
    hs[h, L.HS_CTX + 2 * k] = w0
    hs[h, L.HS_CTX + 2 * k + 1] = w1
    return k


# runs at every engine entry and after each write of satp, vsatp or hgatp: point the hart's
# current host and guest contexts at the slots matching those registers
@njit(cache=True, nogil=True)
def ctx_select(h, csr, hs, tlb):
    satp = csr[h, L.CSR_SATP]
    k = hs[h, L.HS_CTX_HOST]
    if hs[h, L.HS_CTX + 2 * k] != satp or hs[h, L.HS_CTX + 2 * k + 1] != 0:
        hs[h, L.HS_CTX_HOST] = ctx_find(h, False, satp, 0, hs, tlb)
    vsatp = csr[h, L.CSR_VSATP]
    hgatp = csr[h, L.CSR_HGATP]
    k = hs[h, L.HS_CTX_GUEST]
    if hs[h, L.HS_CTX + 2 * k] != vsatp or hs[h, L.HS_CTX + 2 * k + 1] != hgatp:
        hs[h, L.HS_CTX_GUEST] = ctx_find(h, True, vsatp, hgatp, hs, tlb)


# runs on SFENCE.VMA, HFENCE.VVMA and HFENCE.GVMA: drop the matching entries of one side
@njit(cache=True, nogil=True)
def tlb_fence(h, tlb, hs, guest, vmid, asid, by_addr, vpn):
    """guest selects the V=1 entries (else the host ones); vmid >= 0 keeps only contexts whose
    hgatp.VMID is vmid; asid >= 0 keeps only contexts whose satp/vsatp ASID is asid and spares
    global entries; by_addr keeps only the entries whose leaf maps page vpn."""
    for a in range(3):
        for i in range(TLB_ENTRIES):
            t = tlb[h, a, i, TLB_TAG]
            if t == -1:
                continue
            k = (t >> CTX_SHIFT) & (N_CTX - 1)
            if (k >= CTX_GUEST0) != guest:
                continue
            info = tlb[h, a, i, TLB_INFO]
            if asid >= 0:
                if info & INFO_GLOBAL:
                    continue
                if ((hs[h, L.HS_CTX + 2 * k] >> 44) & ASID_MASK) != asid:
                    continue
            if vmid >= 0 and ((hs[h, L.HS_CTX + 2 * k + 1] >> 44) & VMID_MASK) != vmid:
                continue
            if by_addr:
                sh = 9 * (info & 3)
                if ((t >> TAG_SHIFT) >> sh) != (vpn >> sh):
                    continue
            tlb[h, a, i, TLB_TAG] = -1
