"""The VMM's scheduler (rvisor.vmm.sched): shares by weight, caps, parking, threads, determinism.

The first tests drive the policy with stand-in VMs whose slices only sleep (no engine, quick); the
slow ones boot the test guests of guest/vm on a Host and check what the issue asks for: weights
1:2:1 on three CPU-bound VMs give hart-time shares within 5 points of 25/50/25, a cap of 0.2 holds
within 5 points, three idle VMs cost under 5% of a host core, two CPU-bound VMs on 2 harts run at
the same time on their own threads with the GIL let go (how much faster that is, the 0.6x target,
is `rvisor bench --vm`'s to measure), and the deterministic clock repeats a run exactly.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from rvisor.vmm.sched import DET_BUDGET, LocalLink, Scheduler

MiB = 1 << 20


@dataclass
class _Cfg:
    name: str
    weight: float = 1.0
    cap: float | None = None


@dataclass
class _Res:
    instructions: int
    seconds: float
    runnable: bool = True
    wake_at: float | None = None
    stopped: bool = False


class FakeHog:
    """A stand-in CPU-bound VM: a slice sleeps for budget / rate seconds (the thread is busy)."""

    # runs once per stand-in
    def __init__(self, name: str, weight: float = 1.0, cap: float | None = None, rate: float = 50e6,
                 stop_after: int | None = None) -> None:
        self.config = _Cfg(name, weight, cap)
        self.rate = rate
        self.stop_after = stop_after
        self.ran = 0
        self.harts: set[int] = set()
        self.inside = 0
        self.overlap = False
        self._lock = threading.Lock()

    # runs per slice, from a scheduler thread
    def run_slice(self, hart: int, mach: object, budget: int) -> _Res:
        with self._lock:
            self.inside += 1
            self.overlap = self.overlap or self.inside > 1
        t0 = time.monotonic()
        time.sleep(budget / self.rate)
        with self._lock:
            self.inside -= 1
            self.harts.add(hart)
            self.ran += budget
        done = self.stop_after is not None and self.ran >= self.stop_after
        return _Res(budget, time.monotonic() - t0, stopped=done)


class FakeIdle:
    """A stand-in idle VM: each slice is short and parks it for `period` seconds (its timer)."""

    # runs once per stand-in
    def __init__(self, name: str, period: float = 0.05, ticks: int = 10) -> None:
        self.config = _Cfg(name)
        self.period = period
        self.ticks = ticks
        self.slices = 0
        self.external = threading.Event()

    # runs per slice: a tick of guest work, then WFI until the next timer (or forever at the end)
    def run_slice(self, hart: int, mach: object, budget: int) -> _Res:
        self.slices += 1
        if self.slices > self.ticks:
            if self.external.is_set():
                return _Res(100, 1e-5, runnable=False, stopped=True)
            return _Res(100, 1e-5, runnable=False, wake_at=None)
        return _Res(100, 1e-5, runnable=False, wake_at=time.monotonic() + self.period)


class FakeBroken:
    """A stand-in VM whose VMM code raises: only it may stop."""

    config = _Cfg("broken")

    # runs per slice
    def run_slice(self, hart: int, mach: object, budget: int) -> _Res:
        raise RuntimeError("exit handler bug")


# runs for the stand-in tests: a scheduler over the given VMs, run for `seconds`
def _run(vms: list, harts: int = 2, seconds: float = 2.0, **kw: object) -> tuple[Scheduler, str]:
    s = Scheduler(harts, link=LocalLink(), **kw)  # type: ignore[arg-type]
    for vm in vms:
        s.add(vm)
    return s, s.run(timeout=seconds)


def test_weights_share_the_harts_in_proportion() -> None:
    vms = [FakeHog("a"), FakeHog("b", weight=2), FakeHog("c")]
    s, how = _run(vms, seconds=2.0)
    assert how == "timeout"
    shares = [s.stats(v).share for v in vms]
    assert shares == pytest.approx([0.25, 0.5, 0.25], abs=0.03), shares
    assert not any(v.overlap for v in vms), "a VM ran on two harts at once"


def test_a_vm_never_gets_more_than_one_hart() -> None:
    # weight 3:1 on 2 harts cannot give 75/25: the heavy VM gets one whole hart, the other the rest
    vms = [FakeHog("big", weight=3), FakeHog("small")]
    s, _ = _run(vms, seconds=1.5)
    shares = [s.stats(v).share for v in vms]
    assert shares == pytest.approx([0.5, 0.5], abs=0.03), shares
    assert not any(v.overlap for v in vms)


def test_cap_limits_a_vm_to_its_part_of_one_hart() -> None:
    vms = [FakeHog("capped", cap=0.2), FakeHog("free")]
    s, _ = _run(vms, seconds=2.0)
    capped, free = (s.stats(v) for v in vms)
    assert capped.share * 2 == pytest.approx(0.2, abs=0.02), capped  # share is of 2 harts
    assert free.share * 2 == pytest.approx(1.0, abs=0.04), free
    assert capped.throttles >= 15


def test_parked_vms_sleep_until_their_timer_and_wake_on_an_event() -> None:
    idle = FakeIdle("idle", period=0.05, ticks=10)
    s = Scheduler(2, link=LocalLink())
    s.add(idle)
    t = threading.Thread(target=lambda: (time.sleep(0.9), idle.external.set(), s.wake(idle)))
    t.start()
    c0, t0 = time.process_time(), time.monotonic()
    how = s.run(timeout=5.0)
    wall, cpu = time.monotonic() - t0, time.process_time() - c0
    t.join()
    assert how == "done"
    # ten timer ticks of 50 ms, then parked with no timer until the wake at 0.9 s
    assert 0.85 < wall < 1.5, wall
    assert idle.slices == 12, idle.slices
    assert cpu < 0.2, f"parked VMs must cost nothing, the run used {cpu:.2f} s of CPU"


def test_run_ends_when_every_vm_has_stopped() -> None:
    vms = [FakeHog("a", stop_after=2_000_000), FakeHog("b", stop_after=4_000_000)]
    s, how = _run(vms, seconds=10.0)
    assert how == "done"
    assert [s.stats(v).state for v in vms] == ["stopped", "stopped"]


def test_a_vmm_error_stops_that_vm_alone() -> None:
    good = FakeHog("good", stop_after=1_000_000)
    bad = FakeBroken()
    s, how = _run([bad, good], seconds=10.0)
    assert how == "done"
    st = s.stats(bad)
    assert st.state == "stopped" and "exit handler bug" in (st.error or "")
    assert good.ran >= 1_000_000


def test_a_scheduler_bug_ends_the_run_with_its_error() -> None:
    class BadCfg:
        name = "bad"
        cap = None

        @property
        def weight(self) -> float:
            raise ValueError("weight lookup failed")

    vm = FakeHog("bad")
    vm.config = BadCfg()  # type: ignore[assignment]
    s = Scheduler(2, link=LocalLink())
    s.add(vm)
    with pytest.raises(RuntimeError, match="scheduler thread failed: weight lookup failed"):
        s.run(timeout=10.0)


def test_deterministic_clock_runs_one_thread_in_a_fixed_order() -> None:
    # runs each deterministic trial: the order of slices, which must repeat exactly
    def trial() -> list[tuple[str, int]]:
        log: list[tuple[str, int]] = []

        class Rec(FakeHog):
            # runs per slice: no sleeping, just the record
            def run_slice(self, hart: int, mach: object, budget: int) -> _Res:
                log.append((self.config.name, budget))
                self.ran += budget
                return _Res(budget, 0.0, stopped=self.ran >= 20 * DET_BUDGET)  # 20 slices each

        vms = [Rec("a"), Rec("b", weight=2), Rec("c", cap=0.5)]
        s = Scheduler(2, clock="deterministic", link=LocalLink())
        for v in vms:
            s.add(v)
        assert s.run(timeout=30) == "done"
        return log

    first, second = trial(), trial()
    assert first == second
    # b (weight 2) gets two slices for each of a's while both run
    head = [n for n, _ in first[:30]]
    assert head.count("b") == pytest.approx(2 * head.count("a"), abs=2), head


# ---- real guests on a Host ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def vm_guest(guest_elf: Callable[[str], Path]) -> Callable[[str], Path]:
    # runs when a test names a guest of guest/vm
    def get(name: str) -> Path:
        return guest_elf(f"guest/build/vm/{name}.elf")

    return get


# runs for the slow tests: a host with VMs of the given (name, guest, append, weight, cap)
def _host(vm_guest: Callable[[str], Path], vms: list[tuple[str, str, str, float, float | None]],
          harts: int = 2, clock: str = "realtime"):  # noqa: ANN202
    from rvisor.vmm import Host, VMConfig

    host = Host(harts=harts, memory=256 * MiB, clock=clock,
                **({"rtc_epoch_ns": 1_700_000_000_000_000_000} if clock == "deterministic" else {}))
    made = []
    for name, guest, append, weight, cap in vms:
        vm = host.create(VMConfig(name=name, kernel=vm_guest(guest), append=append, memory=16 * MiB,
                                  weight=weight, cap=cap))
        made.append(vm)
    return host, made


# runs for the slow tests: start every VM and run the host; (finished, wall seconds, CPU seconds)
def _go(host, vms, timeout: float) -> tuple[bool, float, float]:  # noqa: ANN001
    from rvisor.hw.machine import Machine

    Machine.load_engine()
    for vm in vms:
        vm.start()
    c0, t0 = time.process_time(), time.monotonic()
    done = host.run(timeout=timeout)
    return done, time.monotonic() - t0, time.process_time() - c0


# runs for reports in assertion messages: what a VM printed and how it ended
def _said(vm) -> str:  # noqa: ANN001
    return f"{vm.name}: {vm.exit_status} {vm.report!r} {vm.console.output().decode(errors='replace')!r}"


@pytest.mark.slow
def test_weights_1_2_1_on_three_hogs(vm_guest: Callable[[str], Path]) -> None:
    host, vms = _host(vm_guest, [("a", "hog", "hog.iters=0", 1, None), ("b", "hog", "hog.iters=0", 2, None),
                                 ("c", "hog", "hog.iters=0", 1, None)])
    done, wall, _ = _go(host, vms, timeout=8.0)
    assert not done  # the hogs run for ever
    shares = [host.scheduler.stats(vm).share for vm in vms]
    for vm in vms:
        assert "HOG start iters=0" in vm.console.output().decode(), _said(vm)
    assert shares == pytest.approx([0.25, 0.50, 0.25], abs=0.05), shares
    # the VMM's own figures agree (hart seconds over the machine's hart time)
    assert [vm.stats()["share"] for vm in vms] == pytest.approx(shares, abs=0.03)


@pytest.mark.slow
def test_cap_0_2_holds(vm_guest: Callable[[str], Path]) -> None:
    host, vms = _host(vm_guest, [("capped", "hog", "hog.iters=0", 1, 0.2),
                                 ("b", "hog", "hog.iters=0", 1, None), ("c", "hog", "hog.iters=0", 1, None)])
    done, wall, _ = _go(host, vms, timeout=8.0)
    assert not done
    capped = host.scheduler.stats(vms[0])
    harts_used = capped.share * host.nharts  # its part of one hart
    assert harts_used == pytest.approx(0.2, abs=0.05), capped
    others = [host.scheduler.stats(vm).share * host.nharts for vm in vms[1:]]
    assert others == pytest.approx([0.9, 0.9], abs=0.1), others  # the rest of the machine


@pytest.mark.slow
def test_three_idle_vms_cost_under_5_percent_of_a_core(vm_guest: Callable[[str], Path]) -> None:
    host, vms = _host(vm_guest, [(f"idle{i}", "idle", "idle.secs=5", 1, None) for i in range(3)])
    done, wall, cpu = _go(host, vms, timeout=30.0)
    assert done
    for vm in vms:
        out = vm.console.output().decode()
        assert vm.exit_status == "poweroff", _said(vm)
        assert "IDLE tick 50" in out and "IDLE done ticks=50" in out, _said(vm)
    assert wall >= 5.0
    assert cpu / wall < 0.05, f"three idle VMs used {cpu:.2f} s of CPU in {wall:.2f} s ({cpu / wall:.1%})"


@pytest.mark.slow
def test_two_hogs_on_two_harts_run_side_by_side(vm_guest: Callable[[str], Path]) -> None:
    """Two CPU-bound VMs on a 2-hart host run at the same time, each on its own hart's thread, and
    the engine lets go of the GIL while a guest runs.  How much faster that is than one after the
    other depends on the cores the host gives: ``rvisor bench --vm`` measures it (its target
    0.6x), this test checks what the VMM itself does and holds on any number of cores."""
    slice_s = 0.3  # long slices: an engine holding the GIL would stall the ticker for each
    host, vms = _host(vm_guest, [("one", "hog", "hog.iters=8000000", 1, None),
                                 ("two", "hog", "hog.iters=8000000", 1, None)])
    host.slice_seconds = slice_s
    spans: dict[str, list[tuple[int, float, float]]] = {vm.name: [] for vm in vms}
    for vm in vms:
        inner = vm.run_slice

        # runs as each slice of this VM: note the thread and when it ran
        def timed(hart, mach, budget, inner=inner, log=spans[vm.name]):  # noqa: ANN001, ANN202
            t0 = time.monotonic()
            res = inner(hart, mach, budget)
            log.append((threading.get_ident(), t0, time.monotonic()))
            return res

        vm.run_slice = timed  # type: ignore[method-assign]
    gaps: list[tuple[float, float]] = []  # (end, length) of each wait between two ticks
    running = threading.Event()
    running.set()

    # runs beside the host: Python code that needs the GIL every millisecond
    def ticker() -> None:
        last = time.monotonic()
        while running.is_set():
            time.sleep(0.001)
            now = time.monotonic()
            gaps.append((now, now - last))
            last = now

    from rvisor.hw.machine import Machine

    Machine.load_engine()  # compiling holds the GIL: done before the ticker starts
    tick = threading.Thread(target=ticker)
    tick.start()
    try:
        done, wall, _ = _go(host, vms, timeout=120.0)
    finally:
        running.clear()
        tick.join()
    assert done
    outs = {vm.console.output().decode().strip().splitlines()[-1] for vm in vms}
    assert len(outs) == 1 and next(iter(outs)).startswith("HOG done 0x"), [_said(vm) for vm in vms]
    threads = {name: {t for t, _, _ in log} for name, log in spans.items()}
    # each VM is entitled to a whole hart, so it keeps one hart's thread from start to end
    assert all(len(t) == 1 for t in threads.values()) and threads["one"] != threads["two"], threads

    # runs for the overlap check: seconds during which both VMs were inside a slice
    def overlap(a: list[tuple[int, float, float]], b: list[tuple[int, float, float]]) -> float:
        return sum(max(0.0, min(e1, e2) - max(s1, s2)) for _, s1, e1 in a for _, s2, e2 in b)

    busy = [sum(e - s for _, s, e in log) for log in spans.values()]
    both = overlap(spans["one"], spans["two"])
    assert both >= 0.8 * min(busy), f"both VMs ran together for {both:.2f} s of {busy} s in slices"
    # the ticker ran all along while both guests ran: no wait as long as a slice (an engine that
    # held the GIL would cause one per slice)
    start = max(log[0][1] for log in spans.values())
    end = min(log[-1][2] for log in spans.values())
    during = [g for t, g in gaps if start < t - g and t < end]
    assert len(during) > 20 and max(during) < slice_s / 2, (f"the longest stall of Python code beside the"
                                                            f" guests was {max(during):.3f} s")


@pytest.mark.slow
def test_deterministic_clock_repeats_a_run(vm_guest: Callable[[str], Path]) -> None:
    # runs each trial: per VM (instructions, console output, exit), and the scheduler's slice counts
    def trial() -> list[tuple[int, str, str | None, int]]:
        host, vms = _host(vm_guest, [("hog", "hog", "hog.iters=3000000", 1, None),
                                     ("idle", "idle", "idle.secs=1", 1, None),
                                     ("heavy", "hog", "hog.iters=2000000", 2, None),
                                     ("capped", "hog", "hog.iters=1000000", 1, 0.3)], clock="deterministic")
        done, _, _ = _go(host, vms, timeout=120.0)
        assert done
        return [(vm.stats()["instructions"], vm.console.output().decode(), vm.exit_status,
                 host.scheduler.stats(vm).slices) for vm in vms]

    first, second = trial(), trial()
    assert [r[2] for r in first] == ["poweroff"] * 4, first
    assert "IDLE done ticks=10" in first[1][1]
    assert first == second


# ---- the VM rows of rvisor bench (rvisor/bench.py) ------------------------------------------------------


@pytest.mark.slow
def test_bench_vm_rows_start_memory_and_speed(vm_guest: Callable[[str], Path]) -> None:
    from rvisor import bench

    for name in ("hog", "idle", "bench/intloop"):
        vm_guest(name)
    start = bench.vm_start_row(60.0)
    assert start["ok"], start
    assert start["met"] and 0 < start["value"] <= bench.VM_START_TARGET_MS, start
    mem = bench.vm_memory_row(60.0)
    assert mem["ok"], mem
    assert mem["touched_bytes"] > 0 and mem["met"], mem
    speed = bench.vm_speed_row("intloop", 300.0)
    assert speed["ok"], speed
    assert speed["vm_instructions"] == pytest.approx(speed["instructions"], rel=0.01)
    # both ran in turns for most of the run, and the figure is their two rates
    assert speed["paired_seconds"] > 0.5, speed
    assert speed["value"] == pytest.approx(speed["vm_mips"] / speed["bare_mips"]), speed
    assert speed["value"] > 0.5, speed  # the 90% target is the bench's to report; the host is shared


def test_bench_vm_refuses_a_workload_name(rvisor_cli: Callable[..., object]) -> None:
    p = rvisor_cli("bench", "--vm", "intloop", timeout=120)
    assert p.returncode == 2  # type: ignore[attr-defined]
    assert "--vm" in p.stderr  # type: ignore[attr-defined]
