"""``rvisor bench``: the benchmark runner.

Workloads (``bench/workloads/workloads.txt``: name, ELF path, description) are bare-metal M-mode
ELFs that compute, print a result line (``BENCH name checksum=... instret=... ok|MISMATCH``, see
bench/workloads/bench.h) and power off.  Each runs on rvisor with ``--bios none`` and its console
captured; a run counts only if it powered off with exit code 0 and its result line ends in ``ok``.
With ``--compare qemu`` each ELF is also timed as the wall-clock of
``qemu-system-riscv64 -M virt -bios none -nographic -m 256M -kernel ELF`` (with ``-cpu rv64,h=true``
for the ``*_vs`` workloads, which run a guest in VS/VU); ratio = rvisor s / QEMU s.

``--boot`` times guest boots instead: Linux to ``RVISOR-LINUX-SELFTEST-DONE`` and U-Boot (behind
OpenSBI fw_jump) to its autoboot prompt, on rvisor and on QEMU, in the same run.
"""

from __future__ import annotations

import json
import os
from contextlib import nullcontext
import select
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from rvisor import images
from rvisor.interface import CliError, load_runner

QEMU = "qemu-system-riscv64"
WORKLOAD_TIMEOUT = 300.0
BOOT_TIMEOUT = 600.0
LINUX_MARKER = "RVISOR-LINUX-SELFTEST-DONE"
# U-Boot's prompt, printed once autoboot (2 s of bootdelay, then the boot scan) has given up
UBOOT_MARKER = "=> "
# the teaching OS's shell prompt: what a person waits for after `rvisor run --kernel os`
OS_MARKER = "os$ "
# workloads that transmit a lot through the UART: run with the console off on both sides (the
# terminal's speed is not what they measure) and judged by their exit code, which the guest sets
# from its own checksum
QUIET_WORKLOADS = frozenset({"uartpoll"})


class _MarkerSeen(Exception):
    """Raised from the progress callback to stop a run once its marker is on the console."""


# runs when QEMU is needed: its path, or None with a note on stderr
def find_qemu(note: bool = True) -> str | None:
    path = shutil.which(QEMU)
    if path is None and note:
        print(f"note: {QEMU} not found (apt-get install qemu-system-misc); carrying on without QEMU",
              file=sys.stderr)
    return path


# runs after each rvisor run of a workload: the non-blank console lines
def output_lines(result: Any) -> list[str]:
    return [ln.strip() for ln in (result.output or "").splitlines() if ln.strip()]


# runs after each rvisor run of a workload: None when it passed, else what went wrong
def check_result(w: images.Workload, result: Any) -> str | None:
    if result.reason != "poweroff" or result.exit_code != 0:
        detail = f": {result.message}" if result.message else ""
        return f"ended with {result.reason} (exit {result.exit_code}){detail}"
    lines = output_lines(result)
    bench_lines = [ln for ln in lines if ln.startswith("BENCH ")]
    if bench_lines:
        return None if bench_lines[-1].endswith(" ok") else f"result line says {bench_lines[-1]!r}"
    if not lines:
        return "printed no result line"
    bad = [ln for ln in lines if "FAIL" in ln or "ERROR" in ln or "MISMATCH" in ln]
    return f"reported {bad[0]!r}" if bad else None


# runs once per workload on rvisor
def run_workload(w: images.Workload, timeout: float) -> dict[str, Any]:
    run_guest, boot_error = load_runner()
    quiet = w.name in QUIET_WORKLOADS
    try:
        r = run_guest(kernel=str(w.path), bios="none", memory=256 << 20, timeout=timeout,
                      clock="deterministic", console="none" if quiet else "capture")
    except boot_error as e:
        return {"workload": w.name, "instructions": 0, "seconds": 0.0, "mips": 0.0, "ok": False,
                "problem": f"boot error: {e}"}
    lines = output_lines(r)
    lines = [ln for ln in lines if ln.startswith("BENCH ")] or lines
    if quiet:
        problem = None if (r.reason, r.exit_code) == ("poweroff", 0) else (
            f"ended with {r.reason} (exit {r.exit_code}): its checksum did not match" if r.reason == "fail"
            else f"ended with {r.reason} (exit {r.exit_code}) {r.message}".rstrip())
        lines = ["(console off) exit 0, checksum ok" if problem is None else "(console off)"]
    else:
        problem = check_result(w, r)
    return {"workload": w.name, "instructions": int(r.instructions), "seconds": float(r.seconds),
            "mips": float(r.mips), "ok": problem is None, "reason": r.reason, "exit_code": int(r.exit_code),
            "result": lines[-1] if lines else "", **exit_figures(r.stats),
            **({"problem": problem} if problem else {})}


# runs after each rvisor run: how often the guest needed Python and what an MMIO exit cost
def exit_figures(stats: dict[str, Any]) -> dict[str, Any]:
    cost = stats.get("exit_cost", {}).get("mmio", {})
    return {"exits_per_second": float(stats.get("exits_per_second", 0.0)),
            "mmio_exits": int(cost.get("count", 0)), "mmio_ns_per_exit": cost.get("ns_per_exit")}


# runs once per workload with --compare qemu: wall-clock seconds of QEMU running the same ELF
def time_qemu_workload(qemu: str, elf: Path, timeout: float, quiet: bool = False) -> tuple[float | None, str]:
    console = ["-display", "none", "-serial", "null", "-monitor", "none"] if quiet else ["-nographic"]
    cmd = [qemu, "-M", "virt", "-bios", "none", *console, "-m", "256M", "-kernel", str(elf)]
    if elf.stem.endswith("_vs"):
        cmd[3:3] = ["-cpu", "rv64,h=true"]  # a guest in VS/VU: QEMU 7.2 enables H on request
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"QEMU still running after {timeout:g} s"
    secs = time.perf_counter() - t0
    if p.returncode != 0:
        err = p.stderr.decode(errors="replace").strip().splitlines()
        return None, f"QEMU exit {p.returncode}" + (f": {err[-1]}" if err else "")
    return secs, ""


# runs for `rvisor bench [NAME] [--json] [--compare qemu]`; returns the exit code
def run_workloads(name: str | None, as_json: bool = False, compare: str | None = None,
                  timeout: float | None = None) -> int:
    workloads = images.read_workloads()
    if not workloads:
        raise CliError(f"no benchmark workloads: {images.WORKLOADS_TXT} is missing or empty")
    if name:
        chosen = [w for w in workloads if w.name == name]
        if not chosen:
            raise CliError(f"unknown workload {name!r} (have: {', '.join(w.name for w in workloads)})")
    else:
        chosen = workloads
    for w in chosen:
        if not w.path.is_file():
            raise CliError(f"workload {w.name!r} is not built: {w.path} is missing (make -C guest)")
    limit = timeout or WORKLOAD_TIMEOUT
    qemu = find_qemu() if compare == "qemu" else None
    err = Console(stderr=True)
    rows: list[dict[str, Any]] = []
    for w in chosen:
        with err.status(f"rvisor: {w.name}") if err.is_terminal else nullcontext():
            row = run_workload(w, limit)
        if compare == "qemu":
            row["qemu_seconds"] = None
            row["ratio"] = None
            if qemu:
                with err.status(f"QEMU: {w.name}") if err.is_terminal else nullcontext():
                    qs, note = time_qemu_workload(qemu, w.path, limit, w.name in QUIET_WORKLOADS)
                row["qemu_seconds"] = qs
                if qs:
                    row["ratio"] = row["seconds"] / qs if row["seconds"] else None
                if note:
                    row["qemu_note"] = note
        rows.append(row)
        if not row["ok"]:
            print(f"rvisor bench: {w.name}: {row['problem']}", file=sys.stderr)
    return print_rows(rows, as_json, lambda: workload_table(rows, compare == "qemu"))


# runs when the workload results are printed as a table
def workload_table(rows: list[dict[str, Any]], with_qemu: bool) -> Table:
    t = Table(title="rvisor bench: workloads (--bios none, deterministic clock)")
    for col in ("workload", "instructions", "seconds", "MIPS", "exits/s", "MMIO ns/exit"):
        t.add_column(col, justify="left" if col == "workload" else "right")
    if with_qemu:
        t.add_column("QEMU s", justify="right")
        t.add_column("rvisor/QEMU", justify="right")
    t.add_column("result")
    for r in rows:
        cells = [r["workload"], f"{r['instructions']:,}", f"{r['seconds']:.3f}", f"{r['mips']:,.1f}",
                 f"{r.get('exits_per_second', 0):,.0f}",
                 f"{r['mmio_ns_per_exit']:,.0f}" if r.get("mmio_ns_per_exit") else "-"]
        if with_qemu:
            qs, ratio = r.get("qemu_seconds"), r.get("ratio")
            cells += [f"{qs:.3f}" if qs else "-", f"{ratio:.1f}x" if ratio else "-"]
        cells.append("ok" if r["ok"] else f"FAILED: {r['problem']}")
        t.add_row(*cells)
    return t


@dataclass
class BootCase:
    """One guest boot timed on rvisor and QEMU, to the marker a person waits for."""

    name: str
    kernel: Path
    rvisor_bios: str
    qemu_bios: Path
    marker: str
    initrd: Path | None = None
    append: str = ""
    drives: tuple[Path, ...] = ()  # disk images; each side boots a fresh copy


# runs for --boot: the boot cases whose files are present, with a note for each one that is not
def boot_cases() -> list[BootCase]:
    cases: list[BootCase] = []
    fw = images.OPENSBI_FW_JUMP
    linux = images.resolve("linux")
    if linux is None or not linux.present:
        print("note: the Linux guest is not available (see 'rvisor images'); skipping it", file=sys.stderr)
    else:
        for name, bios in (("linux", "builtin"), ("linux (OpenSBI)", str(fw))):
            cases.append(BootCase(name, linux.path, bios, fw, LINUX_MARKER, linux.initrd, linux.append,
                                  tuple(d for d, _ in linux.drives)))
    if images.UBOOT_SMODE.is_file() and fw.is_file():
        cases.append(BootCase("u-boot", images.UBOOT_SMODE, str(fw), fw, UBOOT_MARKER))
    else:
        print("note: OpenSBI/U-Boot not installed (apt-get install opensbi u-boot-qemu); skipping U-Boot",
              file=sys.stderr)
    os_img = images.resolve("os")
    if os_img is None or not os_img.path.is_file():
        print("note: the teaching OS is not built (make -C guest os); skipping it", file=sys.stderr)
    else:
        qemu_bios = fw if os_img.bios == "builtin" else Path(os_img.bios)
        cases.append(BootCase("os", os_img.path, os_img.bios, qemu_bios, OS_MARKER,
                              drives=tuple(d for d, _ in os_img.drives if d.is_file())))
    return [c for c in cases if c.rvisor_bios == "none" or c.qemu_bios.is_file()]


# runs before each side of a boot case: fresh copies of its disks, so that no boot sees another's writes
def copy_drives(case: BootCase, tmp: str) -> list[str]:
    copies = []
    for i, d in enumerate(case.drives):
        dst = Path(tmp) / f"disk{i}-{d.name}"
        shutil.copyfile(d, dst)
        copies.append(str(dst))
    return copies


# runs once per boot case on rvisor: seconds from the call to the marker on the console
def time_rvisor_boot(case: BootCase, timeout: float) -> dict[str, Any]:
    run_guest, boot_error = load_runner()
    with tempfile.TemporaryDirectory(prefix="rvisor-bench-") as tmp:
        out = Path(tmp) / "console.txt"
        out.touch()
        seen: list[float] = []

        # runs from the progress callback and at the end: has the marker appeared?
        def scan() -> bool:
            if not seen and case.marker.encode() in out.read_bytes():
                seen.append(time.perf_counter())
            return bool(seen)

        last = [0.0]

        # runs whenever the runner reports progress: stop once the marker is seen
        def progress(info: dict[str, Any]) -> None:
            now = time.perf_counter()
            if now - last[0] >= 0.05:
                last[0] = now
                if scan():
                    raise _MarkerSeen

        from rvisor.hw.machine import Machine

        Machine.load_engine()  # the engine's one-time load is not part of any guest's boot
        drives = copy_drives(case, tmp)
        t0 = time.perf_counter()
        result = None
        try:
            # the default clock of `rvisor run` (realtime), as a user runs it
            result = run_guest(kernel=str(case.kernel), bios=case.rvisor_bios,
                               initrd=str(case.initrd) if case.initrd else None, append=case.append,
                               drives=[(d, False) for d in drives], memory=256 << 20, timeout=timeout,
                               clock="realtime", console=f"file:{out}", progress=progress)
        except _MarkerSeen:
            pass
        except boot_error as e:
            return {"rvisor_seconds": None, "problem": f"boot error: {e}"}
        end = time.perf_counter()
        scan()
    row: dict[str, Any] = {"rvisor_seconds": (seen[0] - t0) if seen else None}
    if result is not None:
        row["instructions"] = int(result.instructions)
        row["mips"] = float(result.mips)
        if not seen and result.output and case.marker in result.output:
            row["rvisor_seconds"] = end - t0
    if row["rvisor_seconds"] is None:
        how = f"{result.reason}" if result is not None else "stopped"
        row["problem"] = f"rvisor never printed {case.marker!r} ({how})"
    return row


# runs once per boot case on QEMU: wall-clock seconds from launch to the marker
def time_qemu_boot(qemu: str, case: BootCase, timeout: float) -> tuple[float | None, str]:
    bios = "none" if case.rvisor_bios == "none" else str(case.qemu_bios)
    cmd = [qemu, "-M", "virt", "-smp", "1", "-m", "256M", "-nographic", "-bios", bios,
           "-kernel", str(case.kernel)]
    if case.initrd:
        cmd += ["-initrd", str(case.initrd)]
    if case.append:
        cmd += ["-append", case.append]
    tmp = tempfile.mkdtemp(prefix="rvisor-bench-qemu-")
    if case.drives:
        cmd += ["-global", "virtio-mmio.force-legacy=false"]
    for i, d in enumerate(copy_drives(case, tmp)):
        cmd += ["-drive", f"file={d},if=none,format=raw,id=hd{i}",
                "-device", f"virtio-blk-device,drive=hd{i},bus=virtio-mmio-bus.{i}"]
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert p.stdout is not None
    buf = b""
    found: float | None = None
    try:
        while time.perf_counter() - t0 < timeout:
            ready, _, _ = select.select([p.stdout], [], [], 0.05)
            if ready:
                chunk = os.read(p.stdout.fileno(), 65536)
                if not chunk:
                    break
                buf += chunk
                if case.marker.encode() in buf:
                    found = time.perf_counter() - t0
                    break
            elif p.poll() is not None:
                break
    finally:
        p.kill()
        p.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    if found is None:
        return None, f"QEMU never printed {case.marker!r}"
    return found, ""


# runs for `rvisor bench --boot [--json]`; returns the exit code
def run_boot(as_json: bool = False, timeout: float | None = None) -> int:
    limit = timeout or BOOT_TIMEOUT
    cases = boot_cases()
    if not cases:
        raise CliError("nothing to boot: neither the Linux guest nor OpenSBI/U-Boot is available")
    qemu = find_qemu()
    rows: list[dict[str, Any]] = []
    err = Console(stderr=True)
    for c in cases:
        with err.status(f"rvisor: {c.name}") if err.is_terminal else nullcontext():
            row: dict[str, Any] = {"guest": c.name, "marker": c.marker, **time_rvisor_boot(c, limit)}
        row["qemu_seconds"] = None
        row["ratio"] = None
        if qemu:
            with err.status(f"QEMU: {c.name}") if err.is_terminal else nullcontext():
                qs, note = time_qemu_boot(qemu, c, limit)
            row["qemu_seconds"] = qs
            if note:
                row["qemu_note"] = note
            if qs and row["rvisor_seconds"]:
                row["ratio"] = row["rvisor_seconds"] / qs
        row["ok"] = "problem" not in row
        if not row["ok"]:
            print(f"rvisor bench --boot: {c.name}: {row['problem']}", file=sys.stderr)
        rows.append(row)
    return print_rows(rows, as_json, lambda: boot_table(rows))


# runs at the end of every bench mode: the rows as JSON or as a table; 0 when every row is ok
def print_rows(rows: list[dict[str, Any]], as_json: bool, table: Callable[[], Table]) -> int:
    if as_json:
        print(json.dumps(rows, indent=2))
    else:
        Console(width=None if sys.stdout.isatty() else 120).print(table())
    return 0 if all(r["ok"] for r in rows) else 1


# runs when the boot results are printed as a table
def boot_table(rows: list[dict[str, Any]]) -> Table:
    t = Table(title="rvisor bench --boot: seconds from launch to the marker")
    for col in ("guest", "marker", "rvisor s", "QEMU s", "rvisor/QEMU"):
        t.add_column(col, justify="left" if col in ("guest", "marker") else "right")

    # runs for each number cell of the boot table
    def fmt(x: float | None, f: Callable[[float], str]) -> str:
        return f(x) if x else "-"

    for r in rows:
        t.add_row(r["guest"], r["marker"], fmt(r["rvisor_seconds"], lambda x: f"{x:.2f}"),
                  fmt(r["qemu_seconds"], lambda x: f"{x:.2f}"), fmt(r["ratio"], lambda x: f"{x:.1f}x"))
    return t


# ---- VM rows (`rvisor bench --vm`) --------------------------------------------------------------------
# The S-mode builds of the CPU-bound workloads (guest/vm, entered at 0x80200000 on SBI) and the
# VMM's test guests, on rvisor's VMM (rvisor.vmm) against the bare board, all in one run.
VM_WORKLOADS = ("intloop", "memset", "sort", "sha256", "fp")
VM_BUILD = images.ROOT / "guest" / "build" / "vm"
VM_SPEED_TARGET = 0.90  # a workload in a VM runs at >= 90% of its speed on the bare board
VM_PARALLEL_TARGET = 0.60  # two CPU-bound VMs on 2 harts: <= 0.6x the time of one after the other
VM_START_TARGET_MS = 50.0  # VM creation to its first guest instruction
VM_MEMORY_TARGET = 16 << 20  # host memory per VM beyond the guest pages it touched
VM_START_TRIES = 5
VM_ROUNDS = 2  # parallel row: rounds taken in turn, the best counts
VM_SPEED_CHUNK = 0.05  # speed rows: seconds of each turn of the board and the VM
VM_MEMORY_VMS = 4


# runs for each VM row: the guest ELF, or a CliError telling how to build it
def vm_elf(name: str) -> Path:
    path = VM_BUILD / f"{name}.elf"
    if not path.is_file():
        raise CliError(f"VM guest {name!r} is not built: {path} is missing (make -C guest vm)")
    return path


VMSpecs = list[tuple[str, Path, str, int]]  # name, ELF, bootargs, memory


# runs for the VM rows: a host and its VMs, not started yet; VMError for bad input
def _vm_host(harts: int, memory: int, clock: str, vms: VMSpecs) -> tuple[Any, list[Any]]:
    from rvisor.vmm import Host

    return _vm_host_on(Host(harts=harts, memory=memory, clock=clock), vms)


# runs for the VM rows: VMs on an existing host
def _vm_host_on(host: Any, vms: VMSpecs) -> tuple[Any, list[Any]]:
    from rvisor.vmm import VMConfig

    return host, [host.create(VMConfig(name=n, kernel=p, append=a, memory=m)) for n, p, a, m in vms]


# runs after each VM run: None when every VM powered off cleanly (and printed a BENCH ... ok line
# when it is a workload), else what went wrong
def _vm_problem(vms: list[Any], bench_line: bool) -> str | None:
    for vm in vms:
        if vm.exit_status != "poweroff":
            return f"VM {vm.name} ended {vm.exit_status or vm.state} {vm.report}".rstrip()
        lines = [ln.strip() for ln in vm.console.text.splitlines() if ln.startswith("BENCH ")]
        if bench_line and not (lines and lines[-1].endswith(" ok")):
            return f"VM {vm.name} printed {lines[-1] if lines else 'no result line'!r}"
    return None


# runs once per workload: the S-mode build on the bare board (built-in SBI) and in a VM, both
# built at once and run in turns of VM_SPEED_CHUNK seconds until both have finished.  The speed of
# this shared host drifts by 20-30% over a few seconds, often more than the VM costs, so whole runs
# one after the other compare the host's moods; turns this short see the same host.  Speed is
# instructions per second over the turns in which both were still running
def vm_speed_row(name: str, timeout: float, chunk: float = VM_SPEED_CHUNK) -> dict[str, Any]:
    from rvisor.boot.errors import BootError
    from rvisor.runner import build_board

    elf = vm_elf(f"bench/{name}")
    row: dict[str, Any] = {"row": f"{name}: VM vs bare board", "measure": "speed in a VM / on the board",
                           "target": f">= {VM_SPEED_TARGET:.0%}"}
    w = images.Workload(name, elf, "")
    try:
        board = build_board(str(elf), memory=256 << 20, clock="deterministic", console="capture")
    except BootError as e:
        return {**row, "ok": False, "problem": f"bare board: boot error: {e}"}
    host, vms = _vm_host(1, 512 << 20, "deterministic", [(name, elf, "", 256 << 20)])
    vm = vms[0]
    vm.start()
    result = None

    # runs as each of the board's turns: its instructions so far, and whether it has finished
    def board_turn() -> tuple[int, bool]:
        nonlocal result
        result = board.run(pause_after=chunk)
        return int(result.instructions), result.reason != "paused"

    # runs as each of the VM's turns
    def vm_turn() -> tuple[int, bool]:
        host.run(timeout=chunk)
        return int(vm.stats()["instructions"]), vm.exit_status is not None

    turns = {"board": board_turn, "vm": vm_turn}
    done = dict.fromkeys(turns, False)
    ran = dict.fromkeys(turns, 0)  # instructions so far
    paired = {side: [0, 0.0] for side in turns}  # instructions and seconds while both ran
    deadline = time.monotonic() + timeout
    try:
        while not all(done.values()) and time.monotonic() < deadline:
            both = not any(done.values())
            for side, turn in turns.items():
                if done[side]:
                    continue
                t0 = time.perf_counter()
                total, done[side] = turn()
                if both:
                    paired[side][0] += total - ran[side]
                    paired[side][1] += time.perf_counter() - t0
                ran[side] = total
    finally:
        board.close()
    problem = None
    if result is None or not done["board"]:
        problem = f"bare board: did not finish within {timeout:g} s"
    else:
        bad = check_result(w, result)
        problem = bad and f"bare board: {bad}"
    if not done["vm"]:
        vm.stop()
    problem = problem or _vm_problem(vms, True)
    (bn, bs), (vn, vs) = paired["board"], paired["vm"]
    bare_rate = bn / bs if bs > 0 else 0.0
    vm_rate = vn / vs if vs > 0 else 0.0
    ratio = vm_rate / bare_rate if bare_rate > 0 else 0.0
    return {**row, "bare_mips": bare_rate / 1e6, "vm_mips": vm_rate / 1e6, "paired_seconds": bs + vs,
            "instructions": ran["board"], "vm_instructions": ran["vm"], "value": ratio,
            "shown": f"{ratio:.1%} ({vm_rate / 1e6:.0f} / {bare_rate / 1e6:.0f} MIPS, turns of"
                     f" {chunk * 1e3:.0f} ms)",
            "met": ratio >= VM_SPEED_TARGET, "ok": problem is None,
            **({"problem": problem} if problem else {})}


# runs once per round of the parallel row: seconds to run the VMs (ELF, name) on a 2-hart host
def _vm_wall(elf: Path, names: tuple[str, ...], timeout: float) -> tuple[float, str | None]:
    host, vms = _vm_host(2, 512 << 20, "realtime", [(n, elf, "", 64 << 20) for n in names])
    for vm in vms:
        vm.start()
    t0 = time.perf_counter()
    host.run(timeout=timeout)
    return time.perf_counter() - t0, _vm_problem(vms, True)


# runs before the parallel row (and its test): how many cores two busy threads of this process get
# now — other work on the host, and kernel.sched_autogroup_enabled (a session's threads share its
# CPU), can leave a process one core however many threads it runs
def cores_for_two_threads(seconds: float = 0.6) -> float:
    import hashlib
    import threading

    data = b"\x5a" * (8 << 20)  # hashlib lets go of the GIL for large inputs

    # runs on each probe thread
    def burn() -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            hashlib.sha256(data).digest()

    threads = [threading.Thread(target=burn) for _ in range(2)]
    c0, t0 = time.process_time(), time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return (time.process_time() - c0) / (time.monotonic() - t0)


# runs once: two CPU-bound VMs side by side on a 2-hart host against the two one after the other,
# VM_ROUNDS rounds; the round with the lowest ratio counts (the host's cores are shared)
def vm_parallel_row(timeout: float) -> dict[str, Any]:
    elf = vm_elf("bench/intloop")
    row: dict[str, Any] = {"row": "2 intloop VMs on 2 harts", "measure": "side by side / one after the other",
                           "target": f"<= {VM_PARALLEL_TARGET:.1f}x"}
    rounds: list[tuple[float, float]] = []
    problem = None
    cores = cores_for_two_threads()
    for _ in range(VM_ROUNDS):
        one, p1 = _vm_wall(elf, ("one",), timeout)
        two, p2 = _vm_wall(elf, ("two",), timeout)
        par, p3 = _vm_wall(elf, ("one", "two"), timeout)
        problem = problem or p1 or p2 or p3
        rounds.append((par, one + two))
    par, seq = min(rounds, key=lambda r: r[0] / r[1] if r[1] else 1e9)
    ratio = par / seq if seq > 0 else 0.0
    return {**row, "parallel_seconds": par, "sequential_seconds": seq, "rounds": rounds, "value": ratio,
            "host_cores": cores, "shown": f"{ratio:.2f}x ({par:.2f} s / {seq:.2f} s; the host gave two"
                                          f" threads {cores:.1f} cores)", "met": ratio <= VM_PARALLEL_TARGET,
            "ok": problem is None, **({"problem": problem} if problem else {})}


# runs once: host.create + start on a built host to the first slice of guest code (median of tries)
def vm_start_row(timeout: float) -> dict[str, Any]:
    from rvisor.vmm import Host, VMConfig

    elf = vm_elf("hog")
    row: dict[str, Any] = {"row": "VM creation", "measure": "create + start to the first guest instruction",
                           "target": f"<= {VM_START_TARGET_MS:.0f} ms"}
    times: list[float] = []
    problem = None
    for i in range(VM_START_TRIES):
        host = Host(harts=1, memory=256 << 20, clock="realtime")
        first: list[float] = []
        t0 = time.perf_counter()
        vm = host.create(VMConfig(name=f"start{i}", kernel=elf, append="hog.iters=1000", memory=128 << 20))
        inner = vm.run_slice

        # runs in place of the VM's run_slice: notes when its first slice begins
        def timed(hart: int, mach: Any, budget: int, inner: Any = inner, first: list[float] = first) -> Any:
            if not first:
                first.append(time.perf_counter())
            return inner(hart, mach, budget)

        vm.run_slice = timed  # type: ignore[method-assign]
        vm.start()
        host.run(timeout=timeout)
        problem = problem or _vm_problem([vm], False)
        if first:
            times.append((first[0] - t0) * 1000)
    times.sort()
    ms = times[len(times) // 2] if times else 0.0
    return {**row, "value": ms, "tries_ms": times, "shown": f"{ms:.1f} ms (median of {len(times)})",
            "met": bool(times) and ms <= VM_START_TARGET_MS, "ok": problem is None and bool(times),
            **({"problem": problem or "no VM ran"} if problem or not times else {})}


# runs for the memory row: this process's resident bytes
def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


# runs once: idle 1 GiB VMs on a 1 GiB host; what each costs the host beyond the pages it touched
def vm_memory_row(timeout: float) -> dict[str, Any]:
    elf = vm_elf("idle")
    row: dict[str, Any] = {"row": f"{VM_MEMORY_VMS} idle 1 GiB VMs",
                           "measure": "host memory per VM beyond its pages",
                           "target": f"<= {VM_MEMORY_TARGET >> 20} MiB"}
    from rvisor.vmm import Host

    host = Host(harts=2, memory=1 << 30, clock="realtime")
    before = _rss()
    _, vms = _vm_host_on(host, [(f"idle{i}", elf, "idle.secs=1", 1 << 30) for i in range(VM_MEMORY_VMS)])
    for vm in vms:
        vm.start()
    host.run(timeout=timeout)
    grown = _rss() - before
    problem = _vm_problem(vms, False)
    touched = sum(vm.stats()["pages_mapped"] for vm in vms) * 4096
    per_vm = max(0, grown - touched) / len(vms)
    own = sum(vm.stats()["host_memory_bytes"] - vm.stats()["pages_mapped"] * 4096 for vm in vms) / len(vms)
    return {**row, "value": per_vm, "rss_growth_bytes": grown, "touched_bytes": touched,
            "vmm_counted_bytes": own,
            "shown": f"{per_vm / (1 << 20):.2f} MiB (resident; the VMM counts {own / (1 << 20):.2f} MiB)",
            "met": per_vm <= VM_MEMORY_TARGET, "ok": problem is None,
            **({"problem": problem} if problem else {})}


# runs for `rvisor bench --vm [--json]`; returns the exit code (1 when a run failed)
def run_vm_bench(as_json: bool = False, timeout: float | None = None) -> int:
    from rvisor.hw.machine import Machine
    from rvisor.vmm import VMError

    limit = timeout or WORKLOAD_TIMEOUT
    for n in [f"bench/{w}" for w in VM_WORKLOADS] + ["hog", "idle"]:
        vm_elf(n)
    Machine.load_engine()
    err = Console(stderr=True)
    steps: list[tuple[str, Callable[[], dict[str, Any]]]] = [
        *((f"{w} on the board and in a VM", lambda w=w: vm_speed_row(w, limit)) for w in VM_WORKLOADS),
        ("two VMs side by side", lambda: vm_parallel_row(limit)),
        ("VM creation", lambda: vm_start_row(limit)),
        ("host memory per VM", lambda: vm_memory_row(limit)),
    ]
    rows: list[dict[str, Any]] = []
    for what, step in steps:
        with err.status(f"rvisor: {what}") if err.is_terminal else nullcontext():
            try:
                row = step()
            except VMError as e:
                row = {"row": what, "ok": False, "met": False, "problem": f"VM error: {e}"}
        rows.append(row)
        if not row["ok"]:
            print(f"rvisor bench --vm: {row['row']}: {row['problem']}", file=sys.stderr)
    return print_rows(rows, as_json, lambda: vm_table(rows))


# runs when the VM rows are printed as a table
def vm_table(rows: list[dict[str, Any]]) -> Table:
    t = Table(title="rvisor bench --vm: the VMM (ratios measured in this run)")
    for col in ("row", "measure", "result", "target", "met"):
        t.add_column(col)
    for r in rows:
        shown = r.get("shown", "-") if r["ok"] else f"FAILED: {r['problem']}"
        t.add_row(r["row"], r.get("measure", ""), shown, r.get("target", ""), "yes" if r.get("met") else "no")
    return t
