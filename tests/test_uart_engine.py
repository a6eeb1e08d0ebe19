"""The UART's registers live in the engine: polling it costs no trip to Python, output still arrives
in order and at once, the interrupt line still reaches the PLIC exactly, and runs stay deterministic.

The guest is the `uartpoll` benchmark workload (1 MiB through LSR polling and THR writes), U-Boot's
prompt and the tiny programs of tests/conftest.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from rvisor.hw import layout as L
from rvisor.hw.console import FileConsole
from rvisor.hw.machine import Machine

Cli = Callable[..., subprocess.CompletedProcess[str]]
FW_JUMP = Path("/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin")
UBOOT = Path("/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin")


# runs for the uartpoll tests: one rvisor run with --stats-json, its exit code and the figures
def _uartpoll(rvisor_cli: Cli, elf: Path, tmp_path: Path, name: str) -> tuple[int, dict]:
    stats = tmp_path / f"{name}.json"
    p = rvisor_cli("run", "--bios", "none", "--kernel", str(elf), "--console", "none",
                   "--stats-json", str(stats), timeout=300)
    assert p.returncode == 0, p.stderr
    return p.returncode, json.loads(stats.read_text())


# proves: a guest that sends 1 MiB by polling LSR and writing THR never leaves the engine for a UART
# access (two million accesses, a few hundred exits: one per 4 KiB of output drained), its own
# checksum passes, --stats-json reports the exit rate and cost, and a second run retires exactly
# the same instructions (the deterministic clock stays deterministic)
@pytest.mark.needs_jit(reason="runs 18 million instructions")
def test_uartpoll_stays_in_the_engine(rvisor_cli: Cli, guest_elf: Callable[[str], Path],
                                      tmp_path: Path) -> None:
    elf = guest_elf("uartpoll")
    _, first = _uartpoll(rvisor_cli, elf, tmp_path, "first")
    assert first["reason"] == "poweroff" and first["exit_code"] == 0
    assert first["instructions"] > 2 * (1 << 20)  # at least an LSR read and a THR write per byte
    exits = first["exits"]
    assert exits.get("mmio", 0) <= 2, exits  # only the poweroff store reaches a Python device
    assert 200 <= exits.get("device", 0) <= 300, exits  # 1 MiB / 4 KiB of output buffer = 256 drains
    assert first["exits_per_second"] > 0
    assert first["exit_cost"]["device"]["count"] == exits["device"]
    assert first["exit_cost"]["device"]["ns_per_exit"] > 0
    _, second = _uartpoll(rvisor_cli, elf, tmp_path, "second")
    assert second["instructions"] == first["instructions"]
    assert second["exits"] == first["exits"]


# proves: with the console on, everything the guest sent arrives, in order, and the result line last
@pytest.mark.needs_jit(reason="runs 18 million instructions")
def test_uartpoll_output_complete_and_in_order(guest_elf: Callable[[str], Path]) -> None:
    from rvisor.runner import run_guest

    r = run_guest(kernel=str(guest_elf("uartpoll")), bios="none", console="capture", timeout=300)
    assert r.exit_code == 0, r.message
    out = r.output.encode("latin-1", "replace")
    payload = bytes(ord("\n") if i % 64 == 63 else ord("!") + (i * 7) % 90 for i in range(1 << 20))
    assert out.startswith(payload)
    assert out[len(payload):].decode().startswith("BENCH uartpoll checksum=")
    assert out.rstrip().endswith(b" ok")


# proves: engine-resident windows are registered once each, never overlapping, at most EDEV_MAX
def test_engine_device_windows() -> None:
    m = Machine(1, 4096)
    b = m.attach_engine_device(L.EDEV_UART16550, 0x1000_0000, 0x100)
    assert b == L.M_EDEV and int(m.mach[L.M_EDEV_COUNT]) == 1
    with pytest.raises(ValueError, match="overlaps"):
        m.attach_engine_device(L.EDEV_UART16550, 0x1000_0080, 0x100)
    for i in range(1, L.EDEV_MAX):
        m.attach_engine_device(L.EDEV_UART16550, 0x2000_0000 + i * 0x1000, 0x100)
    with pytest.raises(ValueError, match="at most"):
        m.attach_engine_device(L.EDEV_UART16550, 0x3000_0000, 0x100)


# proves: --console file:PATH writes through, so a prompt without a newline is in the file at once
def test_file_console_writes_through(tmp_path: Path) -> None:
    path = tmp_path / "console.txt"
    con = FileConsole(path)
    try:
        con.write(b"=> ")
        assert path.read_bytes() == b"=> "  # before close, no newline
        con.write(b"$ ")
        assert path.read_bytes() == b"=> $ "
    finally:
        con.close()


# proves: following `rvisor run --console file:P` shows U-Boot's `=> ` prompt while U-Boot still runs
# and waits at it (the prompt ends no line)
@pytest.mark.needs_jit(reason="boots OpenSBI and U-Boot")
def test_uboot_prompt_visible_in_console_file_while_running(tmp_path: Path) -> None:
    if not (FW_JUMP.is_file() and UBOOT.is_file()):
        pytest.skip("OpenSBI/U-Boot not installed: apt-get install opensbi u-boot-qemu")
    log = tmp_path / "uboot.log"
    proc = subprocess.Popen([sys.executable, "-m", "rvisor", "run", "--bios", str(FW_JUMP), "--kernel",
                             str(UBOOT), "--console", f"file:{log}", "--timeout", "120"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=dict(os.environ))
    try:
        deadline = time.monotonic() + 110
        seen = False
        while time.monotonic() < deadline and proc.poll() is None:
            if log.is_file() and log.read_bytes().rstrip(b" ").endswith(b"=>"):
                seen = True
                break
            time.sleep(0.1)
        err = proc.stderr.read().decode() if proc.poll() is not None and proc.stderr else ""
        assert proc.poll() is None, f"rvisor ended early: {err}"
        assert seen, log.read_bytes()[-500:] if log.is_file() else "no console file"
        assert log.read_bytes().endswith(b"=> ")
    finally:
        proc.kill()
        proc.wait()
