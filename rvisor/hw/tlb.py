"""Software TLB geometry shared by the engine and ``Machine``.

One direct-mapped table per access type (fetch, load, store), each entry a
pair (tag, physical page address).  The tag is ``vpn << 4 | key`` where the
key folds in everything besides the page table itself that decides whether
a cached translation may be reused: the effective privilege and
mstatus.SUM/MXR.  satp writes and SFENCE.VMA flush the whole table, which is
a superset of what priv spec 4.2.1 requires.

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
