"""Linux boots on the board and passes its own self-checks: rvisor's own guests and the external ones.

rvisor's own guests (``linux``, ``linux-smp``) are built by ``guest/linux/build.sh`` (setup.sh runs
it) into ``~/.cache/rvisor/guests/<key>/``; their tests skip, saying so, when the images are not
built.  The external guests live in ../shared/guests/linux and ../shared/guests/linux-smp (see their
README.md); their tests skip, saying so, when a guest or the OpenSBI firmware it needs is missing.
Every boot test checks what the guest printed (its markers, the self-check counts, the first bytes
of the disk) and that it powered itself off with exit code 0.  Where QEMU is installed, rvisor's own
guests also boot under ``qemu-system-riscv64 -M virt``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from rvisor import images
from rvisor.runner import RunResult, run_guest

NEEDS_JIT = pytest.mark.needs_jit(reason="boots Linux (tens of millions of instructions)")
ROOT = Path(__file__).resolve().parent.parent
QEMU = "qemu-system-riscv64"
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
@NEEDS_JIT
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
@NEEDS_JIT
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
@NEEDS_JIT
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
@NEEDS_JIT
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


# --- rvisor's own Linux guests, built by guest/linux/build.sh ------------------------------------------

SHELL_APPEND = "console=ttyS0 earlycon=sbi panic=-1 rvisor.memsum_mib=1 rvisor.shell=1"
SHELL_COMMANDS = ["echo hello from the shell", "ls /", "cat /proc/version", "uptime", "free", "nosuch",
                  "poweroff"]
SHELL_READY = "RVISOR-LINUX-SHELL-READY"


# runs when a test needs one of rvisor's own Linux guests: its folder in the build cache
@pytest.fixture(scope="session")
def built_guest() -> Callable[[str], Path]:
    # runs when a test calls built_guest(name)
    def get(name: str) -> Path:
        d = images.linux_cache_dir() / name
        for f in (d / "Image", d / "initramfs.cpio.gz"):
            if not f.is_file():
                pytest.skip(f"rvisor's Linux guest {name!r} is not built ({f} is missing): "
                            "run bash setup.sh (or bash guest/linux/build.sh)")
        return d

    return get


# runs when a test needs QEMU; skips when it is not installed
def _qemu() -> str:
    path = shutil.which(QEMU)
    if path is None:
        pytest.skip(f"{QEMU} is not installed (apt-get install qemu-system-misc)")
    if not FW_JUMP.is_file():
        pytest.skip(f"OpenSBI is not installed ({FW_JUMP} missing): apt-get install opensbi")
    return path


# runs for a QEMU boot of a built guest: the command line of the virt board with OpenSBI fw_jump, a disk
# and an entropy device
def _qemu_cmd(d: Path, disk: Path, smp: int = 1, append: str = APPEND) -> list[str]:
    return [_qemu(), "-M", "virt", "-smp", str(smp), "-m", "256M", "-nographic", "-no-reboot",
            "-bios", str(FW_JUMP), "-kernel", str(d / "Image"), "-initrd", str(d / "initramfs.cpio.gz"),
            "-append", append, "-drive", f"file={disk},format=raw,if=none,id=hd0,readonly=on",
            "-device", "virtio-blk-device,drive=hd0", "-device", "virtio-rng-device"]


# runs when a test uses the shell: starts cmd with its stdin a pipe and types each command once the
# shell prompts for it, as a person would; returns the exit code and everything the guest printed
def _shell_session(cmd: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env=env, cwd=ROOT)
    assert proc.stdin is not None and proc.stdout is not None
    os.set_blocking(proc.stdout.fileno(), False)
    out, sent = b"", 0
    deadline = time.monotonic() + TIMEOUT
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            chunk = proc.stdout.read() or b""
            out += chunk
            ready = out.find(SHELL_READY.encode())
            if ready >= 0 and sent < len(SHELL_COMMANDS) and out[ready:].count(b"# ") > sent:
                proc.stdin.write((SHELL_COMMANDS[sent] + "\n").encode())
                proc.stdin.flush()
                sent += 1
            if not chunk:
                time.sleep(0.05)
    finally:
        if proc.poll() is None:
            proc.kill()
        out += proc.communicate()[0] or b""
    return proc.returncode, out.decode(errors="replace")


# runs after a boot of a built guest: the markers every one of its runs prints
def _check_markers(out: str, cpus: int) -> list[str]:
    lines = out.replace("\r\n", "\n").splitlines()
    assert f"RVISOR-LINUX-CPUS online={cpus}" in lines, out[-3000:]
    assert "RVISOR-LINUX-SMP-OK" in lines, out[-3000:]
    assert f"RVISOR-VDA-SECTOR0 {DISK_HEAD.hex()}" in lines, out[-3000:]
    assert f"selftest vda: ok first16={DISK_HEAD.hex()}" in lines
    assert re.search(r"^RVISOR-LINUX-SELFTEST-RESULT pass=\d+ fail=0$", out, re.M), out[-3000:]
    return lines


# proves: the build script and rvisor/images.py agree on where the images of the current inputs live
def test_build_cache_key_matches_the_build_script() -> None:
    if shutil.which("dpkg-query") is None:
        pytest.skip("dpkg-query is missing (not a Debian system): the cache key uses package versions")
    proc = subprocess.run(["bash", str(ROOT / "guest/linux/build.sh"), "--print-dir"], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(images.linux_cache_dir())
    manifest = images.linux_manifest()
    for f in ("build.sh", "kernel.fragment", "up.fragment", "smp.fragment", "userland/init.c",
              "userland/shell.c", "linux-source-6.1 "):
        assert f in manifest, manifest


# proves: every line of the configuration fragments survived `make olddefconfig` in both built kernels
@pytest.mark.parametrize(("name", "variant"), [("linux", "up"), ("linux-smp", "smp")])
def test_built_kernel_config_keeps_the_fragment(built_guest: Callable[[str], Path], name: str,
                                                 variant: str) -> None:
    config = (built_guest(name) / "kernel.config").read_text().splitlines()
    asked = [line for f in ("kernel.fragment", f"{variant}.fragment")
             for line in (ROOT / "guest/linux" / f).read_text().splitlines()
             if line.startswith(("CONFIG_", "# CONFIG_"))]
    assert len(asked) > 40
    for line in asked:
        if line.endswith(" is not set"):
            option = line.split()[1]
            assert not any(c.startswith(option + "=") for c in config), line
        else:
            assert line in config, line


# proves: `rvisor images` lists the built guests as linux and linux-smp (present), not the external
# copies, and $RVISOR_GUESTS still selects an external folder when it names one
def test_images_list_the_built_guests(built_guest: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch,
                                      tmp_path: Path) -> None:
    monkeypatch.delenv("RVISOR_GUESTS", raising=False)
    proc = subprocess.run([sys.executable, "-m", "rvisor", "images", "--json"], capture_output=True,
                          text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    rows = {r["name"]: r for r in json.loads(proc.stdout)}
    for name in ("linux", "linux-smp"):
        d = built_guest(name)
        assert rows[name]["present"], rows[name]
        assert rows[name]["path"] == str(d / "Image")
        assert rows[name]["initrd"] == str(d / "initramfs.cpio.gz")
    (tmp_path / "linux").mkdir()
    monkeypatch.setenv("RVISOR_GUESTS", str(tmp_path))
    reg = images.registry()
    assert reg["linux"].path == tmp_path / "linux" / "Image" and not reg["linux"].present
    assert reg["linux-smp"].path == built_guest("linux-smp") / "Image"


# proves: rvisor's own Linux boots with the built-in SBI firmware and with OpenSBI fw_jump, passes its
# self-checks, reads the first sector of a virtio disk and bytes of the virtio-rng device, powers off
@NEEDS_JIT
@pytest.mark.parametrize("bios", ["builtin", "opensbi"])
def test_built_linux_boots_and_reads_disk(built_guest: Callable[[str], Path], disk: Path, bios: str) -> None:
    d = built_guest("linux")
    r = run_guest(str(d / "Image"), bios=_bios(bios), initrd=str(d / "initramfs.cpio.gz"), append=APPEND,
                  memory=256 << 20, drives=[(str(disk), False)], rng=True, timeout=TIMEOUT)
    out = _check_clean_run(r)
    _check_markers(out, 1)
    assert re.search(r"^selftest hwrng: ok \(16 bytes from virtio_rng\.\d+\)$", out, re.M), out[-3000:]
    assert re.search(r"^selftest (tmpfs|memsum|fpu|fork|smp): ok", out, re.M)
    assert "block devices: vda" in out
    assert ("OpenSBI v" in out) == (bios == "opensbi")


# proves: rvisor's own SMP Linux brings up every hart, its pinned children do atomics on every CPU, and
# it reads its disk, with the built-in firmware (2 and 4 harts) and OpenSBI (2 harts)
@NEEDS_JIT
@pytest.mark.parametrize(("smp", "bios"), [(2, "builtin"), (4, "builtin"), (2, "opensbi")])
def test_built_linux_smp_brings_up_all_harts(built_guest: Callable[[str], Path], disk: Path, smp: int,
                                             bios: str) -> None:
    d = built_guest("linux-smp")
    r = run_guest(str(d / "Image"), bios=_bios(bios), initrd=str(d / "initramfs.cpio.gz"), append=APPEND,
                  memory=256 << 20, smp=smp, drives=[(str(disk), True)], timeout=TIMEOUT)
    out = _check_clean_run(r)
    _check_markers(out, smp)
    assert f"smp: Brought up 1 node, {smp} CPUs" in out
    assert re.search(rf"^selftest smp: ok \({smp} children pinned one per CPU", out, re.M), out[-3000:]
    assert len(re.findall(r"^processor\s*: \d+$", out, re.M)) == smp
    per_hart = [h["instructions"] for h in r.stats["harts"]]
    assert len(per_hart) == smp and all(n > 100_000 for n in per_hart), per_hart


# runs after a shell session: what the built-ins printed for SHELL_COMMANDS
def _check_shell(code: int, out: str) -> None:
    out = out.replace("\r\n", "\n")
    assert code == 0, f"{code}\n{out[-3000:]}"
    assert re.search(r"^RVISOR-LINUX-SELFTEST-RESULT pass=\d+ fail=0$", out, re.M), out[-3000:]
    assert SHELL_READY in out.splitlines(), out[-3000:]
    shell = out[out.index(SHELL_READY):]
    lines = [re.sub(r"^(# )+", "", line) for line in shell.splitlines()]  # prompts before the output
    assert "hello from the shell" in lines, shell
    for entry in ("dev/", "init", "proc/", "sys/", "tmp/"):
        assert entry in lines, (entry, shell)
    assert "Linux version 6.1." in shell
    assert re.search(r"up \d+\.\d\d s, \d+ process(es)?, load average", shell), shell
    m = re.search(r"Mem:\s+(\d+)\s+(\d+)\s+(\d+)", shell)
    assert m and 200_000 < int(m.group(1)) < 262_144 and int(m.group(3)) > 0, shell
    assert "sh: nosuch: not found" in shell
    assert "reboot: Power down" in shell


# proves: with rvisor.shell=1 the guest starts its shell on the console; commands piped into `rvisor
# run --kernel linux` (the bundled name with its own settings) run the built-ins, poweroff ends the run
@NEEDS_JIT
def test_built_linux_shell_through_the_cli(built_guest: Callable[[str], Path], disk: Path) -> None:
    built_guest("linux")
    env = {k: v for k, v in os.environ.items() if k not in ("RVISOR_GUESTS", "COLUMNS")}
    cmd = [sys.executable, "-m", "rvisor", "run", "--kernel", "linux", "--append", SHELL_APPEND,
           "--drive", f"{disk},ro", "--timeout", str(int(TIMEOUT))]
    _check_shell(*_shell_session(cmd, env))


# proves: the built guests boot on QEMU's virt board too (OpenSBI fw_jump): the same markers and disk
# sector, one hart and two
@pytest.mark.slow
@pytest.mark.parametrize(("name", "smp"), [("linux", 1), ("linux-smp", 2)])
def test_built_linux_under_qemu(built_guest: Callable[[str], Path], disk: Path, name: str, smp: int) -> None:
    proc = subprocess.run(_qemu_cmd(built_guest(name), disk, smp=smp), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=TIMEOUT)
    assert proc.returncode == 0, f"{proc.returncode}\n{proc.stderr}\n{proc.stdout[-3000:]}"
    lines = _check_markers(proc.stdout, smp)
    assert lines.index("RVISOR-LINUX-BOOT-OK") < lines.index("RVISOR-LINUX-SELFTEST-DONE")
    assert "reboot: Power down" in proc.stdout


# proves: the shell works under QEMU as on rvisor
@pytest.mark.slow
def test_built_linux_shell_under_qemu(built_guest: Callable[[str], Path], disk: Path) -> None:
    _check_shell(*_shell_session(_qemu_cmd(built_guest("linux"), disk, append=SHELL_APPEND)))
