"""Device windows that the engine serves itself (engine-resident devices).

Most devices live in Python and see a guest access as an ``EXIT_MMIO``.  A
device whose registers guests poll in tight loops keeps its register file in
``mach`` instead (layout ``M_EDEV``: a block of ``EDEV_STRIDE`` slots per
window with its kind, base, size, pending events and interrupt-line mirror),
and the engine answers its loads and stores in place.  The access still
retires as one instruction, so the deterministic clock is unchanged.

When an access changes something only Python can act on — an interrupt line
whose new level changes the PLIC's pending bit, or a full output buffer —
the device sets ``ED_EVENT`` and the engine ends the slice with
``EXIT_DEVICE`` right after the instruction; Python services the device and
the hart continues.

Python registers a window with ``Machine.attach_engine_device``.  The only
kind today is the 16550 UART (``rvisor.hw.uart``); a per-VM UART of the VMM
or the notify/status registers of a virtio transport would be further kinds
dispatched here.
"""

from __future__ import annotations

from numba import njit

from rvisor.hw import layout as L
from rvisor.hw.uart import uart_load, uart_store


# runs on a slow-path access outside RAM, ROM and CLINT: the device block holding pa, or -1
@njit(cache=True, nogil=True)
def edev_find(mach, pa):
    for k in range(mach[L.M_EDEV_COUNT]):
        b = L.M_EDEV + k * L.EDEV_STRIDE
        base = mach[b + L.ED_BASE]
        if base <= pa < base + mach[b + L.ED_SIZE]:
            return b
    return -1


# runs for a load the engine serves from a device block: (value, 1 when Python must act)
@njit(cache=True, nogil=True)
def edev_load(mach, b, pa, size):
    off = pa - mach[b + L.ED_BASE]
    if mach[b + L.ED_KIND] == L.EDEV_UART16550:
        return uart_load(mach, b, off)
    return 0, 0


# runs for a store the engine serves to a device block: 1 when Python must act
@njit(cache=True, nogil=True)
def edev_store(mach, b, pa, size, value):
    off = pa - mach[b + L.ED_BASE]
    if mach[b + L.ED_KIND] == L.EDEV_UART16550:
        return uart_store(mach, b, off, value)
    return 0
