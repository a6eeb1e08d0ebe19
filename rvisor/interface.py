"""Pieces that every interface shares (the CLI, the demo, the benchmarks), below all of them.

``rvisor.cli`` parses commands and calls ``rvisor.demo`` and ``rvisor.bench``; those need the same
user-error type and the same way of loading the engine, which therefore live here rather than in
the CLI module, so that imports point one way only.
"""

from __future__ import annotations

import re
from typing import Any

import click

from rvisor import images

EXIT_USAGE = 2
MEMORY_MIN = 1 << 20
MEMORY_MAX = 64 << 30

_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$", re.IGNORECASE)
_UNITS = {"": 1 << 20, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}


class SizeError(ValueError):
    """A memory size that cannot be used; the message says why and what is allowed."""


# runs when a memory size is parsed (-m SIZE, the memory keys of an `rvisor up` file): "128M", "1G",
# "512K", a plain number is MiB (as QEMU's -m); 1M..64G, a multiple of 4 KiB
def parse_size_text(text: str) -> int:
    m = _SIZE_RE.match(text)
    if not m:
        raise SizeError(f"malformed memory size {text!r} (use e.g. 128M, 1G or a number of MiB)")
    size = int(float(m.group(1)) * _UNITS[m.group(2).lower()])
    if size < MEMORY_MIN or size > MEMORY_MAX:
        raise SizeError(f"memory size {text!r} out of range (1M .. 64G)")
    if size % 4096:
        raise SizeError(f"memory size {text!r} is not a multiple of 4 KiB")
    return size


class CliError(click.ClickException):
    """A user error: printed as one line, exit code 2."""

    exit_code = EXIT_USAGE

    # runs when a user error is raised: remembers which subcommand it belongs to
    def __init__(self, message: str) -> None:
        super().__init__(message)
        ctx = click.get_current_context(silent=True)
        self.where = ctx.command_path if ctx is not None else "rvisor"


# runs when a bundled image is named (--kernel NAME, `rvisor demo NAME`): every file of it must exist
def require_present(img: images.Image, flag: str = "") -> images.Image:
    if not img.present:
        where = f"{flag}: " if flag else ""
        raise CliError(f"{where}bundled image {img.name!r} is not available: {img.path} is missing "
                       f"({img.build_hint})")
    return img


# runs when a run needs the engine: imports the runner lazily so that --help and errors stay fast
def load_runner() -> tuple[Any, type[BaseException]]:
    try:
        from rvisor.boot.errors import BootError
        from rvisor.runner import run_guest
    except ImportError as e:
        raise click.ClickException(f"the rvisor engine cannot be loaded ({e}); run 'bash setup.sh' to "
                                   "install what it needs") from None
    return run_guest, BootError
