"""The hart's ISA test suite: bare-metal programs from tests/isa, run on QEMU and on rvisor.

Every program reports on the ns16550a UART and ends through the SiFive test device:
0x5555 (exit code 0, "PASS <name>" printed) or (n << 16) | 0x3333 where n is the first
failing check (exit code n, each failure printed as "FAIL <name> test <n>: ...").

* ``test_qemu``: the program under ``qemu-system-riscv64 -M virt -bios none``; this proves
  the program itself (skipped when QEMU is not installed).
* ``test_rvisor``: the same program on rvisor through ``rvisor.runner.run_guest``.
* ``test_differential``: the ``diff`` program prints a register dump and a memory checksum;
  the dumps from QEMU and rvisor must agree line by line.

While ``rvisor.runner`` does not exist yet, the rvisor-side tests are expected failures
(ImportError only); as soon as the module exists they run normally and fail on any error.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest

ISA_DIR = Path(__file__).resolve().parent / "isa"
BUILD_DIR = ISA_DIR / "build"
CC = "riscv64-unknown-elf-gcc"
QEMU = "qemu-system-riscv64"
QEMU_TIMEOUT = 30
RVISOR_TIMEOUT = 60
MEMORY = 128 << 20
DIFF_PROGRAM = "diff"


def _program_names() -> list[str]:
    names = {p.stem for p in ISA_DIR.glob("*.S")} | {p.stem for p in ISA_DIR.glob("*.c")}
    return sorted(names)


def harts_for(name: str) -> int:
    """Programs named smp* need two harts; all others run on one."""
    return 2 if name.startswith("smp") else 1


def _runner_missing() -> bool:
    try:
        return importlib.util.find_spec("rvisor.runner") is None
    except ImportError:
        return True


RUNNER_MISSING = _runner_missing()
rvisor_pending = pytest.mark.xfail(
    RUNNER_MISSING,
    reason="rvisor.runner is not written yet",
    raises=ImportError,
    strict=True,
)

PROGRAMS = _program_names()


@pytest.fixture(scope="session")
def isa_build() -> Path:
    """Build tests/isa once per session (make decides what is out of date)."""
    if shutil.which(CC) is None:
        if all((BUILD_DIR / f"{n}.elf").exists() for n in PROGRAMS):
            return BUILD_DIR
        pytest.skip(f"{CC} is not installed: cannot build the ISA test programs in tests/isa")
    proc = subprocess.run(
        ["make", "-C", str(ISA_DIR)], capture_output=True, text=True, timeout=600
    )
    if proc.returncode != 0:
        pytest.fail(f"make -C tests/isa failed:\n{proc.stdout}\n{proc.stderr}")
    return BUILD_DIR


def _elf(build: Path, name: str) -> Path:
    path = build / f"{name}.elf"
    assert path.exists(), f"{path} was not built"
    return path


def qemu_cpu(name: str) -> list[str]:
    """Programs named hext* need the hypervisor extension, which QEMU 7.2 enables on request."""
    return ["-cpu", "rv64,h=true"] if name.startswith("hext") else []


def run_qemu(elf: Path, smp: int) -> tuple[int, str]:
    cmd = [
        QEMU, "-M", "virt", "-bios", "none", "-nographic", "-m", "128M",
        "-smp", str(smp), *qemu_cpu(elf.stem), "-kernel", str(elf),
    ]
    try:
        proc = subprocess.run(
            cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=QEMU_TIMEOUT
        )
    except subprocess.TimeoutExpired as exc:
        out = (exc.stdout or b"").decode("utf-8", "replace")
        pytest.fail(f"{elf.name} did not finish on QEMU within {QEMU_TIMEOUT}s; output:\n{out}")
    out = proc.stdout.decode("utf-8", "replace").replace("\r\n", "\n")
    return proc.returncode, out


def run_rvisor(elf: Path, smp: int):
    from rvisor.runner import run_guest  # ImportError while the runner is not written

    return run_guest(kernel=str(elf), bios="none", smp=smp, memory=MEMORY, timeout=RVISOR_TIMEOUT)


def _verdict(name: str, code: int, output: str, where: str) -> None:
    fails = [line for line in output.splitlines() if line.startswith("FAIL ")]
    assert code == 0 and f"PASS {name}" in output, (
        f"{name} on {where}: exit code {code}"
        + (f" (first failing check {code})" if code not in (0, 255) else "")
        + "\n" + ("\n".join(fails) if fails else output[-2000:])
    )


@pytest.mark.parametrize("name", PROGRAMS)
def test_qemu(isa_build: Path, name: str) -> None:
    if shutil.which(QEMU) is None:
        pytest.skip(f"{QEMU} is not installed: the test programs are not proven on QEMU")
    code, out = run_qemu(_elf(isa_build, name), harts_for(name))
    _verdict(name, code, out, "QEMU")


@rvisor_pending
@pytest.mark.parametrize("name", PROGRAMS)
def test_rvisor(isa_build: Path, name: str) -> None:
    result = run_rvisor(_elf(isa_build, name), harts_for(name))
    _verdict(name, int(result.exit_code), str(result.output).replace("\r\n", "\n"), "rvisor")


def dump_lines(output: str) -> list[str]:
    """The lines between DUMP BEGIN and DUMP END printed by the diff program."""
    lines = output.replace("\r\n", "\n").splitlines()
    try:
        start = lines.index("DUMP BEGIN")
        end = lines.index("DUMP END")
    except ValueError:
        return []
    return lines[start + 1:end]


@rvisor_pending
def test_differential(isa_build: Path) -> None:
    if shutil.which(QEMU) is None:
        pytest.skip(f"{QEMU} is not installed: no reference dump to compare with")
    elf = _elf(isa_build, DIFF_PROGRAM)
    code, qemu_out = run_qemu(elf, 1)
    reference = dump_lines(qemu_out)
    assert code == 0 and reference, f"the diff program failed on QEMU:\n{qemu_out}"
    result = run_rvisor(elf, 1)
    got = dump_lines(str(result.output))
    assert got, f"no register dump from rvisor (exit code {result.exit_code}):\n{result.output}"
    for i, (want, have) in enumerate(zip(reference, got)):
        assert have == want, f"dump line {i + 1} differs: QEMU {want!r}, rvisor {have!r}"
    assert len(got) == len(reference), f"dump has {len(got)} lines on rvisor, {len(reference)} on QEMU"
    assert result.exit_code == 0, f"diff program exit code {result.exit_code} on rvisor"
