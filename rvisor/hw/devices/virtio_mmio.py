"""The virtio-mmio transport and split virtqueues (virtio 1.x, specs/virtio-spec).

``VirtioMMIO`` implements the register file of section 4.2.2 "MMIO Device
Register Layout" (Version 2) and of section 4.2.4 "Legacy interface"
(Version 1: GuestPageSize, QueueAlign, QueuePFN), selected per device by
``version``.  A device type subclasses it and provides its ID, feature
bits, configuration space and request handling; the bare class is the empty
slot QEMU ``virt`` places at every unused address (DeviceID 0, section
4.2.2: "Value zero (0x0) is used to define a system memory map with
placeholder devices").

``Virtqueue`` walks split rings (section 2.7): the descriptor table
(2.7.5), indirect descriptors (2.7.5.3), the available ring (2.7.6), the
used ring (2.7.8) and notification suppression with VIRTIO_F_EVENT_IDX
(2.7.7, 2.7.10).  Guest memory is reached only through the Machine API
(``read_phys``/``write_phys``/``in_ram``).

Anything malformed the driver hands over (a descriptor outside RAM, a
chain longer than the queue, an index past the queue size, a ring index
that runs ahead by more than the queue size, a ring outside RAM) makes the
device set DEVICE_NEEDS_RESET in Status and raise a configuration-change
interrupt (section 2.1.2, "Device Status Field" device requirements); the
error never leaves the device as a Python exception.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field, fields
from typing import Any, Protocol

from rvisor.hw import layout as L
from rvisor.hw.bus import Device, IrqSetter

MAGIC = 0x74726976  # "virt"
VENDOR_QEMU = 0x554D4551  # "QEMU", what QEMU's virtio-mmio reports

# register offsets (section 4.2.2 and 4.2.4)
R_MAGIC = 0x000
R_VERSION = 0x004
R_DEVICE_ID = 0x008
R_VENDOR_ID = 0x00C
R_DEVICE_FEATURES = 0x010
R_DEVICE_FEATURES_SEL = 0x014
R_DRIVER_FEATURES = 0x020
R_DRIVER_FEATURES_SEL = 0x024
R_GUEST_PAGE_SIZE = 0x028  # legacy
R_QUEUE_SEL = 0x030
R_QUEUE_NUM_MAX = 0x034
R_QUEUE_NUM = 0x038
R_QUEUE_ALIGN = 0x03C  # legacy
R_QUEUE_PFN = 0x040  # legacy
R_QUEUE_READY = 0x044
R_QUEUE_NOTIFY = 0x050
R_INTERRUPT_STATUS = 0x060
R_INTERRUPT_ACK = 0x064
R_STATUS = 0x070
R_QUEUE_DESC_LOW = 0x080
R_QUEUE_DESC_HIGH = 0x084
R_QUEUE_DRIVER_LOW = 0x090
R_QUEUE_DRIVER_HIGH = 0x094
R_QUEUE_DEVICE_LOW = 0x0A0
R_QUEUE_DEVICE_HIGH = 0x0A4
R_SHM_SEL = 0x0AC
R_SHM_LEN_LOW = 0x0B0
R_SHM_LEN_HIGH = 0x0B4
R_SHM_BASE_LOW = 0x0B8
R_SHM_BASE_HIGH = 0x0BC
R_QUEUE_RESET = 0x0C0
R_CONFIG_GENERATION = 0x0FC
CONFIG_OFFSET = 0x100

# device status bits (section 2.1)
STATUS_ACKNOWLEDGE = 1
STATUS_DRIVER = 2
STATUS_DRIVER_OK = 4
STATUS_FEATURES_OK = 8
STATUS_NEEDS_RESET = 0x40
STATUS_FAILED = 0x80

# interrupt status bits (section 4.2.2, InterruptStatus)
INT_USED_BUFFER = 1
INT_CONFIG_CHANGE = 2

# reserved feature bits (chapter 6)
F_INDIRECT_DESC = 28
F_EVENT_IDX = 29
F_VERSION_1 = 32

# descriptor flags (section 2.7.5)
DESC_F_NEXT = 1
DESC_F_WRITE = 2
DESC_F_INDIRECT = 4
AVAIL_F_NO_INTERRUPT = 1  # section 2.7.6

_DESC = struct.Struct("<QIHH")


class GuestMemory(Protocol):
    """The part of ``rvisor.hw.machine.Machine`` a DMA-capable device uses."""

    # runs before every ring or buffer access: is [addr, addr + n) guest RAM?
    def in_ram(self, addr: int, n: int) -> bool: ...

    # runs for every ring field and out-buffer the device reads
    def read_phys(self, addr: int, n: int) -> bytes: ...

    # runs for every ring field and in-buffer the device writes
    def write_phys(self, addr: int, data: bytes | bytearray | memoryview) -> None: ...


class VirtqueueError(Exception):
    """The driver broke the ring format; the device needs a reset."""


@dataclass
class Chain:
    """One descriptor chain popped from the available ring (section 2.7.4)."""

    head: int
    readable: list[tuple[int, int]] = field(default_factory=list)  # (addr, len)
    writable: list[tuple[int, int]] = field(default_factory=list)

    # runs when a device sizes the driver's out-buffers
    @property
    def readable_len(self) -> int:
        return sum(n for _, n in self.readable)

    # runs when a device sizes the driver's in-buffers
    @property
    def writable_len(self) -> int:
        return sum(n for _, n in self.writable)

    # runs when a device consumes the driver's out-buffers
    def read(self, mem: GuestMemory, limit: int | None = None) -> bytes:
        parts: list[bytes] = []
        left = self.readable_len if limit is None else limit
        for addr, n in self.readable:
            if left <= 0:
                break
            k = min(n, left)
            parts.append(mem.read_phys(addr, k))
            left -= k
        return b"".join(parts)

    # runs when a device fills the driver's in-buffers, from byte ``skip`` on
    def write(self, mem: GuestMemory, data: bytes, skip: int = 0) -> int:
        done = 0
        pos = 0
        for addr, n in self.writable:
            if done >= len(data):
                break
            if pos + n <= skip:
                pos += n
                continue
            start = max(0, skip - pos)
            k = min(n - start, len(data) - done)
            mem.write_phys(addr + start, data[done : done + k])
            done += k
            pos += n
        return done


@dataclass
class Virtqueue:
    """Driver-visible state of one split virtqueue and the device's cursor."""

    index: int
    max_size: int
    size: int = 0
    ready: bool = False
    desc: int = 0
    driver: int = 0  # available ring
    device: int = 0  # used ring
    pfn: int = 0  # legacy QueuePFN
    align: int = 4096  # legacy QueueAlign
    last_avail: int = 0
    used_idx: int = 0
    event_idx: bool = False

    # runs on QueueReady=1 / QueuePFN!=0: check the rings lie in RAM (section 2.7)
    def validate(self, mem: GuestMemory) -> None:
        n = self.size
        if n == 0 or n > self.max_size or n & (n - 1):
            raise VirtqueueError(f"queue {self.index}: size {n} invalid (max {self.max_size})")
        extra = 2 if self.event_idx else 0
        if self.desc & 15 or not mem.in_ram(self.desc, 16 * n):
            raise VirtqueueError(f"queue {self.index}: descriptor table {self.desc:#x} not in RAM")
        if self.driver & 1 or not mem.in_ram(self.driver, 4 + 2 * n + extra):
            raise VirtqueueError(f"queue {self.index}: available ring {self.driver:#x} not in RAM")
        if self.device & 3 or not mem.in_ram(self.device, 4 + 8 * n + extra):
            raise VirtqueueError(f"queue {self.index}: used ring {self.device:#x} not in RAM")

    # runs for every 16-bit ring field the device reads
    def _u16(self, mem: GuestMemory, addr: int) -> int:
        return int.from_bytes(mem.read_phys(addr, 2), "little")

    # runs when a device looks for work: the next available chain, or None
    def pop(self, mem: GuestMemory) -> Chain | None:
        avail_idx = self._u16(mem, self.driver + 2)
        ahead = (avail_idx - self.last_avail) & 0xFFFF
        if ahead == 0:
            return None
        if ahead > self.size:
            raise VirtqueueError(
                f"queue {self.index}: avail idx {avail_idx} runs {ahead} ahead of {self.last_avail}"
            )
        slot = self.driver + 4 + 2 * (self.last_avail % self.size)
        head = self._u16(mem, slot)
        chain = self.walk(mem, head)
        self.last_avail = (self.last_avail + 1) & 0xFFFF
        if self.event_idx:
            # avail_event: wake me for every new buffer (section 2.7.10)
            ev = self.device + 4 + 8 * self.size
            mem.write_phys(ev, self.last_avail.to_bytes(2, "little"))
        return chain

    # runs for every popped chain: follow next/indirect links with bounds and loop checks
    def walk(self, mem: GuestMemory, head: int) -> Chain:
        if head >= self.size:
            raise VirtqueueError(f"queue {self.index}: head index {head} >= size {self.size}")
        chain = Chain(head)
        table, tsize, i = self.desc, self.size, head
        indirect = False
        seen = 0
        while True:
            seen += 1
            if seen > tsize:
                raise VirtqueueError(f"queue {self.index}: descriptor chain loops (> {tsize})")
            addr, length, flags, nxt = _DESC.unpack(mem.read_phys(table + 16 * i, 16))
            if flags & DESC_F_INDIRECT:
                if indirect:
                    raise VirtqueueError(f"queue {self.index}: nested indirect descriptor")
                if length == 0 or length % 16 or flags & DESC_F_NEXT:
                    raise VirtqueueError(f"queue {self.index}: bad indirect descriptor len {length}")
                if not mem.in_ram(addr, length):
                    raise VirtqueueError(f"queue {self.index}: indirect table {addr:#x} outside RAM")
                table, tsize, i = addr, length // 16, 0
                indirect = True
                seen = 0
                continue
            if not mem.in_ram(addr, length):
                raise VirtqueueError(f"queue {self.index}: buffer {addr:#x}+{length:#x} outside guest RAM")
            if flags & DESC_F_WRITE:
                chain.writable.append((addr, length))
            elif chain.writable:
                raise VirtqueueError(f"queue {self.index}: readable descriptor after writable")
            else:
                chain.readable.append((addr, length))
            if not flags & DESC_F_NEXT:
                return chain
            i = nxt
            if i >= tsize:
                raise VirtqueueError(f"queue {self.index}: next index {i} >= {tsize}")

    # runs when a device has finished a chain: add it to the used ring (section 2.7.8)
    def push(self, mem: GuestMemory, head: int, written: int) -> None:
        slot = self.device + 4 + 8 * (self.used_idx % self.size)
        mem.write_phys(slot, struct.pack("<II", head, written))
        self.used_idx = (self.used_idx + 1) & 0xFFFF
        mem.write_phys(self.device + 2, self.used_idx.to_bytes(2, "little"))

    # runs after a batch of pushes: does the driver want an interrupt? (2.7.7)
    def wants_interrupt(self, mem: GuestMemory, old_used: int) -> bool:
        new = self.used_idx
        if new == old_used:
            return False
        if self.event_idx:
            event = self._u16(mem, self.driver + 4 + 2 * self.size)
            return ((new - event - 1) & 0xFFFF) < ((new - old_used) & 0xFFFF)
        return not self._u16(mem, self.driver) & AVAIL_F_NO_INTERRUPT

    # runs on reset and snapshot: the fields the driver sets up, i.e. all but index and max_size
    def _state_fields(self) -> list[Any]:
        return [f for f in fields(self) if f.name not in ("index", "max_size")]

    # runs on device reset and when the driver disables the queue: every driver-set field to its default
    def reset(self) -> None:
        for f in self._state_fields():
            setattr(self, f.name, f.default)

    # runs when a snapshot is taken
    def snapshot(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in self._state_fields()}

    # runs when the driver has placed the rings (QueueReady=1, or a legacy QueuePFN): checks and starts
    def activate(self, mem: GuestMemory | None, event_idx: bool) -> None:
        self.event_idx = event_idx
        if mem is None:
            raise VirtqueueError("device has no guest memory")
        self.validate(mem)
        self.ready = True
        self.last_avail = self.used_idx = 0


class VirtioMMIO(Device):
    """A virtio-mmio slot; the bare class is an empty slot (DeviceID 0).

    Subclasses set ``DEVICE_ID`` and ``NUM_QUEUES`` and override
    ``device_features``, ``config_space``, ``config_write`` (optional),
    ``handle_queue`` and ``reset_device``.
    """

    DEVICE_ID = 0
    NUM_QUEUES = 0

    # runs once per slot while the board is assembled
    def __init__(
        self,
        machine: GuestMemory | None,
        irq: IrqSetter | None = None,
        base: int = L.VIRTIO_BASE,
        name: str = "virtio-empty",
        version: int = 2,
        queue_size: int = 256,
        event_idx: bool = True,
    ) -> None:
        super().__init__(name, base, L.VIRTIO_STRIDE)
        if version not in (1, 2):
            raise ValueError(f"virtio-mmio version must be 1 (legacy) or 2, not {version}")
        self.mem = machine
        self.irq = irq
        self.version = version
        self.offer_event_idx = event_idx
        self.queues = [Virtqueue(i, queue_size) for i in range(self.NUM_QUEUES)]
        self.device_features_sel = 0
        self.driver_features_sel = 0
        self.driver_features = 0
        self.guest_page_size = 4096
        self.queue_sel = 0
        self.status = 0
        self.isr = 0
        self.config_generation = 0
        self.shm_sel = 0
        self.last_error = ""
        self._irq_level = False

    # ---- what a device type provides -----------------------------------------------------
    # runs when the driver reads DeviceFeatures: device-type bits (0..23)
    def device_features(self) -> int:
        return 0

    # runs when the driver reads the configuration space
    def config_space(self) -> bytes:
        return b""

    # runs when the driver writes the configuration space
    def config_write(self, offset: int, size: int, value: int) -> None:
        self.count("config_writes_ignored")

    # runs on QueueNotify for a ready queue: pop chains, handle them, push them
    def handle_queue(self, q: Virtqueue) -> None:
        return None

    # runs on device reset (Status written with 0)
    def reset_device(self) -> None:
        return None

    # ---- feature negotiation (section 2.2) -----------------------------------------------
    # runs when the driver reads DeviceFeatures and when features are checked
    def offered_features(self) -> int:
        if self.DEVICE_ID == 0:
            return 0
        f = self.device_features() | (1 << F_INDIRECT_DESC)
        if self.offer_event_idx:
            f |= 1 << F_EVENT_IDX
        if self.version == 2:
            f |= 1 << F_VERSION_1
        return f

    # runs when a device type asks whether the driver accepted a feature
    def negotiated(self, bit: int) -> bool:
        return bool(self.driver_features >> bit & 1)

    # ---- interrupts ------------------------------------------------------------------------
    # runs after InterruptStatus changes: drive the PLIC line to its level, every time (as QEMU's
    # virtio_mmio_update_irq: each notification raises the line again, so the PLIC pends it again)
    def _update_irq(self) -> None:
        level = self.isr != 0
        if level and not self._irq_level:
            self.count("interrupts")
        self._irq_level = level
        if self.irq is not None:
            self.irq(level)

    # runs when the device has used buffers or changed its configuration
    def interrupt(self, bits: int) -> None:
        self.isr |= bits
        self._update_irq()

    # runs when the driver broke the protocol: DEVICE_NEEDS_RESET (section 2.1.2)
    def fail(self, reason: str) -> None:
        self.count("errors")
        self.last_error = reason
        self.status |= STATUS_NEEDS_RESET
        if self.status & STATUS_DRIVER_OK:
            self.interrupt(INT_CONFIG_CHANGE)

    # ---- reset -------------------------------------------------------------------------------
    # runs when the driver writes 0 to Status (section 2.4) and on a system reset
    def reset(self) -> None:
        self.status = 0
        self.driver_features = 0
        self.device_features_sel = self.driver_features_sel = 0
        self.queue_sel = 0
        self.isr = 0
        self.shm_sel = 0
        self.last_error = ""
        for q in self.queues:
            q.reset()
        self.reset_device()
        self._update_irq()
        self.count("resets")

    # ---- register interface -----------------------------------------------------------------
    # runs on a guest load from the slot
    def read(self, offset: int, size: int) -> int:
        if offset >= CONFIG_OFFSET:
            if self.DEVICE_ID == 0:
                return 0
            cfg = self.config_space()
            off = offset - CONFIG_OFFSET
            chunk = cfg[off : off + size]
            return int.from_bytes(chunk.ljust(size, b"\0"), "little")
        if size != 4 or offset & 3:
            self.count("bad_access")  # section 4.2.2.2: registers are 32-bit
            return 0
        return self._read_reg(offset)

    # runs for every aligned 32-bit register read
    def _read_reg(self, offset: int) -> int:
        if offset == R_MAGIC:
            return MAGIC
        if offset == R_VERSION:
            return self.version
        if offset == R_DEVICE_ID:
            return self.DEVICE_ID
        if offset == R_VENDOR_ID:
            return VENDOR_QEMU
        if self.DEVICE_ID == 0:
            return 0
        q = self.queues[self.queue_sel] if self.queue_sel < len(self.queues) else None
        if offset == R_DEVICE_FEATURES:
            sel = self.device_features_sel
            if self.version == 1 and sel:
                return 0  # legacy devices have 32 feature bits
            return (self.offered_features() >> (32 * sel)) & 0xFFFFFFFF if sel < 2 else 0
        if offset == R_QUEUE_NUM_MAX:
            return 0 if q is None else q.max_size
        if offset == R_QUEUE_READY:
            return int(q.ready) if q is not None and self.version == 2 else 0
        if offset == R_QUEUE_PFN:
            return q.pfn if q is not None and self.version == 1 else 0
        if offset == R_INTERRUPT_STATUS:
            return self.isr
        if offset == R_STATUS:
            return self.status
        if self.version == 2:
            if q is not None:
                regs = {
                    R_QUEUE_NUM: q.size,
                    R_QUEUE_DESC_LOW: q.desc & 0xFFFFFFFF,
                    R_QUEUE_DESC_HIGH: q.desc >> 32,
                    R_QUEUE_DRIVER_LOW: q.driver & 0xFFFFFFFF,
                    R_QUEUE_DRIVER_HIGH: q.driver >> 32,
                    R_QUEUE_DEVICE_LOW: q.device & 0xFFFFFFFF,
                    R_QUEUE_DEVICE_HIGH: q.device >> 32,
                }
                if offset in regs:
                    return regs[offset]
            if offset in (R_SHM_LEN_LOW, R_SHM_LEN_HIGH, R_SHM_BASE_LOW, R_SHM_BASE_HIGH):
                return 0xFFFFFFFF  # no shared memory regions: length/base read as -1
            if offset == R_CONFIG_GENERATION:
                return self.config_generation
        return 0

    # runs on a guest store to the slot
    def write(self, offset: int, size: int, value: int) -> None:
        if self.DEVICE_ID == 0:
            return
        if offset >= CONFIG_OFFSET:
            self.config_write(offset - CONFIG_OFFSET, size, value)
            return
        if size != 4 or offset & 3:
            self.count("bad_access")
            return
        try:
            self._write_reg(offset, value & 0xFFFFFFFF)
        except VirtqueueError as e:
            self.fail(str(e))
        except Exception as e:  # a device bug must not kill the machine
            self.fail(f"internal error: {e!r}")
            self.count("internal_errors")

    # runs for every aligned 32-bit register write
    def _write_reg(self, offset: int, value: int) -> None:
        q = self.queues[self.queue_sel] if self.queue_sel < len(self.queues) else None
        if offset == R_DEVICE_FEATURES_SEL:
            self.device_features_sel = value
        elif offset == R_DRIVER_FEATURES:
            sel = self.driver_features_sel
            if sel < 2 and not (self.version == 1 and sel):
                mask = 0xFFFFFFFF << (32 * sel)
                self.driver_features = (self.driver_features & ~mask) | (value << (32 * sel))
        elif offset == R_DRIVER_FEATURES_SEL:
            self.driver_features_sel = value
        elif offset == R_GUEST_PAGE_SIZE:
            if self.version == 1:
                self.guest_page_size = value
        elif offset == R_QUEUE_SEL:
            self.queue_sel = value
        elif offset == R_QUEUE_NUM:
            if q is not None:
                q.size = value
        elif offset == R_QUEUE_ALIGN:
            if q is not None and self.version == 1:
                q.align = value
        elif offset == R_QUEUE_PFN:
            if q is not None and self.version == 1:
                self._set_pfn(q, value)
        elif offset == R_QUEUE_READY:
            if q is not None and self.version == 2:
                self._set_ready(q, bool(value & 1))
        elif offset == R_QUEUE_NOTIFY:
            self.notify(value & 0xFFFF)
        elif offset == R_INTERRUPT_ACK:
            self.isr &= ~value
            self._update_irq()
        elif offset == R_STATUS:
            self._write_status(value & 0xFF)
        elif self.version == 2 and q is not None and not q.ready:
            lo, hi = 0xFFFFFFFF, 0xFFFFFFFF << 32
            if offset == R_QUEUE_DESC_LOW:
                q.desc = (q.desc & hi) | value
            elif offset == R_QUEUE_DESC_HIGH:
                q.desc = (q.desc & lo) | (value << 32)
            elif offset == R_QUEUE_DRIVER_LOW:
                q.driver = (q.driver & hi) | value
            elif offset == R_QUEUE_DRIVER_HIGH:
                q.driver = (q.driver & lo) | (value << 32)
            elif offset == R_QUEUE_DEVICE_LOW:
                q.device = (q.device & hi) | value
            elif offset == R_QUEUE_DEVICE_HIGH:
                q.device = (q.device & lo) | (value << 32)
        elif offset == R_SHM_SEL:
            self.shm_sel = value

    # runs when the driver writes Status (sections 2.1, 3.1.1)
    def _write_status(self, value: int) -> None:
        if value == 0:
            self.reset()
            return
        old = self.status
        if value & STATUS_FEATURES_OK and not old & STATUS_FEATURES_OK:
            offered = self.offered_features()
            # Only features the device offered may be accepted (section 2.2.1).  A
            # driver that leaves out VIRTIO_F_VERSION_1 is tolerated as QEMU does
            # (section 6 says the device MAY fail); xv6's driver is one of them.
            if self.driver_features & ~offered:
                self.count("features_rejected")
                value &= ~STATUS_FEATURES_OK
        self.status = value | (old & STATUS_NEEDS_RESET)

    # runs on QueueReady writes (modern transport)
    def _set_ready(self, q: Virtqueue, ready: bool) -> None:
        if not ready:
            q.ready = False
            return
        q.activate(self.mem, self.negotiated(F_EVENT_IDX))

    # runs on QueuePFN writes (legacy transport, section 2.7.2 layout)
    def _set_pfn(self, q: Virtqueue, pfn: int) -> None:
        q.pfn = pfn
        if pfn == 0:
            q.ready = False
            return
        n = q.size
        align = q.align or 4096
        if align & (align - 1):
            raise VirtqueueError(f"queue {q.index}: QueueAlign {align} not a power of two")
        q.desc = pfn * self.guest_page_size
        q.driver = q.desc + 16 * n
        q.device = (q.driver + 6 + 2 * n + align - 1) & ~(align - 1)
        q.activate(self.mem, self.negotiated(F_EVENT_IDX))

    # runs on QueueNotify: process the queue synchronously
    def notify(self, index: int) -> None:
        self.count("notifies")
        if self.status & STATUS_NEEDS_RESET:
            self.count("notifies_ignored")
            return
        if index >= len(self.queues) or not self.queues[index].ready or self.mem is None:
            self.count("notifies_ignored")
            return
        q = self.queues[index]
        old = q.used_idx
        try:
            self.handle_queue(q)
        except VirtqueueError as e:
            self.fail(str(e))
        except Exception as e:  # a device bug must not kill the machine
            self.count("internal_errors")
            self.fail(f"internal error: {e!r}")
        try:
            if q.wants_interrupt(self.mem, old):
                self.interrupt(INT_USED_BUFFER)
        except Exception as e:
            self.fail(f"used ring: {e!r}")

    # runs between engine slices
    def poll(self) -> None:
        return None

    # runs when a snapshot is taken
    def snapshot(self) -> dict[str, Any]:
        return {
            "device_id": self.DEVICE_ID,
            "version": self.version,
            "status": self.status,
            "driver_features": self.driver_features,
            "device_features_sel": self.device_features_sel,
            "driver_features_sel": self.driver_features_sel,
            "guest_page_size": self.guest_page_size,
            "queue_sel": self.queue_sel,
            "isr": self.isr,
            "config_generation": self.config_generation,
            "queues": [q.snapshot() for q in self.queues],
            "last_error": self.last_error,
        }

    # runs when a snapshot is restored
    def restore(self, state: dict[str, Any]) -> None:
        for key in (
            "status",
            "driver_features",
            "device_features_sel",
            "driver_features_sel",
            "guest_page_size",
            "queue_sel",
            "isr",
            "config_generation",
            "last_error",
        ):
            setattr(self, key, state[key])
        for q, qs in zip(self.queues, state["queues"], strict=True):
            for k, v in qs.items():
                setattr(q, k, v)
        self._irq_level = not (self.isr != 0)
        self._update_irq()


class EmptySlot(VirtioMMIO):
    """A virtio-mmio slot with no device behind it (reads DeviceID 0)."""
