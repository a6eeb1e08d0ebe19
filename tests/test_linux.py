"""The external Linux guests boot on the board and pass their own self-checks.

The guests live in ../shared/guests/linux and ../shared/guests/linux-smp (see their README.md); each
test skips, saying so, when the guest or the OpenSBI firmware it needs is missing.  Every test checks
what the guest printed (its markers, the self-check counts, the first bytes of the disk) and that it
powered itself off with exit code 0.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from rvisor.runner import RunResult, run_guest

pytestmark = pytest.mark.needs_jit(reason="boots Linux (tens of millions of instructions)")

FW_JUMP = Path("/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin")
APPEND = "console=ttyS0 earlycon=sbi panic=-1 rvisor.memsum_mib=1"
DISK_HEAD = b"rvisor-proof-vda"  # 16 bytes at the start of the test disk
TIMEOUT = 240.0  # seconds; a boot takes a few seconds, this only bounds a hang


# runs when a test needs an OpenSBI firmware file as --bios
def _bios(name: str) -> str:
    if name == "builtin":
        return "builtin"
    if not FW_JUMP.is_file():
        pytest.skip(f"OpenSBI is not installed ({FW_JUMP} missing): apt-get install opensbi")
    return str(FW_JUMP)


# runs when a test needs the kernel and initrd of an external guest
def _guest(shared_guest: Callable[[str], Path], name: str) -> tuple[str, str]:
    d = shared_guest(name)
    kernel, initrd = d / "Image", d / "initramfs.cpio.gz"
    for f in (kernel, initrd):
        if not f.is_file():
            pytest.skip(f"external guest {name!r} is incomplete: {f} is missing")
    return str(kernel), str(initrd)


# runs when a test attaches a disk: 1 MiB raw image whose first 16 bytes are DISK_HEAD
@pytest.fixture
def disk(tmp_path: Path) -> Path:
    path = tmp_path / "disk.raw"
    path.write_bytes(DISK_HEAD + bytes(range(256)) * 4 + b"\0" * ((1 << 20) - 16 - 1024))
    return path


# runs after every Linux boot: the common end of a good run
def _check_clean_run(r: RunResult) -> str:
    out = r.output.replace("\r\n", "\n")
    assert r.reason == "poweroff" and r.exit_code == 0, f"{r.reason} {r.exit_code} {r.message}\n{out[-3000:]}"
    assert "Kernel panic" not in out, out[-3000:]
    lines = out.splitlines()
    assert "RVISOR-LINUX-BOOT-OK" in lines, out[-3000:]
    assert "RVISOR-LINUX-SELFTEST-DONE" in lines, out[-3000:]
    assert lines.index("RVISOR-LINUX-BOOT-OK") < lines.index("RVISOR-LINUX-SELFTEST-DONE")
    m = re.search(r"^RVISOR-LINUX-SELFTEST-RESULT pass=(\d+) fail=(\d+)$", out, re.M)
    assert m, out[-3000:]
    passed, failed = int(m.group(1)), int(m.group(2))
    oks = re.findall(r"^selftest (\w+): ok\b", out, re.M)
    assert failed == 0 and passed >= 4, out[-3000:]
    assert passed == len(oks), (passed, oks)
    assert "reboot: Power down" in out
    return out


# proves: Linux boots with the built-in SBI firmware and with OpenSBI fw_jump, passes its self-checks,
# reads the first sector of an attached virtio disk correctly, reads bytes from the virtio-rng device
# and powers off with exit code 0
@pytest.mark.parametrize("bios", ["builtin", "opensbi"])
def test_linux_boots_reads_disk_and_powers_off(shared_guest: Callable[[str], Path], disk: Path,
                                               bios: str) -> None:
    kernel, initrd = _guest(shared_guest, "linux")
    r = run_guest(kernel, bios=_bios(bios), initrd=initrd, append=APPEND, drives=[(str(disk), False)],
                  rng=True, timeout=TIMEOUT)
    out = _check_clean_run(r)
    assert f"RVISOR-VDA-SECTOR0 {DISK_HEAD.hex()}" in out.splitlines(), out[-3000:]
    assert f"selftest vda: ok first16={DISK_HEAD.hex()}" in out
    assert "block devices: vda" in out
    assert "[vda] 2048 512-byte logical blocks" in out
    assert re.search(r"^selftest hwrng: ok \(16 bytes from virtio_rng\.\d+\)$", out, re.M), out[-3000:]
    if bios == "opensbi":
        assert "OpenSBI v" in out and "Platform Name" in out, out[:3000]
    else:
        assert "OpenSBI" not in out


# proves: the SMP Linux guest brings up every hart (through SBI HSM), sees N CPUs online, passes its
# cross-hart atomics check and reads its disk (PLIC with a context per hart) with the built-in
# firmware and with OpenSBI
@pytest.mark.parametrize(("smp", "bios"), [(2, "builtin"), (4, "builtin"), (2, "opensbi")])
def test_linux_smp_brings_up_all_harts(shared_guest: Callable[[str], Path], disk: Path, smp: int,
                                       bios: str) -> None:
    kernel, initrd = _guest(shared_guest, "linux-smp")
    r = run_guest(kernel, bios=_bios(bios), initrd=initrd, append=APPEND, smp=smp, drives=[(str(disk), True)],
                  timeout=TIMEOUT)
    out = _check_clean_run(r)
    lines = out.splitlines()
    assert f"RVISOR-LINUX-CPUS online={smp}" in lines, out[-3000:]
    assert "RVISOR-LINUX-SMP-OK" in lines, out[-3000:]
    assert re.search(r"^selftest smp: ok\b", out, re.M), out[-3000:]
    assert f"smp: Brought up 1 node, {smp} CPUs" in out
    assert f"RVISOR-VDA-SECTOR0 {DISK_HEAD.hex()}" in lines, out[-3000:]
    assert len(re.findall(r"^processor\s*: \d+$", out, re.M)) == smp
    per_hart = [h["instructions"] for h in r.stats["harts"]]
    assert len(per_hart) == smp and all(n > 100_000 for n in per_hart), per_hart


# proves: `rvisor run` with --kernel/--initrd/--append/--drive boots Linux from the command line, shows
# the guest's console on stdout, writes the stats file and exits with the guest's code 0
def test_linux_through_the_cli(shared_guest: Callable[[str], Path], disk: Path, tmp_path: Path,
                               rvisor_cli: Callable[..., subprocess.CompletedProcess[str]]) -> None:
    kernel, initrd = _guest(shared_guest, "linux")
    stats = tmp_path / "stats.json"
    proc = rvisor_cli("run", "--kernel", kernel, "--initrd", initrd, "--append", APPEND,
                      "--drive", f"{disk},ro", "--timeout", str(int(TIMEOUT)), "--stats-json", str(stats))
    out = proc.stdout.replace("\r\n", "\n")
    assert proc.returncode == 0, f"{proc.returncode}\n{proc.stderr}\n{out[-3000:]}"
    assert "RVISOR-LINUX-BOOT-OK" in out and "RVISOR-LINUX-SELFTEST-DONE" in out
    assert re.search(r"^RVISOR-LINUX-SELFTEST-RESULT pass=\d+ fail=0$", out, re.M), out[-3000:]
    assert f"RVISOR-VDA-SECTOR0 {DISK_HEAD.hex()}" in out
    data = json.loads(stats.read_text())
    assert data["instructions"] > 10_000_000


# with the deterministic clock and a fixed RTC start, two Linux boots retire the same instructions
def test_linux_boot_repeats_exactly(shared_guest: Callable[[str], Path]) -> None:
    from rvisor.boot import BootConfig, boot
    from rvisor.hw.board import Board, BoardConfig
    from rvisor.hw.console import CaptureConsole

    kernel, initrd = _guest(shared_guest, "linux")
    runs = []
    for _ in range(2):
        board = Board(BoardConfig(ram_size=256 << 20, rtc_epoch_ns=1_800_000_000 * 10**9), CaptureConsole())
        boot(board, BootConfig(kernel=kernel, initrd=initrd, append="console=ttyS0 rvisor.memsum_mib=1"))
        r = board.run(timeout=120)
        board.close()
        assert r.exit_code == 0 and "RVISOR-LINUX-SELFTEST-DONE" in r.output
        runs.append(r)
    assert runs[0].instructions == runs[1].instructions
    assert runs[0].output == runs[1].output
