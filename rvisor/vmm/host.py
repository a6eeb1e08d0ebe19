"""The host: the physical board the VMM runs on, its VMs, host time, and where scheduling plugs in.

``Host(harts, memory, clock)`` builds an ``rvisor.hw.machine.Machine``; its RAM is the pool of
frames the VMs' guest memory comes from (``rvisor.vmm.memory.HostMemory``).  ``create`` makes a
VM, ``destroy`` gives everything of it back, ``run`` runs the VMs until all have stopped.

Two separate parts of scheduling:

1. ``VM.run_slice(hart, mach, budget)`` (``rvisor.vmm.vm``): one slice of one VM on one hart;
2. the policy that picks which VM runs next on which hart: ``rvisor.vmm.sched`` (weights, caps,
   parking, a thread per hart with the realtime clock, one thread in a fixed order with the
   deterministic one), which ``run`` starts.  It reaches the host only through ``run_slice``,
   ``thread_mach``, the wake listeners (``notify``), ``mtime_now`` and ``advance_time``.

Time: guest time is host mtime + the VM's htimedelta (Hypervisor chapter, "htimedelta").  With
the realtime clock host mtime is the host's monotonic clock at 10 MHz, written into the thread's
``mach[M_MTIME]`` before every engine run (``mach[M_IPT] = 0``); with the deterministic clock it
advances with instructions retired (``mach[M_IPT]`` instructions a tick, as on the board) in the
mach array of the one thread that runs every VM (``adopt_mach``), jumps to the next timer when
every VM waits (``advance_time``), and two runs repeat exactly.

TLB: the engine tags cached translations by VMID and guest ASID (``rvisor.hw.tlb``), so a hart
switched to another VM or vCPU keeps every VM's entries; ``_needs_flush`` is the one place that
decides when a hart must forget them (a VM moved between harts, mappings removed, a VMID reused,
a remote fence).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from rvisor.hw import layout as L
from rvisor.hw.machine import Machine
from rvisor.vmm.memory import VMID_MAX, HostMemory
from rvisor.vmm.sched import SLICE
from rvisor.vmm.vcpu import VCpu
from rvisor.vmm.vm import VM, VMConfig, VMError

SLICE_SMP = 50_000  # instructions per slice of a VM with several vCPUs (they take turns on one hart)
IPT = 10  # deterministic clock: instructions per 100 ns tick, as the board


class Host:
    """The physical machine and the VMs on it."""

    # runs once: the board's harts and RAM; host time starts at 0
    def __init__(self, harts: int = 2, memory: int = 1 << 30, clock: str = "realtime",
                 rtc_epoch_ns: int | None = None, slice_seconds: float = SLICE) -> None:
        """``rtc_epoch_ns``: with the deterministic clock, the RTC time every VM starts from
        (default: the host's time when the VM is created); runs repeat exactly when it is given.
        ``slice_seconds``: the realtime scheduler's time slice."""
        if clock not in ("realtime", "deterministic"):
            raise VMError(f"unknown clock {clock!r}: use realtime or deterministic")
        if memory < (16 << 20) or memory % (16 << 10):
            raise VMError(f"host memory must be a multiple of 16 KiB of at least 16 MiB, not {memory}")
        try:
            self.machine = Machine(nharts=harts, ram_size=memory)
        except ValueError as e:
            raise VMError(str(e)) from None
        self.clock = clock
        self.rtc_epoch_ns = rtc_epoch_ns
        self.slice_seconds = slice_seconds
        self.nharts = harts
        self.memory = HostMemory(self.machine)
        self.vms: dict[str, VM] = {}
        self._lock = threading.RLock()
        self._cond = threading.Condition(threading.Lock())
        self._events = 0
        self._wake_listeners: list[Callable[[VM | None], None]] = []
        self._vmids: set[int] = set()
        # per hart: VMID -> (VM serial, memory generation) of the translations it may hold
        self._hart_cache: list[dict[int, tuple[int, int]]] = [{} for _ in range(harts)]
        self._serials = 0
        self._t0 = time.monotonic()
        self._run_start: float | None = None
        self._run_seconds = 0.0
        self._det_mach = self._new_mach()

    # ---- VMs ---------------------------------------------------------------------------------------
    # runs on host.create(cfg): a VM in state created (VMError for a bad configuration or image)
    def create(self, cfg: VMConfig) -> VM:
        with self._lock:
            if cfg.name in self.vms:
                raise VMError(f"a VM named {cfg.name!r} exists already; pick another name or destroy it")
            vmid = next((i for i in range(1, VMID_MAX + 1) if i not in self._vmids), 0)
            if not vmid:
                raise VMError(f"all {VMID_MAX} VMIDs are in use; destroy a VM first")
            vm = VM(self, cfg, vmid)
            self._vmids.add(vmid)
            self.vms[cfg.name] = vm
        return vm

    # runs on host.destroy(name): stops the VM if needed, returns every frame, closes its files
    def destroy(self, name: str) -> None:
        with self._lock:
            vm = self.vms.get(name)
            if vm is None:
                raise VMError(f"no VM named {name!r} (VMs: {', '.join(self.vms) or 'none'})")
            vm._destroy()
            del self.vms[name]
            self._vmids.discard(vm.vmid)  # its harts' entries go when the VMID is next loaded there
        self.notify()

    # runs when a caller looks a VM up by name
    def get(self, name: str) -> VM:
        vm = self.vms.get(name)
        if vm is None:
            raise VMError(f"no VM named {name!r} (VMs: {', '.join(self.vms) or 'none'})")
        return vm

    # runs for reports: host-wide counters and each VM's
    def stats(self) -> dict[str, Any]:
        return {
            "harts": self.nharts,
            "clock": self.clock,
            "memory_bytes": self.memory.total_frames * 4096,
            "memory_used_bytes": self.memory.used_bytes,
            "free_frames": self.memory.free_frames,
            "seconds": round(self.elapsed(), 6),
            "vms": [vm.stats() for vm in list(self.vms.values())],
        }

    # ---- time ----------------------------------------------------------------------------------------
    # runs whenever the VMM needs host mtime: 10 MHz monotonic (realtime) or instructions (deterministic)
    def mtime_now(self) -> int:
        if self.clock == "realtime":
            return int((time.monotonic() - self._t0) * L.TIMEBASE_HZ)
        return int(self._det_mach[L.M_MTIME])

    # runs when a timer deadline is turned into a scheduler time: host monotonic seconds (realtime),
    # or host mtime in seconds (deterministic: instructions / 10 per 100 ns tick, as DET_RATE)
    def mtime_to_monotonic(self, ticks: int) -> float:
        if self.clock == "realtime":
            return self._t0 + ticks / L.TIMEBASE_HZ
        return ticks / L.TIMEBASE_HZ

    # runs when a deterministic scheduler jumps its clock (every VM waits): host mtime follows
    def advance_time(self, seconds: float) -> None:
        """Deterministic clock only: host mtime = max(now, seconds * 10 MHz)."""
        if self.clock == "deterministic":
            ticks = int(round(seconds * L.TIMEBASE_HZ))
            if ticks > int(self._det_mach[L.M_MTIME]):
                self._det_mach[L.M_MTIME] = ticks

    # runs at the start of each deterministic slice: the thread's mach carries host time from now on
    def adopt_mach(self, mach: np.ndarray) -> None:
        """With the deterministic clock one thread runs every VM; whichever mach array it hands to
        run_slice becomes the holder of host mtime (never moving it backwards)."""
        if mach is not self._det_mach:
            mach[L.M_MTIME] = max(int(mach[L.M_MTIME]), int(self._det_mach[L.M_MTIME]))
            mach[L.M_IPT] = IPT
            self._det_mach = mach

    # runs for share figures: host seconds the schedulers have run VMs
    def elapsed(self) -> float:
        if self._run_start is not None:
            return self._run_seconds + time.monotonic() - self._run_start
        return self._run_seconds

    # runs once per scheduler thread: the machine-wide scalars that thread's engine runs use
    def thread_mach(self) -> np.ndarray:
        """Deterministic clock: the one shared array (one thread runs everything); realtime: a
        copy per thread (the engine writes mach only at M_MTIME, and only with M_IPT > 0)."""
        return self._det_mach if self.clock == "deterministic" else self._new_mach()

    # runs at construction and for each realtime scheduler thread
    def _new_mach(self) -> np.ndarray:
        mach = self.machine.mach.copy()
        mach[L.M_EDEV_COUNT] = 0  # a VM's devices are all in Python
        mach[L.M_TOHOST] = -1
        mach[L.M_IPT] = IPT if self.clock == "deterministic" else 0
        mach[L.M_YIELD_MIN] = 2000
        mach[L.M_MTIME] = 0
        return mach

    # ---- waking ----------------------------------------------------------------------------------------
    # runs when something may have made a VM runnable (console input, lifecycle calls, IPIs)
    def notify(self, vm: VM | None = None) -> None:
        """Wakes ``wait`` and calls every wake listener with the VM (None: any VM)."""
        with self._cond:
            self._events += 1
            self._cond.notify_all()
        for cb in list(self._wake_listeners):
            cb(vm)

    # runs when a scheduler wants to hear of wake-ups (rvisor.vmm.sched: its own wake(vm))
    def add_wake_listener(self, callback: Callable[[VM | None], None]) -> None:
        self._wake_listeners.append(callback)

    # runs when that scheduler is done
    def remove_wake_listener(self, callback: Callable[[VM | None], None]) -> None:
        if callback in self._wake_listeners:
            self._wake_listeners.remove(callback)

    # runs when a scheduler has nothing to run: sleep until notify() or the timeout
    def wait(self, timeout: float) -> None:
        with self._cond:
            seen = self._events
            if timeout > 0:
                self._cond.wait_for(lambda: self._events != seen, timeout)

    # ---- harts -----------------------------------------------------------------------------------------
    # runs at the start of every slice: put vCPU v of vm onto hart h
    def load_vcpu(self, vm: VM, v: VCpu, h: int) -> None:
        v.load(self.machine, h)
        if self._needs_flush(vm, v, h):
            self.machine.flush_tlb(h)

    # runs for every vCPU load: must hart h forget its cached translations?
    def _needs_flush(self, vm: VM, v: VCpu, h: int) -> bool:
        """The TLB tags entries by VMID and guest ASID, so a switch between VMs or vCPUs alone needs
        no flush. Hart h flushes when a remote fence is pending for the vCPU; when h last cached this
        VMID for another VM (VMIDs are reused) or before the VM's G-stage mappings lost pages
        (``memory.generation``); or when the VM ran on another hart since: the guest's own fences
        there did not reach h's entries (KVM flushes a vCPU that moves to another CPU the same way).
        vCPUs of one VM share a hart's entries, which is safe: a guest fences other vCPUs through
        SBI RFENCE, which sets ``flush_pending``."""
        mark = (vm.serial, vm.memory.generation)
        stale = v.flush_pending or self._hart_cache[h].get(vm.vmid) != mark or vm.last_hart != h
        self._hart_cache[h][vm.vmid] = mark
        vm.last_hart = h
        v.flush_pending = False
        return stale

    # runs once per VM from VM.__init__: a number no other VM of this host has had
    def take_serial(self) -> int:
        with self._lock:
            self._serials += 1
            return self._serials

    # ---- scheduling ----------------------------------------------------------------------------------------
    # runs on host.run(): every VM until all have stopped (True) or the timeout passes (False)
    def run(self, timeout: float | None = None) -> bool:
        """The policy is rvisor.vmm.sched's: weights, caps, parking, a thread per hart (realtime)
        or one thread in a fixed order (deterministic).  VMs in state created are left alone;
        paused ones keep the run going (they may be resumed)."""
        from rvisor.vmm.sched import HostLink, Scheduler

        Machine.load_engine()
        start = time.monotonic()
        self._run_start = start
        try:
            self.scheduler = Scheduler(self.nharts, self.clock, HostLink(self), self.slice_seconds)
            return self.scheduler.run(timeout) == "done"
        finally:
            self._run_seconds += time.monotonic() - start
            self._run_start = None
