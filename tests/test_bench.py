"""`rvisor bench`: runs a workload on rvisor (and QEMU) and reports instructions, seconds and MIPS."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rvisor import bench, images

Cli = Callable[..., subprocess.CompletedProcess[str]]


# runs in the end-to-end tests: the smallest listed workload, intloop when it is listed
def smallest_workload() -> str:
    names = [w.name for w in images.read_workloads()]
    if not names:
        pytest.fail(f"no workloads listed in {images.WORKLOADS_TXT}")
    return "intloop" if "intloop" in names else names[0]


@pytest.mark.needs_jit(reason="runs a benchmark workload (hundreds of millions of instructions)")
def test_bench_json(rvisor_cli: Cli, guest_elf: Callable[[str], Path]) -> None:
    name = smallest_workload()
    guest_elf(name)
    p = rvisor_cli("bench", name, "--json", timeout=900)
    assert p.returncode == 0, p.stdout + p.stderr
    rows = json.loads(p.stdout)
    assert isinstance(rows, list) and len(rows) == 1
    row = rows[0]
    assert {"workload", "instructions", "seconds", "mips"} <= set(row)
    assert row["workload"] == name
    assert isinstance(row["instructions"], int) and row["instructions"] > 100_000
    assert row["seconds"] > 0
    assert row["mips"] == pytest.approx(row["instructions"] / row["seconds"] / 1e6, rel=0.05)
    assert row["ok"] and row["result"].startswith("BENCH ")


@pytest.mark.needs_jit(reason="runs a benchmark workload (hundreds of millions of instructions)")
def test_bench_compare_qemu(rvisor_cli: Cli, guest_elf: Callable[[str], Path]) -> None:
    if shutil.which(bench.QEMU) is None:
        pytest.skip(f"{bench.QEMU} is not installed (apt-get install qemu-system-misc)")
    name = smallest_workload()
    guest_elf(name)
    p = rvisor_cli("bench", name, "--json", "--compare", "qemu", timeout=900)
    assert p.returncode == 0, p.stdout + p.stderr
    row = json.loads(p.stdout)[0]
    assert row["qemu_seconds"] > 0
    assert row["ratio"] == pytest.approx(row["seconds"] / row["qemu_seconds"], rel=1e-6)


def test_bench_unknown_workload(rvisor_cli: Cli) -> None:
    p = rvisor_cli("bench", "no-such-workload", timeout=120)
    assert p.returncode == 2
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and ("no-such-workload" in lines[0] or "no benchmark workloads" in lines[0])


@pytest.mark.slow
def test_bench_boot(rvisor_cli: Cli, shared_guest: Callable[[str], Path]) -> None:
    d = shared_guest("linux")
    p = rvisor_cli("bench", "--boot", "--json", timeout=1800, env={"RVISOR_GUESTS": str(d.parent)})
    assert p.stdout.strip(), p.stderr
    rows = {r["guest"]: r for r in json.loads(p.stdout)}
    assert rows["linux"]["rvisor_seconds"] > 0, p.stderr
    assert p.returncode == 0, p.stderr
    # every row ends at what a person waits for: the self-test's end, U-Boot's prompt after
    # autoboot, the teaching OS's shell prompt
    assert rows["linux"]["marker"] == rows["linux (OpenSBI)"]["marker"] == "RVISOR-LINUX-SELFTEST-DONE"
    if "u-boot" in rows:
        assert rows["u-boot"]["marker"] == "=> " and rows["u-boot"]["rvisor_seconds"] > 2  # bootdelay 2 s
    if "os" in rows:
        assert rows["os"]["marker"] == bench.OS_MARKER and rows["os"]["rvisor_seconds"] > 0
    if shutil.which(bench.QEMU):
        assert rows["linux"]["qemu_seconds"] > 0
        assert rows["linux"]["ratio"] == pytest.approx(rows["linux"]["rvisor_seconds"]
                                                       / rows["linux"]["qemu_seconds"], rel=1e-6)


class _R:
    """A RunResult stand-in for the result-line checks."""

    # runs when a result-line test makes a result
    def __init__(self, output: str, reason: str = "poweroff", code: int = 0) -> None:
        self.output, self.reason, self.exit_code, self.message = output, reason, code, ""


@pytest.mark.parametrize("res,ok", [
    (_R("BENCH intloop checksum=0x1 instret=5 ok\n"), True),
    (_R("BENCH intloop checksum=0x1 instret=5 MISMATCH\n", "fail", 1), False),
    (_R("BENCH intloop checksum=0x1 instret=5 MISMATCH\n"), False),
    (_R(""), False),
    (_R("BENCH x ok\n", "timeout", 124), False),
])
def test_check_result(res: Any, ok: bool) -> None:
    w = images.Workload("intloop", Path("x.elf"), "")
    assert (bench.check_result(w, res) is None) == ok
