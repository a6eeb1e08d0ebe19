"""The QEMU-virt-compatible board: harts, RAM and devices wired together, and its run loop.

``Board`` builds a ``Machine`` and attaches the devices at QEMU virt's
addresses (see ``rvisor.hw.layout``).  ``Board.run`` is the machine's main
loop: it gives each runnable hart a slice of instructions in turn and
handles what the engine hands back (device access, WFI, SBI calls to the
built-in firmware, HTIF).  When every hart waits for an interrupt, the
deterministic clock jumps to the next timer deadline instead of spinning.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rvisor.hw import layout as L
from rvisor.hw.bus import Bus, BusError
from rvisor.hw.console import CaptureConsole, Console
from rvisor.hw.devices import EmptySlot, GoldfishRtc, Plic, SifiveTest, Uart16550, VirtioBlk, VirtioRng
from rvisor.hw.machine import Machine
from rvisor.hw.trap import TO_FIRMWARE, take_trap

MASK64 = (1 << 64) - 1


@dataclass
class BoardConfig:
    """The machine's shape: the equivalent of QEMU's -m, -smp and -drive options."""

    nharts: int = 1
    ram_size: int = 128 << 20
    drives: Sequence[tuple[str, bool]] = ()  # (image path, read-only), virtio-mmio slots 0, 1, ...
    rng: bool = False  # a virtio-rng device in the slot after the drives
    virtio_version: int = 2  # virtio-mmio transport: 2 = modern, 1 = legacy (QEMU's force-legacy)
    clock: str = "deterministic"  # or "realtime"
    slice: int = 0  # instructions per hart turn (0: chosen from nharts)
    rtc_epoch_ns: int | None = None  # deterministic clock: RTC time at power-on (None: the host's now)
    hext: bool = True  # the harts implement the hypervisor extension (misa.H, "h" in riscv,isa)


@dataclass
class RunResult:
    """How a run ended and what it did."""

    exit_code: int
    reason: str  # poweroff, fail, reset, timeout, quit, fatal, htif; paused (run(pause_after=...))
    message: str = ""
    output: str = ""
    instructions: int = 0
    seconds: float = 0.0
    mips: float = 0.0
    stats: dict[str, Any] = field(default_factory=dict)


# runs for reports: one hart's (or the sum's) counters by cause and reason, named
def _by_cause(cnt: Any) -> dict[str, dict[str, int]]:
    def named(base: int, count: int, names: dict[int, str], what: str) -> dict[str, int]:
        return {names.get(c, f"{what} {c}"): int(cnt[base + c]) for c in range(count) if cnt[base + c]}

    return {
        "traps": named(L.CNT_EXC, 24, L.EXC_NAMES, "cause"),
        "interrupts": named(L.CNT_IRQ, 16, L.IRQ_NAMES, "irq"),
        "exits": named(L.CNT_EXIT, L.N_EXITS, L.EXIT_NAMES, "exit"),
    }


class Board:
    """One machine: ``config`` decides its harts, RAM and disks; ``console`` its UART."""

    # runs once per machine: allocate the harts and RAM, attach every device at its virt address
    def __init__(self, config: BoardConfig, console: Console | None = None) -> None:
        if config.virtio_version not in (1, 2):
            raise ValueError(
                f"virtio-mmio version must be 1 (legacy) or 2 (modern), not {config.virtio_version}"
            )
        if config.clock not in ("deterministic", "realtime"):
            raise ValueError(f"unknown clock {config.clock!r}: use deterministic or realtime")
        self.config = config
        self.console = console if console is not None else CaptureConsole()
        self.machine = m = Machine(config.nharts, config.ram_size, hext=config.hext)
        if config.clock == "realtime":
            m.mach[L.M_IPT] = 0
        self.bus = Bus()
        self.plic = self.bus.attach(Plic(config.nharts, on_change=m.set_external_irq))
        # the UART's registers live in the engine (polling it costs no exit); see rvisor.hw.edev
        self.uart = self.bus.attach(Uart16550(self.console, irq=self.plic.line(L.UART0_IRQ), machine=m))
        self.engine_devices = [self.uart]
        # with the deterministic clock the RTC runs on guest time from a fixed start, so that a run
        # repeats exactly; with the realtime clock it is the host's wall clock
        rtc_clock = time.time_ns
        if config.clock == "deterministic":
            epoch = config.rtc_epoch_ns if config.rtc_epoch_ns is not None else time.time_ns()
            rtc_clock = lambda: epoch + int(m.mach[L.M_MTIME]) * (1_000_000_000 // L.TIMEBASE_HZ)  # noqa: E731
        self.rtc = self.bus.attach(GoldfishRtc(irq=self.plic.line(L.RTC_IRQ), clock=rtc_clock))
        self.test = self.bus.attach(SifiveTest())
        self.virtio: list[Any] = []
        if len(config.drives) + int(config.rng) > L.VIRTIO_SLOTS:
            raise ValueError(f"at most {L.VIRTIO_SLOTS} virtio devices fit on the board")
        for i in range(L.VIRTIO_SLOTS):
            base = L.VIRTIO_BASE + i * L.VIRTIO_STRIDE
            irq = self.plic.line(L.VIRTIO_IRQ0 + i)
            if i < len(config.drives):
                path, ro = config.drives[i]
                dev: Any = VirtioBlk(
                    m, irq, path, base=base, readonly=ro, name=f"virtio-blk{i}", version=config.virtio_version
                )
            elif config.rng and i == len(config.drives):
                dev = VirtioRng(m, irq, base=base, name="virtio-rng", version=config.virtio_version)
            else:
                dev = EmptySlot(m, irq, base=base, name=f"virtio{i}")
            self.virtio.append(self.bus.attach(dev))
        self.firmware: Any = None
        self.fdt_bytes = b""
        self.fdt_addr = 0
        self.boot_info: Any = None
        self._halt: tuple[str, int, str] | None = None
        self.exit_ns = [0] * L.N_EXITS  # host time spent in Python per exit reason, over all runs

    # ---- services for firmware and devices -------------------------------------------------
    # runs when firmware prints (SBI console calls): after what the guest sent through the UART
    def console_write(self, data: bytes) -> None:
        self.uart.service()
        self.console.write(bytes(data))

    # runs when firmware reads the console (SBI getchar): next byte or -1
    def console_read(self) -> int:
        b = self.console.read(1)
        return b[0] if b else -1

    # runs when firmware or a device decides the machine stops (poweroff, reset, fail)
    def halt(self, reason: str, code: int, message: str = "") -> None:
        if self._halt is None:
            self._halt = (reason, code, message)

    # ---- the run loop -----------------------------------------------------------------------
    # runs once per `rvisor run`: until poweroff, failure, timeout or a quit from the console
    def run(
        self,
        timeout: float | None = None,
        progress: Callable[[dict[str, Any]], None] | None = None,
        progress_interval: float = 0.25,
        pause_after: float | None = None,
    ) -> RunResult:
        """Run until the machine halts (poweroff, failure, quit) or ``timeout`` seconds pass.
        With ``pause_after``, return after about that many seconds with reason "paused" and the
        machine left as it is: the next ``run`` goes on from there (rvisor bench interleaves two
        machines so)."""
        m = self.machine
        n = m.nharts
        budget = self.config.slice or (500_000 if n == 1 else 20_000)
        realtime = self.config.clock == "realtime"
        Machine.load_engine()
        start = time.monotonic()
        last_report = start
        last_poll = start
        rt_base = int(m.mach[L.M_MTIME])
        rounds = 0
        poll_rounds = max(1, 2_000_000 // (budget * n))
        exit_ns = self.exit_ns
        try:
            while self._halt is None:
                ran = False
                for h in range(n):
                    state = m.hs[h, L.HS_STATE]
                    if state == L.HART_STOPPED:
                        continue
                    if state != L.HART_RUNNING:
                        if not m.interrupt_pending(h):
                            continue
                        m.hs[h, L.HS_STATE] = L.HART_RUNNING
                    ran = True
                    reason = m.run(h, budget)
                    t_exit = time.perf_counter_ns()
                    try:
                        for dev in self.engine_devices:
                            dev.service()
                        self._exit(h, reason)
                    except Exception as e:  # a bug in a device or firmware model: stop this machine only
                        self.halt("fatal", 1, f"{self.describe_fault(h)}: {type(e).__name__}: {e}")
                    exit_ns[reason] += time.perf_counter_ns() - t_exit
                    if self._halt is not None:
                        break
                now = time.monotonic()
                if realtime:
                    m.mach[L.M_MTIME] = rt_base + int((now - start) * L.TIMEBASE_HZ)
                rounds += 1
                # device polling (console input, RTC alarm): by host time with the realtime clock,
                # by rounds with the deterministic one so that a run repeats exactly
                if not ran or (now - last_poll > 0.002 if realtime else rounds % poll_rounds == 0):
                    last_poll = now
                    self.bus.poll()
                    if self.console.quit_requested:
                        self.halt("quit", 0, "stopped from the console")
                        break
                if not ran:
                    self._idle(realtime)
                if timeout is not None and now - start > timeout:
                    self.halt("timeout", 124, f"timed out after {timeout:g} s")
                    break
                if pause_after is not None and now - start >= pause_after:
                    break
                if progress is not None and now - last_report >= progress_interval:
                    last_report = now
                    progress(self.progress_info(now - start))
        finally:
            self.bus.poll()
        reason, code, message = self._halt or ("paused", 0, "")
        seconds = time.monotonic() - start
        instr = int(m.cnt[:, L.CNT_INSTRET].sum())
        out = self.console.text if isinstance(self.console, CaptureConsole) else ""
        if progress is not None:
            progress(self.progress_info(seconds))
        stats = self.stats()
        # exits that needed Python, per second of the run (the budget's end of a slice is no exit)
        needed = sum(v for k, v in stats["exits"].items() if k != "budget")
        stats["exits_per_second"] = round(needed / seconds, 1) if seconds else 0.0
        return RunResult(
            code,
            reason,
            message,
            out,
            instr,
            seconds,
            instr / seconds / 1e6 if seconds else 0.0,
            stats,
        )

    # runs when no hart could run: jump the clock to the next timer deadline, or wait for input
    def _idle(self, realtime: bool) -> None:
        m = self.machine
        if realtime:
            time.sleep(0.0005)
            return
        now = int(m.mach[L.M_MTIME])
        deadlines = []
        for h in range(m.nharts):
            if m.hs[h, L.HS_STATE] == L.HART_STOPPED:
                continue
            for d in (
                int(m.hs[h, L.HS_MTIMECMP]),
                int(m.hs[h, L.HS_SBI_TIMECMP]),
                int(m.csr[h, L.CSR_STIMECMP]) if int(m.csr[h, L.CSR_MENVCFG]) < 0 else -1,
                # Sstc for VS: VSTIP rises when time + htimedelta reaches vstimecmp
                int(m.csr[h, L.CSR_VSTIMECMP]) - int(m.csr[h, L.CSR_HTIMEDELTA])
                if int(m.csr[h, L.CSR_MENVCFG]) < 0 and int(m.csr[h, L.CSR_HENVCFG]) < 0
                else -1,
            ):
                if d > now:
                    deadlines.append(d)
        if deadlines:
            m.mach[L.M_MTIME] = min(deadlines)
        elif self.console.kind in ("none", "file"):
            # no timer is armed and no input can arrive: nothing will ever wake a hart
            self.halt("fatal", 1, "every hart waits for an interrupt that nothing can raise (deadlock)")
        else:
            time.sleep(0.001)  # only console input can wake a hart now

    # runs after every engine exit: do what the exit asks for
    def _exit(self, h: int, reason: int) -> None:
        m = self.machine
        if reason == L.EXIT_BUDGET:
            return
        if reason == L.EXIT_MMIO:
            self._mmio(h)
        elif reason == L.EXIT_WFI:
            if not m.interrupt_pending(h):
                m.hs[h, L.HS_STATE] = L.HART_WFI
        elif reason == L.EXIT_SBI:
            self.firmware.on_sbi(self, h)
        elif reason == L.EXIT_TRAP:
            self.firmware.on_m_trap(self, h)
        elif reason == L.EXIT_HTIF:
            self._htif(h)
        elif reason == L.EXIT_DEVICE:
            pass  # an engine-resident device was serviced already (run loop)
        elif reason == L.EXIT_BREAK:
            self.halt("fatal", 1, f"hart {h}: ebreak at {int(m.hs[h, L.HS_EXIT_PC]):#x} with no debugger")
        elif reason == L.EXIT_FATAL:
            self.halt("fatal", 1, self.describe_fault(h))
        req = self.test.take()
        if req is not None:
            what, code = req
            self.halt(what, code if what == "fail" else 0)

    # runs on EXIT_MMIO: one load or store to a Python device
    def _mmio(self, h: int) -> None:
        m = self.machine
        addr = int(m.hs[h, L.HS_EXIT_ADDR])
        size = int(m.hs[h, L.HS_EXIT_SIZE])
        flags = int(m.hs[h, L.HS_EXIT_FLAGS])
        try:
            if flags & L.MMIO_WRITE:
                self.bus.write(addr, size, int(m.hs[h, L.HS_EXIT_VALUE]) & MASK64)
            else:
                v = self.bus.read(addr, size)
                if flags & L.MMIO_SIGNED and v >> (8 * size - 1):
                    v -= 1 << (8 * size)
                m.set_reg(h, int(m.hs[h, L.HS_EXIT_RD]), v)
        except BusError:
            # nothing answers at this address: the access faults (priv spec 3.7, PMA violations)
            cause = L.EXC_STORE_ACCESS if flags & L.MMIO_WRITE else L.EXC_LOAD_ACCESS
            m.cnt[h, L.CNT_INSTRET] -= 1  # the faulting access did not retire
            pc = int(m.hs[h, L.HS_EXIT_PC])
            va = int(m.hs[h, L.HS_EXIT_TVAL])  # the virtual address of the access
            npc = int(take_trap(h, cause, va, pc, False, m.csr, m.hs, m.cnt))
            if npc == TO_FIRMWARE:
                self.firmware.on_m_trap(self, h)
            else:
                m.hs[h, L.HS_PC] = npc

    # runs on EXIT_HTIF: the tohost protocol of the standard ISA tests
    def _htif(self, h: int) -> None:
        m = self.machine
        tohost = int(m.mach[L.M_TOHOST])
        v = m.read_u64(tohost)  # the command is the word in memory (it may be written in halves)
        dev, cmd = v >> 56, (v >> 48) & 0xFF
        if dev == 0 and v & 1:
            code = v >> 1
            self.halt(
                "poweroff" if code == 0 else "fail", code, "" if code == 0 else f"HTIF exit code {code}"
            )
        elif dev == 1 and cmd == 1:
            self.console_write(bytes([v & 0xFF]))
            m.write_u64(tohost, 0)
            if m.in_ram(tohost + 64, 8):
                m.write_u64(tohost + 64, (1 << 56) | (1 << 48))  # fromhost answer, as the console expects
        elif v:
            m.write_u64(tohost, 0)

    # ---- reports -------------------------------------------------------------------------------
    # runs when a run stops on an emulator fault: pc, instruction and mode, for the error line
    def describe_fault(self, h: int) -> str:
        m = self.machine
        priv, virt = int(m.hs[h, L.HS_PRIV]), int(m.hs[h, L.HS_V])
        mode = L.PRV_NAMES.get(priv, "?") if not virt else L.MODE_NAMES.get((priv, 1), "?")
        pc = int(m.hs[h, L.HS_EXIT_PC]) & MASK64
        insn = "unknown"
        if m.in_ram(pc, 4):  # the exit pc is physical for bare-metal code, virtual otherwise
            word = int.from_bytes(m.read_phys(pc, 4), "little")
            insn = f"{word & 0xFFFF:#06x}" if word & 3 != 3 else f"{word:#010x}"
        return f"emulator fault on hart {h}: pc={pc:#x} insn={insn} mode={mode}"

    # runs for the live status line
    def progress_info(self, seconds: float) -> dict[str, Any]:
        m = self.machine
        instr = int(m.cnt[:, L.CNT_INSTRET].sum())
        return {
            "instructions": instr,
            "seconds": seconds,
            "mips": instr / seconds / 1e6 if seconds else 0.0,
            "pc": int(m.hs[0, L.HS_PC]) & MASK64,
            "harts": m.nharts,
        }

    # runs at the end of a run: counters by name, for tables and --stats-json
    def stats(self) -> dict[str, Any]:
        m = self.machine
        harts = [
            {
                "hart": h,
                "instructions": int(m.cnt[h, L.CNT_INSTRET]),
                "priv_switches": int(m.cnt[h, L.CNT_PRIV_SWITCH]),
                "page_walks": int(m.cnt[h, L.CNT_TLB_MISS]),
                **_by_cause(m.cnt[h]),
            }
            for h in range(m.nharts)
        ]
        cnt = m.cnt.sum(axis=0)
        traps, irqs, exits = (v for v in _by_cause(cnt).values())
        out: dict[str, Any] = {
            "traps": traps,
            "interrupts": irqs,
            "exits": exits,
            "priv_switches": int(cnt[L.CNT_PRIV_SWITCH]),
            "page_walks": int(cnt[L.CNT_TLB_MISS]),
            "harts": harts,
        }
        out["exit_cost"] = self.exit_cost(exits)
        fw_stats = getattr(self.firmware, "stats", None)
        if dataclasses.is_dataclass(fw_stats):
            out["sbi"] = dataclasses.asdict(fw_stats)  # SBI calls by extension (built-in firmware)
        return out

    # runs at the end of a run: what exits cost — Python's handling time per exit, by reason
    def exit_cost(self, exits: dict[str, int]) -> dict[str, dict[str, float]]:
        cost: dict[str, dict[str, float]] = {}
        for reason, name in L.EXIT_NAMES.items():
            count = exits.get(name, 0)
            if count:
                cost[name] = {"count": count, "ns_per_exit": round(self.exit_ns[reason] / count, 1)}
        return cost

    # runs when the board is torn down: flush and close disk images and the console
    def close(self) -> None:
        for d in self.virtio:
            close = getattr(d, "close", None)
            if close is not None:
                close()
        self.console.close()
