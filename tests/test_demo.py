"""`rvisor demo`: boots the bundled guests without a terminal and prints its summary table."""

from __future__ import annotations

import io
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from rvisor import demo, images

Cli = Callable[..., subprocess.CompletedProcess[str]]


# runs in the table checks: the integer in the first cell of a summary row whose label matches
def cell(out: str, label: str) -> int:
    m = re.search(rf"{re.escape(label)}\s*[│|]\s*([\d,]+)", out)
    assert m, f"no {label!r} row in:\n{out}"
    return int(m.group(1).replace(",", ""))


# runs the real demo in a subprocess: stdout is a pipe, so no live line and no colours
@pytest.mark.needs_jit(reason="boots the privilege demo and the teaching OS")
def test_demo_non_interactive(rvisor_cli: Cli, guest_elf: Callable[[str], Path]) -> None:
    guest_elf("privilege")
    p = rvisor_cli("demo", "--no-live", timeout=900)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr
    out = p.stdout
    assert "\x1b[" not in out, "no terminal: no escape sequences"
    assert "rvisor demo: what the hardware saw" in out
    for label in ("ended", "instructions", "seconds", "MIPS", "privilege switches", "traps by cause",
                  "interrupts by cause", "exits by reason"):
        assert label in out, f"summary lacks {label!r}"
    assert "powered off" in out
    assert cell(out, "instructions") > 1000
    # the privilege demo goes M -> S -> U and back, takes ecalls and a timer interrupt
    assert cell(out, "privilege switches") >= 4
    assert cell(out, "traps by cause") >= 1
    assert cell(out, "interrupts by cause") >= 1
    assert cell(out, "exits by reason") >= 1
    # then the virtualization stack: web, db and dev in their own VMs, each scripted session done
    if not all(images.resolve(n) and images.resolve(n).present for n in ("linux", "os")):
        assert "the VMM scenario needs" in out
        return
    vmm = out[out.index("rvisor demo vmm: three VMs on one machine") - 2000:]
    head = next(line for line in vmm.splitlines() if re.search(r"counter\s*┃", line))
    assert re.findall(r"┃\s*(\w+)\s*", head)[1:] == ["web", "db", "dev"], head
    assert re.search(r"exit\s*│\s*poweroff\s*│\s*poweroff\s*│\s*poweroff\s*│", vmm), vmm
    assert "RVISOR-LINUX-SELFTEST-DONE" in out  # web
    assert re.search(r"os\$ kvdb get lab\s*│.*\n.*│ rvisor\s", out), "db's kvdb answer"
    assert "lab=rvisor" in out and "(3 keys)" in out
    assert "# echo hello from the dev VM" in out and "\nhello from the dev VM" not in out
    assert re.search(r"│ hello from the dev VM\s*│", out), "dev's shell answer"


def test_demo_vmm_alone(rvisor_cli: Cli) -> None:
    p = rvisor_cli("demo", "vmm", "os", timeout=120)
    assert p.returncode == 2 and "scenario of its own" in p.stderr


def test_demo_unknown_image(rvisor_cli: Cli) -> None:
    p = rvisor_cli("demo", "no-such-guest", timeout=120)
    assert p.returncode == 2
    assert len(p.stderr.strip().splitlines()) == 1 and "no-such-guest" in p.stderr


class _Result:
    """What the runner returns, for the table-only test."""

    # runs when the table test makes a result
    def __init__(self, reason: str, traps: dict[str, int]) -> None:
        self.reason, self.exit_code, self.message, self.output = reason, 0, "", ""
        self.instructions, self.seconds, self.mips = 2_500_000, 0.25, 10.0
        self.stats: dict[str, Any] = {"traps": traps, "interrupts": {"machine_timer": 3},
                                      "exits": {"MMIO": 7, "WFI": 1}, "priv_switches": 12, "harts": [{}]}


# runs without the engine: the table from made-up results
def test_summary_table_rows() -> None:
    img = images.Image("privilege", "demo", "guest", Path("/nonexistent"))
    runs = [demo.GuestRun(img, _Result("poweroff", {"ecall_from_u": 2, "illegal_instruction": 1})),
            demo.GuestRun(images.Image("os", "os", "guest", Path("/x")),
                          _Result("timeout", {"ecall_from_u": 5}))]
    buf = io.StringIO()
    Console(file=buf, width=120).print(demo.summary_table(runs))
    out = buf.getvalue()
    assert cell(out, "instructions") == 2_500_000
    assert cell(out, "privilege switches") == 12
    assert cell(out, "traps by cause") == 3
    assert cell(out, "ecall_from_u") == 2
    assert cell(out, "illegal_instruction") == 1
    assert cell(out, "machine_timer") == 3
    assert cell(out, "exits by reason") == 8
    assert "powered off" in out and "stopped by the demo" in out
