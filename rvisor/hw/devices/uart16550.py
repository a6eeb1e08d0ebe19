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

Interrupt identification (data sheet table 4): IIR bit 0 = 1 means none
pending; otherwise bits 3..1 name the highest-priority source: 0x6
receiver line status (overrun), 0x4 received data available (FIFO at
trigger level), 0xC character timeout (data below trigger level: the
timeout is taken as already elapsed), 0x2 THR empty, 0x0 modem status.
Bits 7..6 read 11 while the FIFOs are enabled.

Transmission is instantaneous: a byte written to THR goes to the console
backend (or, with MCR loopback, into the receive FIFO) and THR is empty
again at once.  Input arrives from the backend in ``poll()``; only as many
bytes are taken as the receive FIFO (16 bytes, or 1 without FIFOs) holds,
so nothing is lost while the guest is slow.
"""

from __future__ import annotations

from collections import deque
from typing import Any, Protocol

from rvisor.hw import layout as L
from rvisor.hw.bus import Device, IrqSetter

RX_FIFO_SIZE = 16

IER_RDA = 0x01  # received data available
IER_THRE = 0x02  # transmitter holding register empty
IER_RLS = 0x04  # receiver line status
IER_MS = 0x08  # modem status

IIR_NONE = 0x01
IIR_RLS = 0x06
IIR_RDA = 0x04
IIR_TIMEOUT = 0x0C
IIR_THRE = 0x02
IIR_MS = 0x00
IIR_FIFO = 0xC0

FCR_ENABLE = 0x01
FCR_CLEAR_RX = 0x02
FCR_CLEAR_TX = 0x04

LCR_DLAB = 0x80

MCR_DTR = 0x01
MCR_RTS = 0x02
MCR_OUT1 = 0x04
MCR_OUT2 = 0x08
MCR_LOOP = 0x10

LSR_DR = 0x01
LSR_OE = 0x02
LSR_PE = 0x04
LSR_FE = 0x08
LSR_BI = 0x10
LSR_THRE = 0x20
LSR_TEMT = 0x40
LSR_ERRORS = LSR_OE | LSR_PE | LSR_FE | LSR_BI

MSR_CTS = 0x10
MSR_DSR = 0x20
MSR_RI = 0x40
MSR_DCD = 0x80

RX_TRIGGER = (1, 4, 8, 14)  # FCR bits 7..6

#: QEMU virt's UART input clock, the device tree's clock-frequency
UART_CLOCK_HZ = 3_686_400


class ConsoleIO(Protocol):
    """What the UART needs from a console backend (see ``rvisor.hw.console``)."""

    # runs for every byte the guest transmits
    def write(self, data: bytes) -> None: ...

    # runs when the receive FIFO has room: up to n bytes of input, never blocking
    def read(self, n: int) -> bytes: ...


class Uart16550(Device):
    """An ns16550a with a 16-byte receive FIFO.

    ``console`` is a backend from ``rvisor.hw.console`` (anything with
    ``write(bytes)`` and a non-blocking ``read(n) -> bytes``); ``irq`` is the
    PLIC line (an ``IrqLine`` or any callable taking the level).
    """

    # runs once while the board is assembled
    def __init__(
        self,
        console: ConsoleIO | None,
        irq: IrqSetter | None = None,
        base: int = L.UART0_BASE,
        size: int = 0x100,
        name: str = "uart0",
    ) -> None:
        super().__init__(name, base, size)
        self.console = console
        self.irq = irq
        self._irq_level = False
        self.reset()

    # runs at power-on and on a system reset
    def reset(self) -> None:
        self.rx: deque[int] = deque()
        self.ier = 0
        self.fcr = 0
        self.lcr = 0x03  # 8N1 is what firmware expects to find
        self.mcr = MCR_OUT2
        self.lsr_err = 0  # sticky error bits, cleared by reading LSR
        self.scr = 0
        self.dll = 0x0C
        self.dlm = 0
        self.thr_ipending = False
        self.msr_delta = 0
        self._update()

    # runs on every FIFO decision: FCR bit 0
    @property
    def fifo_enabled(self) -> bool:
        return bool(self.fcr & FCR_ENABLE)

    # runs when input arrives: how many bytes the receiver holds
    @property
    def rx_capacity(self) -> int:
        return RX_FIFO_SIZE if self.fifo_enabled else 1

    # ---- status registers --------------------------------------------------------
    # runs when LSR is read or an interrupt is evaluated
    def lsr(self) -> int:
        v = LSR_THRE | LSR_TEMT | self.lsr_err
        if self.rx:
            v |= LSR_DR
        return v

    # runs when MSR is read
    def msr(self) -> int:
        if self.mcr & MCR_LOOP:
            v = 0
            if self.mcr & MCR_RTS:
                v |= MSR_CTS
            if self.mcr & MCR_DTR:
                v |= MSR_DSR
            if self.mcr & MCR_OUT1:
                v |= MSR_RI
            if self.mcr & MCR_OUT2:
                v |= MSR_DCD
        else:
            v = MSR_DCD | MSR_DSR | MSR_CTS  # a terminal is always attached
        return v | self.msr_delta

    # runs when IIR is read and whenever the interrupt output is recomputed
    def iir_id(self) -> int:
        lsr = self.lsr()
        if self.ier & IER_RLS and lsr & LSR_ERRORS:
            return IIR_RLS
        if self.ier & IER_RDA and self.rx:
            if not self.fifo_enabled or len(self.rx) >= RX_TRIGGER[self.fcr >> 6]:
                return IIR_RDA
            return IIR_TIMEOUT
        if self.ier & IER_THRE and self.thr_ipending:
            return IIR_THRE
        if self.ier & IER_MS and self.msr_delta & 0x0F:
            return IIR_MS
        return IIR_NONE

    # runs after every register access and input change: drive the PLIC line
    def _update(self) -> None:
        level = self.iir_id() != IIR_NONE
        if level != self._irq_level:
            self._irq_level = level
            self.count("irq_raised" if level else "irq_lowered")
            if self.irq is not None:
                self.irq(level)

    # ---- data path -------------------------------------------------------------------
    # runs when a byte reaches the receiver (from the console or loopback)
    def _receive(self, byte: int) -> None:
        if len(self.rx) >= self.rx_capacity:
            self.lsr_err |= LSR_OE
            self.count("rx_overruns")
            if self.fifo_enabled:
                return  # the FIFO keeps its contents, the new byte is lost
            self.rx.clear()  # without FIFOs the new byte overwrites RBR
        self.rx.append(byte)
        self.count("rx_bytes")

    # runs when the guest writes THR
    def _transmit(self, byte: int) -> None:
        self.thr_ipending = False
        if self.mcr & MCR_LOOP:
            self._receive(byte)
        elif self.console is not None:
            self.console.write(bytes((byte,)))
        self.count("tx_bytes")
        self.thr_ipending = True  # sent at once: THR is empty again

    # runs between engine slices: take typed input from the console backend
    def poll(self) -> None:
        if self.console is None or self.mcr & MCR_LOOP:
            return
        room = self.rx_capacity - len(self.rx)
        if room <= 0:
            return
        data = self.console.read(room)
        if data:
            for b in data:
                self._receive(b)
            self._update()

    # ---- register interface ----------------------------------------------------------
    # runs on a guest load from the UART window
    def read(self, offset: int, size: int) -> int:
        reg = offset & 7
        dlab = self.lcr & LCR_DLAB
        if reg == 0:
            if dlab:
                return self.dll
            v = self.rx.popleft() if self.rx else 0
            self._update()
            if self.console is not None and not self.rx:
                self.poll()  # refill at once so line-rate input keeps flowing
            return v
        if reg == 1:
            return self.dlm if dlab else self.ier
        if reg == 2:
            iid = self.iir_id()
            if iid == IIR_THRE:
                self.thr_ipending = False  # reading IIR clears a THRE interrupt
                self._update()
            return iid | (IIR_FIFO if self.fifo_enabled else 0)
        if reg == 3:
            return self.lcr
        if reg == 4:
            return self.mcr
        if reg == 5:
            v = self.lsr()
            if self.lsr_err:
                self.lsr_err = 0
                self._update()
            return v
        if reg == 6:
            v = self.msr()
            if self.msr_delta:
                self.msr_delta = 0
                self._update()
            return v
        return self.scr

    # runs on a guest store to the UART window
    def write(self, offset: int, size: int, value: int) -> None:
        reg = offset & 7
        value &= 0xFF
        dlab = self.lcr & LCR_DLAB
        if reg == 0:
            if dlab:
                self.dll = value
            else:
                self._transmit(value)
        elif reg == 1:
            if dlab:
                self.dlm = value
            else:
                old = self.ier
                self.ier = value & 0x0F
                if self.ier & IER_THRE and not old & IER_THRE:
                    self.thr_ipending = True  # THR is empty: enabling THRE interrupts fires one
        elif reg == 2:
            self._write_fcr(value)
        elif reg == 3:
            self.lcr = value
        elif reg == 4:
            self._write_mcr(value & 0x1F)
        elif reg == 7:
            self.scr = value
        self._update()

    # runs when the guest writes FCR
    def _write_fcr(self, value: int) -> None:
        if (value ^ self.fcr) & FCR_ENABLE:
            self.rx.clear()  # changing the FIFO mode empties the FIFOs
        if value & FCR_CLEAR_RX:
            self.rx.clear()
            self.lsr_err &= ~LSR_OE
        self.fcr = value & 0xC9 if value & FCR_ENABLE else 0

    # runs when the guest writes MCR
    def _write_mcr(self, value: int) -> None:
        if self.mcr & MCR_LOOP or value & MCR_LOOP:
            before = self.msr() & 0xF0
            self.mcr = value
            after = self.msr() & 0xF0
            changed = before ^ after
            # MSR bits 3..0: delta CTS, delta DSR, trailing edge RI, delta DCD
            delta = (changed >> 4) & 0b1011
            if before & MSR_RI and not after & MSR_RI:
                delta |= 0x04
            self.msr_delta |= delta
        else:
            self.mcr = value

    # runs when a caller asks for the programmed baud-rate divisor (DLM:DLL)
    @property
    def divisor(self) -> int:
        return self.dlm << 8 | self.dll

    # runs when a snapshot is taken
    def snapshot(self) -> dict[str, Any]:
        return {
            "rx": bytes(self.rx),
            "ier": self.ier,
            "fcr": self.fcr,
            "lcr": self.lcr,
            "mcr": self.mcr,
            "lsr_err": self.lsr_err,
            "scr": self.scr,
            "dll": self.dll,
            "dlm": self.dlm,
            "thr_ipending": self.thr_ipending,
            "msr_delta": self.msr_delta,
        }

    # runs when a snapshot is restored
    def restore(self, state: dict[str, Any]) -> None:
        self.rx = deque(state["rx"])
        for key in ("ier", "fcr", "lcr", "mcr", "lsr_err", "scr", "dll", "dlm"):
            setattr(self, key, state[key])
        self.thr_ipending = state["thr_ipending"]
        self.msr_delta = state["msr_delta"]
        self._update()
