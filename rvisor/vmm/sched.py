"""The VMM's scheduler: VMs multiplexed onto the machine's harts in time slices.

Policy (issue 9, "Scheduler"):

* **Proportional share by weight.**  Every VM carries a virtual run time: the hart time it has
  used divided by its weight.  A free hart always takes the runnable VM with the smallest virtual
  run time (ties: the VM added first), so over any stretch in which they all want to run, VMs
  receive hart time in proportion to their weights (stride scheduling / CFS's vruntime).  The
  share is of the machine's total hart time; a VM runs on at most one hart at a time (its vCPUs
  take turns on one thread, see below), so it can never get more than one hart.  A VM that wakes
  from a park, or is added, starts at most one slice behind the others: sleeping earns no credit,
  and no VM falls more than ``MAX_LAG`` seconds of hart time behind (a VM already running a whole
  hart cannot catch up, and must not then starve others when they go quiet).  A VM whose fair
  part of the machine is a whole hart (by weight among the VMs that want to run, none above one
  hart or its cap: water-filling) keeps its hart at the end of a slice instead of queueing behind
  a VM whose virtual run time is a little lower — with 1:2:1 on 2 harts the weight-2 VM owns one
  hart, the others take turns on the second.
* **Cap** (``vm.config.cap``, in harts: 0.5 = half of one hart), enforced per period as CFS
  bandwidth control does: a capped VM may use ``cap * PERIOD`` seconds of hart time in each
  ``PERIOD``; its slices are cut to what is left, and once that is used it is throttled until the
  next period.  An overrun (a slice is only as exact as the VM's instruction rate estimate) is paid
  back from the next period's quota.
* **Parking.**  A slice that ends with every vCPU in WFI (``runnable`` False) parks the VM until
  ``wake_at`` (its earliest timer, host monotonic seconds) or, with ``wake_at`` None, until
  :meth:`Scheduler.wake` — input, an API call, resume.  Harts with nothing to run sleep on the
  scheduler's condition with a timeout: idle guests cost almost nothing and nothing spins.
* **Threads.**  With ``clock="realtime"`` every physical hart has its own host thread (the engine
  runs without the GIL), so a 2-hart machine on a 2-core host uses both cores.  With
  ``clock="deterministic"`` every VM runs on one thread in a fixed order, time is counted in
  instructions (``DET_RATE`` per second), slices have a fixed instruction budget, and when every VM
  is parked the clock jumps to the earliest timer: a run repeats exactly.

A VM offers ``run_slice(hart, mach, budget) -> SliceResult`` (``instructions``, ``seconds``,
``runnable``, ``wake_at``, ``stopped``), ``config.weight`` and ``config.cap``.  Everything else the
scheduler needs from its surroundings goes through a *link*: :class:`HostLink` for a
``rvisor.vmm.Host`` (its VMs, its condition and event count — ``Host.notify`` wakes sleeping
harts —, a ``mach`` array per thread, the deterministic clock's mtime), :class:`LocalLink` for VMs
added by hand (the unit tests).
"""

from __future__ import annotations

import math
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

SLICE = 0.020  # realtime: target length of one slice, seconds
PERIOD = 0.100  # cap enforcement period, seconds (CFS bandwidth control's default)
MAX_LAG = 0.050  # hart-seconds a VM may fall behind the most-served runnable VM
MIN_BUDGET = 1_000  # instructions: the shortest slice (a VM that exits at every few instructions)
MAX_BUDGET = 50_000_000
FIRST_RATE = 50e6  # instructions per second assumed before a VM's first slice is measured
RATE_SMOOTH = 0.3  # weight of the newest slice in the instruction-rate estimate
DET_RATE = 100e6  # deterministic clock: instructions per second (mtime at 10 MHz, 10 a tick)
DET_BUDGET = 1_000_000  # deterministic clock: instructions per slice (10 ms of its time)
CLOCKS = ("realtime", "deterministic")


class SliceResult(Protocol):
    """What one ``run_slice`` reports (the VM core's dataclass of the same name)."""

    instructions: int
    seconds: float
    runnable: bool
    wake_at: float | None
    stopped: bool


class Schedulable(Protocol):
    """The part of a VM the scheduler uses."""

    config: Any  # .weight (float), .cap (float | None, in harts), .name

    # runs the VM's vCPUs (taking turns) for up to `budget` instructions on hart `hart`
    def run_slice(self, hart: int, mach: np.ndarray, budget: int) -> Any: ...


@dataclass
class Entity:
    """The scheduler's bookkeeping for one VM."""

    vm: Any
    order: int  # position in the fixed order (ties, the deterministic run)
    added_at: float
    vruntime: float = 0.0  # hart-seconds used / weight
    hart_seconds: float = 0.0
    instructions: int = 0
    slices: int = 0
    state: str = "runnable"  # runnable | running | parked | throttled | stopped
    hart: int | None = None  # the hart it runs on now
    wake_at: float | None = None  # parked: when its timer falls due (None: only a wake)
    woken: bool = False  # a wake arrived while it ran or was parked
    rate: float = FIRST_RATE  # its instructions per second of hart time, smoothed
    period_start: float = 0.0
    period_used: float = 0.0  # hart-seconds used in the current cap period (with debt carried)
    throttles: int = 0  # periods in which the cap stopped it
    parks: int = 0
    stopped_at: float | None = None
    error: str | None = None  # a Python exception out of run_slice (a VMM bug), if one happened

    # runs for every scheduling decision: the VM's weight, sane
    @property
    def weight(self) -> float:
        w = float(getattr(self.vm.config, "weight", 1.0) or 1.0)
        return w if w > 0 and math.isfinite(w) else 1.0

    # runs for every scheduling decision: the VM's cap in harts, or None
    @property
    def cap(self) -> float | None:
        c = getattr(self.vm.config, "cap", None)
        return float(c) if c is not None and 0 < float(c) < 1e9 else None


@dataclass
class SchedStats:
    """One VM's figures, as ``Scheduler.stats`` reports them."""

    hart_seconds: float
    instructions: int
    slices: int
    share: float  # of the machine's total hart time since the VM was added
    state: str
    throttles: int
    parks: int
    error: str | None = None


@dataclass
class LocalLink:
    """A link for VMs given to ``Scheduler.add`` by hand: its own condition, a zeroed ``mach``."""

    # runs once per scheduler built without a host
    def __init__(self, mach: np.ndarray | None = None) -> None:
        self.cond = threading.Condition()
        self.mach = mach if mach is not None else np.zeros(64, dtype=np.int64)
        self.vtime = 0.0

    # runs when a run starts and ends: nothing to hook up
    def attach(self, sched: Scheduler) -> None:
        pass

    # runs when a run ends
    def detach(self, sched: Scheduler) -> None:
        pass

    # runs per scheduling decision: the VMs to schedule (None: only those added by hand)
    def vms(self) -> list[Any] | None:
        return None

    # runs when run() decides whether to go on: does this VM keep the run alive?
    def live(self, vm: Any) -> bool:
        return True

    # runs once per scheduler thread: the mach array its engine runs use
    def thread_mach(self) -> np.ndarray:
        return self.mach.copy()

    # runs before each slice: the most instructions one slice of this VM may have
    def max_budget(self, vm: Any) -> int:
        return MAX_BUDGET

    # ---- the deterministic clock: seconds of instructions, moved by the scheduler ----
    # runs wherever the deterministic scheduler needs "now"
    def det_now(self) -> float:
        return self.vtime

    # runs after each deterministic slice: time moves with the instructions run
    def det_advance(self, instructions: int) -> None:
        self.vtime += instructions / DET_RATE

    # runs when every VM waits: the clock jumps to t
    def det_skip_to(self, t: float) -> None:
        self.vtime = max(self.vtime, t)



class HostLink:
    """A link to a ``rvisor.vmm.Host``: its VMs, its wake-ups (``Host.notify(vm)`` calls
    ``Scheduler.wake``), a ``mach`` array per thread (``Host.thread_mach``), and with the
    deterministic clock host mtime (advanced by the engine in the shared ``mach``) as the
    scheduler's time."""

    # runs when Host.run builds its scheduler
    def __init__(self, host: Any) -> None:
        self.host = host
        self.cond = threading.Condition()

    # runs when a run starts: the host's wake-ups go to the scheduler
    def attach(self, sched: Scheduler) -> None:
        self.host.add_wake_listener(sched.wake)

    # runs when a run ends
    def detach(self, sched: Scheduler) -> None:
        self.host.remove_wake_listener(sched.wake)

    # runs per scheduling decision: the host's VMs as they are now (the API adds and destroys)
    def vms(self) -> list[Any] | None:
        return list(self.host.vms.values())

    # runs when run() decides whether to go on: running and paused VMs keep it alive, as before
    def live(self, vm: Any) -> bool:
        from rvisor.vmm.vm import VMState

        return vm.state in (VMState.RUNNING, VMState.PAUSED)

    # runs once per scheduler thread
    def thread_mach(self) -> np.ndarray:
        return self.host.thread_mach()

    # runs before each slice: a VM with several vCPUs takes short slices (they take turns on one hart)
    def max_budget(self, vm: Any) -> int:
        from rvisor.vmm.host import SLICE_SMP

        return SLICE_SMP if len(vm.vcpus) > 1 else MAX_BUDGET

    # ---- the deterministic clock: host mtime in the shared mach, which the engine advances ----
    # runs wherever the deterministic scheduler needs "now": host mtime in seconds
    def det_now(self) -> float:
        from rvisor.hw.layout import TIMEBASE_HZ

        return self.host.mtime_now() / TIMEBASE_HZ

    # runs after each deterministic slice: the engine has moved mtime already
    def det_advance(self, instructions: int) -> None:
        pass

    # runs when every VM waits: host mtime jumps to t
    def det_skip_to(self, t: float) -> None:
        self.host.advance_time(t)


@dataclass
class _Run:
    """The state of one ``Scheduler.run``."""

    halt: bool = False
    threads: list[threading.Thread] = field(default_factory=list)
    error: BaseException | None = None  # what killed a hart thread, if anything did


class Scheduler:
    """Runs VMs on ``nharts`` physical harts until they have all stopped (or a timeout)."""

    # runs once per run of a host (Host.run), or by hand with a LocalLink (tests)
    def __init__(self, nharts: int, clock: str = "realtime", link: Any | None = None,
                 slice_seconds: float = SLICE, period: float = PERIOD, det_budget: int = DET_BUDGET,
                 now: Callable[[], float] = time.monotonic) -> None:
        if clock not in CLOCKS:
            raise ValueError(f"clock must be one of {', '.join(CLOCKS)}, not {clock!r}")
        if nharts < 1:
            raise ValueError("a machine needs at least one hart")
        self.nharts = nharts
        self.clock = clock
        self.link = link if link is not None else LocalLink()
        self.cond: threading.Condition = self.link.cond
        self.slice_seconds = slice_seconds
        self.period = period
        self.det_budget = det_budget
        self._wall = now
        self.entities: list[Entity] = []
        self._by_vm: dict[int, Entity] = {}
        self._order = 0
        self._run: _Run | None = None
        self._idle_harts = 0  # hart threads asleep on the condition

    @property
    def deterministic(self) -> bool:
        return self.clock == "deterministic"

    # runs wherever the scheduler needs "now": host monotonic seconds, or the deterministic clock's
    def now(self) -> float:
        return self.link.det_now() if self.deterministic else self._wall()

    # ---- VMs come and go ------------------------------------------------------------------------
    # runs when a VM is handed over by hand (LocalLink) or found on the host: it joins level with the
    # VMs already running
    def add(self, vm: Any) -> None:
        with self.cond:
            self._add(vm)
            self.cond.notify_all()

    # runs under the lock from add and _sync
    def _add(self, vm: Any) -> None:
        if id(vm) in self._by_vm:
            return
        now = self.now()
        e = Entity(vm=vm, order=self._order, added_at=now, period_start=now)
        self._order += 1
        e.vruntime = self._floor_vruntime(e)
        self.entities.append(e)
        self._by_vm[id(vm)] = e

    # runs when a VM is destroyed: it leaves the run queue (a slice in progress finishes first)
    def remove(self, vm: Any) -> None:
        with self.cond:
            self._remove(vm)
            self.cond.notify_all()

    # runs under the lock from remove and _sync
    def _remove(self, vm: Any) -> None:
        e = self._by_vm.pop(id(vm), None)
        if e is not None:
            e.state = "stopped"
            self.entities.remove(e)

    # runs on input for a VM, an API call (resume, a new VM) or anything that may make a parked
    # VM runnable; with vm None every parked VM is looked at again (Host.notify does the same)
    def wake(self, vm: Any | None = None) -> None:
        with self.cond:
            targets = self.entities if vm is None else [e for e in [self._by_vm.get(id(vm))] if e]
            for e in targets:
                if e.state == "stopped":
                    continue
                e.woken = True
                if e.state == "parked":
                    self._unpark(e)
            self.cond.notify_all()

    # runs for stats and the tests: one VM's figures (None when the scheduler never saw it)
    def stats(self, vm: Any) -> SchedStats | None:
        with self.cond:
            e = self._by_vm.get(id(vm))
            if e is None:
                return None
            end = e.stopped_at if e.stopped_at is not None else self.now()
            harts = 1 if self.deterministic else self.nharts  # deterministic: one thread runs them all
            span = max(end - e.added_at, 1e-9) * harts
            return SchedStats(hart_seconds=e.hart_seconds, instructions=e.instructions, slices=e.slices,
                              share=e.hart_seconds / span, state=e.state, throttles=e.throttles,
                              parks=e.parks, error=e.error)

    # ---- running --------------------------------------------------------------------------------
    # runs once per Host.run: returns "done" when no VM is left that can run again, "timeout" after
    # `timeout` seconds of host time, "halted" after halt()
    def run(self, timeout: float | None = None) -> str:
        run = _Run()
        with self.cond:
            if self._run is not None:
                raise RuntimeError("the scheduler is already running")
            self._run = run
            self._sync()
        self.link.attach(self)
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            if self.deterministic:
                return self._run_deterministic(run, deadline)
            return self._run_threads(run, deadline)
        finally:
            with self.cond:
                run.halt = True
                self.cond.notify_all()
            for t in run.threads:
                t.join()
            self.link.detach(self)
            with self.cond:
                self._run = None

    # runs from another thread (the API, a signal handler): run() returns after the current slices
    def halt(self) -> None:
        with self.cond:
            if self._run is not None:
                self._run.halt = True
            self.cond.notify_all()

    # runs in run() with the realtime clock: one thread per hart, this thread waits for the end
    def _run_threads(self, run: _Run, deadline: float | None) -> str:
        for h in range(self.nharts):
            t = threading.Thread(target=self._hart_guarded, args=(run, h, self.link.thread_mach()),
                                 name=f"rvisor-hart{h}", daemon=True)
            run.threads.append(t)
            t.start()
        with self.cond:
            while True:
                if run.error is not None:
                    raise RuntimeError(f"scheduler thread failed: {run.error}") from run.error
                if run.halt:
                    return "halted"
                self._sync()
                if self._finished():
                    return "done"
                wait = None if deadline is None else deadline - time.monotonic()
                if wait is not None and wait <= 0:
                    return "timeout"
                self.cond.wait(wait)

    # runs as each hart's thread: a bug in the scheduler itself ends the run (run() raises it)
    # instead of leaving a hart silently dead
    def _hart_guarded(self, run: _Run, h: int, mach: np.ndarray) -> None:
        try:
            self._hart_loop(run, h, mach)
        except BaseException as exc:  # noqa: BLE001 - handed to run() on the main thread
            with self.cond:
                run.error = exc
                run.halt = True
                self.cond.notify_all()

    # runs on each hart's thread (realtime): pick, run a slice, account, until run() ends; other
    # threads are woken only when they have something to do (a VM to run, a VM that stopped)
    def _hart_loop(self, run: _Run, h: int, mach: np.ndarray) -> None:
        res: Any = None
        e: Entity | None = None
        while True:
            with self.cond:
                if e is not None:
                    self._account(e, res)
                    if e.state == "stopped" or (e.state in ("parked", "throttled") and self._idle_harts):
                        self.cond.notify_all()  # run() looks whether all are done; sleepers re-time
                    self._sync()
                    self._refresh(self.now())
                    # a VM entitled to a whole hart keeps it: a pick at every slice end would
                    # make it wait whenever another VM's vruntime is a little lower
                    if run.halt or e.state != "runnable" or self._entitlement(e) < 1.0 - 1e-9:
                        e = None
                while e is None and not run.halt:
                    now = self.now()
                    self._sync()
                    self._refresh(now)
                    e = self._pick()
                    if e is not None:
                        break
                    self._idle_harts += 1
                    try:
                        self.cond.wait(self._next_event(now))
                    finally:
                        self._idle_harts -= 1
                if e is None or run.halt:
                    return
                e.state, e.hart = "running", h
                budget = self._budget(e)
                if self._idle_harts and self._pick() is not None:
                    self.cond.notify_all()  # another VM is waiting for a hart that sleeps
            res = self._slice(e, h, mach, budget)

    # runs in run() with the deterministic clock: every VM on this thread, in a fixed order
    def _run_deterministic(self, run: _Run, deadline: float | None) -> str:
        mach = self.link.thread_mach()
        while True:
            with self.cond:
                if run.halt:
                    return "halted"
                self._sync()
                if self._finished():
                    return "done"
                if deadline is not None and time.monotonic() >= deadline:
                    return "timeout"
                self._refresh(self.now())
                e = self._pick()
                if e is None:
                    nxt = self._next_due()
                    if nxt is not None:
                        self.link.det_skip_to(nxt)  # everyone waits: time jumps to the next timer
                        continue
                    # only an outside event can help (input, the API): wait for it in host time
                    wait = 0.05 if deadline is None else min(0.05, max(0.0, deadline - time.monotonic()))
                    self.cond.wait(wait)
                    continue
                e.state, e.hart = "running", 0
                budget = self._budget(e)
            res = self._slice(e, 0, mach, budget)
            with self.cond:
                self.link.det_advance(int(res.instructions))
                self._account(e, res)

    # runs once per slice, without the lock: the VM's own work; a Python exception out of the VMM
    # stops that VM alone, with the traceback kept for its report
    def _slice(self, e: Entity, h: int, mach: np.ndarray, budget: int) -> Any:
        try:
            return e.vm.run_slice(h, mach, budget)
        except Exception as exc:  # noqa: BLE001 - a VMM bug must not take the other VMs down
            e.error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"
            report = getattr(e.vm, "fail", None)
            if callable(report):
                try:
                    report("internal error", f"internal error in the VMM: {type(exc).__name__}: {exc}")
                except Exception:  # noqa: BLE001
                    pass
            return _Stopped()

    # ---- policy ---------------------------------------------------------------------------------
    # runs under the lock when a hart is free: the runnable VM with the least virtual run time
    def _pick(self) -> Entity | None:
        ready = [e for e in self.entities if e.state == "runnable"]
        return min(ready, key=lambda e: (e.vruntime, e.order)) if ready else None

    # runs under the lock before each slice: its instruction budget (cut to a capped VM's quota)
    def _budget(self, e: Entity) -> int:
        limit = self.link.max_budget(e.vm)
        if self.deterministic:
            budget = self.det_budget
            if e.cap is not None:
                budget = min(budget, int((e.cap * self.period - e.period_used) * DET_RATE))
        else:
            seconds = self.slice_seconds
            if e.cap is not None:
                seconds = min(seconds, e.cap * self.period - e.period_used)
            budget = int(e.rate * seconds)
        return int(min(limit, max(MIN_BUDGET, budget)))

    # runs at a slice end (realtime): the VM's fair part of the machine in harts, by weight among the
    # VMs that want to run, none above one hart or its cap (water-filling, as max-min fairness)
    def _entitlement(self, e: Entity) -> float:
        want = [o for o in self.entities if o.state in ("runnable", "running", "throttled") or o is e]
        limit = {id(o): min(1.0, o.cap) if o.cap is not None else 1.0 for o in want}
        share: dict[int, float] = {}
        left = float(self.nharts)
        while want:
            total = sum(o.weight for o in want)
            full = [o for o in want if o.weight / total * left >= limit[id(o)]]
            if not full:
                for o in want:
                    share[id(o)] = o.weight / total * left
                break
            for o in full:
                share[id(o)] = limit[id(o)]
                left -= limit[id(o)]
            want = [o for o in want if id(o) not in share]
        return share.get(id(e), 0.0)

    # runs under the lock after each slice: charge the VM, move it to its next state
    def _account(self, e: Entity, res: Any) -> None:
        n = max(0, int(res.instructions))
        secs = n / DET_RATE if self.deterministic else max(0.0, float(res.seconds))
        e.instructions += n
        e.hart_seconds += secs
        e.slices += 1
        e.vruntime += secs / e.weight
        e.hart = None
        if not self.deterministic and secs > 1e-3 and n > 1000:
            e.rate += RATE_SMOOTH * (n / secs - e.rate)
        now = self.now()
        if e.cap is not None:
            self._roll_period(e, now)
            e.period_used += secs
        if res.stopped or e.error is not None:
            e.state = "stopped"
            e.stopped_at = now
            return
        if e.state == "stopped":  # removed while it ran
            return
        if not res.runnable and not e.woken:
            e.state = "parked"
            e.parks += 1
            e.wake_at = res.wake_at
            if e.wake_at is not None and e.wake_at <= now:
                self._unpark(e)
        else:
            e.state = "runnable"
        e.woken = False
        if e.state == "runnable" and e.cap is not None and e.period_used >= e.cap * self.period:
            e.state = "throttled"
            e.throttles += 1
        self._limit_lag()

    # runs under the lock whenever a hart looks for work: the host's VMs as they are now
    def _sync(self) -> None:
        vms = self.link.vms()
        if vms is not None:
            ids = {id(vm) for vm in vms}
            for e in [e for e in self.entities if id(e.vm) not in ids]:
                self._remove(e.vm)
            for vm in vms:
                if id(vm) not in self._by_vm:
                    self._add(vm)

    # runs under the lock whenever a hart looks for work: timers that fell due, periods that ended
    def _refresh(self, now: float) -> None:
        for e in self.entities:
            if e.state == "parked" and e.wake_at is not None and e.wake_at <= now:
                self._unpark(e)
            if e.cap is not None:
                self._roll_period(e, now)
                if e.state == "throttled" and e.period_used < e.cap * self.period:
                    e.state = "runnable"

    # runs when a capped VM is looked at: move its period forward, paying its quota against its use
    def _roll_period(self, e: Entity, now: float) -> None:
        if now < e.period_start + self.period:
            return
        periods = math.floor((now - e.period_start) / self.period)
        e.period_start += periods * self.period
        e.period_used = max(0.0, e.period_used - periods * (e.cap or 0.0) * self.period)

    # runs when a parked VM becomes runnable: it rejoins no further back than one slice
    def _unpark(self, e: Entity) -> None:
        e.state = "runnable"
        e.wake_at = None
        e.vruntime = max(e.vruntime, self._floor_vruntime(e))

    # runs on add and unpark: the lowest virtual run time a VM may (re)join with
    def _floor_vruntime(self, e: Entity) -> float:
        active = [o.vruntime for o in self.entities if o is not e and o.state in ("runnable", "running")]
        if not active:
            return e.vruntime
        slice_s = self.det_budget / DET_RATE if self.deterministic else self.slice_seconds
        return min(active) - slice_s / e.weight

    # runs after each slice: no runnable VM trails the most-served one by more than MAX_LAG
    def _limit_lag(self) -> None:
        active = [o for o in self.entities if o.state in ("runnable", "running", "throttled")]
        if len(active) < 2:
            return
        top = max(o.vruntime for o in active)
        for o in active:
            floor = top - MAX_LAG / o.weight
            if o.vruntime < floor:
                o.vruntime = floor

    # runs when a hart finds nothing to run: how long it may sleep (None: until an event)
    def _next_event(self, now: float) -> float | None:
        nxt = self._next_due()
        return None if nxt is None else max(0.0, nxt - now)

    # runs when nothing is runnable: the earliest parked timer or end of a cap period, if any
    def _next_due(self) -> float | None:
        times = []
        for e in self.entities:
            if e.state == "parked" and e.wake_at is not None:
                times.append(e.wake_at)
            elif e.state == "throttled":
                times.append(e.period_start + self.period)
        return min(times) if times else None

    # runs under the lock: is no VM left that keeps the run going?
    def _finished(self) -> bool:
        return not any(e.state != "stopped" and self.link.live(e.vm) for e in self.entities)


@dataclass
class _Stopped:
    """The result given for a slice whose VM raised: it counts as stopped."""

    instructions: int = 0
    seconds: float = 0.0
    runnable: bool = False
    wake_at: float | None = None
    stopped: bool = True
