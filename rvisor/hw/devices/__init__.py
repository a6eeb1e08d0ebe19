"""Python devices of the QEMU ``virt``-compatible board (one module per device)."""

from rvisor.hw.devices.goldfish_rtc import GoldfishRtc
from rvisor.hw.devices.plic import IrqLine, Plic
from rvisor.hw.devices.syscon import SifiveTest, Syscon
from rvisor.hw.devices.uart16550 import Uart16550
from rvisor.hw.devices.virtio_blk import VirtioBlk
from rvisor.hw.devices.virtio_mmio import EmptySlot, VirtioMMIO
from rvisor.hw.devices.virtio_rng import VirtioRng

__all__ = [
    "EmptySlot",
    "GoldfishRtc",
    "IrqLine",
    "Plic",
    "SifiveTest",
    "Syscon",
    "Uart16550",
    "VirtioBlk",
    "VirtioMMIO",
    "VirtioRng",
]
