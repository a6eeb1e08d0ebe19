"""Shared fixtures: the repository root, guest software (built on demand), external guests, tiny ELFs.

* ``guest_elf(name)``: a bundled image name (``rvisor images``) or a path relative to the repository;
  builds it with make when missing, skips with a clear message when the riscv64 toolchain is missing,
  fails when the build does not produce it.
* ``shared_guest(name)``: the folder of an external guest (``../shared/guests/<name>``, or under
  ``$RVISOR_GUESTS``); skips, saying so, when it is absent.
* ``make_elf(path, words)``: writes a minimal RV64 ELF holding the given instruction words, no
  toolchain needed.
* ``rvisor_cli(*args)``: runs ``python -m rvisor`` in a subprocess without a terminal.

With ``NUMBA_DISABLE_JIT=1`` the engine runs as plain Python, some thousand times slower than compiled.
Tests marked ``slow`` or ``needs_jit`` (whole guests, benchmarks, long programs) are then skipped, saying
so; every other test runs the same code uncompiled.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOOLCHAIN = "riscv64-unknown-elf-gcc"
_built: dict[Path, subprocess.CompletedProcess[str]] = {}


# runs when a test asks for the repository's root folder
@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


# runs when a guest file is missing: the nearest folder above it with a Makefile, else guest/
def _make_dir_for(path: Path) -> Path:
    d = path.parent
    while d != ROOT and ROOT in d.parents:
        if (d / "Makefile").is_file():
            return d
        d = d.parent
    return ROOT / "guest"


# runs at most once per folder and session: make -C folder
def _build(d: Path) -> subprocess.CompletedProcess[str]:
    if d not in _built:
        _built[d] = subprocess.run(["make", "-C", str(d), f"-j{os.cpu_count() or 1}"], capture_output=True,
                                   text=True, timeout=900)
    return _built[d]


# runs when a test asks for guest software: the image's path, or the given repo-relative path
def _lookup(name: str) -> Path | None:
    from rvisor import images

    img = images.resolve(name)
    if img is not None:
        return img.path
    if "/" in name or name.endswith(".elf"):
        return ROOT / name
    return None


# runs when a test asks for guest software by image name or repo-relative path
@pytest.fixture(scope="session")
def guest_elf() -> Callable[[str], Path]:
    # runs when a test calls guest_elf(name)
    def get(name: str) -> Path:
        path = _lookup(name)
        if path is not None and path.is_file():
            return path
        if shutil.which(TOOLCHAIN) is None:
            pytest.skip(f"the riscv64 toolchain ({TOOLCHAIN}) is missing, so {name!r} cannot be built: "
                        "install gcc-riscv64-unknown-elf and picolibc-riscv64-unknown-elf (bash setup.sh)")
        d = _make_dir_for(path) if path is not None else ROOT / "guest"
        if not (d / "Makefile").is_file():
            pytest.fail(f"{name!r} is not built and {d.relative_to(ROOT)}/Makefile does not exist")
        proc = _build(d)
        if proc.returncode != 0:
            tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-30:])
            pytest.fail(f"make -C {d.relative_to(ROOT)} failed ({proc.returncode}):\n{tail}")
        path = _lookup(name)
        if path is None or not path.is_file():
            pytest.fail(f"{name!r} still missing after make -C {d.relative_to(ROOT)} (looked for {path})")
        return path

    return get


# runs when a test asks for an external guest folder (../shared/guests/<name>)
@pytest.fixture(scope="session")
def shared_guest() -> Callable[[str], Path]:
    # runs when a test calls shared_guest(name)
    def get(name: str) -> Path:
        from rvisor import images

        d = images.shared_guest_dir(name)
        if d is None:
            where = ", ".join(str(p) for p in images.guests_dirs())
            pytest.skip(f"external guest {name!r} is not available (looked in {where}; set RVISOR_GUESTS)")
        return d

    return get


# runs when a test needs a RISC-V program without the toolchain: one PT_LOAD segment at addr
def write_riscv_elf(path: Path, words: Sequence[int], addr: int = 0x8000_0000, memsz: int | None = None,
                    machine: int = 243, elfclass: int = 2) -> Path:
    code = b"".join(struct.pack("<I", w) for w in words)
    ehsize, phsize = 64, 56
    offset = ehsize + phsize
    ident = b"\x7fELF" + bytes([elfclass, 1, 1, 0]) + bytes(8)
    ehdr = ident + struct.pack("<HHIQQQIHHHHHH", 2, machine, 1, addr, ehsize, 0, 0x5, ehsize, phsize, 1, 64,
                               0, 0)
    phdr = struct.pack("<IIQQQQQQ", 1, 5, offset, addr, addr, len(code), memsz or len(code), 8)
    path.write_bytes(ehdr + phdr + code)
    return path


# Instruction words for the tiny programs (see tests/test_cli.py): store to the SiFive test device.
LOOP = [0x0000006F]  # j .
POWEROFF = [0x001002B7, 0x00005337, 0x55530313, 0x0062A023, 0x0000006F]  # *0x100000 = 0x5555
FAIL5 = [0x001002B7, 0x00053337, 0x33330313, 0x0062A023, 0x0000006F]  # *0x100000 = 5 << 16 | 0x3333


# runs when a test asks for the tiny-ELF writer
@pytest.fixture
def make_elf() -> Callable[..., Path]:
    return write_riscv_elf


# runs when a test asks to run the rvisor command in a subprocess (no terminal, stdin closed)
@pytest.fixture(scope="session")
def rvisor_cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    # runs when a test calls rvisor_cli(*args)
    def run(*args: str, timeout: float = 900, env: dict[str, str] | None = None,
            cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        full_env = dict(os.environ, **(env or {}))
        full_env.pop("COLUMNS", None)
        return subprocess.run([sys.executable, "-m", "rvisor", *args], stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=timeout, env=full_env, cwd=cwd or ROOT)

    return run


# runs at import: is Numba's JIT switched off (NUMBA_DISABLE_JIT=1), so that the engine is plain Python?
def _jit_disabled() -> bool:
    from numba.core import config

    return bool(config.DISABLE_JIT)


JIT_DISABLED = _jit_disabled()
NO_JIT_REASON = ("NUMBA_DISABLE_JIT=1: this test boots a whole guest or runs a long program, far too slow "
                 "as plain Python; run it with the JIT enabled")


# runs after collection: under NUMBA_DISABLE_JIT=1 skip every test marked slow or needs_jit
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not JIT_DISABLED:
        return
    for item in items:
        mark = item.get_closest_marker("needs_jit") or item.get_closest_marker("slow")
        if mark is not None:
            why = mark.kwargs.get("reason") if mark.name == "needs_jit" else None
            item.add_marker(pytest.mark.skip(reason=f"NUMBA_DISABLE_JIT=1: {why}" if why else NO_JIT_REASON))


# runs once per session under NUMBA_DISABLE_JIT=1: the header says which tests are skipped and why
def pytest_report_header(config: pytest.Config) -> str | None:
    if JIT_DISABLED:
        return "NUMBA_DISABLE_JIT=1: the engine runs as plain Python; tests marked slow or needs_jit skip"
    return None
