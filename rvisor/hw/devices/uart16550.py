"""NS16550A UART as on QEMU ``virt`` (``compatible = "ns16550a"``, reg-shift 0).

Register set (National Semiconductor PC16550D data sheet, "Register
Description", table 2 "Summary of Registers"):

====  ======================  =======================
off   read                    write
====  ======================  =======================
0     RBR (DLL when DLAB)     THR (DLL when DLAB)
1     IER (DLM when DLAB)     IER (DLM when DLAB)
2     IIR                     FCR
3     LCR                     LCR
4     MCR                     MCR
5     LSR                     (factory test: ignored)
6     MSR                     (ignored)
7     SCR                     SCR
====  ======================  =======================

The register file lives in the engine (``rvisor.hw.uart``, an
engine-resident device window, see ``rvisor.hw.edev``): guest loads and
stores never leave the engine, so a guest polling LSR runs at full speed.
This class is the device's Python side, shaped like every other device:
it drains transmitted bytes to the console backend, stages typed input for
the receive FIFO, drives the PLIC line when the engine says the level
changed, and offers metrics and snapshot state.  Its ``read``/``write``
run the same register code for Python callers (tests, a debugger).

Interrupt semantics are QEMU's (``hw/char/serial.c``): the line is driven
to its level wherever ``serial_update_irq`` runs, and QEMU's PLIC pends
the source on every such raise — so a driver that enables THRE and never
reads IIR (xv6) gets one interrupt per transmitted byte.  The PLIC's
pending bit for the UART's source is mirrored into the device block, so
the engine leaves for Python only when a raise or lower would change it.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from rvisor.hw import layout as L
from rvisor.hw import uart as U
from rvisor.hw.bus import Device, IrqSetter
from rvisor.hw.uart import (  # noqa: F401  (register names re-exported for drivers and tests)
    FCR_CLEAR_RX,
    FCR_CLEAR_TX,
    FCR_ENABLE,
    IER_MS,
    IER_RDA,
    IER_RLS,
    IER_THRE,
    IIR_FIFO,
    IIR_MS,
    IIR_NONE,
    IIR_RDA,
    IIR_RLS,
    IIR_THRE,
    IIR_TIMEOUT,
    LCR_DLAB,
    LSR_BI,
    LSR_DR,
    LSR_ERRORS,
    LSR_FE,
    LSR_OE,
    LSR_PE,
    LSR_TEMT,
    LSR_THRE,
    MCR_DTR,
    MCR_LOOP,
    MCR_OUT1,
    MCR_OUT2,
    MCR_RTS,
    MSR_CTS,
    MSR_DCD,
    MSR_DSR,
    MSR_RI,
    RX_FIFO_SIZE,
)

#: QEMU virt's UART input clock, the device tree's clock-frequency
UART_CLOCK_HZ = 3_686_400

#: register slots saved in a snapshot (FIFO contents and staged input are saved as bytes)
_SNAP_REGS = {
    "ier": U.U_IER,
    "fcr": U.U_FCR,
    "lcr": U.U_LCR,
    "mcr": U.U_MCR,
    "lsr_err": U.U_LSR_ERR,
    "scr": U.U_SCR,
    "dll": U.U_DLL,
    "dlm": U.U_DLM,
    "thr_ipending": U.U_THR_IPENDING,
    "msr_delta": U.U_MSR_DELTA,
}


class ConsoleIO(Protocol):
    """What the UART needs from a console backend (see ``rvisor.hw.console``)."""

    # runs for every batch of bytes the guest transmitted
    def write(self, data: bytes) -> None: ...

    # runs when the staging buffer has room: up to n bytes of input, never blocking
    def read(self, n: int) -> bytes: ...


class Uart16550(Device):
    """An ns16550a with a 16-byte receive FIFO.

    ``console`` is a backend from ``rvisor.hw.console`` (anything with
    ``write(bytes)`` and a non-blocking ``read(n) -> bytes``); ``irq`` is the
    PLIC line (an ``IrqLine`` or any callable taking the level).  ``machine``
    gives the engine the register file (``Machine.attach_engine_device``);
    without one the device keeps its state in an array of its own and is
    reached only through ``read``/``write``.
    """

    # runs once while the board is assembled
    def __init__(
        self,
        console: ConsoleIO | None,
        irq: IrqSetter | None = None,
        base: int = L.UART0_BASE,
        size: int = 0x100,
        name: str = "uart0",
        machine: Any = None,
    ) -> None:
        super().__init__(name, base, size)
        self.console = console
        self.irq = irq
        if machine is not None:
            self.state: np.ndarray = machine.mach
            self.block = machine.attach_engine_device(L.EDEV_UART16550, base, size)
        else:
            self.state = np.zeros(L.EDEV_STRIDE, dtype=np.int64)
            self.block = 0
            self.state[L.ED_KIND] = L.EDEV_UART16550
            self.state[L.ED_BASE] = base
            self.state[L.ED_SIZE] = size
        mirror = getattr(irq, "mirror_pending", None)
        if mirror is not None:
            mirror(self.state, self.block + L.ED_IRQ_PENDING)  # the PLIC keeps the mirror exact
        self.reset()

    # ---- state views -------------------------------------------------------------------
    # runs whenever Python needs a register slot of the device block
    def _slot(self, i: int) -> int:
        return int(self.state[self.block + i])

    # runs on metric reports: the engine-side counters by name
    @property
    def metrics(self) -> dict[str, int]:  # type: ignore[override]
        return {k: self._slot(i) for k, i in U.METRICS.items() if self._slot(i)}

    @metrics.setter
    def metrics(self, value: dict[str, int]) -> None:
        return None  # counters live in the engine state; Device.__init__ assigns an empty dict

    # runs when a test or report asks what the receive FIFO holds
    @property
    def rx(self) -> bytes:
        head, n = self._slot(U.U_RX_HEAD), self._slot(U.U_RX_COUNT)
        return bytes(self._slot(U.U_RX + (head + i) % RX_FIFO_SIZE) for i in range(n))

    # runs when a test or report asks for staged console input not yet in the FIFO
    @property
    def staged(self) -> bytes:
        head, n = self._slot(U.U_IN_HEAD), self._slot(U.U_IN_COUNT)
        return bytes(self._slot(U.U_IN + (head + i) % U.IN_SIZE) for i in range(n))

    # runs when a caller asks for the programmed baud-rate divisor (DLM:DLL)
    @property
    def divisor(self) -> int:
        return self._slot(U.U_DLM) << 8 | self._slot(U.U_DLL)

    # runs at power-on and on a system reset
    def reset(self) -> None:
        U.uart_reset(self.state, self.block)
        self.service()

    # ---- the host side -----------------------------------------------------------------
    # runs after every engine exit and before firmware prints: drain output, propagate the line
    def service(self) -> None:
        st, b = self.state, self.block
        n = int(st[b + U.U_TX_COUNT])
        if n:
            data = st[b + U.U_TX : b + U.U_TX + n].astype(np.uint8).tobytes()
            st[b + U.U_TX_COUNT] = 0
            if self.console is not None:
                self.console.write(data)
        # only when the device re-evaluated its line with a level that differs from the PLIC's
        # pending bit: a line that merely stayed high after a claim must not pend the source again
        if st[b + L.ED_EVENT] & L.EV_IRQ:
            level = bool(st[b + L.ED_IRQ_LEVEL])
            # the PLIC sets its pending bit to the level (QEMU: sifive_plic_irq_request); with an
            # IrqLine it also writes the mirror, for any other callable the mirror follows the level
            st[b + L.ED_IRQ_PENDING] = int(level)
            if self.irq is not None:
                self.irq(level)
        st[b + L.ED_EVENT] = 0

    # runs between engine slices: stage typed input, let it into the FIFO as room allows
    def poll(self) -> None:
        st, b = self.state, self.block
        if self.console is None or st[b + U.U_MCR] & MCR_LOOP:
            return
        room = U.IN_SIZE - int(st[b + U.U_IN_COUNT])
        if room > 0:
            data = self.console.read(room)
            head, n = int(st[b + U.U_IN_HEAD]), int(st[b + U.U_IN_COUNT])
            for i, byte in enumerate(data):
                st[b + U.U_IN + (head + n + i) % U.IN_SIZE] = byte
            st[b + U.U_IN_COUNT] = n + len(data)
        # staged bytes move on whenever the FIFO has room, new input or not (a driver that cleared
        # its FIFO at start-up gets what was typed ahead)
        if st[b + U.U_IN_COUNT] and U.uart_refill(st, b):
            U.uart_update(st, b)  # QEMU's serial_receive1 ends with serial_update_irq
        self.service()

    # ---- register interface for Python callers -------------------------------------------
    # runs when Python (a test, a debugger) loads from the UART window
    def read(self, offset: int, size: int) -> int:
        v, _ = U.uart_load(self.state, self.block, offset)
        self.service()
        return int(v)

    # runs when Python stores to the UART window
    def write(self, offset: int, size: int, value: int) -> None:
        # registers are 8 bits wide; an unsigned 64-bit value would not fit the engine's int64
        U.uart_store(self.state, self.block, offset, value & 0xFF)
        self.service()

    # ---- snapshots -----------------------------------------------------------------------
    # runs when a snapshot is taken
    def snapshot(self) -> dict[str, Any]:
        return {**{k: self._slot(i) for k, i in _SNAP_REGS.items()}, "rx": self.rx, "staged": self.staged}

    # runs when a snapshot is restored
    def restore(self, state: dict[str, Any]) -> None:
        U.uart_reset(self.state, self.block)
        st, b = self.state, self.block
        for k, i in _SNAP_REGS.items():
            st[b + i] = state[k]
        for j, byte in enumerate(state["rx"]):
            st[b + U.U_RX + j] = byte
        st[b + U.U_RX_COUNT] = len(state["rx"])
        for j, byte in enumerate(state.get("staged", b"")):
            st[b + U.U_IN + j] = byte
        st[b + U.U_IN_COUNT] = len(state.get("staged", b""))
        U.uart_update(st, b)
        self.service()
