"""One call that builds a board, boots a guest on it and runs it: what `rvisor run` does.

``run_guest`` is the programmatic form of the ``rvisor run`` command (the CLI,
the demo, the benchmarks and the tests all go through it).  Bad input raises
``rvisor.boot.errors.BootError`` with a one-line message before anything runs.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

from rvisor.boot import BootConfig, boot
from rvisor.boot.errors import BootError
from rvisor.hw import layout as L
from rvisor.hw.board import Board, BoardConfig, RunResult
from rvisor.hw.console import open_console

__all__ = ["RunResult", "run_guest", "build_board"]


# runs before anything is built: the checks that need no engine
def _check(drives: Sequence[tuple[str, bool]], memory: int, smp: int) -> None:
    if smp < 1 or smp > L.MAX_HARTS:
        raise BootError(f"--smp must be between 1 and {L.MAX_HARTS}, not {smp}")
    if memory < (1 << 20) or memory % 4096:
        raise BootError(f"memory size {memory} is not a whole number of 4 KiB pages of at least 1 MiB")
    for path, _ro in drives:
        if not os.path.isfile(path):
            raise BootError(
                f"drive image {path} does not exist; create it first (e.g. truncate -s 64M {path})"
            )
        if not os.access(path, os.R_OK):
            raise BootError(f"drive image {path} is not readable")


# runs once per run: the board with its console and disks, booted and ready
def build_board(
    kernel: str,
    bios: str = "builtin",
    initrd: str | None = None,
    append: str = "",
    drives: Sequence[tuple[str, bool]] = (),
    dtb: str | None = None,
    memory: int = 128 << 20,
    smp: int = 1,
    clock: str = "deterministic",
    console: str = "capture",
    rng: bool = False,
    virtio_version: int = 2,
    hext: bool = True,
) -> Board:
    _check(drives, memory, smp)
    try:
        con = open_console(console)
    except (ValueError, OSError) as e:
        raise BootError(str(e)) from None
    try:
        board = Board(
            BoardConfig(
                nharts=smp,
                ram_size=memory,
                drives=tuple(drives),
                rng=rng,
                clock=clock,
                virtio_version=virtio_version,
                hext=hext,
            ),
            con,
        )
    except (ValueError, OSError) as e:
        con.close()
        raise BootError(str(e)) from None
    try:
        boot(board, BootConfig(kernel=kernel, bios=bios, initrd=initrd, dtb=dtb, append=append))
    except BaseException:
        board.close()
        raise
    return board


# runs for `rvisor run` and every programmatic run: boot, run to the end, report
def run_guest(
    kernel: str,
    bios: str = "builtin",
    initrd: str | None = None,
    append: str = "",
    drives: Sequence[tuple[str, bool]] = (),
    dtb: str | None = None,
    memory: int = 128 << 20,
    smp: int = 1,
    timeout: float | None = None,
    clock: str = "deterministic",
    console: str = "capture",
    progress: Callable[[dict[str, Any]], None] | None = None,
    rng: bool = False,
    virtio_version: int = 2,
    hext: bool = True,
) -> RunResult:
    board = build_board(
        kernel, bios, initrd, append, drives, dtb, memory, smp, clock, console, rng, virtio_version, hext
    )
    try:
        result = board.run(timeout=timeout, progress=progress)
        fw = board.firmware
        if result.reason == "fail" and fw is not None and getattr(fw, "fault", None):
            result.message = str(fw.fault)
    finally:
        board.close()
    return result
