"""The system bus as Python sees it: devices that answer MMIO exits.

The engine owns DRAM, the MROM and the CLINT; every other physical address
leaves the engine as an ``EXIT_MMIO`` and is routed here to the device whose
window contains it.  Every device has the same shape (Firecracker's model):
register access (``read``/``write``), request handling inside the device,
``metrics`` counters and ``snapshot`` state.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

#: how a device drives its interrupt line: called with the new level (a PLIC ``IrqLine`` or any callable)
IrqSetter = Callable[[bool], None]


@dataclass
class Device:
    """A memory-mapped device occupying ``[base, base + size)``."""

    name: str
    base: int
    size: int
    metrics: dict[str, int] = field(default_factory=dict, init=False)

    # runs when the guest loads from the device window; returns the value
    def read(self, offset: int, size: int) -> int:
        return 0

    # runs when the guest stores to the device window
    def write(self, offset: int, size: int, value: int) -> None:
        return None

    # runs between engine slices: poll host-side input, finish requests
    def poll(self) -> None:
        return None

    # runs when a snapshot is taken: plain data that restores the device
    def snapshot(self) -> dict[str, Any]:
        return {}

    # runs whenever the device counts an event in its metrics
    def count(self, key: str, n: int = 1) -> None:
        self.metrics[key] = self.metrics.get(key, 0) + n


class BusError(Exception):
    """No device at the address: the guest gets an access fault."""


class Bus:
    """Address decoder over the devices of one machine."""

    # runs once per board, before any device is attached
    def __init__(self) -> None:
        self._bases: list[int] = []
        self._devices: list[Device] = []

    # runs once per device while the board is assembled
    def attach(self, dev: Device) -> Device:
        i = bisect.bisect(self._bases, dev.base)
        prev = self._devices[i - 1] if i > 0 else None
        nxt = self._devices[i] if i < len(self._devices) else None
        if (prev and prev.base + prev.size > dev.base) or (nxt and dev.base + dev.size > nxt.base):
            raise ValueError(f"device {dev.name} at {dev.base:#x} overlaps another device")
        self._bases.insert(i, dev.base)
        self._devices.insert(i, dev)
        return dev

    # runs when the board or a report lists the attached devices, lowest address first
    @property
    def devices(self) -> list[Device]:
        return list(self._devices)

    # runs on every MMIO exit: the device whose window holds addr, or None
    def find(self, addr: int) -> Device | None:
        i = bisect.bisect(self._bases, addr) - 1
        if i >= 0:
            d = self._devices[i]
            if addr < d.base + d.size:
                return d
        return None

    # runs on every MMIO load exit
    def read(self, addr: int, size: int) -> int:
        d = self.find(addr)
        if d is None or addr + size > d.base + d.size:
            raise BusError(addr)
        d.count("reads")
        return d.read(addr - d.base, size) & ((1 << (8 * size)) - 1)

    # runs on every MMIO store exit
    def write(self, addr: int, size: int, value: int) -> None:
        d = self.find(addr)
        if d is None or addr + size > d.base + d.size:
            raise BusError(addr)
        d.count("writes")
        d.write(addr - d.base, size, value & ((1 << (8 * size)) - 1))

    # runs between engine slices: every device polls its host side
    def poll(self) -> None:
        for d in self._devices:
            d.poll()
