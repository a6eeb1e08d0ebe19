"""CLINT (core-local interruptor) as on QEMU virt, inside the engine.

The timer and software-interrupt registers are touched on every timer tick
and IPI, so the engine handles them itself instead of exiting to Python:
msip at +4*hart, mtimecmp at +0x4000+8*hart, mtime at +0xBFF8.  An
interrupt is pending while mtime >= mtimecmp (MTIP) or msip bit 0 is set
(MSIP); see ``rvisor.hw.csr.mip_value``.
"""

from __future__ import annotations

from numba import njit

from rvisor.hw import layout as L

MSIP = 0x0
MTIMECMP = 0x4000
MTIME = 0xBFF8


# runs on a load from the CLINT window; off is relative to CLINT_BASE
@njit(cache=True, nogil=True)
def clint_load(off, size, hs, mach, mtime):
    n = mach[L.M_NHARTS]
    if off < MSIP + 4 * n:
        reg = hs[off >> 2, L.HS_MSIP] & 1
        shift = (off & 3) * 8
    elif MTIMECMP <= off < MTIMECMP + 8 * n:
        reg = hs[(off - MTIMECMP) >> 3, L.HS_MTIMECMP]
        shift = (off & 7) * 8
    elif MTIME <= off < MTIME + 8:
        reg = mtime
        shift = (off & 7) * 8
    else:
        return 0
    v = reg >> shift
    if size == 8:
        return v
    return v & ((1 << (8 * size)) - 1)


# runs on a store to the CLINT window.  Returns 2 when it raised another hart's software
# interrupt (an IPI: the sender usually waits for the answer, so it should yield), else 1.
@njit(cache=True, nogil=True)
def clint_store(off, size, value, hs, mach, mtime):
    n = mach[L.M_NHARTS]
    if size == 8:
        mask = -1
    else:
        mask = (1 << (8 * size)) - 1
    if off < MSIP + 4 * n:
        if (off & 3) == 0:
            h = off >> 2
            hs[h, L.HS_MSIP] = value & 1
            hs[h, L.HS_EVENT] = 1
            if hs[h, L.HS_STATE] == L.HART_WFI:
                hs[h, L.HS_STATE] = L.HART_RUNNING
            if value & 1 and n > 1:
                return 2
        return 1
    if MTIMECMP <= off < MTIMECMP + 8 * n:
        h = (off - MTIMECMP) >> 3
        shift = (off & 7) * 8
        old = hs[h, L.HS_MTIMECMP]
        hs[h, L.HS_MTIMECMP] = (old & ~(mask << shift)) | ((value & mask) << shift)
        hs[h, L.HS_EVENT] = 1
        return 1
    if MTIME <= off < MTIME + 8:
        shift = (off & 7) * 8
        new = (mtime & ~(mask << shift)) | ((value & mask) << shift)
        mach[L.M_MTIME] += new - mtime
        return 1
    return 0
