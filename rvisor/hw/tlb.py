"""Software TLB geometry shared by the engine and ``Machine``.

One direct-mapped table per access type (fetch, load, store), each entry a
pair (tag, physical page address).  The tag is ``vpn << 6 | key`` where the
key folds in everything besides the page table itself that decides whether
a cached translation may be reused: the effective privilege,
mstatus.SUM/MXR, and for guest (V=1) translations the V bit, vsstatus.SUM/MXR
and the HS-level MXR (``rvisor.hw.gstage.vs_key``).  satp, vsatp and hgatp
writes flush the whole table; SFENCE.VMA flushes the entries of its own side
(host, or guest when V=1) and HFENCE.VVMA/GVMA the guest entries, which is a
superset of what priv spec 4.2.1 and the Hypervisor chapter require.

A separate store table means a store to a page first cached by a load walks
again and sets the PTE's D bit (priv spec 4.3.1, A/D updates).
"""

from __future__ import annotations

ACC_FETCH = 0
ACC_LOAD = 1
ACC_STORE = 2

TLB_ENTRIES = 256
TLB_TAG = 0
TLB_PAGE = 1
TLB_SHAPE = (3, TLB_ENTRIES, 2)
