"""virtio-rng (entropy device) over virtio-mmio (virtio spec §5.4).

One request queue (section 5.4.2); the device has no feature bits and no
configuration space (sections 5.4.3, 5.4.4).  Every device-writable buffer
the driver posts is filled with bytes from ``os.urandom`` (section 5.4.6
"Device Operation": the device fills the buffer with random bytes).
"""

from __future__ import annotations

import os
from collections.abc import Callable

from rvisor.hw import layout as L
from rvisor.hw.bus import IrqSetter
from rvisor.hw.devices.virtio_mmio import GuestMemory, VirtioMMIO, Virtqueue

#: largest number of bytes handed out for one request
MAX_REQUEST = 64 << 10


class VirtioRng(VirtioMMIO):
    """An entropy source; ``source(n)`` defaults to ``os.urandom``."""

    DEVICE_ID = 4
    NUM_QUEUES = 1

    # runs once while the board is assembled
    def __init__(
        self,
        machine: GuestMemory | None,
        irq: IrqSetter | None,
        base: int = L.VIRTIO_BASE,
        name: str = "virtio-rng",
        version: int = 2,
        queue_size: int = 64,
        event_idx: bool = True,
        source: Callable[[int], bytes] = os.urandom,
    ) -> None:
        super().__init__(machine, irq, base, name, version, queue_size, event_idx)
        self.source = source

    # runs on QueueNotify: fill every posted buffer
    def handle_queue(self, q: Virtqueue) -> None:
        assert self.mem is not None
        while (chain := q.pop(self.mem)) is not None:
            n = min(chain.writable_len, MAX_REQUEST)
            written = chain.write(self.mem, self.source(n)) if n else 0
            self.count("requests")
            self.count("bytes", written)
            q.push(self.mem, chain.head, written)
