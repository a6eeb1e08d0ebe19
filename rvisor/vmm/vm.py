"""A virtual machine: its configuration, lifecycle, memory, vCPUs, devices, and one slice of running.

``VM.run_slice(hart, mach, budget)`` is the VM's half of scheduling (the policy that picks which
VM runs where is ``rvisor.vmm.sched``'s, started by ``Host.run``): it loads one of
the VM's runnable vCPUs onto physical hart ``hart`` (round-robin among them), runs the engine with
the thread's ``mach`` array, handles the exits (``rvisor.vmm.exits``) until the budget is used, the
vCPU parks or the VM stops, saves the vCPU and says what happened (``SliceResult``).

Lifecycle: created → running ⇄ paused → stopped → destroyed.  Lifecycle calls may come from any
thread; they take the VM's lock, which a running slice holds, so they apply between slices.
``Host.destroy`` stops a VM that still runs.  ``exit_status`` says how it ended: "poweroff" (SBI
SRST shutdown, the syscon), "fail" (a poweroff reporting failure), "stopped" (a lifecycle call),
"fault" (the VMM stopped a misbehaving guest; ``report`` says what it did), "internal error" (an
unexpected error in the VMM, contained to this VM), or "out of host memory" while the VM is paused
because no host frame was left for it.  A guest reset (SRST reboot, the syscon) restarts the VM.
"""

from __future__ import annotations

import enum
import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numba
import numpy as np

from rvisor.boot import fdt_address
from rvisor.boot.errors import BootError
from rvisor.boot.loaders import check_dtb, load_initrd, load_kernel, read_file
from rvisor.hw import layout as L
from rvisor.hw.fdt import FdtConfig, build_virt_fdt
from rvisor.hw.trap import take_trap
from rvisor.vmm.console import VMConsole
from rvisor.vmm.devices import VMDevices
from rvisor.vmm.exits import handle_exit
from rvisor.vmm.memory import GuestMemory, HostMemoryExhausted, s64
from rvisor.vmm.sbi import GuestSbi
from rvisor.vmm.vcpu import MIP_VSEIP, MIP_VSSIP, VCpu, VCpuState
from rvisor.vmm.watchdog import Watchdog, masked_run, storm_check

if TYPE_CHECKING:
    from rvisor.vmm.host import Host

MiB = 1 << 20
KERNEL_OFFSET = 2 * MiB  # S-mode kernels are entered at RAM base + 2 MiB (0x80200000)
MAX_VCPUS = 8
U64 = (1 << 64) - 1


class VMError(Exception):
    """A VM that cannot be created, or a lifecycle call that is not allowed in its state."""


class VMState(enum.Enum):
    """Lifecycle states of a VM."""

    CREATED = "created"
    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"
    DESTROYED = "destroyed"

    # runs when a state is printed: its plain name
    def __str__(self) -> str:
        return self.value


@dataclass
class DriveSpec:
    """A virtio-blk drive of a VM: a raw image file, read-only or not."""

    path: Path
    readonly: bool = False


@dataclass
class VMConfig:
    """What a VM is: kernel, initrd, command line, memory, vCPUs, share of the harts, drives, console."""

    name: str
    kernel: Path
    initrd: Path | None = None
    append: str = ""
    memory: int = 256 * MiB
    vcpus: int = 1
    weight: float = 1.0
    cap: float | None = None  # in harts: 0.5 = at most half of one hart
    drives: list[DriveSpec] = field(default_factory=list)
    console: str = "none"  # "stdio", "none" or "file:PATH"


@dataclass
class SliceResult:
    """What one ``VM.run_slice`` did."""

    instructions: int
    seconds: float
    runnable: bool  # a vCPU of the VM can run now
    wake_at: float | None  # host monotonic seconds of the earliest timer of a parked VM, or None
    #   (deterministic clock: host mtime in seconds, Host.mtime_to_monotonic)
    stopped: bool  # the VM is stopped (or destroyed): never schedule it again


class VM:
    """One guest machine on a ``Host``; made by ``Host.create``."""

    # runs from Host.create: check the configuration, build memory, devices and vCPUs, load images
    def __init__(self, host: Host, cfg: VMConfig, vmid: int) -> None:
        _check_config(cfg)
        self.host = host
        self.machine = host.machine
        self.config = cfg
        self.name = cfg.name
        self.vmid = vmid
        self.watchdog = Watchdog()
        self.serial = host.take_serial()  # unique on the host: VMIDs are reused after destroy
        self.last_hart: int | None = None  # the hart this VM's vCPUs ran on last (Host._needs_flush)
        self._lock = threading.RLock()
        self._state = VMState.CREATED
        self.exit_status: str | None = None
        self.report = ""
        self.exit_counts: dict[str, int] = {}
        self.exit_ns: dict[str, int] = {}  # Python time spent handling exits, by exit name
        self._last_exit = ""
        self.hart_seconds = 0.0
        self.slices = 0
        self.reboots = 0
        self.htimedelta = 0
        self._paused_at: int | None = None
        self._pending_reboot = False
        self._rr = 0
        self.started_at: float | None = None
        self.fdt = b""
        self.fdt_addr = 0
        self.entry = 0
        self.rtc_epoch_ns = host.rtc_epoch_ns if host.rtc_epoch_ns is not None else time.time_ns()
        try:
            self.console = VMConsole(cfg.name, cfg.console, wake=self.wake)
        except (ValueError, OSError) as e:
            raise VMError(f"VM {cfg.name!r}: console {cfg.console!r}: {e}") from None
        try:
            self.memory = GuestMemory(host.memory, vmid, cfg.memory)
        except HostMemoryExhausted as e:
            self.console.close()
            raise VMError(f"VM {cfg.name!r} cannot be created: {e}") from None
        self.vcpus = [VCpu(i) for i in range(cfg.vcpus)]
        self.sbi = GuestSbi(self)
        deterministic = host.clock == "deterministic"
        try:
            self.devices = VMDevices(
                self.memory,
                self.console,
                cfg.vcpus,
                [(str(d.path), d.readonly) for d in cfg.drives],
                on_external=self._external_irq,
                on_halt=self._syscon_halt,
                rtc_clock=self._rtc_now if deterministic else time.time_ns,
                # the deterministic clock repeats runs exactly: entropy from a generator seeded by the name
                rng_source=random.Random(f"rvisor-vm-{cfg.name}").randbytes if deterministic else None,
            )
        except (ValueError, OSError) as e:
            self.memory.release()
            self.console.close()
            raise VMError(f"VM {cfg.name!r}: {e}") from None
        try:
            self._load_images()
        except BaseException as e:
            self.devices.close()
            self.memory.release()
            self.console.close()
            if isinstance(e, HostMemoryExhausted):
                raise VMError(f"VM {cfg.name!r} cannot be created: {e} (loading its images)") from None
            raise

    # ---- images ----------------------------------------------------------------------------------
    # runs at creation and at every reboot: kernel, initrd and device tree into guest RAM
    def _load_images(self) -> None:
        """As rvisor.boot places them for the built-in firmware (QEMU 7.2's hw/riscv/boot.c):
        the kernel at RAM base + 2 MiB (a Linux Image at its text_offset, an ELF at its physical
        addresses), the initrd at kernel entry + min(RAM/2, 128 MiB), the device tree at the
        highest 2 MiB boundary that leaves room for it."""
        cfg = self.config
        mem = self.memory
        kpath = str(cfg.kernel)
        try:
            data = read_file(kpath, "kernel")
            if data[:4] != b"\x7fELF" and b"OpenSBI v" in data[: 4 << 20]:
                raise VMError(self._mmode_message(kpath, "is OpenSBI firmware, which runs in M-mode"))
            kernel = load_kernel(mem, kpath, mem.ram_base + KERNEL_OFFSET)
            if kernel.low < mem.ram_base + KERNEL_OFFSET:
                raise VMError(self._mmode_message(
                    kpath, f"is linked at {kernel.low:#x}, below {mem.ram_base + KERNEL_OFFSET:#x}: it is"
                           " M-mode software (entered at the reset address as with --bios none)"))
            initrd = None
            taken = [(kernel.low, kernel.high, f"the kernel {kpath}")]
            if cfg.initrd is not None:
                initrd = load_initrd(mem, str(cfg.initrd), kernel, kernel.entry, [])
                taken.append((initrd[0], initrd[1], f"the initrd {cfg.initrd}"))
            blob = build_virt_fdt(FdtConfig(
                nharts=cfg.vcpus,
                ram_base=mem.ram_base,
                ram_size=mem.ram_size,
                bootargs=cfg.append or None,
                initrd_start=initrd[0] if initrd else None,
                initrd_end=initrd[1] if initrd else None,
                hypervisor=False,
                clint=False,
            ))
            blob = check_dtb(blob, "the VM's device tree")
            addr = fdt_address(mem.ram_base, mem.ram_size, len(blob))
            for lo, hi, what in taken:
                if addr < mem.ram_base or (addr < hi and lo < addr + len(blob)):
                    raise VMError(f"VM {self.name!r}: the device tree at {addr:#x} would overlap {what}"
                                  f" at {lo:#x}-{hi:#x}; give the VM more memory")
            mem.write_phys(addr, blob)
        except BootError as e:
            raise VMError(f"VM {self.name!r}: {e}") from None
        self.fdt, self.fdt_addr, self.entry = blob, addr, kernel.entry

    # runs when an image cannot run in VS mode: the one-line reason
    def _mmode_message(self, path: str, why: str) -> str:
        return (f"VM {self.name!r}: kernel {path} {why}; M-mode software (OpenSBI, xv6, bare-metal"
                " programs at 0x80000000) cannot run in a VM, whose guests run in VS mode on SBI,"
                " and trap-and-emulate of M-mode is not available yet; give an S-mode kernel"
                " entered at 0x80200000 (Linux, the teaching OS)")

    # ---- state ------------------------------------------------------------------------------------
    # runs whenever a caller asks for the lifecycle state
    @property
    def state(self) -> VMState:
        return self._state

    # runs in exit handling: may the guest go on?
    @property
    def is_running(self) -> bool:
        return self._state == VMState.RUNNING

    # runs for every lifecycle call: the error for a transition that is not allowed
    def _bad(self, op: str) -> VMError:
        return VMError(f"cannot {op} VM {self.name!r}: it is {self._state.value}")

    # ---- lifecycle --------------------------------------------------------------------------------
    # runs on vm.start(): created → running, the boot vCPU at the kernel entry
    def start(self) -> None:
        with self._lock:
            if self._state != VMState.CREATED:
                raise self._bad("start")
            self.htimedelta = -self.host.mtime_now()  # guest time starts at 0
            self._reset_vcpus()
            self._state = VMState.RUNNING
            self.started_at = time.monotonic()
        self.wake()

    # runs on vm.pause(): running → paused (applied between slices)
    def pause(self) -> None:
        with self._lock:
            if self._state != VMState.RUNNING:
                raise self._bad("pause")
            self._pause()
        self.wake()

    # runs when the VM is paused by a call or by the VMM: guest time stops with it
    def _pause(self) -> None:
        self._state = VMState.PAUSED
        self._paused_at = self.host.mtime_now()

    # runs on vm.resume(): paused → running; the paused span is taken out of guest time (htimedelta)
    def resume(self) -> None:
        with self._lock:
            if self._state != VMState.PAUSED:
                raise self._bad("resume")
            if self._paused_at is not None:
                span = max(0, self.host.mtime_now() - self._paused_at)
                self.htimedelta -= span
                for v in self.vcpus:
                    _, _, csr, _, h = v.live(self.machine)
                    csr[h, L.CSR_HTIMEDELTA] = s64(int(csr[h, L.CSR_HTIMEDELTA]) - span)
            self._paused_at = None
            if self.exit_status == "out of host memory":
                self.exit_status = None
            self._state = VMState.RUNNING
        self.wake()

    # runs on vm.stop(): the guest ends here (exit status "stopped")
    def stop(self) -> None:
        with self._lock:
            if self._state not in (VMState.CREATED, VMState.RUNNING, VMState.PAUSED):
                raise self._bad("stop")
            self._finish("stopped", "stopped by a lifecycle call")
        self.wake()

    # runs when the VM ends for any reason
    def _finish(self, status: str, report: str = "") -> None:
        self._state = VMState.STOPPED
        self.exit_status = status
        if report:
            self.report = report
        self.devices.flush_uart()

    # runs from Host.destroy: every frame and file back to the host
    def _destroy(self) -> None:
        with self._lock:
            if self._state in (VMState.RUNNING, VMState.PAUSED, VMState.CREATED):
                self._finish("stopped", self.report or "destroyed while it ran")
            if self._state == VMState.DESTROYED:
                raise self._bad("destroy")
            self._state = VMState.DESTROYED
            self.devices.close()
            self.console.close()
            self.memory.release()

    # runs when something may have made the VM runnable (input, an API call, an interrupt)
    def wake(self) -> None:
        self.host.notify(self)

    # ---- guest-initiated ends -------------------------------------------------------------------------
    # runs on SBI SRST, legacy shutdown and the syscon: poweroff stops this VM, reset restarts it
    def guest_halt(self, what: str, code: int = 0) -> None:
        if what == "reset":
            self._pending_reboot = True
            return
        if what == "poweroff" and code == 0:
            self._finish("poweroff")
        else:
            self._finish("fail", f"the guest powered off reporting failure (code {code})")

    # runs when the guest writes the syscon (SiFive test device): poweroff, reset, or fail with a code
    def _syscon_halt(self, what: str, code: int) -> None:
        if what == "fail":
            self._finish("fail", f"the guest powered off reporting failure (syscon code {code})")
        else:
            self.guest_halt(what, code)

    # runs when exit handling gives up on the guest: the VM stops alone, with a report
    def fail(self, status: str, report: str) -> None:
        with self._lock:
            if self._state in (VMState.RUNNING, VMState.PAUSED):
                self._finish(status, report)

    # runs when no host frame is left for this VM's fault: paused, the others go on
    def out_of_memory(self, report: str) -> None:
        if self._state == VMState.RUNNING:
            self._pause()
            self.exit_status = "out of host memory"
            self.report = report

    # runs after a slice in which the guest asked for a reset: fresh RAM, devices and vCPUs
    def _reboot(self) -> None:
        self._pending_reboot = False
        self.reboots += 1
        self.memory.reset()
        self.devices.reset()
        try:
            self._load_images()
        except VMError as e:
            self._finish("fault", f"reboot failed: {e}")
            return
        self.htimedelta = -self.host.mtime_now()
        self._reset_vcpus()

    # runs at start and reboot: vCPU 0 at the kernel entry (a0 = 0, a1 = device tree), others stopped
    def _reset_vcpus(self) -> None:
        for v in self.vcpus:
            running = v.index == 0
            v.reset(self.memory.hgatp, self.htimedelta, self.entry, 0, self.fdt_addr, running)

    # ---- services for exits and SBI ---------------------------------------------------------------------
    # runs on HSM hart_start: the target vCPU starts at addr with a0 = its index, a1 = opaque
    def start_vcpu(self, v: VCpu, addr: int, opaque: int) -> None:
        v.reset(self.memory.hgatp, self.htimedelta, addr, v.index, opaque, True)
        self.wake()

    # runs on HSM hart_stop from the vCPU itself; with every vCPU stopped nothing can run again
    def stop_vcpu(self, v: VCpu) -> None:
        v.state = VCpuState.STOPPED
        _, _, _, hs, h = v.live(self.machine)
        hs[h, L.HS_STATE] = L.HART_STOPPED
        if all(o.state == VCpuState.STOPPED for o in self.vcpus):
            self.fail("fault", "every vCPU has stopped itself (SBI HSM hart_stop): nothing can start"
                               " them again")

    # runs on WFI with nothing pending and on HSM suspend: the vCPU waits for an interrupt
    def park(self, v: VCpu, suspended: bool = False) -> None:
        v.state = VCpuState.WFI
        v.suspended = suspended

    # runs on a non-retentive HSM suspend: wake at addr in VS-mode with a0 = index, a1 = opaque
    def resume_at(self, v: VCpu, h: int, addr: int, opaque: int) -> None:
        m = self.machine
        m.hs[h, L.HS_PC] = s64(addr)
        m.hs[h, L.HS_PRIV] = L.PRV_S
        m.hs[h, L.HS_V] = 1
        m.set_reg(h, 10, v.index)
        m.set_reg(h, 11, opaque)
        m.csr[h, L.CSR_VSATP] = 0
        m.csr[h, L.CSR_VSSTATUS] = int(m.csr[h, L.CSR_VSSTATUS]) & ~L.MSTATUS_SIE
        m.flush_tlb(h)
        self.park(v, suspended=True)

    # runs on SBI IPI and legacy send_ipi: VSSIP in the target's hvip
    def raise_ipi(self, v: VCpu) -> None:
        v.set_hvip(self.machine, MIP_VSSIP, True)

    # runs for a remote fence on vCPU v: its cached translations go, now or when it is loaded next
    def fence(self, v: VCpu) -> None:
        if v.hart is not None:
            self.machine.flush_tlb(v.hart)
        else:
            v.flush_pending = True

    # runs whenever the PLIC's S-context output for a vCPU changes: that vCPU's hvip.VSEIP
    def _external_irq(self, index: int, level: bool) -> None:
        if 0 <= index < len(self.vcpus):
            self.vcpus[index].set_hvip(self.machine, MIP_VSEIP, level)

    # runs on SBI console calls: after what the guest already sent through the UART
    def console_write(self, data: bytes) -> None:
        self.devices.flush_uart()
        self.console.write(data)

    # runs for the deterministic RTC: the guest's own time in ns from a fixed start
    def _rtc_now(self) -> int:
        ticks = self.host.mtime_now() + self.htimedelta
        return self.rtc_epoch_ns + ticks * (1_000_000_000 // L.TIMEBASE_HZ)

    # runs to inject an exception into the guest: trap entry into VS (Hypervisor chapter "Trap Entry")
    def inject_exception(self, h: int, cause: int, tval: int, counted: int | None = None) -> bool:
        """vsepc = pc, vscause, vstval, vsstatus.SPP/SPIE/SIE, pc = vstvec.BASE, done by the
        engine's own trap entry with the cause delegated through hedeleg for the moment.  Returns
        False (and stops the VM) when the guest has no trap handler."""
        m = self.machine
        pc = int(m.hs[h, L.HS_PC])
        vstvec = int(m.csr[h, L.CSR_VSTVEC]) & ~3 & U64
        if vstvec == 0:
            what = L.EXC_NAMES.get(cause, f"exception cause {cause}")
            self.fail("fault", f"guest raised {what} (tval {tval & U64:#x}) at pc {pc & U64:#x} with no"
                               f" trap handler (vstvec = 0) on vCPU {int(m.hs[h, L.HS_HARTID])}")
            return False
        hedeleg = int(m.csr[h, L.CSR_HEDELEG])
        m.csr[h, L.CSR_HEDELEG] = hedeleg | (1 << cause)
        try:
            npc = int(take_trap(h, cause, s64(tval), pc, False, m.csr, m.hs, m.cnt))
        finally:
            m.csr[h, L.CSR_HEDELEG] = hedeleg
        if counted == cause:
            m.cnt[h, L.CNT_EXC + cause] -= 1  # counted once already, when it left the engine
        m.hs[h, L.HS_PC] = npc
        return True

    # runs for exit counters
    def count_exit(self, name: str) -> None:
        self.exit_counts[name] = self.exit_counts.get(name, 0) + 1
        self._last_exit = name

    # runs for reports: where the loaded vCPU on hart h is
    def describe_pc(self, h: int) -> str:
        m = self.machine
        pc = int(m.hs[h, L.HS_EXIT_PC]) & U64
        mode = L.MODE_NAMES.get((int(m.hs[h, L.HS_PRIV]), int(m.hs[h, L.HS_V])), "?")
        insn = int(m.hs[h, L.HS_EXIT_INSN]) & 0xFFFFFFFF
        return f"vCPU {int(m.hs[h, L.HS_HARTID])} pc={pc:#x} insn={insn:#010x} mode={mode}"

    # ---- scheduling ---------------------------------------------------------------------------------------
    # runs for the scheduler between slices: poll devices, then may a vCPU run now?
    def has_runnable(self) -> bool:
        with self._lock:
            if self._state != VMState.RUNNING:
                return False
            if not self._poll():
                return False
            now = self.host.mtime_now()
            return any(self._can_run(v, now) for v in self.vcpus)

    # runs between slices: the devices' host side (console input, alarms); False if a device model
    # failed, which stops this VM alone
    def _poll(self) -> bool:
        try:
            self.devices.poll()
        except Exception as e:
            self.fail("internal error", f"internal error in the VMM while polling the VM's devices:"
                                        f" {type(e).__name__}: {e}")
            return False
        return True

    # runs for each vCPU when the scheduler looks for work: runnable, or parked with an interrupt pending
    def _can_run(self, v: VCpu, now: int) -> bool:
        if v.state == VCpuState.RUNNABLE:
            return True
        if v.state == VCpuState.WFI and v.wake_pending(self.machine, now):
            v.state = VCpuState.RUNNABLE
            v.suspended = False
            return True
        return False

    # runs on EXIT_YIELD: is there another vCPU of this VM that could use the hart?
    def other_runnable(self, v: VCpu) -> bool:
        now = self.host.mtime_now()
        return any(o is not v and self._can_run(o, now) for o in self.vcpus)

    # runs for the scheduler: the earliest timer deadline of a parked vCPU, in host mtime ticks
    def next_deadline(self) -> int | None:
        if self._state != VMState.RUNNING:
            return None
        ds = [v.deadline(self.machine) for v in self.vcpus if v.state == VCpuState.WFI]
        known = [d for d in ds if d is not None]
        return min(known) if known else None

    # runs for the scheduler: next_deadline as host monotonic seconds (deterministic: host mtime seconds)
    def wake_at(self) -> float | None:
        d = self.next_deadline()
        return None if d is None else self.host.mtime_to_monotonic(d)

    # runs once per slice: one vCPU on hart `hart` for up to `budget` instructions
    def run_slice(self, hart: int, mach: np.ndarray, budget: int) -> SliceResult:
        """Load a runnable vCPU (round-robin) onto ``hart``, run it with ``mach`` (the thread's
        copy of the machine-wide scalars), handle its exits until the budget is used, it parks
        or the VM stops, save it.  Never raises for anything the guest does: an unexpected
        error in exit handling stops this VM alone with an "internal error" report."""
        from rvisor.hw.engine import run as engine_run

        t0 = time.perf_counter()
        with self._lock:
            if self._state != VMState.RUNNING:
                return SliceResult(0, 0.0, False, None, self._state in (VMState.STOPPED, VMState.DESTROYED))
            if not self._poll():
                return SliceResult(0, time.perf_counter() - t0, False, None, True)
            now = self.host.mtime_now()
            n = len(self.vcpus)
            v = None
            for i in range(n):
                cand = self.vcpus[(self._rr + i) % n]
                if self._can_run(cand, now):
                    v = cand
                    self._rr = (cand.index + 1) % n
                    break
            if v is None:
                return SliceResult(0, time.perf_counter() - t0, False, self.wake_at(), False)
            m = self.machine
            if self.host.clock == "deterministic":
                self.host.adopt_mach(mach)
            else:
                mach[L.M_IPT] = 0  # Python owns mtime: the host's monotonic clock
            mach[L.M_EDEV_COUNT] = 0  # a VM's devices are all in Python
            mach[L.M_TOHOST] = -1
            self.host.load_vcpu(self, v, hart)
            start = int(m.cnt[hart, L.CNT_INSTRET])
            realtime = self.host.clock == "realtime"
            self.slices += 1
            exits = 0
            try:
                while True:
                    left = budget - (int(m.cnt[hart, L.CNT_INSTRET]) - start)
                    if left <= 0:
                        break
                    if realtime:
                        mach[L.M_MTIME] = self.host.mtime_now()
                    if numba.config.DISABLE_JIT:
                        with np.errstate(over="ignore"):
                            reason = int(engine_run(hart, left, m.ram, m.r16, m.r32, m.r64, m.rom, m.ctab,
                                                    m.x, m.f, m.csr, m.hs, m.cnt, mach, m.tlb))
                    else:
                        reason = int(engine_run(hart, left, m.ram, m.r16, m.r32, m.r64, m.rom, m.ctab,
                                                m.x, m.f, m.csr, m.hs, m.cnt, mach, m.tlb))
                    self._last_exit = ""
                    t_exit = time.perf_counter_ns()
                    try:
                        keep = handle_exit(self, v, hart, reason)
                    except Exception as e:  # a VMM bug or an unforeseen guest input: this VM alone
                        name = L.EXIT_NAMES.get(reason, str(reason))
                        self.fail("internal error", f"internal error in the VMM while handling a {name} exit"
                                                    f" ({self.describe_pc(hart)}): {type(e).__name__}: {e}")
                        keep = False
                    if self._last_exit:
                        ns = time.perf_counter_ns() - t_exit
                        self.exit_ns[self._last_exit] = self.exit_ns.get(self._last_exit, 0) + ns
                        exits += 1
                    if not keep or self._state != VMState.RUNNING or self._pending_reboot:
                        break
            finally:
                v.save(m, hart)
            instr = int(v.cnt[0, L.CNT_INSTRET]) - start
            if self._pending_reboot and self._state == VMState.RUNNING:
                self._reboot()
            seconds = time.perf_counter() - t0
            self.hart_seconds += seconds
            self._watch(v, instr, seconds, exits)
            now = self.host.mtime_now()
            runnable = self._state == VMState.RUNNING and any(self._can_run(o, now) for o in self.vcpus)
            stopped = self._state in (VMState.STOPPED, VMState.DESTROYED)
            return SliceResult(instr, seconds, runnable, None if runnable else self.wake_at(), stopped)

    # runs after every slice: stop a vCPU stuck with interrupts off, name an exit storm (rvisor.vmm.watchdog)
    def _watch(self, v: VCpu, instr: int, seconds: float, exits: int) -> None:
        if self._state != VMState.RUNNING:
            return
        run = masked_run(self.watchdog, v.index, v.csr, v.hs, self.host.mtime_now(), instr)
        if run >= self.watchdog.spin_limit:
            pc = int(v.hs[0, L.HS_PC]) & (2**64 - 1)
            self.fail("stuck", f"vCPU {v.index} ran {run:,} instructions in VS-mode with interrupts"
                               f" disabled (vsstatus.SIE = 0) while an interrupt it enabled was pending,"
                               f" last at pc {pc:#x}: it spins with interrupts off, so the VM was stopped")
            return
        rate = storm_check(self.watchdog, seconds, exits)
        if rate is not None and self.watchdog.storms == 1:
            common = max(self.exit_counts, key=self.exit_counts.get) if self.exit_counts else "?"
            self.watchdog.warnings.append(
                f"exit storm: {rate:,.0f} exits a second of its hart time (mostly {common}), the VMM"
                f" handling them more than the guest runs; it is held to its share")

    # ---- statistics -------------------------------------------------------------------------------------
    # runs for `rvisor up`'s table, the API and tests: the VM's counters by name
    def stats(self) -> dict[str, Any]:
        m = self.machine
        instr = sum(int(v.counters(m)[L.CNT_INSTRET]) for v in self.vcpus)
        elapsed = self.host.elapsed()
        share = self.hart_seconds / (elapsed * m.nharts) if elapsed > 0 else 0.0
        overhead = sum(v.state_bytes for v in self.vcpus) + len(self.fdt) + 64 * len(self.memory.pages)
        overhead += len(self.console.output()) + int(self.devices.uart.state.nbytes)
        return {
            "name": self.name,
            "state": self._state.value,
            "exit": self.exit_status,
            "report": self.report,
            "instructions": instr,
            "hart_seconds": round(self.hart_seconds, 6),
            "share": round(share, 4),
            "exits": dict(self.exit_counts),
            "exit_cost": {k: {"count": n, "ns_per_exit": round(self.exit_ns.get(k, 0) / n, 1)}
                          for k, n in self.exit_counts.items()},
            "sbi": dict(self.sbi.calls),
            "guest_page_faults": self.memory.stats.guest_page_faults,
            "pages_mapped": len(self.memory.pages),
            "host_memory_bytes": self.memory.host_bytes + overhead,
            "vcpus": len(self.vcpus),
            "reboots": self.reboots,
            "slices": self.slices,
            "warnings": list(self.watchdog.warnings),
            "exit_storms": self.watchdog.storms,
        }


# runs before anything is built: the checks that need no host resources
def _check_config(cfg: VMConfig) -> None:
    name = cfg.name
    if not name or not all(c.isalnum() or c in "-_." for c in name):
        raise VMError(f"VM name {name!r} must be letters, digits, '-', '_' or '.'")
    if cfg.memory < MiB * 4 or cfg.memory % 4096:
        raise VMError(f"VM {name!r}: memory must be a whole number of 4 KiB pages of at least 4 MiB,"
                      f" not {cfg.memory}")
    if cfg.memory > (1 << 40):
        raise VMError(f"VM {name!r}: memory {cfg.memory} is larger than a VM's 1 TiB guest-physical RAM")
    if not 1 <= cfg.vcpus <= MAX_VCPUS:
        raise VMError(f"VM {name!r}: vcpus must be 1..{MAX_VCPUS}, not {cfg.vcpus}")
    if cfg.weight <= 0:
        raise VMError(f"VM {name!r}: weight must be positive, not {cfg.weight}")
    if cfg.cap is not None and cfg.cap <= 0:
        raise VMError(f"VM {name!r}: cap must be positive (in harts), not {cfg.cap}")
    if not Path(cfg.kernel).is_file():
        raise VMError(f"VM {name!r}: kernel {cfg.kernel} does not exist; check the path")
    if cfg.initrd is not None and not Path(cfg.initrd).is_file():
        raise VMError(f"VM {name!r}: initrd {cfg.initrd} does not exist; check the path")
    for d in cfg.drives:
        if not Path(d.path).is_file():
            raise VMError(f"VM {name!r}: drive image {d.path} does not exist; create it first"
                          f" (e.g. truncate -s 64M {d.path})")
