"""Guest memory: host RAM as a pool of 4 KiB frames, and each VM's guest-physical RAM over it.

``HostMemory`` hands out the frames of the host machine's RAM (``Machine.ram``), one at a
time or as a 16 KiB-aligned group of four (a G-stage root table).  A frame is zeroed when it is
handed out, so no VM ever sees what another left behind.

``GuestMemory`` is one VM's RAM at guest-physical ``ram_base`` (0x80000000), ``ram_size`` bytes.
Its pages are backed by host frames allocated on first touch (a guest-page fault, or a write from
Python such as the loader's) and mapped in a G-stage Sv39x4 table that lives in host RAM (priv
spec, Hypervisor chapter, "Guest Physical Address Translation": a 16 KiB root indexed by GPA bits
40:30, then two levels of 512 entries).  Leaves carry V R W X U A D: the G stage checks every
access as a U-mode one.  It offers the ``read_phys``/``write_phys``/``in_ram`` interface of
``rvisor.hw.machine.Machine`` over guest-physical addresses, so virtio devices and the boot
loaders work on a VM unchanged (Firecracker's ``vm-memory`` GuestMemory is the model).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np

from rvisor.hw import layout as L
from rvisor.hw.machine import Machine, MemoryError_

PAGE = 4096
PAGE_SHIFT = 12
HGATP_SV39X4 = 8  # hgatp.MODE (Hypervisor chapter, "hgatp")
SV39X4_LIMIT = 1 << 41  # guest-physical addresses below 2^41 (Sv39x4)
PTE_V, PTE_R, PTE_W, PTE_X, PTE_U, PTE_A, PTE_D = 1, 2, 4, 8, 16, 64, 128
LEAF = PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D
VMID_MAX = (1 << 14) - 1  # 14-bit VMID field in hgatp (Sv39x4)


class HostMemoryExhausted(Exception):
    """No free host frame is left for a guest page or a page table."""


# runs whenever a 64-bit value is stored into the int64 state arrays
def s64(v: int) -> int:
    """A 64-bit pattern as the signed value numpy int64 arrays hold."""
    v &= (1 << 64) - 1
    return v - (1 << 64) if v >> 63 else v


class HostMemory:
    """The host's RAM as 4 KiB frames: a free list, a used map and counts."""

    # runs once per Host: every frame of the machine's RAM starts free
    def __init__(self, machine: Machine) -> None:
        self.machine = machine
        self.base = machine.ram_base
        self.total_frames = machine.ram_size // PAGE
        self.used = np.zeros(self.total_frames, dtype=np.bool_)
        # lowest frames handed out first: a stack popped from its end
        self._free = list(range(self.total_frames - 1, -1, -1))
        self.free_frames = self.total_frames
        self._lock = threading.Lock()  # VMs on different scheduler threads allocate at once

    # runs for reports: bytes of host RAM in use by VMs (guest pages and tables)
    @property
    def used_bytes(self) -> int:
        return (self.total_frames - self.free_frames) * PAGE

    # runs when a frame's host-physical address is needed (PTEs, hgatp)
    def frame_addr(self, frame: int) -> int:
        return self.base + frame * PAGE

    # runs for every guest page and page table a VM needs: one zeroed frame
    def alloc(self) -> int:
        with self._lock:
            return self._alloc()

    # runs under the lock: pop the next free frame
    def _alloc(self) -> int:
        while self._free:
            fr = self._free.pop()
            if not self.used[fr]:
                self.used[fr] = True
                self.free_frames -= 1
                self._zero(fr, 1)
                return fr
        raise HostMemoryExhausted("host RAM exhausted: no free 4 KiB frame is left")

    # runs when a VM's G-stage root is made: four contiguous frames, 16 KiB aligned
    def alloc_root(self) -> int:
        with self._lock:
            return self._alloc_root()

    # runs under the lock: the lowest free 16 KiB-aligned group
    def _alloc_root(self) -> int:
        groups = np.flatnonzero(~self.used.reshape(-1, 4).any(axis=1))
        if len(groups) == 0:
            raise HostMemoryExhausted("host RAM exhausted: no free 16 KiB-aligned block for a G-stage root")
        fr = int(groups[0]) * 4
        self.used[fr : fr + 4] = True
        self.free_frames -= 4
        self._zero(fr, 4)
        return fr  # the free-list entries of these frames are skipped lazily (used map)

    # runs when a VM is destroyed or rebooted: frames go back to the pool
    def free(self, frames: list[int]) -> None:
        with self._lock:
            self._release(frames)

    # runs under the lock: mark frames free and push them on the free list
    def _release(self, frames: list[int]) -> None:
        for fr in frames:
            if self.used[fr]:
                self.used[fr] = False
                self.free_frames += 1
                self._free.append(fr)

    # runs on every allocation: what the frame held before is gone (frames are zeroed before reuse)
    def _zero(self, frame: int, n: int) -> None:
        off = frame * PAGE
        self.machine.ram[off : off + n * PAGE] = 0


@dataclass
class MemoryStats:
    """Counters of one VM's memory."""

    guest_page_faults: int = 0  # faults that mapped a page
    pages_mapped: int = 0
    table_frames: int = 0
    python_writes: int = 0  # pages mapped by a write from the VMM (loader, DMA)


@dataclass
class GuestMemory:
    """One VM's guest-physical RAM, backed lazily by host frames and mapped in its G stage."""

    host: HostMemory
    vmid: int
    ram_size: int
    ram_base: int = L.DRAM_BASE
    pages: dict[int, int] = field(default_factory=dict)  # guest page number -> host frame
    stats: MemoryStats = field(default_factory=MemoryStats)

    # runs right after construction: the root table
    def __post_init__(self) -> None:
        if self.ram_size <= 0 or self.ram_size % PAGE:
            raise ValueError(f"guest memory must be a positive multiple of 4 KiB, not {self.ram_size}")
        if self.ram_base + self.ram_size > SV39X4_LIMIT:
            raise ValueError("guest memory must lie below 2 TiB (Sv39x4)")
        self.root = -1
        self._l1: dict[int, int] = {}  # root index -> frame of its level-1 table
        self._l0: dict[int, int] = {}  # gpa >> 21 -> frame of its level-0 table
        self._tables: list[int] = []
        self.generation = 0  # bumped whenever mappings are removed (cached translations go stale)
        self._make_root()

    # runs at construction and after reset: a fresh 16 KiB root
    def _make_root(self) -> None:
        self.root = self.host.alloc_root()
        self._tables = [self.root + i for i in range(4)]
        self.stats.table_frames = 4

    # ---- the G-stage table -------------------------------------------------------------------
    # runs whenever a vCPU is loaded: hgatp = Sv39x4 | VMID | root PPN (Hypervisor chapter, "hgatp")
    @property
    def hgatp(self) -> int:
        ppn = self.host.frame_addr(self.root) >> PAGE_SHIFT
        return s64((HGATP_SV39X4 << 60) | (self.vmid << 44) | ppn)

    # runs for every table entry the VMM writes into host RAM
    def _set_pte(self, table_frame: int, index: int, pte: int) -> None:
        self.host.machine.r64[(table_frame * PAGE >> 3) + index] = pte

    # runs when a mapping needs a next-level table that does not exist yet
    def _table(self, cache: dict[int, int], key: int, parent: int, index: int) -> int:
        fr = cache.get(key)
        if fr is None:
            fr = self.host.alloc()
            self._tables.append(fr)
            self.stats.table_frames += 1
            cache[key] = fr
            self._set_pte(parent, index, ((self.host.frame_addr(fr) >> PAGE_SHIFT) << 10) | PTE_V)
        return fr

    # runs on a guest-page fault in RAM and on the first Python write to a page: back it and map it
    def map_page(self, gpa: int) -> int:
        """Back the page holding ``gpa`` with a zeroed host frame; returns the frame.

        Raises ``HostMemoryExhausted`` when no frame is free (nothing is changed then)."""
        gpn = gpa >> PAGE_SHIFT
        fr = self.pages.get(gpn)
        if fr is not None:
            return fr
        if not self.in_ram(gpa, 1):
            raise MemoryError_(f"guest-physical address {gpa:#x} is outside the VM's RAM")
        need = 1 + ((gpa >> 30) not in self._l1) + ((gpa >> 21) not in self._l0)
        if self.host.free_frames < need:
            raise HostMemoryExhausted(
                f"host RAM exhausted: {self.host.total_frames * PAGE >> 20} MiB are all in use by VMs"
            )
        l1 = self._table(self._l1, gpa >> 30, self.root, (gpa >> 30) & 0x7FF)
        l0 = self._table(self._l0, gpa >> 21, l1, (gpa >> 21) & 0x1FF)
        fr = self.host.alloc()
        self.pages[gpn] = fr
        self._set_pte(l0, (gpa >> 12) & 0x1FF, ((self.host.frame_addr(fr) >> PAGE_SHIFT) << 10) | LEAF)
        self.stats.pages_mapped = len(self.pages)
        return fr

    # runs when the VM is destroyed, and before a reboot: every frame back to the host, tables too
    def release(self) -> None:
        frames = list(self.pages.values()) + self._tables
        self.pages.clear()
        self._l1.clear()
        self._l0.clear()
        self._tables = []
        self.host.free(frames)
        self.root = -1
        self.generation += 1
        self.stats.pages_mapped = 0
        self.stats.table_frames = 0

    # runs when a VM reboots: empty RAM and a new root, as at creation
    def reset(self) -> None:
        self.release()
        self._make_root()

    # runs for stats: host bytes behind this VM's memory (pages, tables, the page map)
    @property
    def host_bytes(self) -> int:
        return (len(self.pages) + len(self._tables)) * PAGE

    # ---- the Machine-like interface (virtio GuestMemory, loaders' PhysMemory) -------------------
    # runs when a device or firmware validates a guest-supplied address
    def in_ram(self, addr: int, n: int) -> bool:
        off = addr - self.ram_base
        return 0 <= off and n >= 0 and off + n <= self.ram_size

    # runs before every Python access: raise MemoryError_ for a range outside RAM
    def _check(self, addr: int, n: int) -> None:
        if not self.in_ram(addr, n):
            raise MemoryError_(f"guest-physical range {addr:#x}+{n:#x} is outside the VM's RAM")

    # runs for DMA reads (virtio), SBI DBCN and reports: untouched pages read as zeroes
    def read_phys(self, addr: int, n: int) -> bytes:
        self._check(addr, n)
        ram = self.host.machine.ram
        out = bytearray()
        while n > 0:
            k = min(n, PAGE - (addr & (PAGE - 1)))
            fr = self.pages.get(addr >> PAGE_SHIFT)
            if fr is None:
                out += bytes(k)
            else:
                off = fr * PAGE + (addr & (PAGE - 1))
                out += ram[off : off + k].tobytes()
            addr += k
            n -= k
        return bytes(out)

    # runs for DMA writes (virtio), loaders and SBI DBCN reads: zeroes into untouched pages map nothing
    def write_phys(self, addr: int, data: bytes | bytearray | memoryview) -> None:
        buf = bytes(data)
        self._check(addr, len(buf))
        ram = self.host.machine.ram
        pos = 0
        while pos < len(buf):
            k = min(len(buf) - pos, PAGE - (addr & (PAGE - 1)))
            chunk = buf[pos : pos + k]
            fr = self.pages.get(addr >> PAGE_SHIFT)
            if fr is None:
                if not any(chunk):
                    addr += k
                    pos += k
                    continue  # a fresh page reads as zeroes already
                fr = self.map_page(addr)
                self.stats.python_writes += 1
            off = fr * PAGE + (addr & (PAGE - 1))
            ram[off : off + k] = np.frombuffer(chunk, dtype=np.uint8)
            addr += k
            pos += k

    # runs when Python reads a 64-bit word of guest memory (SBI arguments, page walks)
    def read_u64(self, addr: int) -> int:
        return int.from_bytes(self.read_phys(addr, 8), "little")

    # runs when Python writes a 64-bit word of guest memory
    def write_u64(self, addr: int, value: int) -> None:
        self.write_phys(addr, (value & (2**64 - 1)).to_bytes(8, "little"))
