"""SiFive test finisher ("sifive,test0"/"syscon") at 0x100000 on QEMU ``virt``.

A 32-bit store to offset 0 requests (QEMU ``hw/misc/sifive_test.c``, and
the syscon-poweroff / syscon-reboot device-tree bindings that point at it):

* ``0x5555``               poweroff, exit code 0 (FINISHER_PASS)
* ``0x7777``               system reset (FINISHER_RESET)
* ``0x3333 | code << 16``  poweroff with failure exit code ``code`` (FINISHER_FAIL)

The device only records the request in ``halt_request`` as
``("poweroff", 0)``, ``("reset", 0)`` or ``("fail", code)``; the board polls
that field after each MMIO exit (or registers ``on_halt``), stops the
harts and clears it with ``take()``.  Other values are ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rvisor.hw import layout as L
from rvisor.hw.bus import Device

FINISHER_FAIL = 0x3333
FINISHER_PASS = 0x5555
FINISHER_RESET = 0x7777

HaltRequest = tuple[str, int]


class SifiveTest(Device):
    """Poweroff/reset/fail register; see ``halt_request``."""

    # runs once while the board is assembled
    def __init__(
        self,
        base: int = L.TEST_BASE,
        name: str = "test",
        on_halt: Callable[[str, int], None] | None = None,
    ) -> None:
        super().__init__(name, base, 0x1000)
        self.halt_request: HaltRequest | None = None
        self.on_halt = on_halt

    # runs on a guest load: the register reads as zero
    def read(self, offset: int, size: int) -> int:
        return 0

    # runs on a guest store: decode a finisher command
    def write(self, offset: int, size: int, value: int) -> None:
        if offset != 0:
            return
        cmd = value & 0xFFFF
        if cmd == FINISHER_PASS:
            req: HaltRequest = ("poweroff", 0)
        elif cmd == FINISHER_RESET:
            req = ("reset", 0)
        elif cmd == FINISHER_FAIL:
            req = ("fail", (value >> 16) & 0xFFFF)
        else:
            self.count("ignored")
            return
        self.halt_request = req
        self.count(req[0])
        if self.on_halt is not None:
            self.on_halt(*req)

    # runs when the board has acted on a request
    def take(self) -> HaltRequest | None:
        req, self.halt_request = self.halt_request, None
        return req

    # runs when a snapshot is taken
    def snapshot(self) -> dict[str, Any]:
        return {"halt_request": self.halt_request}


#: the name QEMU's device tree uses for the node ("test@100000", "syscon")
Syscon = SifiveTest
