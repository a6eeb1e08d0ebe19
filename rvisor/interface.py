"""Pieces that every interface shares (the CLI, the demo, the benchmarks), below all of them.

``rvisor.cli`` parses commands and calls ``rvisor.demo`` and ``rvisor.bench``; those need the same
user-error type and the same way of loading the engine, which therefore live here rather than in
the CLI module, so that imports point one way only.
"""

from __future__ import annotations

from typing import Any

import click

from rvisor import images

EXIT_USAGE = 2


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
