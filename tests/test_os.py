"""The teaching OS (guest/os, built by `make -C guest`) on the bare board, `--bios none`.

It boots in M-mode, forwards CLINT timer interrupts to its S-mode kernel, runs two user processes
preemptively, echoes UART input received by interrupt and reads and writes its virtio-blk disk
(guest/os/README.md lists its markers and exit codes).  The tests check what it prints, what it
wrote to the disk image file, and that QEMU prints the same for the same binary.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from rvisor.boot import BootConfig, boot
from rvisor.hw.board import Board, BoardConfig
from rvisor.hw.console import CaptureConsole
from rvisor.runner import RunResult, build_board, run_guest

pytestmark = pytest.mark.needs_jit(reason="boots the teaching OS (millions of instructions per run)")

SECTOR = 512
TEST_SECTOR = 1  # the sector the OS's disk test writes (guest/os/kernel/bio.c)
TIMEOUT = 120.0  # seconds; a run takes well under one, this only bounds a hang
QEMU = shutil.which("qemu-system-riscv64")
PROC_LINE = re.compile(r"^OS: proc ([AB]) (started \(pid \d+\)|tick (\d+)|done)$")


# runs when a test needs the OS's binary (built on demand by the conftest fixture)
@pytest.fixture
def os_elf(guest_elf: Callable[[str], Path]) -> str:
    return str(guest_elf("os"))


# runs when a test needs a private copy of the OS's disk image, sector 1 zeroed so that an earlier
# run's pattern there cannot stand in for this run's write
@pytest.fixture
def os_disk(guest_elf: Callable[[str], Path], tmp_path: Path) -> Path:
    src = guest_elf("guest/build/os-disk.img")
    disk = tmp_path / "os-disk.img"
    data = bytearray(src.read_bytes())
    assert len(data) >= 2 * SECTOR, f"{src} is too small to be the OS's disk"
    data[TEST_SECTOR * SECTOR:(TEST_SECTOR + 1) * SECTOR] = bytes(SECTOR)
    disk.write_bytes(bytes(data))
    return disk


# runs when a test checks the disk file: the second (final) pattern the OS writes to sector 1
def expected_sector1() -> bytes:
    pattern = bytearray(((i * 7 + 0x5A) ^ 0xFF) & 0xFF for i in range(SECTOR))
    pattern[:16] = b"RVISOR-OS pass 2"
    return bytes(pattern)


# runs after each run: the OS's lines, CRLF turned into LF and the console's blank lines dropped
def os_lines(text: str) -> list[str]:
    return [ln for ln in text.replace("\r\n", "\n").split("\n") if ln.startswith("OS: ")]


# runs after each run: the markers every good run prints, in order, and real interleaving of A and B
def check_common(lines: list[str]) -> None:
    text = "\n".join(lines)
    assert lines and lines[0].startswith("OS: boot "), text
    for marker in ("OS: paging on (Sv39)", "OS: starting scheduler", "OS: procs done (A and B finished)"):
        assert marker in lines, f"{marker!r} missing:\n{text}"
    m = re.search(r"^OS: timer ok \((\d+) ticks forwarded from M-mode\)$", text, re.M)
    assert m and int(m.group(1)) >= 2, text
    assert lines.index("OS: paging on (Sv39)") < lines.index("OS: starting scheduler")
    check_interleaving(lines)
    s = re.search(r"^OS: stats ticks=(\d+) switches=(\d+) preemptions=(\d+) syscalls=(\d+) uart_irqs=(\d+)$",
                  text, re.M)
    assert s, text
    assert int(s.group(1)) >= 100 and int(s.group(3)) > 0, s.group(0)


# runs after each run: ticks 1..6 of each process in order, and A and B taking turns while both run
def check_interleaving(lines: list[str]) -> None:
    events = [(m.group(1), m.group(2), m.group(3)) for ln in lines if (m := PROC_LINE.match(ln))]
    for p in "AB":
        mine = [(what, n) for q, what, n in events if q == p]
        assert mine[0][0].startswith("started") and mine[-1][0] == "done", mine
        assert [int(n) for what, n in mine if n] == [1, 2, 3, 4, 5, 6], mine
    ticks = [p for p, _, n in events if n]
    switches = sum(1 for a, b in zip(ticks, ticks[1:]) if a != b)
    # a run without preemption prints AAAAAABBBBBB (one switch); round-robin prints ABAB... (11)
    assert switches >= 6, f"A and B did not interleave: {''.join(ticks)}"
    first_done = min(i for i, (_, what, _) in enumerate(events) if what == "done")
    both_before = {p for p, _, n in events[:first_done] if n}
    assert both_before == {"A", "B"}, f"one process finished before the other ticked: {''.join(ticks)}"


# runs when a test boots the OS and types into it while it runs: returns the result and the injections
def run_os_typing(kernel: str, drives: list[tuple[str, bool]],
                  plan: list[tuple[str, bytes]]) -> tuple[RunResult, list[bytes]]:
    board = build_board(kernel, bios="none", drives=drives, console="capture")
    assert isinstance(board.console, CaptureConsole)
    con = board.console
    sent: list[bytes] = []

    # runs from the run loop: type each planned input once its trigger line has been printed
    def progress(_info: dict[str, Any]) -> None:
        if len(sent) < len(plan):
            trigger, data = plan[len(sent)]
            if trigger in con.text:
                con.inject(data)
                sent.append(data)

    try:
        r = board.run(timeout=TIMEOUT, progress=progress, progress_interval=0.002)
    finally:
        board.close()
    return r, sent


# runs when a test boots the OS on its own
def run_os(kernel: str, drives: Sequence[tuple[str, bool]] = ()) -> RunResult:
    return run_guest(kernel, bios="none", drives=drives, timeout=TIMEOUT)


# proves: with its disk, the OS prints every marker in order (boot, timer forwarded from M-mode,
# disk found on slot 0 through the modern transport, sector 0, write verified, A/B preempted and
# interleaved, all tests passed), echoes bytes typed while it runs by UART interrupt, and exits 0
def test_os_all_markers_and_uart_echo(os_elf: str, os_disk: Path) -> None:
    head = os_disk.read_bytes()[:16]
    r, sent = run_os_typing(os_elf, [(str(os_disk), False)],
                            [("OS: proc A tick 1", b"r"), ("OS: proc B tick 3", b"v!\x07 ")])
    lines = os_lines(r.output)
    text = "\n".join(lines)
    assert r.reason == "poweroff" and r.exit_code == 0, f"{r.reason} {r.exit_code} {r.message}\n{text}"
    check_common(lines)
    assert "OS: disk virtio-blk (virtio-mmio v2) at slot 0, irq 1" in lines, text
    assert "OS: disk capacity 2048 sectors" in lines, text
    assert f"OS: disk sector0 {head.hex()}" in lines, text
    assert "OS: disk write ok (sector 1 written and verified twice)" in lines, text
    assert lines[-1] == "OS: all tests passed", text
    # the echo: every byte typed, in order, after the first receive interrupt
    assert len(sent) == 2, f"the run ended before all input was typed:\n{text}"
    echoes = [ln for ln in lines if ln.startswith("OS: echo ")]
    assert echoes == ["OS: echo r", "OS: echo v", "OS: echo !", "OS: echo 0x07", "OS: echo 0x20"], text
    assert lines.count("OS: uart rx interrupt") == 1
    assert lines.index("OS: uart rx interrupt") < lines.index("OS: echo r")
    irqs = int(re.search(r"uart_irqs=(\d+)", text).group(1))  # type: ignore[union-attr]
    assert irqs >= 2, text  # the two injections arrived at different times
    assert r.stats["interrupts"], r.stats


# proves: the OS's disk writes reach the image file (sector 1 holds its final pattern, nothing else
# changed), and a second boot on the same image reads the file afresh and passes again
def test_os_disk_write_persists_and_reboots(os_elf: str, os_disk: Path) -> None:
    before = os_disk.read_bytes()
    r = run_os(os_elf, [(str(os_disk), False)])
    assert r.exit_code == 0 and "OS: all tests passed" in os_lines(r.output), r.output
    after = os_disk.read_bytes()
    assert len(after) == len(before)
    assert after[TEST_SECTOR * SECTOR:(TEST_SECTOR + 1) * SECTOR] == expected_sector1()
    assert after[:TEST_SECTOR * SECTOR] == before[:TEST_SECTOR * SECTOR]
    assert after[(TEST_SECTOR + 1) * SECTOR:] == before[(TEST_SECTOR + 1) * SECTOR:]
    # change sector 0 between the boots: the second boot must show the new bytes
    new_head = b"second-boot-0002"
    with open(os_disk, "r+b") as f:
        f.write(new_head)
    r2 = run_os(os_elf, [(str(os_disk), False)])
    lines = os_lines(r2.output)
    assert r2.exit_code == 0, r2.output
    check_common(lines)
    assert f"OS: disk sector0 {new_head.hex()}" in lines, "\n".join(lines)
    assert lines[-1] == "OS: all tests passed"
    final = os_disk.read_bytes()
    assert final[TEST_SECTOR * SECTOR:(TEST_SECTOR + 1) * SECTOR] == expected_sector1()
    assert final[:16] == new_head


# proves: without a disk the OS says so, skips its disk test, still runs its processes, and exits 0
def test_os_without_disk(os_elf: str) -> None:
    r = run_os(os_elf)
    lines = os_lines(r.output)
    text = "\n".join(lines)
    assert r.reason == "poweroff" and r.exit_code == 0, f"{r.reason} {r.exit_code} {r.message}\n{text}"
    check_common(lines)
    assert "OS: disk none (no virtio-blk device found)" in lines, text
    assert not any(ln.startswith("OS: disk sector0") for ln in lines)
    assert lines[-1] == "OS: tests passed (disk test skipped: no usable disk)", text


# proves: a read-only drive is offered as read-only (VIRTIO_BLK_F_RO), the OS's write test then fails
# with its disk exit code 3, and the image file is left unchanged
def test_os_read_only_disk(os_elf: str, os_disk: Path) -> None:
    before = os_disk.read_bytes()
    r = run_os(os_elf, [(str(os_disk), True)])
    lines = os_lines(r.output)
    text = "\n".join(lines)
    assert r.exit_code == 3, f"{r.reason} {r.exit_code} {r.message}\n{text}"
    assert "OS: disk capacity 2048 sectors (read-only)" in lines, text
    assert f"OS: disk sector0 {before[:16].hex()}" in lines, text
    assert any(ln.startswith("OS: disk write FAILED") for ln in lines), text
    assert any(ln.startswith("OS: tests FAILED") for ln in lines), text
    assert os_disk.read_bytes() == before


# runs when the legacy test asks the board for a virtio-mmio v1 device: the BoardConfig field, if any
def legacy_option() -> dict[str, Any] | None:
    names = {f.name for f in dataclasses.fields(BoardConfig)}
    if "virtio_version" in names:
        return {"virtio_version": 1}
    if "virtio_legacy" in names:
        return {"virtio_legacy": True}
    return None


# proves: on a legacy (v1) virtio-mmio disk the OS reports it as unsupported and skips its disk test
def test_os_legacy_virtio_device(os_elf: str, os_disk: Path) -> None:
    opt = legacy_option()
    if opt is None:
        pytest.skip("the board offers no legacy virtio-mmio v1 device (BoardConfig has no such option)")
    board = Board(BoardConfig(drives=((str(os_disk), False),), **opt), CaptureConsole())
    try:
        boot(board, BootConfig(kernel=os_elf, bios="none"))
        r = board.run(timeout=TIMEOUT)
    finally:
        board.close()
    lines = os_lines(r.output)
    text = "\n".join(lines)
    assert r.exit_code == 0, text
    legacy = "OS: disk legacy virtio-mmio v1 device at slot 0: not supported"
    assert any(ln.startswith(legacy) for ln in lines), text
    assert lines[-1] == "OS: tests passed (disk test skipped: no usable disk)", text


# runs when the QEMU test boots the OS there: types `plan` into QEMU's stdin as triggers appear
def run_qemu(kernel: str, disk: Path, plan: list[tuple[str, bytes]]) -> tuple[int, str]:
    assert QEMU is not None
    cmd = [QEMU, "-M", "virt", "-bios", "none", "-m", "128M", "-nographic", "-kernel", kernel,
           "-global", "virtio-mmio.force-legacy=false",
           "-drive", f"file={disk},if=none,format=raw,id=hd0",
           "-device", "virtio-blk-device,drive=hd0,bus=virtio-mmio-bus.0"]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert proc.stdin is not None and proc.stdout is not None
    out = b""
    deadline = time.monotonic() + 60
    try:
        for line in iter(proc.stdout.readline, b""):
            out += line
            if plan and plan[0][0].encode() in line:
                proc.stdin.write(plan.pop(0)[1])
                proc.stdin.flush()
            if time.monotonic() > deadline:
                break
        code = proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return code, out.decode("utf-8", "replace")


# runs when rvisor's and QEMU's runs are compared: each line with its run-dependent counts blanked
def normalized(lines: list[str]) -> tuple[list[str], list[str]]:
    fixed, procs = [], []
    for ln in lines:
        if PROC_LINE.match(ln):
            procs.append(ln)
        elif ln.startswith("OS: stats "):
            fixed.append(re.sub(r"=\d+", "=N", ln))
        else:
            fixed.append(re.sub(r"\(\d+ ticks", "(N ticks", ln))
    return fixed, sorted(procs)


# proves: the same binary under qemu-system-riscv64 prints the same markers as on rvisor (the same
# echo of the same input, the same disk lines, all tests passed), exits 0, and writes the same sector
def test_os_same_markers_under_qemu(os_elf: str, os_disk: Path, tmp_path: Path) -> None:
    if QEMU is None:
        pytest.skip("qemu-system-riscv64 is not installed: apt-get install qemu-system-misc")
    qdisk = tmp_path / "qemu-disk.img"
    shutil.copyfile(os_disk, qdisk)
    plan = [("OS: proc A tick 1", b"q"), ("OS: proc B tick 3", b"7")]
    code, qout = run_qemu(os_elf, qdisk, list(plan))
    qlines = os_lines(qout)
    assert code == 0, f"QEMU exited {code}:\n{qout[-3000:]}"
    assert qlines and qlines[-1] == "OS: all tests passed", qout[-3000:]
    check_interleaving(qlines)
    r, sent = run_os_typing(os_elf, [(str(os_disk), False)], plan)
    assert r.exit_code == 0 and len(sent) == 2, r.output
    rlines = os_lines(r.output)
    assert [ln for ln in qlines if ln.startswith("OS: echo ")] == ["OS: echo q", "OS: echo 7"], qout
    assert normalized(rlines) == normalized(qlines)
    assert qdisk.read_bytes() == os_disk.read_bytes()


# `rvisor run --virtio-legacy` gives the guest a version-1 device, which the OS names and declines
def test_cli_virtio_legacy_flag(os_elf: str, os_disk: Path) -> None:
    p = subprocess.run(
        [sys.executable, "-m", "rvisor", "run", "--kernel", os_elf, "--bios", "none", "--drive", str(os_disk),
         "--virtio-legacy", "--console", "stdio", "--timeout", "60"],
        capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL,
    )
    assert p.returncode == 0, p.stderr
    assert "legacy virtio-mmio v1 device at slot 0" in p.stdout
    assert "disk test skipped" in p.stdout
