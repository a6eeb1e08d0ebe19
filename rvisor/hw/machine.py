"""The processor complex of one board: harts, RAM and MROM as numpy arrays.

``Machine`` allocates the arrays described in ``rvisor.hw.layout`` and
offers the small Python API that devices, firmware and the VMM use between
engine runs (physical memory access, interrupt lines, TLB flushes).  Running
instructions is ``rvisor.hw.engine.run``; assembling devices around a
``Machine`` is ``rvisor.hw.board``.

Translation contexts: the TLB keeps the entries of several address spaces at
once, tagged by context (host satp; guest vsatp and hgatp, i.e. guest ASID and
VMID; see ``rvisor.hw.tlb``).  Each engine run starts by selecting the contexts
that match the hart's satp, vsatp and hgatp, so Python code that switches a
hart to another VM or vCPU by writing those registers straight into ``csr``
between runs needs no flush, and the other contexts' entries survive the
switch.  ``flush_tlb`` is for page tables changed without a fence, or a VMID or
ASID reused (with the same root) for different tables.
"""

from __future__ import annotations

import functools

import numba
import numpy as np

from rvisor.hw import layout as L
from rvisor.hw.csr import mip_value, reset_csrs
from rvisor.hw.rvc import build_table
from rvisor.hw.tlb import TLB_SHAPE, reset_contexts


class MemoryError_(Exception):
    """A physical access outside RAM from Python (a device's DMA, a loader)."""


class Machine:
    """State of ``nharts`` RV64GC harts sharing ``ram_size`` bytes of DRAM."""

    # runs once per board: zeroed RAM and every hart at its reset state
    def __init__(
        self, nharts: int = 1, ram_size: int = 128 << 20, ram_base: int = L.DRAM_BASE, hext: bool = True
    ):
        if nharts < 1 or nharts > L.MAX_HARTS:
            raise ValueError(f"number of harts must be 1..{L.MAX_HARTS}, not {nharts}")
        self.nharts = nharts
        self.hext = hext  # the hypervisor extension (misa.H) is present
        self.ram_base = ram_base
        self.ram_size = ram_size
        self.ram = np.zeros(ram_size, dtype=np.uint8)
        self.rom = np.zeros(L.ROM_SIZE, dtype=np.uint8)
        self.x = np.zeros((nharts, 32), dtype=np.int64)
        self.f = np.zeros((nharts, 32), dtype=np.int64)
        self.csr = np.zeros((nharts, 4096), dtype=np.int64)
        self.hs = np.zeros((nharts, L.HS_SIZE), dtype=np.int64)
        self.cnt = np.zeros((nharts, L.CNT_SIZE), dtype=np.int64)
        self.mach = np.zeros(L.M_SIZE, dtype=np.int64)
        self.tlb = np.full((nharts,) + TLB_SHAPE, -1, dtype=np.int64)
        if ram_size % 4096:
            raise ValueError(f"RAM size must be a multiple of 4 KiB, not {ram_size}")
        # little-endian views of RAM for aligned accesses (the host is little-endian)
        self.r16 = self.ram.view(np.int16)
        self.r32 = self.ram.view(np.int32)
        self.r64 = self.ram.view(np.int64)
        self.ctab = build_table()
        self.mach[L.M_RAM_BASE] = ram_base
        self.mach[L.M_RAM_SIZE] = ram_size
        self.mach[L.M_IPT] = 10
        self.mach[L.M_TOHOST] = -1
        self.mach[L.M_NHARTS] = nharts
        self.mach[L.M_YIELD_MIN] = 2000 if nharts > 1 else 1 << 62  # one hart never yields
        for h in range(nharts):
            self.reset_hart(h)

    # runs at power-on and on a system reset: architectural reset state (priv 3.4)
    def reset_hart(self, h: int, pc: int = L.ROM_BASE) -> None:
        self.x[h] = 0
        self.f[h] = 0
        self.hs[h] = 0
        self.hs[h, L.HS_PC] = pc
        self.hs[h, L.HS_PRIV] = L.PRV_M
        self.hs[h, L.HS_HARTID] = h
        self.hs[h, L.HS_MTIMECMP] = -1 & 0x7FFFFFFFFFFFFFFF
        self.hs[h, L.HS_SBI_TIMECMP] = 0x7FFFFFFFFFFFFFFF
        self.hs[h, L.HS_FETCH_PAGE] = -1
        self.hs[h, L.HS_EVENT] = 1
        reset_csrs(self.csr[h], h, self.hext)
        reset_contexts(self.hs[h])
        self.tlb[h] = -1

    # ---- running -----------------------------------------------------------------------
    # runs before the first timed run of a process
    @staticmethod
    @functools.cache
    def load_engine() -> None:
        """Compile the engine, or load it from Numba's disk cache, once per process.

        Runs before a timed run starts, so that figures measure guest work, not compilation.
        """
        Machine(1, 4096).run(0, 0)

    # runs once per slice: hart h executes up to `budget` instructions; returns the exit reason
    def run(self, h: int, budget: int) -> int:
        from rvisor.hw.engine import run

        if numba.config.DISABLE_JIT:
            # plain Python: numpy warns on the 64-bit wrap-around that RISC-V arithmetic relies on
            with np.errstate(over="ignore"):
                return int(run(h, budget, self.ram, self.r16, self.r32, self.r64, self.rom, self.ctab,
                               self.x, self.f, self.csr, self.hs, self.cnt, self.mach, self.tlb))

        return int(
            run(
                h,
                budget,
                self.ram,
                self.r16,
                self.r32,
                self.r64,
                self.rom,
                self.ctab,
                self.x,
                self.f,
                self.csr,
                self.hs,
                self.cnt,
                self.mach,
                self.tlb,
            )
        )

    # runs for a hart parked in WFI: is an enabled interrupt pending (mip & mie != 0)?
    def interrupt_pending(self, h: int) -> bool:
        return bool(
            int(mip_value(h, self.csr, self.hs, int(self.mach[L.M_MTIME]))) & int(self.csr[h, L.CSR_MIE])
        )

    # ---- physical memory, as devices and loaders see it ------------------------------
    # runs on every Python access to RAM: index into `ram`, or MemoryError_ outside it
    def ram_offset(self, addr: int, n: int) -> int:
        off = addr - self.ram_base
        if off < 0 or n < 0 or off + n > self.ram_size:
            raise MemoryError_(f"physical range {addr:#x}+{n:#x} is outside RAM")
        return off

    # runs when a device or firmware validates a guest-supplied address
    def in_ram(self, addr: int, n: int) -> bool:
        off = addr - self.ram_base
        return 0 <= off and n >= 0 and off + n <= self.ram_size

    # runs for DMA reads (virtio), firmware and loaders
    def read_phys(self, addr: int, n: int) -> bytes:
        off = self.ram_offset(addr, n)
        return self.ram[off : off + n].tobytes()

    # runs for DMA writes (virtio), firmware and loaders
    def write_phys(self, addr: int, data: bytes | bytearray | memoryview) -> None:
        off = self.ram_offset(addr, len(data))
        self.ram[off : off + len(data)] = np.frombuffer(bytes(data), dtype=np.uint8)

    # runs when Python reads a 64-bit word of guest memory (HTIF, SBI arguments)
    def read_u64(self, addr: int) -> int:
        return int.from_bytes(self.read_phys(addr, 8), "little")

    # runs when Python writes a 64-bit word of guest memory
    def write_u64(self, addr: int, value: int) -> None:
        self.write_phys(addr, (value & (2**64 - 1)).to_bytes(8, "little"))

    # ---- registers -----------------------------------------------------------------------
    # runs when firmware or devices read a guest register
    def reg(self, h: int, r: int) -> int:
        """x[r] of hart h as an unsigned 64-bit Python int."""
        return int(self.x[h, r]) & (2**64 - 1)

    # runs when an MMIO load or an SBI call returns a value into a register
    def set_reg(self, h: int, r: int, value: int) -> None:
        if r:
            v = value & (2**64 - 1)
            self.x[h, r] = v - (1 << 64) if v >> 63 else v

    # ---- interrupts ------------------------------------------------------------------------
    # runs when the PLIC's output for a hart context changes (bit 11 MEIP, bit 9 SEIP)
    def set_external_irq(self, h: int, bit: int, level: bool) -> None:
        if level:
            self.hs[h, L.HS_EXT_IRQ] |= 1 << bit
        else:
            self.hs[h, L.HS_EXT_IRQ] &= ~(1 << bit)
        self.wake(h)

    # runs when firmware or the VMM sets a software-writable mip bit (SSIP, STIP, SEIP)
    def set_mip(self, h: int, bit: int, level: bool) -> None:
        if level:
            self.csr[h, L.CSR_MIP] |= 1 << bit
        else:
            self.csr[h, L.CSR_MIP] &= ~(1 << bit)
        self.wake(h)

    # runs when something may have made an interrupt pending for hart h
    def wake(self, h: int) -> None:
        self.hs[h, L.HS_EVENT] = 1
        if self.hs[h, L.HS_STATE] == L.HART_WFI:
            self.hs[h, L.HS_STATE] = L.HART_RUNNING

    # ---- engine-resident devices (rvisor.hw.edev) ------------------------------------
    # runs while the board is assembled: give a device window to the engine; returns its block base
    def attach_engine_device(self, kind: int, base: int, size: int) -> int:
        k = int(self.mach[L.M_EDEV_COUNT])
        if k >= L.EDEV_MAX:
            raise ValueError(f"at most {L.EDEV_MAX} engine-resident device windows fit in a machine")
        for j in range(k):
            o = L.M_EDEV + j * L.EDEV_STRIDE
            ob, osz = int(self.mach[o + L.ED_BASE]), int(self.mach[o + L.ED_SIZE])
            if base < ob + osz and ob < base + size:
                raise ValueError(f"engine device window {base:#x}+{size:#x} overlaps another one")
        b = L.M_EDEV + k * L.EDEV_STRIDE
        self.mach[b : b + L.EDEV_STRIDE] = 0
        self.mach[b + L.ED_KIND] = kind
        self.mach[b + L.ED_BASE] = base
        self.mach[b + L.ED_SIZE] = size
        self.mach[L.M_EDEV_COUNT] = k + 1
        return b

    # ---- address translation -------------------------------------------------------
    # runs on sfence.vma done on a hart's behalf (SBI remote fence), and when page tables changed
    # without a fence; a satp/vsatp/hgatp change from Python needs none (the next run selects it)
    def flush_tlb(self, h: int) -> None:
        """Drop every cached translation of hart h, of every context (the context slots stay)."""
        self.tlb[h] = -1
        self.hs[h, L.HS_FETCH_PAGE] = -1

    # ---- time -------------------------------------------------------------------------
    # runs for reports: the CLINT time at the end of the last engine run
    @property
    def mtime(self) -> int:
        return int(self.mach[L.M_MTIME])
