"""The one error type of the boot layer.

Every problem found while preparing a machine to boot (a missing or corrupt
file, an image for another architecture, a segment or kernel that does not
fit in RAM, overlapping images) is a ``BootError`` whose message is one line
saying what was wrong and what to do about it.  The command line prints the
message and exits with status 2.
"""

from __future__ import annotations


class BootError(Exception):
    """A boot image or boot configuration that cannot be used, with a one-line reason."""

    # runs when a loader or boot() gives up; the message is folded onto a single line
    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))
