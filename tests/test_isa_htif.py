"""HTIF-style ISA programs (tests/isa/htif): the environments of the standard ISA test suites.

Each program is a bare-metal ELF linked at 0x80000000 that ends by storing to its ``tohost``
symbol: 1 = pass, ``(n << 1) | 1`` = fail n (the exit code is n).

* ``p-<body>``: physical addresses, body in U-mode (or S/M for the ``p_*`` programs), the
  environment's trap vector writes tohost on an ecall from any mode.
* ``v-<body>``: the same body in U-mode under Sv39 at a virtual address different from its
  physical one, with every user page mapped on demand by an S-mode kernel, which ends the run
  with a store to tohost through its own (identity) mapping.  Exit codes 1000 + n mean that
  the body finished with code n but that S-mode store did not end the run (the kernel's
  fallback then asked M-mode to store 1000 + n); 1100/1200/1300/1400 + x are kernel errors
  (see htif/v/vmenv.c), 1500 + mcause an unexpected trap to M.

``test_rvisor`` runs each program with ``rvisor.runner.run_guest(kernel, bios="none")`` in a
child process (a crash of the engine fails one test, not the session).  ``test_qemu_spike``
proves the programs on ``qemu-system-riscv64 -M spike``, which implements HTIF, when QEMU is
installed; QEMU's spike machine has no time CSR, so the two programs that read it from a
lower mode are expected to stop there.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ISA_DIR = Path(__file__).resolve().parent / "isa"
HTIF_SRC = ISA_DIR / "htif"
BUILD_DIR = ISA_DIR / "build" / "htif"
CC = "riscv64-unknown-elf-gcc"
QEMU = "qemu-system-riscv64"
RUN_TIMEOUT = 5.0  # guest wall-clock seconds; each program needs well under one

# (exit code, text the console must show) when it differs from (0, "")
EXPECTED: dict[str, tuple[int, str]] = {
    "p-u_failcode": (7, ""),
    "v-u_failcode": (7, ""),
    "p_trapcode": ((3 | 1337) >> 1, ""),
    "p_console": (0, "HTIF ok\n"),
    "p_hext_tohost": (0, "HSV ok\n"),
}

# where QEMU's spike machine departs: it has no time CSR, so rdtime is illegal
QEMU_EXPECTED: dict[str, int] = {
    "p_mtraps": 62,  # check 62 reads time in M-mode
    "v-u_misc": (1500 + 2) & 0xFF,  # rdtime from U-mode traps to M as illegal
}


def _names() -> list[str]:
    bodies = sorted(p.stem for p in HTIF_SRC.glob("u_*.S"))
    phys = sorted(p.stem for p in HTIF_SRC.glob("p_*.S"))
    return [f"p-{b}" for b in bodies] + [f"v-{b}" for b in bodies] + phys


PROGRAMS = _names()

_CHILD = """
import json, sys
from rvisor.runner import run_guest
r = run_guest(kernel=sys.argv[1], bios="none", timeout=float(sys.argv[2]))
print(json.dumps({"exit_code": int(r.exit_code), "reason": r.reason, "message": r.message,
                  "output": r.output}))
"""


@pytest.fixture(scope="session")
def htif_build() -> Path:
    """make -C tests/isa htif once per session."""
    if shutil.which(CC) is None:
        if all((BUILD_DIR / f"{n}.elf").exists() for n in PROGRAMS):
            return BUILD_DIR
        pytest.skip(f"{CC} is not installed: cannot build tests/isa/htif")
    proc = subprocess.run(
        ["make", "-C", str(ISA_DIR), "htif"], capture_output=True, text=True, timeout=600
    )
    if proc.returncode != 0:
        pytest.fail(f"make -C tests/isa htif failed:\n{proc.stdout}\n{proc.stderr}")
    return BUILD_DIR


def _elf(build: Path, name: str) -> Path:
    path = build / f"{name}.elf"
    assert path.exists(), f"{path} was not built"
    return path


def _explain(name: str, code: int) -> str:
    if name.startswith("v-") and 1000 <= code < 1100:
        return (
            f" (the body ended with code {code - 1000}, but the S-mode kernel's store to tohost"
            " through its page table did not end the run)"
        )
    if 1100 <= code < 1500:
        return " (v kernel error, see tests/isa/htif/v/vmenv.c)"
    if code >= 1500:
        return f" (unexpected trap to M-mode, mcause {code - 1500})"
    if code > 600:
        return f" (unexpected trap at check {code & ~(1337 >> 1)} or so: gp | 1337)"
    if code:
        return f" (first failing check {code})"
    return ""


@pytest.mark.parametrize("name", PROGRAMS)
def test_rvisor(htif_build: Path, name: str) -> None:
    elf = _elf(htif_build, name)
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _CHILD, str(elf), str(RUN_TIMEOUT)],
            capture_output=True, text=True, timeout=RUN_TIMEOUT + 60,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{name}: rvisor did not return within {RUN_TIMEOUT + 60}s")
    assert proc.returncode == 0, (
        f"{name}: the rvisor process ended with status {proc.returncode}\n{proc.stderr[-2000:]}"
    )
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    want_code, want_text = EXPECTED.get(name, (0, ""))
    code = result["exit_code"]
    assert result["reason"] != "timeout", (
        f"{name}: no HTIF exit within {RUN_TIMEOUT}s of guest time ({result['message']})"
    )
    assert code == want_code, (
        f"{name}: HTIF exit code {code}{_explain(name, code)}, expected {want_code};"
        f" {result['reason']}: {result['message']}"
    )
    assert want_text in result["output"].replace("\r\n", "\n")


@pytest.mark.parametrize("name", PROGRAMS)
def test_qemu_spike(htif_build: Path, name: str) -> None:
    if shutil.which(QEMU) is None:
        pytest.skip(f"{QEMU} is not installed: the HTIF programs are not proven on QEMU")
    # programs named *hext* use the hypervisor extension, which QEMU 7.2 enables on request
    cpu = ["-cpu", "rv64,h=true"] if "hext" in name else []
    cmd = [QEMU, "-M", "spike", "-bios", "none", "-nographic", "-display", "none", *cpu,
           "-kernel", str(_elf(htif_build, name))]
    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{name} did not finish on QEMU within 30s")
    want_code, want_text = EXPECTED.get(name, (0, ""))
    want_code = QEMU_EXPECTED.get(name, want_code & 0xFF)
    assert proc.returncode == want_code, f"{name} on QEMU: exit {proc.returncode}"
    assert want_text in proc.stdout.decode("utf-8", "replace").replace("\r\n", "\n")
