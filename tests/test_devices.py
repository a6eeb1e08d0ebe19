"""Device models driven through their registers the way guest drivers do."""

from __future__ import annotations

import struct
import threading
from typing import Any

import pytest

from rvisor.hw import layout as L
from rvisor.hw.bus import Bus
from rvisor.hw.console import CaptureConsole
from rvisor.hw.devices import plic as P
from rvisor.hw.devices import uart16550 as U
from rvisor.hw.devices import virtio_blk as B
from rvisor.hw.devices import virtio_mmio as V
from rvisor.hw.devices.goldfish_rtc import GoldfishRtc
from rvisor.hw.devices.syscon import SifiveTest
from rvisor.hw.devices.virtio_rng import VirtioRng

try:
    from rvisor.hw.machine import Machine
except ImportError:  # the CPU side of the package is not importable: a stand-in with the same API
    Machine = None  # type: ignore[assignment,misc]


class FakeMachine:
    """RAM and the physical-access API of rvisor.hw.machine.Machine."""

    # runs when no engine is available: RAM as a bytearray
    def __init__(self, nharts: int = 1, ram_size: int = 16 << 20) -> None:
        self.ram_base = L.DRAM_BASE
        self.ram_size = ram_size
        self.ram = bytearray(ram_size)

    # runs before every DMA access
    def in_ram(self, addr: int, n: int) -> bool:
        off = addr - self.ram_base
        return 0 <= off and n >= 0 and off + n <= self.ram_size

    # runs for every DMA read
    def read_phys(self, addr: int, n: int) -> bytes:
        assert self.in_ram(addr, n)
        off = addr - self.ram_base
        return bytes(self.ram[off : off + n])

    # runs for every DMA write
    def write_phys(self, addr: int, data: bytes) -> None:
        assert self.in_ram(addr, len(data))
        off = addr - self.ram_base
        self.ram[off : off + len(data)] = data


# runs at the start of each DMA test: a real Machine when the engine imports, else the fake
def new_machine() -> Any:
    if Machine is not None:
        return Machine(nharts=1, ram_size=16 << 20)
    return FakeMachine()


class FakeIrq:
    """Records every level a device drives onto its interrupt line."""

    # runs at the start of each device test
    def __init__(self) -> None:
        self.level = False
        self.history: list[bool] = []

    # runs whenever the device drives its line
    def __call__(self, level: bool) -> None:
        self.level = level
        self.history.append(level)


# =============================== PLIC ===============================================


class PlicHarness:
    # runs at the start of each PLIC test
    def __init__(self, nharts: int = 1) -> None:
        self.events: list[tuple[int, int, bool]] = []
        self.out: dict[tuple[int, int], bool] = {}
        self.plic = P.Plic(nharts, on_change=self._on_change)

    # runs whenever a context's output changes
    def _on_change(self, hart: int, bit: int, level: bool) -> None:
        self.events.append((hart, bit, level))
        self.out[(hart, bit)] = level

    # runs for every register write a test makes
    def w(self, off: int, v: int) -> None:
        self.plic.write(off, 4, v)

    # runs for every register read a test makes
    def r(self, off: int) -> int:
        return self.plic.read(off, 4)

    # runs when a test sets a source's priority
    def prio(self, irq: int, p: int) -> None:
        self.w(4 * irq, p)

    # runs when a test enables sources for a context
    def enable(self, ctx: int, *irqs: int) -> None:
        for irq in irqs:
            off = P.ENABLE_BASE + P.ENABLE_STRIDE * ctx + 4 * (irq // 32)
            self.w(off, self.r(off) | 1 << (irq % 32))

    # runs when a test sets a context's threshold
    def threshold(self, ctx: int, t: int) -> None:
        self.w(P.CONTEXT_BASE + P.CONTEXT_STRIDE * ctx, t)

    # runs when a test claims as a hart would
    def claim(self, ctx: int) -> int:
        return self.r(P.CONTEXT_BASE + P.CONTEXT_STRIDE * ctx + 4)

    # runs when a test completes as a hart would
    def complete(self, ctx: int, irq: int) -> None:
        self.w(P.CONTEXT_BASE + P.CONTEXT_STRIDE * ctx + 4, irq)


def test_plic_priority_registers_are_three_bits_and_source0_absent() -> None:
    h = PlicHarness()
    h.prio(10, 0xFFFFFFFF)
    assert h.r(4 * 10) == 7
    h.prio(0, 5)
    assert h.r(0) == 0
    h.enable(0, 0)  # bit 0 of the enable word is hardwired 0
    assert h.r(P.ENABLE_BASE) & 1 == 0
    assert h.plic.ndev == 0x60


def test_plic_claim_complete_and_callback() -> None:
    h = PlicHarness()
    line = h.plic.line(10)
    h.prio(10, 1)
    h.enable(0, 10)
    assert h.events == []
    line.set(True)
    assert h.r(P.PENDING_BASE) == 1 << 10
    assert h.events == [(0, L.IRQ_MEI, True)]
    assert h.claim(0) == 10
    assert h.r(P.PENDING_BASE) == 0  # claim clears pending
    assert h.out[(0, L.IRQ_MEI)] is False
    assert h.claim(0) == 0  # nothing else
    line.set(False)
    h.complete(0, 10)
    assert h.out[(0, L.IRQ_MEI)] is False
    assert h.r(P.PENDING_BASE) == 0


def test_plic_completion_does_not_repend_a_line_that_stayed_high() -> None:
    """QEMU's sifive_plic: a source pends when its device raises the line, not at completion."""
    h = PlicHarness()
    line = h.plic.line(3)
    h.prio(3, 2)
    h.enable(1, 3)  # S-mode context of hart 0
    line(True)
    assert h.out[(0, L.IRQ_SEI)] is True
    assert h.claim(1) == 3
    assert h.out[(0, L.IRQ_SEI)] is False
    h.complete(1, 3)  # the device still asserts its line, but did not raise it again
    assert h.out[(0, L.IRQ_SEI)] is False
    assert h.r(P.PENDING_BASE) == 0
    assert h.claim(1) == 0


def test_plic_raise_while_claimed_pends_again_after_completion() -> None:
    h = PlicHarness()
    line = h.plic.line(10)
    h.prio(10, 1)
    h.enable(1, 10)
    line(True)
    assert h.claim(1) == 10
    line(True)  # the device raises again while the source is in service (a THR write under xv6)
    assert h.r(P.PENDING_BASE) == 1 << 10
    assert h.out[(0, L.IRQ_SEI)] is False  # claimed: not offered again yet
    h.complete(1, 10)
    assert h.out[(0, L.IRQ_SEI)] is True
    assert h.claim(1) == 10


def test_plic_line_drop_before_claim_withdraws_request() -> None:
    h = PlicHarness()
    line = h.plic.line(5)
    h.prio(5, 1)
    h.enable(0, 5)
    line(True)
    line(False)
    assert h.r(P.PENDING_BASE) == 0
    assert h.claim(0) == 0
    assert h.events == [(0, L.IRQ_MEI, True), (0, L.IRQ_MEI, False)]


def test_plic_highest_priority_wins_ties_lowest_id() -> None:
    h = PlicHarness()
    for irq, p in ((1, 3), (2, 5), (7, 5), (40, 4)):
        h.prio(irq, p)
        h.enable(0, irq)
        h.plic.line(irq).set(True)
    assert h.r(P.PENDING_BASE) == (1 << 1) | (1 << 2) | (1 << 7)
    assert h.r(P.PENDING_BASE + 4) == 1 << (40 - 32)
    assert [h.claim(0) for _ in range(5)] == [2, 7, 40, 1, 0]


def test_plic_threshold_masks_and_priority_zero_never_interrupts() -> None:
    h = PlicHarness()
    h.prio(4, 3)
    h.enable(0, 4, 6)
    h.threshold(0, 3)
    assert h.r(P.CONTEXT_BASE) == 3
    h.plic.line(4).set(True)
    h.plic.line(6).set(True)  # priority 0
    assert h.out.get((0, L.IRQ_MEI), False) is False
    assert h.claim(0) == 0
    h.threshold(0, 2)
    assert h.out[(0, L.IRQ_MEI)] is True
    assert h.claim(0) == 4
    assert h.claim(0) == 0  # source 6 has priority 0


def test_plic_contexts_per_hart_and_mode() -> None:
    h = PlicHarness(nharts=2)
    h.prio(8, 1)
    h.enable(3, 8)  # hart 1, S-mode
    h.plic.line(8).set(True)
    assert h.events == [(1, L.IRQ_SEI, True)]
    assert h.claim(0) == 0  # hart 0 M-mode has it disabled
    h.enable(2, 8)  # hart 1, M-mode
    assert (1, L.IRQ_MEI, True) in h.events
    assert h.claim(2) == 8
    # claimed by one context: gone for the other as well
    assert h.out[(1, L.IRQ_SEI)] is False
    h.plic.line(8).set(False)
    h.complete(3, 8)  # completion from another context that has it enabled
    assert h.claim(3) == 0


def test_plic_complete_ends_claim_as_qemu_and_ignores_unclaimed_ids() -> None:
    h = PlicHarness()
    h.prio(9, 1)
    h.enable(0, 9)
    h.plic.line(9).set(True)
    assert h.claim(0) == 9
    h.complete(0, 12)  # never claimed: ignored
    assert h.plic.in_service == 1 << 9
    h.w(P.ENABLE_BASE, 0)  # QEMU completes whatever the enable bits say
    h.complete(0, 9)
    assert h.plic.in_service == 0
    h.enable(0, 9)
    assert h.claim(0) == 0  # the line stayed high but was not raised again


def test_plic_on_bus_and_snapshot() -> None:
    h = PlicHarness()
    bus = Bus()
    bus.attach(h.plic)
    bus.write(L.PLIC_BASE + 4 * 10, 4, 1)
    assert bus.read(L.PLIC_BASE + 4 * 10, 4) == 1
    assert bus.read(L.PLIC_BASE + 0x5FFFFC, 4) == 0  # a context that does not exist
    snap = h.plic.snapshot()
    assert snap["priority"][10] == 1
    h.plic.restore(snap)


# =============================== UART ===============================================


# runs at the start of each UART test
def make_uart() -> tuple[U.Uart16550, CaptureConsole, FakeIrq]:
    con = CaptureConsole()
    irq = FakeIrq()
    return U.Uart16550(con, irq), con, irq


def test_uart_transmit_and_line_status() -> None:
    uart, con, irq = make_uart()
    assert uart.read(5, 1) & (U.LSR_THRE | U.LSR_TEMT) == U.LSR_THRE | U.LSR_TEMT
    for ch in b"hi\n":
        uart.write(0, 1, ch)
    assert con.output == b"hi\n"
    assert uart.read(2, 1) == U.IIR_NONE
    assert True not in irq.history  # never raised (lowering at reset is no interrupt)


def test_uart_divisor_latch_and_scratch() -> None:
    uart, con, _ = make_uart()
    uart.write(3, 1, 0x80)  # DLAB
    uart.write(0, 1, 0x01)
    uart.write(1, 1, 0x02)
    assert uart.read(0, 1) == 0x01 and uart.read(1, 1) == 0x02
    assert uart.divisor == 0x0201
    uart.write(3, 1, 0x03)
    assert uart.read(1, 1) == 0  # IER, not DLM
    uart.write(0, 1, ord("x"))
    assert con.output == b"x"
    uart.write(7, 1, 0x5A)
    assert uart.read(7, 1) == 0x5A


def test_uart_receive_without_fifo() -> None:
    uart, con, irq = make_uart()
    uart.write(1, 1, U.IER_RDA)
    con.inject(b"ab")
    uart.poll()
    assert len(uart.rx) == 1  # no FIFO: one byte at a time, the rest waits
    assert uart.read(5, 1) & U.LSR_DR
    assert uart.read(2, 1) == U.IIR_RDA
    assert irq.level is True
    assert uart.read(0, 1) == ord("a")  # reading refills from the backend
    assert uart.read(0, 1) == ord("b")
    assert not uart.read(5, 1) & U.LSR_DR
    assert irq.level is False
    assert uart.read(2, 1) == U.IIR_NONE


def test_uart_fifo_trigger_levels_and_timeout_id() -> None:
    uart, con, irq = make_uart()
    uart.write(2, 1, 0xC7)  # enable, clear both, trigger 14
    uart.write(1, 1, U.IER_RDA)
    assert uart.read(2, 1) == U.IIR_FIFO | U.IIR_NONE
    con.inject(b"123")
    uart.poll()
    assert uart.read(2, 1) == U.IIR_FIFO | U.IIR_TIMEOUT  # below trigger level
    con.inject(bytes(range(65, 65 + 17)))
    uart.poll()
    assert len(uart.rx) == U.RX_FIFO_SIZE  # 16-byte FIFO, rest stays queued
    assert len(uart.staged) + con.pending_input == 4  # the rest waits, nothing is lost
    assert uart.read(2, 1) == U.IIR_FIFO | U.IIR_RDA
    data = bytes(uart.read(0, 1) for _ in range(20))
    assert data == b"123" + bytes(range(65, 65 + 17))
    assert irq.level is False
    assert uart.read(5, 1) & U.LSR_OE == 0


def test_uart_fcr_clear_rx() -> None:
    uart, con, _ = make_uart()
    uart.write(2, 1, 0x01)
    con.inject(b"xyz")
    uart.poll()
    assert uart.read(5, 1) & U.LSR_DR
    uart.write(2, 1, 0x03)
    assert not uart.read(5, 1) & U.LSR_DR


def test_uart_thr_empty_interrupt() -> None:
    uart, con, irq = make_uart()
    uart.write(1, 1, U.IER_THRE)
    assert irq.level is True
    assert uart.read(2, 1) == U.IIR_THRE
    assert irq.level is False  # reading IIR cleared it
    assert uart.read(2, 1) == U.IIR_NONE
    uart.write(0, 1, ord("z"))  # transmitted at once: THR empty again
    assert irq.level is True
    uart.write(1, 1, 0)
    assert irq.level is False


def test_uart_interrupt_priority_rx_over_thre_and_rls_over_rx() -> None:
    uart, con, irq = make_uart()
    uart.write(2, 1, 0x01)
    uart.write(4, 1, U.MCR_LOOP)
    uart.write(1, 1, U.IER_RDA | U.IER_THRE | U.IER_RLS)
    uart.write(0, 1, ord("a"))
    assert con.output == b""  # loopback: nothing leaves
    assert uart.read(2, 1) & 0x0F == U.IIR_RDA  # data (trigger level 1) beats THRE
    for b in range(20):  # overflow the FIFO
        uart.write(0, 1, b)
    assert uart.read(2, 1) & 0x0F == U.IIR_RLS
    assert uart.read(5, 1) & U.LSR_OE
    assert not uart.read(5, 1) & U.LSR_OE  # reading LSR clears errors
    assert uart.read(2, 1) & 0x0F == U.IIR_RDA
    got = [uart.read(0, 1) for _ in range(16)]
    assert got == [ord("a")] + list(range(15))
    assert uart.read(2, 1) & 0x0F == U.IIR_THRE
    assert uart.read(2, 1) & 0x0F == U.IIR_NONE
    assert irq.level is False


def test_uart_loopback_modem_status() -> None:
    uart, _, _ = make_uart()
    uart.write(4, 1, U.MCR_LOOP)
    uart.read(6, 1)
    uart.write(4, 1, U.MCR_LOOP | U.MCR_RTS | U.MCR_DTR)
    msr = uart.read(6, 1)
    assert msr & 0xF0 == U.MSR_CTS | U.MSR_DSR
    assert msr & 0x03 == 0x03  # delta CTS, delta DSR
    assert uart.read(6, 1) & 0x0F == 0
    uart.write(4, 1, 0)
    assert uart.read(6, 1) & 0xF0 == U.MSR_DCD | U.MSR_DSR | U.MSR_CTS


def test_uart_irq_through_plic_line() -> None:
    h = PlicHarness()
    con = CaptureConsole()
    uart = U.Uart16550(con, h.plic.line(L.UART0_IRQ))
    h.prio(L.UART0_IRQ, 1)
    h.enable(1, L.UART0_IRQ)
    uart.write(1, 1, U.IER_RDA)
    con.inject(b"k")
    uart.poll()
    assert h.out[(0, L.IRQ_SEI)] is True
    assert h.claim(1) == L.UART0_IRQ
    assert uart.read(0, 1) == ord("k")
    h.complete(1, L.UART0_IRQ)
    assert h.out[(0, L.IRQ_SEI)] is False
    assert h.claim(1) == 0


# =============================== virtio =============================================

QSIZE = 16
RING = L.DRAM_BASE + 0x10000  # descriptor table
AVAIL = RING + 0x1000
USED = RING + 0x2000
DATA = L.DRAM_BASE + 0x100000


class Driver:
    """A minimal virtio-mmio driver (virtio spec §3.1.1 and §4.2.3)."""

    # runs at the start of each virtio test
    def __init__(self, dev: V.VirtioMMIO, mem: Any, features: int | None = None) -> None:
        self.dev, self.mem = dev, mem
        self.next_desc = 0
        self.avail_idx = 0
        self.used_seen = 0
        self.features = features

    # runs for every register read the driver makes
    def r(self, off: int) -> int:
        return self.dev.read(off, 4)

    # runs for every register write the driver makes
    def w(self, off: int, v: int) -> None:
        self.dev.write(off, 4, v)

    # runs during initialisation: both halves of DeviceFeatures
    def device_features(self) -> int:
        self.w(V.R_DEVICE_FEATURES_SEL, 0)
        lo = self.r(V.R_DEVICE_FEATURES)
        self.w(V.R_DEVICE_FEATURES_SEL, 1)
        return lo | self.r(V.R_DEVICE_FEATURES) << 32

    # runs once per device: the initialisation sequence of virtio section 3.1.1
    def init(self) -> None:
        assert self.r(V.R_MAGIC) == V.MAGIC
        self.w(V.R_STATUS, 0)
        self.w(V.R_STATUS, V.STATUS_ACKNOWLEDGE)
        self.w(V.R_STATUS, V.STATUS_ACKNOWLEDGE | V.STATUS_DRIVER)
        feats = self.device_features() if self.features is None else self.features
        for sel in (0, 1):
            self.w(V.R_DRIVER_FEATURES_SEL, sel)
            self.w(V.R_DRIVER_FEATURES, feats >> (32 * sel) & 0xFFFFFFFF)
        st = V.STATUS_ACKNOWLEDGE | V.STATUS_DRIVER
        if self.dev.version == 2:
            self.w(V.R_STATUS, st | V.STATUS_FEATURES_OK)
            if not self.r(V.R_STATUS) & V.STATUS_FEATURES_OK:
                raise RuntimeError("features rejected")
            st |= V.STATUS_FEATURES_OK
        self.w(V.R_QUEUE_SEL, 0)
        assert self.r(V.R_QUEUE_NUM_MAX) >= QSIZE
        self.w(V.R_QUEUE_NUM, QSIZE)
        if self.dev.version == 2:
            assert self.r(V.R_QUEUE_READY) == 0
            for reg, addr in (
                (V.R_QUEUE_DESC_LOW, RING),
                (V.R_QUEUE_DRIVER_LOW, AVAIL),
                (V.R_QUEUE_DEVICE_LOW, USED),
            ):
                self.w(reg, addr & 0xFFFFFFFF)
                self.w(reg + 4, addr >> 32)
            self.w(V.R_QUEUE_READY, 1)
        else:
            self.w(V.R_GUEST_PAGE_SIZE, 4096)
            self.w(V.R_QUEUE_ALIGN, 4096)
            self.w(V.R_QUEUE_PFN, RING >> 12)
        self.w(V.R_STATUS, st | V.STATUS_DRIVER_OK)

    # runs whenever the driver touches the available ring: its address for this transport
    @property
    def avail(self) -> int:
        return AVAIL if self.dev.version == 2 else RING + 16 * QSIZE

    # runs whenever the driver reads the used ring: its address for this transport
    @property
    def used(self) -> int:
        if self.dev.version == 2:
            return USED
        return (RING + 16 * QSIZE + 6 + 2 * QSIZE + 4095) & ~4095

    # runs for every descriptor the driver writes
    def put_desc(self, i: int, addr: int, length: int, flags: int, nxt: int, table: int = RING) -> None:
        self.mem.write_phys(table + 16 * i, struct.pack("<QIHH", addr, length, flags, nxt))

    # runs for every request the driver builds
    def chain(self, bufs: list[tuple[int, int, bool]]) -> int:
        """Write descriptors for (addr, len, device_writable) buffers; return the head."""
        idx = [(self.next_desc + k) % QSIZE for k in range(len(bufs))]
        self.next_desc = (self.next_desc + len(bufs)) % QSIZE
        for k, (addr, length, wr) in enumerate(bufs):
            flags = (V.DESC_F_WRITE if wr else 0) | (V.DESC_F_NEXT if k + 1 < len(bufs) else 0)
            nxt = idx[k + 1] if k + 1 < len(bufs) else 0
            self.put_desc(idx[k], addr, length, flags, nxt)
        return idx[0]

    # runs when the driver makes a chain available (and by default notifies)
    def offer(self, head: int, notify: bool = True) -> None:
        slot = self.avail + 4 + 2 * (self.avail_idx % QSIZE)
        self.mem.write_phys(slot, struct.pack("<H", head))
        self.avail_idx = (self.avail_idx + 1) & 0xFFFF
        self.mem.write_phys(self.avail + 2, struct.pack("<H", self.avail_idx))
        if notify:
            self.w(V.R_QUEUE_NOTIFY, 0)

    # runs when the driver checks the used ring's idx
    def used_idx(self) -> int:
        return struct.unpack("<H", self.mem.read_phys(self.used + 2, 2))[0]

    # runs when the driver takes the next used element
    def pop_used(self) -> tuple[int, int]:
        assert self.used_idx() != self.used_seen, "device did not use the buffer"
        slot = self.used + 4 + 8 * (self.used_seen % QSIZE)
        self.used_seen += 1
        return struct.unpack("<II", self.mem.read_phys(slot, 8))

    # runs after a request: read InterruptStatus and acknowledge it
    def ack(self) -> int:
        isr = self.r(V.R_INTERRUPT_STATUS)
        self.w(V.R_INTERRUPT_ACK, isr)
        return isr


# runs for every block request a test builds: the 16-byte virtio_blk_req header
def blk_header(rtype: int, sector: int = 0) -> bytes:
    return struct.pack("<IIQ", rtype, 0, sector)


HDR, BUF, STATUS = DATA, DATA + 0x1000, DATA + 0x800


# runs for every block request a test makes, as a driver would
def blk_request(
    drv: Driver, rtype: int, sector: int, length: int, write_data: bytes | None = None
) -> tuple[int, int, int]:
    """One request: returns (status byte, used id, used len)."""
    mem = drv.mem
    mem.write_phys(HDR, blk_header(rtype, sector))
    mem.write_phys(STATUS, b"\xff")
    bufs = [(HDR, 16, False)]
    if write_data is not None:
        mem.write_phys(BUF, write_data)
        bufs.append((BUF, len(write_data), False))
    elif length:
        bufs.append((BUF, length, True))
    bufs.append((STATUS, 1, True))
    head = drv.chain(bufs)
    drv.offer(head)
    uid, ulen = drv.pop_used()
    assert uid == head
    return mem.read_phys(STATUS, 1)[0], uid, ulen


# runs before each block test: a 64-sector image, sector s starting with the u64 0x1000 + s
@pytest.fixture
def image(tmp_path: Any) -> str:
    path = tmp_path / "disk.img"
    data = bytearray(64 * 512)
    for s in range(64):
        data[s * 512 : s * 512 + 8] = struct.pack("<Q", 0x1000 + s)
    path.write_bytes(bytes(data))
    return str(path)


# runs at the start of each block test: the device and a driver that has set it up
def make_blk(image: str, **kw: Any) -> tuple[B.VirtioBlk, Driver, Any, FakeIrq]:
    mem = new_machine()
    irq = FakeIrq()
    dev = B.VirtioBlk(mem, irq, image, **kw)
    drv = Driver(dev, mem)
    drv.init()
    return dev, drv, mem, irq


def test_virtio_identity_registers(image: str) -> None:
    dev, drv, _, _ = make_blk(image)
    assert drv.r(V.R_MAGIC) == 0x74726976
    assert drv.r(V.R_VERSION) == 2
    assert drv.r(V.R_DEVICE_ID) == 2
    assert drv.r(V.R_VENDOR_ID) == 0x554D4551
    feats = drv.device_features()
    assert feats >> V.F_VERSION_1 & 1 and feats >> V.F_INDIRECT_DESC & 1
    assert feats >> B.BLK_F_FLUSH & 1 and not feats >> B.BLK_F_RO & 1
    assert drv.r(V.R_STATUS) == 0x0F
    assert drv.r(V.R_QUEUE_READY) == 1
    dev.close()


def test_empty_slot_reads_device_id_zero() -> None:
    slot = V.EmptySlot(new_machine(), FakeIrq(), base=L.VIRTIO_BASE + 0x7000)
    assert slot.read(V.R_MAGIC, 4) == V.MAGIC
    assert slot.read(V.R_VERSION, 4) == 2
    assert slot.read(V.R_DEVICE_ID, 4) == 0
    assert slot.read(V.R_VENDOR_ID, 4) == V.VENDOR_QEMU
    slot.write(V.R_STATUS, 4, 0xF)
    assert slot.read(V.R_STATUS, 4) == 0
    assert slot.read(V.R_QUEUE_NUM_MAX, 4) == 0


def test_virtio_blk_config_space(image: str) -> None:
    dev, drv, _, _ = make_blk(image)
    cap = dev.read(0x100, 4) | dev.read(0x104, 4) << 32
    assert cap == 64
    assert dev.read(0x100, 8) == 64
    assert dev.read(0x10C, 4) == 254  # seg_max = queue size (256) - 2
    assert dev.read(0x114, 4) == 512  # blk_size
    assert dev.read(0x108, 4) == B.DEFAULT_SIZE_MAX
    assert drv.r(V.R_CONFIG_GENERATION) == 0
    dev.close()


def test_virtio_blk_read(image: str) -> None:
    dev, drv, mem, irq = make_blk(image)
    status, _, ulen = blk_request(drv, B.T_IN, 3, 1024)
    assert status == B.S_OK
    assert ulen == 1025
    data = mem.read_phys(BUF, 1024)
    assert struct.unpack_from("<Q", data, 0)[0] == 0x1003
    assert struct.unpack_from("<Q", data, 512)[0] == 0x1004
    assert irq.level is True
    assert drv.ack() == V.INT_USED_BUFFER
    assert irq.level is False
    assert dev.metrics["blk_reads"] == 1
    dev.close()


def test_virtio_blk_write_flush_and_persistence(image: str) -> None:
    dev, drv, mem, _ = make_blk(image)
    payload = bytes(range(256)) * 4
    status, _, ulen = blk_request(drv, B.T_OUT, 10, 0, write_data=payload)
    assert status == B.S_OK and ulen == 1
    status, _, _ = blk_request(drv, B.T_FLUSH, 0, 0)
    assert status == B.S_OK
    with open(image, "rb") as f:
        f.seek(10 * 512)
        assert f.read(1024) == payload
    dev.close()
    # a new device on the same file (a restart) sees the data
    dev2, drv2, mem2, _ = make_blk(image)
    status, _, _ = blk_request(drv2, B.T_IN, 10, 1024)
    assert status == B.S_OK
    assert mem2.read_phys(BUF, 1024) == payload
    dev2.close()


def test_virtio_blk_get_id_and_unsupported(image: str) -> None:
    dev, drv, mem, _ = make_blk(image, serial="disk-serial-01")
    status, _, ulen = blk_request(drv, B.T_GET_ID, 0, 20)
    assert status == B.S_OK and ulen == 21
    assert mem.read_phys(BUF, 20) == b"disk-serial-01".ljust(20, b"\0")
    status, _, _ = blk_request(drv, 99, 0, 0)
    assert status == B.S_UNSUPP
    dev.close()


def test_virtio_blk_out_of_range_and_partial_sector(image: str) -> None:
    dev, drv, _, _ = make_blk(image)
    assert blk_request(drv, B.T_IN, 63, 1024)[0] == B.S_IOERR  # runs past the end
    assert blk_request(drv, B.T_IN, 63, 512)[0] == B.S_OK
    assert blk_request(drv, B.T_IN, 0, 100)[0] == B.S_IOERR  # not whole sectors
    assert blk_request(drv, B.T_OUT, 64, 0, write_data=b"\0" * 512)[0] == B.S_IOERR
    assert dev.read(V.R_STATUS, 4) & V.STATUS_NEEDS_RESET == 0
    dev.close()


def test_virtio_blk_readonly(image: str) -> None:
    before = open(image, "rb").read()
    dev, drv, _, _ = make_blk(image, readonly=True)
    assert drv.device_features() >> B.BLK_F_RO & 1
    assert blk_request(drv, B.T_OUT, 0, 0, write_data=b"\xaa" * 512)[0] == B.S_IOERR
    assert blk_request(drv, B.T_IN, 0, 512)[0] == B.S_OK
    assert blk_request(drv, B.T_FLUSH, 0, 0)[0] == B.S_OK
    assert open(image, "rb").read() == before
    dev.close()


def test_virtio_blk_indirect_descriptors(image: str) -> None:
    dev, drv, mem, _ = make_blk(image)
    table = DATA + 0x8000
    mem.write_phys(HDR, blk_header(B.T_IN, 5))
    drv.put_desc(0, HDR, 16, V.DESC_F_NEXT, 1, table)
    drv.put_desc(1, BUF, 256, V.DESC_F_WRITE | V.DESC_F_NEXT, 2, table)  # data split in two
    drv.put_desc(2, BUF + 0x400, 256, V.DESC_F_WRITE | V.DESC_F_NEXT, 3, table)
    drv.put_desc(3, STATUS, 1, V.DESC_F_WRITE, 0, table)
    drv.put_desc(7, table, 4 * 16, V.DESC_F_INDIRECT, 0)
    drv.offer(7)
    uid, ulen = drv.pop_used()
    assert (uid, ulen) == (7, 513)
    assert mem.read_phys(STATUS, 1) == b"\0"
    assert struct.unpack("<Q", mem.read_phys(BUF, 8))[0] == 0x1005
    dev.close()


def test_virtio_blk_batch_of_requests_one_notify(image: str) -> None:
    dev, drv, mem, irq = make_blk(image)
    heads = []
    for k in range(3):
        hdr, st, buf = DATA + 0x20000 + 32 * k, DATA + 0x21000 + k, DATA + 0x30000 + 0x200 * k
        mem.write_phys(hdr, blk_header(B.T_IN, k))
        heads.append(drv.chain([(hdr, 16, False), (buf, 512, True), (st, 1, True)]))
        drv.offer(heads[-1], notify=False)
    drv.w(V.R_QUEUE_NOTIFY, 0)
    assert [drv.pop_used()[0] for _ in range(3)] == heads
    for k in range(3):
        assert struct.unpack("<Q", mem.read_phys(DATA + 0x30000 + 0x200 * k, 8))[0] == 0x1000 + k
    assert irq.history.count(True) == 1
    dev.close()


# runs after a malformed request: the device must say DEVICE_NEEDS_RESET and interrupt
def needs_reset(dev: V.VirtioMMIO, irq: FakeIrq) -> None:
    assert dev.read(V.R_STATUS, 4) & V.STATUS_NEEDS_RESET
    assert dev.read(V.R_INTERRUPT_STATUS, 4) & V.INT_CONFIG_CHANGE
    assert irq.level is True
    assert dev.metrics["errors"] >= 1


def test_virtio_blk_descriptor_loop_needs_reset(image: str) -> None:
    dev, drv, mem, irq = make_blk(image)
    mem.write_phys(HDR, blk_header(B.T_IN, 0))
    drv.put_desc(0, HDR, 16, V.DESC_F_NEXT, 1)
    drv.put_desc(1, BUF, 512, V.DESC_F_WRITE | V.DESC_F_NEXT, 2)
    drv.put_desc(2, STATUS, 1, V.DESC_F_WRITE | V.DESC_F_NEXT, 1)  # back to 1: a loop
    drv.offer(0)
    needs_reset(dev, irq)
    assert "loop" in dev.last_error
    assert drv.used_idx() == 0
    # further notifies are ignored until the driver resets the device
    drv.offer(0)
    assert drv.used_idx() == 0
    # after a reset the device works again
    drv.__init__(dev, mem)  # type: ignore[misc]
    drv.init()
    assert dev.read(V.R_STATUS, 4) & V.STATUS_NEEDS_RESET == 0
    assert irq.level is False
    assert blk_request(drv, B.T_IN, 0, 512)[0] == B.S_OK
    dev.close()


def test_virtio_blk_buffer_outside_ram_needs_reset(image: str) -> None:
    dev, drv, mem, irq = make_blk(image)
    mem.write_phys(HDR, blk_header(B.T_IN, 0))
    end = L.DRAM_BASE + (16 << 20)
    head = drv.chain([(HDR, 16, False), (end - 256, 512, True), (STATUS, 1, True)])
    drv.offer(head)
    needs_reset(dev, irq)
    assert "outside" in dev.last_error
    dev.close()


def test_virtio_blk_bad_indices_need_reset(image: str) -> None:
    dev, drv, mem, irq = make_blk(image)
    drv.offer(QSIZE + 3)  # head index past the queue
    needs_reset(dev, irq)
    dev.close()
    dev, drv, mem, irq = make_blk(image)
    mem.write_phys(drv.avail + 2, struct.pack("<H", QSIZE + 5))  # avail idx runs ahead
    drv.w(V.R_QUEUE_NOTIFY, 0)
    needs_reset(dev, irq)
    dev.close()
    dev, drv, mem, irq = make_blk(image)
    mem.write_phys(HDR, blk_header(B.T_IN, 0))
    head = drv.chain([(HDR, 16, False), (BUF, 0xFFFFFFFF, True), (STATUS, 1, True)])
    drv.offer(head)  # an oversize length
    needs_reset(dev, irq)
    dev.close()
    dev, drv, mem, irq = make_blk(image)
    drv.put_desc(0, HDR, 16, V.DESC_F_NEXT, QSIZE + 1)  # next index past the table
    drv.offer(0)
    needs_reset(dev, irq)
    dev.close()


def test_virtio_blk_missing_status_byte_needs_reset(image: str) -> None:
    dev, drv, mem, irq = make_blk(image)
    mem.write_phys(HDR, blk_header(B.T_FLUSH))
    drv.offer(drv.chain([(HDR, 16, False)]))
    needs_reset(dev, irq)
    dev.close()


def test_virtio_queue_outside_ram_needs_reset(image: str) -> None:
    mem = new_machine()
    irq = FakeIrq()
    dev = B.VirtioBlk(mem, irq, image)
    w = lambda off, v: dev.write(off, 4, v)  # noqa: E731
    w(V.R_STATUS, 1)
    w(V.R_STATUS, 3)
    w(V.R_DRIVER_FEATURES_SEL, 1)
    w(V.R_DRIVER_FEATURES, 1)  # VERSION_1
    w(V.R_STATUS, 0xB)
    w(V.R_QUEUE_NUM, QSIZE)
    w(V.R_QUEUE_DESC_LOW, 0x1000)  # not RAM
    w(V.R_QUEUE_READY, 1)
    assert dev.read(V.R_QUEUE_READY, 4) == 0
    assert dev.read(V.R_STATUS, 4) & V.STATUS_NEEDS_RESET
    dev.close()


def test_virtio_features_not_offered_rejected(image: str) -> None:
    mem = new_machine()
    dev = B.VirtioBlk(mem, FakeIrq(), image)
    drv = Driver(dev, mem, features=(1 << V.F_VERSION_1) | (1 << 60))  # bit 60 not offered
    with pytest.raises(RuntimeError):
        drv.init()
    assert dev.metrics["features_rejected"] == 1
    dev.close()


def test_virtio_driver_without_version_1_like_xv6(image: str) -> None:
    """xv6 writes only feature word 0; QEMU accepts that, and so does the device."""
    mem = new_machine()
    dev = B.VirtioBlk(mem, FakeIrq(), image)
    drv = Driver(dev, mem, features=1 << B.BLK_F_FLUSH)
    drv.init()
    assert drv.r(V.R_STATUS) & V.STATUS_FEATURES_OK
    assert blk_request(drv, B.T_IN, 2, 512)[0] == B.S_OK
    assert struct.unpack("<Q", mem.read_phys(BUF, 8))[0] == 0x1002
    dev.close()


def test_virtio_event_idx_suppresses_interrupts(image: str) -> None:
    dev, drv, mem, irq = make_blk(image)
    assert dev.negotiated(V.F_EVENT_IDX)
    used_event = drv.avail + 4 + 2 * QSIZE
    mem.write_phys(used_event, struct.pack("<H", 5))  # interrupt only after entry 5
    blk_request(drv, B.T_FLUSH, 0, 0)
    assert True not in irq.history  # never raised (lowering at reset is no interrupt)
    mem.write_phys(used_event, struct.pack("<H", 1))
    blk_request(drv, B.T_FLUSH, 0, 0)  # used idx goes 1 -> 2, crossing event 1
    assert irq.level is True
    avail_event = struct.unpack("<H", mem.read_phys(drv.used + 4 + 8 * QSIZE, 2))[0]
    assert avail_event == 2
    dev.close()


def test_virtio_no_interrupt_flag_without_event_idx(image: str) -> None:
    mem = new_machine()
    irq = FakeIrq()
    dev = B.VirtioBlk(mem, irq, image, event_idx=False)
    drv = Driver(dev, mem)
    drv.init()
    mem.write_phys(drv.avail, struct.pack("<H", V.AVAIL_F_NO_INTERRUPT))
    assert blk_request(drv, B.T_IN, 0, 512)[0] == B.S_OK
    assert True not in irq.history  # never raised (lowering at reset is no interrupt)
    mem.write_phys(drv.avail, struct.pack("<H", 0))
    assert blk_request(drv, B.T_IN, 0, 512)[0] == B.S_OK
    assert irq.level is True
    dev.close()


def test_virtio_legacy_transport(image: str) -> None:
    dev, drv, mem, irq = make_blk(image, version=1)
    assert drv.r(V.R_VERSION) == 1
    feats = drv.device_features()
    assert not feats >> 32  # legacy: 32 feature bits, no VERSION_1
    assert drv.r(V.R_QUEUE_PFN) == RING >> 12
    status, _, _ = blk_request(drv, B.T_IN, 7, 512)
    assert status == B.S_OK
    assert struct.unpack("<Q", mem.read_phys(BUF, 8))[0] == 0x1007
    assert irq.level is True
    drv.w(V.R_STATUS, 0)  # reset clears QueuePFN
    assert drv.r(V.R_QUEUE_PFN) == 0
    assert irq.level is False
    dev.close()


def test_virtio_status_reset_clears_queues(image: str) -> None:
    dev, drv, _, _ = make_blk(image)
    drv.w(V.R_STATUS, 0)
    assert drv.r(V.R_STATUS) == 0
    assert drv.r(V.R_QUEUE_READY) == 0
    assert drv.r(V.R_INTERRUPT_STATUS) == 0
    snap = dev.snapshot()
    assert snap["queues"][0]["ready"] is False and snap["capacity"] == 64
    dev.close()


def test_virtio_rng_fills_buffers() -> None:
    mem = new_machine()
    irq = FakeIrq()
    dev = VirtioRng(mem, irq, source=lambda n: b"\x5a" * n)
    drv = Driver(dev, mem)
    drv.init()
    assert drv.r(V.R_DEVICE_ID) == 4
    head = drv.chain([(BUF, 100, True), (BUF + 0x200, 28, True)])
    drv.offer(head)
    assert drv.pop_used() == (head, 128)
    assert mem.read_phys(BUF, 100) == b"\x5a" * 100
    assert mem.read_phys(BUF + 0x200, 28) == b"\x5a" * 28
    assert irq.level is True


def test_virtio_rng_uses_urandom() -> None:
    mem = new_machine()
    dev = VirtioRng(mem, FakeIrq())
    drv = Driver(dev, mem)
    drv.init()
    drv.offer(drv.chain([(BUF, 64, True)]))
    assert drv.pop_used()[1] == 64
    assert mem.read_phys(BUF, 64) != bytes(64)


# =============================== RTC and test device ==================================


class Clock:
    # runs at the start of each RTC test
    def __init__(self, t: int) -> None:
        self.t = t

    # runs whenever the RTC reads the host time
    def __call__(self) -> int:
        return self.t


def test_rtc_time_latch_and_set() -> None:
    clock = Clock(0x12345678_9ABCDEF0)
    rtc = GoldfishRtc(FakeIrq(), clock=clock)
    lo = rtc.read(0x00, 4)
    clock.t += 1 << 32  # the high word is latched by the TIME_LOW read
    hi = rtc.read(0x04, 4)
    assert (hi << 32 | lo) == 0x12345678_9ABCDEF0
    rtc.write(0x04, 4, 0x1)
    rtc.write(0x00, 4, 0x0)
    assert rtc.read(0x00, 4) == 0 and rtc.read(0x04, 4) == 1
    clock.t += 500
    assert rtc.read(0x00, 4) == 500


def test_rtc_alarm_interrupt() -> None:
    clock = Clock(1_000_000_000)
    irq = FakeIrq()
    rtc = GoldfishRtc(irq, clock=clock)
    rtc.write(0x10, 4, 1)  # IRQ_ENABLED
    alarm = clock.t + 5000
    rtc.write(0x0C, 4, alarm >> 32)
    rtc.write(0x08, 4, alarm & 0xFFFFFFFF)
    assert rtc.read(0x18, 4) == 1
    rtc.poll()
    assert irq.level is False
    clock.t += 5000
    rtc.poll()
    assert irq.level is True
    assert rtc.read(0x18, 4) == 0
    rtc.write(0x1C, 4, 1)  # CLEAR_INTERRUPT
    assert irq.level is False
    rtc.write(0x08, 4, (clock.t + 10) & 0xFFFFFFFF)
    rtc.write(0x14, 4, 1)  # CLEAR_ALARM
    clock.t += 100
    rtc.poll()
    assert irq.level is False and rtc.read(0x18, 4) == 0


def test_rtc_host_clock_is_wall_time() -> None:
    import time

    rtc = GoldfishRtc()
    assert abs(rtc.read(0, 8) - time.time_ns()) < 10**9


@pytest.mark.parametrize(
    "value,expected",
    [
        (0x5555, ("poweroff", 0)),
        (0x7777, ("reset", 0)),
        (0x3333 | (1 << 16), ("fail", 1)),
        (0x3333 | (0xBEEF << 16), ("fail", 0xBEEF)),
    ],
)
def test_syscon_codes(value: int, expected: tuple[str, int]) -> None:
    calls: list[tuple[str, int]] = []
    dev = SifiveTest(on_halt=lambda kind, code: calls.append((kind, code)))
    bus = Bus()
    bus.attach(dev)
    bus.write(L.TEST_BASE, 4, value)
    assert dev.halt_request == expected
    assert calls == [expected]
    assert dev.take() == expected and dev.halt_request is None


def test_syscon_ignores_other_values() -> None:
    dev = SifiveTest()
    dev.write(0, 4, 0x1234)
    dev.write(4, 4, 0x5555)
    assert dev.halt_request is None
    assert dev.read(0, 4) == 0


# =============================== whole bus ==========================================


def test_devices_on_one_bus(image: str) -> None:
    mem = new_machine()
    outs: list[tuple[int, int, bool]] = []
    plic = P.Plic(1, on_change=lambda h, b, lv: outs.append((h, b, lv)))
    con = CaptureConsole()
    bus = Bus()
    bus.attach(plic)
    bus.attach(U.Uart16550(con, plic.line(L.UART0_IRQ)))
    bus.attach(GoldfishRtc(plic.line(L.RTC_IRQ)))
    bus.attach(SifiveTest())
    blk = B.VirtioBlk(mem, plic.line(L.VIRTIO_IRQ0), image, base=L.VIRTIO_BASE)
    bus.attach(blk)
    for i in range(1, L.VIRTIO_SLOTS):
        base = L.VIRTIO_BASE + i * L.VIRTIO_STRIDE
        bus.attach(V.EmptySlot(mem, plic.line(L.VIRTIO_IRQ0 + i), base=base))
    assert bus.read(L.VIRTIO_BASE + 8, 4) == 2
    assert bus.read(L.VIRTIO_BASE + 0x1000 + 8, 4) == 0
    for ch in b"ok":
        bus.write(L.UART0_BASE, 1, ch)
    assert con.output == b"ok"
    bus.poll()
    blk.close()


# =============================== consoles ===========================================
# (more in tests/test_devices_console.py)


def test_capture_wait_for_with_step_and_thread() -> None:
    con = CaptureConsole()
    steps = iter(b"boot: ready\n")

    # runs whenever wait_for wants the machine advanced: the guest prints one more byte
    def step() -> None:
        con.write(bytes((next(steps),)))

    assert con.wait_for("ready", timeout=5, step=step)
    t = threading.Timer(0.05, lambda: con.write(b"login: "))
    t.start()
    assert con.wait_for(b"login:", timeout=5)
    assert not con.wait_for("never", timeout=0.1)
    t.join()


@pytest.mark.skipif(Machine is None, reason="rvisor.hw.machine is not importable")
def test_plic_drives_machine_external_irq_bits() -> None:
    m = Machine(nharts=2, ram_size=16 << 20)
    plic = P.Plic(2, on_change=m.set_external_irq)
    line = plic.line(L.VIRTIO_IRQ0)
    plic.write(4 * L.VIRTIO_IRQ0, 4, 1)
    plic.write(P.ENABLE_BASE + P.ENABLE_STRIDE * 3, 4, 1 << L.VIRTIO_IRQ0)  # hart 1, S
    plic.write(P.ENABLE_BASE + P.ENABLE_STRIDE * 0, 4, 1 << L.VIRTIO_IRQ0)  # hart 0, M
    line.set(True)
    assert int(m.hs[1, L.HS_EXT_IRQ]) == 1 << L.IRQ_SEI
    assert int(m.hs[0, L.HS_EXT_IRQ]) == 1 << L.IRQ_MEI
    assert plic.read(P.CONTEXT_BASE + P.CONTEXT_STRIDE * 3 + 4, 4) == L.VIRTIO_IRQ0
    assert int(m.hs[1, L.HS_EXT_IRQ]) == 0 and int(m.hs[0, L.HS_EXT_IRQ]) == 0
    line.set(False)
    plic.write(P.CONTEXT_BASE + P.CONTEXT_STRIDE * 3 + 4, 4, L.VIRTIO_IRQ0)
    assert int(m.hs[1, L.HS_EXT_IRQ]) == 0


# proves: a drive image opened read-write is locked, as QEMU locks it: a second read-write or
# read-only open fails with a message naming the image, read-only opens share it, and closing frees it
def test_virtio_blk_image_lock(image: str) -> None:
    first = B.VirtioBlk(new_machine(), FakeIrq(), image)
    for ro in (False, True):
        with pytest.raises(OSError, match="in use by another machine"):
            B.VirtioBlk(new_machine(), FakeIrq(), image, readonly=ro)
    first.close()
    readers = [B.VirtioBlk(new_machine(), FakeIrq(), image, readonly=True) for _ in range(2)]
    with pytest.raises(OSError, match="cannot be opened read-write"):
        B.VirtioBlk(new_machine(), FakeIrq(), image)
    for r in readers:
        r.close()
    B.VirtioBlk(new_machine(), FakeIrq(), image).close()


# proves: input typed ahead stays staged when a driver clears the receive FIFO, and the next poll
# moves it into the FIFO even though nothing new was typed
def test_uart_staged_input_survives_fifo_clear() -> None:
    uart, con, _ = make_uart()
    uart.write(2, 1, 0x01)  # FIFO on
    con.inject(b"x" * 20 + b"ok\n")
    uart.poll()
    assert len(uart.rx) == U.RX_FIFO_SIZE
    uart.write(2, 1, 0x07)  # a driver starting up: clear both FIFOs
    assert uart.rx == b""
    uart.poll()  # no new input
    got = b""
    while uart.read(5, 1) & U.LSR_DR:
        got += bytes([uart.read(0, 1)])
    assert got == b"xxxxok\n"  # the 16 bytes in the FIFO were cleared, the staged rest arrives
