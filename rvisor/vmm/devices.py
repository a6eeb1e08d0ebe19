"""A VM's virtual board: the board's own device models, on the VM's guest memory and its own bus.

Each VM sees a QEMU-virt-shaped machine at the usual guest-physical addresses, built from
``rvisor.hw.devices`` with no second copies:

* the ns16550a UART at 0x10000000, irq 10, on the VM's console (Python side only: the VMM
  emulates its registers on guest-page-fault exits);
* a PLIC with one M and one S context per vCPU; an S context's output is the vCPU's
  hvip.VSEIP (priv spec, Hypervisor chapter, "hvip"), the M contexts drive nothing;
* the SiFive test device (syscon) at 0x100000: poweroff and reset of this VM;
* the goldfish RTC at 0x101000, irq 11;
* eight virtio-mmio slots from 0x10001000 (irq 1 + i): a virtio-blk per drive (read-only when
  asked, locked as QEMU locks images), a virtio-rng, empty slots for the rest — all doing DMA
  through the VM's ``GuestMemory``.

There is no CLINT: timers are Sstc's vstimecmp, IPIs go through SBI.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from typing import Any

from rvisor.hw import layout as L
from rvisor.hw.bus import Bus
from rvisor.hw.devices import EmptySlot, GoldfishRtc, Plic, SifiveTest, Uart16550, VirtioBlk, VirtioRng
from rvisor.hw.devices.virtio_mmio import GuestMemory as DmaMemory
from rvisor.hw.devices.uart16550 import ConsoleIO


class VMDevices:
    """The devices of one VM and the bus that routes its MMIO exits."""

    # runs once per VM when it is created; opening a drive may raise OSError (locked, missing)
    def __init__(
        self,
        mem: DmaMemory,
        console: ConsoleIO,
        nvcpus: int,
        drives: Sequence[tuple[str, bool]],
        on_external: Callable[[int, bool], None],
        on_halt: Callable[[str, int], None],
        rtc_clock: Callable[[], int] = time.time_ns,
        rng: bool = True,
        rng_source: Callable[[int], bytes] | None = None,
    ) -> None:
        if len(drives) + int(rng) > L.VIRTIO_SLOTS:
            raise ValueError(f"at most {L.VIRTIO_SLOTS - int(rng)} drives fit in a VM")
        self._on_external = on_external
        self.bus = Bus()
        self.plic = self.bus.attach(Plic(nvcpus, on_change=self._plic_output))
        self.uart = self.bus.attach(Uart16550(console, irq=self.plic.line(L.UART0_IRQ), machine=None))
        self.rtc = self.bus.attach(GoldfishRtc(irq=self.plic.line(L.RTC_IRQ), clock=rtc_clock))
        self.test = self.bus.attach(SifiveTest(on_halt=on_halt))
        self.virtio: list[Any] = []
        try:
            for i in range(L.VIRTIO_SLOTS):
                base = L.VIRTIO_BASE + i * L.VIRTIO_STRIDE
                irq = self.plic.line(L.VIRTIO_IRQ0 + i)
                if i < len(drives):
                    path, ro = drives[i]
                    dev: Any = VirtioBlk(mem, irq, path, base=base, readonly=ro, name=f"virtio-blk{i}")
                elif rng and i == len(drives):
                    dev = VirtioRng(mem, irq, base=base, name="virtio-rng", source=rng_source or os.urandom)
                else:
                    dev = EmptySlot(mem, irq, base=base, name=f"virtio{i}")
                self.virtio.append(self.bus.attach(dev))
        except BaseException:
            self.close()
            raise

    # runs whenever a PLIC context's output changes: S contexts are the vCPUs' VSEIP
    def _plic_output(self, hart: int, bit: int, level: bool) -> None:
        if bit == L.IRQ_SEI:
            self._on_external(hart, level)

    # runs between slices on the VM's thread: console input, device work
    def poll(self) -> None:
        self.bus.poll()

    # runs when firmware-level console output (SBI putchar, DBCN) is written: after the UART's own
    def flush_uart(self) -> None:
        self.uart.service()

    # runs when the VM reboots: every device at its reset state (drives stay open)
    def reset(self) -> None:
        self.plic.reset()
        self.uart.reset()
        self.test.take()
        for d in self.virtio:
            d.reset()

    # runs for stats: device metrics by name
    def metrics(self) -> dict[str, dict[str, int]]:
        return {d.name: dict(d.metrics) for d in self.bus.devices if d.metrics}

    # runs when the VM is destroyed: flush and unlock the drive images
    def close(self) -> None:
        for d in self.virtio:
            close = getattr(d, "close", None)
            if close is not None:
                close()
        self.virtio = []
