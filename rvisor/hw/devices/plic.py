"""SiFive PLIC (platform-level interrupt controller) as on QEMU ``virt``.

Register map (SiFive "Platform-Level Interrupt Controller" chapter of the
FU540-C000 manual, and the RISC-V PLIC specification 1.0.0, sections
"Memory Map", "Interrupt Priorities", "Interrupt Pending Bits",
"Interrupt Enables", "Priority Thresholds", "Interrupt Claim Process" and
"Interrupt Completion"):

====================  ==========================================
``0x000000 + 4*i``    priority of source i (source 0 does not exist)
``0x001000``          pending bits, 32 sources per word (read-only)
``0x002000 + 0x80*c`` enable bits of context c
``0x200000 + 0x1000*c``  priority threshold of context c
``... + 4``           claim (read) / complete (write) of context c
====================  ==========================================

Contexts follow QEMU virt: context ``2*h`` is hart h in M-mode (drives
MEIP, mip bit 11) and ``2*h + 1`` is hart h in S-mode (drives SEIP, bit 9).
``riscv,ndev`` in QEMU 7.2's tree is 0x60, so sources 1..96 exist.

Pending and claim semantics are QEMU's (``hw/intc/sifive_plic.c``), which
guests built for ``virt`` depend on: every time a device drives its line
(``qemu_set_irq``, at each point where the device re-evaluates its
interrupt condition) the source's pending bit is set to the level — a raise
pends it, even while it is claimed, and a lower withdraws the request.
Claiming clears the pending bit and marks the source claimed; completing
only ends the claim: a line that stayed high without being raised again
does not pend the source again.  So xv6, which enables the UART's THRE
interrupt and never reads IIR, gets one interrupt per transmitted byte
(each THR write raises the line) instead of an endless storm.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rvisor.hw import layout as L
from rvisor.hw.bus import Device

PRIORITY_BASE = 0x000000
PENDING_BASE = 0x001000
ENABLE_BASE = 0x002000
ENABLE_STRIDE = 0x80
CONTEXT_BASE = 0x200000
CONTEXT_STRIDE = 0x1000

#: number of sources as QEMU 7.2's device tree states (riscv,ndev)
QEMU_VIRT_NDEV = 0x60
#: priorities are 3 bits wide on QEMU virt (VIRT_PLIC_NUM_PRIORITIES = 7)
PRIORITY_MASK = 0x7

OnChange = Callable[[int, int, bool], None]


class IrqLine:
    """One level-triggered interrupt wire from a device into the PLIC.

    Devices keep the line and call ``set(level)`` (or the line itself,
    ``line(level)``) whenever their interrupt condition changes.
    """

    __slots__ = ("_plic", "irq")

    # runs while the board is assembled (through Plic.line)
    def __init__(self, plic: Plic, irq: int) -> None:
        self._plic = plic
        self.irq = irq

    # runs when the owning device's interrupt condition is re-evaluated
    def set(self, level: bool) -> None:
        self._plic.set_level(self.irq, bool(level))

    # runs when a device uses the line as a plain callable
    def __call__(self, level: bool) -> None:
        self.set(level)

    # runs when a device asserts its interrupt
    def raise_(self) -> None:
        self.set(True)

    # runs when a device deasserts its interrupt
    def lower(self) -> None:
        self.set(False)

    # runs when a device or test asks whether the line is high
    @property
    def level(self) -> bool:
        return self._plic.level(self.irq)

    # runs while the board is assembled: an engine-resident device mirrors this source's pending bit
    def mirror_pending(self, array: Any, index: int) -> None:
        self._plic.add_mirror(self.irq, array, index)


@dataclass
class PlicContext:
    """Per-context registers: enable bits (as one int), threshold, output."""

    enable: int = 0
    threshold: int = 0
    output: bool = False


class Plic(Device):
    """The PLIC of a board with ``nharts`` harts.

    ``on_change(hart, bit, level)`` is called whenever a context's
    interrupt output changes; the board wires it to
    ``Machine.set_external_irq``.
    """

    # runs once while the board is assembled
    def __init__(
        self,
        nharts: int,
        on_change: OnChange | None = None,
        base: int = L.PLIC_BASE,
        size: int = L.PLIC_SIZE,
        ndev: int = QEMU_VIRT_NDEV,
        name: str = "plic",
    ) -> None:
        super().__init__(name, base, size)
        self.nharts = nharts
        self.ndev = ndev
        self.on_change = on_change
        self.nsources = ndev + 1  # source ids 0..ndev, 0 means "none"
        self._valid = ((1 << self.nsources) - 1) & ~1
        self.priority = [0] * self.nsources
        self.pending = 0  # bit i: source i pending
        self.in_service = 0  # bit i: claimed, not yet completed
        self.levels = 0  # bit i: the device's line is high (for reports; QEMU keeps no levels)
        self.contexts = [PlicContext() for _ in range(2 * nharts)]
        self._mirrors: list[tuple[int, Any, int]] = []  # (irq, array, index) kept equal to pending

    # ---- wiring ------------------------------------------------------------------
    # runs while the board is assembled: hand a device its interrupt wire
    def line(self, irq: int) -> IrqLine:
        if not 1 <= irq <= self.ndev:
            raise ValueError(f"PLIC source {irq} out of range 1..{self.ndev}")
        return IrqLine(self, irq)

    # runs whenever a device drives its line (through IrqLine.set): QEMU's sifive_plic_irq_request
    def set_level(self, irq: int, level: bool) -> None:
        bit = 1 << irq
        if level:
            if not self.levels & bit:
                self.count("irq_edges")
            self.levels |= bit
            self.pending |= bit
            self.count("raises")
        else:
            self.levels &= ~bit
            self.pending &= ~bit
        self._update()

    # runs while the board is assembled: keep array[index] equal to source irq's pending bit
    def add_mirror(self, irq: int, array: Any, index: int) -> None:
        self._mirrors.append((irq, array, index))
        array[index] = self.pending >> irq & 1

    # runs when a device or test asks whether a line is high
    def level(self, irq: int) -> bool:
        return bool(self.levels >> irq & 1)

    # ---- core logic ------------------------------------------------------------------
    # runs on claim and on every output recomputation: best pending source of a context
    def _best(self, ctx: PlicContext) -> int:
        cand = self.pending & ~self.in_service & ctx.enable
        best, best_prio = 0, ctx.threshold
        while cand:
            low = cand & -cand
            irq = low.bit_length() - 1
            cand ^= low
            p = self.priority[irq]
            if p > best_prio:  # strict: ties keep the lower id
                best, best_prio = irq, p
        return best

    # runs after any register or line change: recompute outputs, report changes
    def _update(self) -> None:
        for irq, array, index in self._mirrors:
            array[index] = self.pending >> irq & 1
        for c, ctx in enumerate(self.contexts):
            out = self._best(ctx) != 0
            if out != ctx.output:
                ctx.output = out
                self.count("output_changes")
                if self.on_change is not None:
                    hart, smode = divmod(c, 2)
                    self.on_change(hart, L.IRQ_SEI if smode else L.IRQ_MEI, out)

    # runs when the board (re)connects the outputs: push every output level again
    def sync(self) -> None:
        if self.on_change is None:
            return
        for c, ctx in enumerate(self.contexts):
            hart, smode = divmod(c, 2)
            self.on_change(hart, L.IRQ_SEI if smode else L.IRQ_MEI, ctx.output)

    # runs when a hart reads the claim register of context c
    def claim(self, c: int) -> int:
        ctx = self.contexts[c]
        irq = self._best(ctx)
        if irq:
            bit = 1 << irq
            self.pending &= ~bit
            self.in_service |= bit
            self.count("claims")
            self._update()
        else:
            self.count("empty_claims")
        return irq

    # runs when a hart writes the complete register of context c: the claim ends (QEMU checks
    # neither the enable bits nor the line; a source pends again only when its device raises it)
    def complete(self, c: int, irq: int) -> None:
        bit = 1 << irq
        if not 1 <= irq <= self.ndev or not self.in_service & bit:
            self.count("bad_completes")
            return
        self.in_service &= ~bit
        self.count("completes")
        self._update()

    # ---- register interface ------------------------------------------------------------
    # runs on a guest load from the PLIC window
    def read(self, offset: int, size: int) -> int:
        if size == 8:
            return self.read(offset, 4) | (self.read(offset + 4, 4) << 32)
        word = self._read32(offset & ~3)
        return (word >> (8 * (offset & 3))) & ((1 << (8 * size)) - 1)

    # runs on a guest store to the PLIC window
    def write(self, offset: int, size: int, value: int) -> None:
        if size == 8:
            self.write(offset, 4, value & 0xFFFFFFFF)
            self.write(offset + 4, 4, value >> 32)
            return
        if size != 4 or offset & 3:
            self.count("narrow_writes")  # registers are 32-bit; ignore partial writes
            return
        self._write32(offset, value & 0xFFFFFFFF)

    # runs for each aligned 32-bit register read
    def _read32(self, off: int) -> int:
        if off < PENDING_BASE:
            irq = off // 4
            return self.priority[irq] if irq < self.nsources else 0
        if off < ENABLE_BASE:
            w = (off - PENDING_BASE) // 4
            return (self.pending >> (32 * w)) & 0xFFFFFFFF
        if off < CONTEXT_BASE:
            c, r = divmod(off - ENABLE_BASE, ENABLE_STRIDE)
            if c < len(self.contexts):
                return (self.contexts[c].enable >> (32 * (r // 4))) & 0xFFFFFFFF
            return 0
        c, r = divmod(off - CONTEXT_BASE, CONTEXT_STRIDE)
        if c >= len(self.contexts):
            return 0
        if r == 0:
            return self.contexts[c].threshold
        if r == 4:
            return self.claim(c)
        return 0

    # runs for each aligned 32-bit register write
    def _write32(self, off: int, value: int) -> None:
        if off < PENDING_BASE:
            irq = off // 4
            if 1 <= irq < self.nsources:
                self.priority[irq] = value & PRIORITY_MASK
                self._update()
            return
        if off < ENABLE_BASE:
            return  # pending bits are read-only
        if off < CONTEXT_BASE:
            c, r = divmod(off - ENABLE_BASE, ENABLE_STRIDE)
            if c < len(self.contexts):
                shift = 32 * (r // 4)
                ctx = self.contexts[c]
                en = (ctx.enable & ~(0xFFFFFFFF << shift)) | (value << shift)
                ctx.enable = en & self._valid
                self._update()
            return
        c, r = divmod(off - CONTEXT_BASE, CONTEXT_STRIDE)
        if c >= len(self.contexts):
            return
        if r == 0:
            self.contexts[c].threshold = value & PRIORITY_MASK
            self._update()
        elif r == 4:
            self.complete(c, value)

    # runs when a snapshot is taken
    def snapshot(self) -> dict[str, Any]:
        return {
            "priority": list(self.priority),
            "pending": self.pending,
            "in_service": self.in_service,
            "levels": self.levels,
            "enable": [c.enable for c in self.contexts],
            "threshold": [c.threshold for c in self.contexts],
            "output": [c.output for c in self.contexts],
        }

    # runs when a snapshot is restored
    def restore(self, state: dict[str, Any]) -> None:
        self.priority = list(state["priority"])
        self.pending = state["pending"]
        self.in_service = state["in_service"]
        self.levels = state["levels"]
        for ctx, en, th, out in zip(
            self.contexts, state["enable"], state["threshold"], state["output"], strict=True
        ):
            ctx.enable, ctx.threshold, ctx.output = en, th, out
        self.sync()

    # runs on a system reset
    def reset(self) -> None:
        self.priority = [0] * self.nsources
        self.pending = 0  # QEMU's reset clears pending and claimed bits
        self.in_service = 0
        for ctx in self.contexts:
            ctx.enable = 0
            ctx.threshold = 0
        self._update()
