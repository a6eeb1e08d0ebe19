"""Debian's OpenSBI (generic fw_jump) boots on the board and hands over to Debian's
U-Boot (qemu-riscv64_smode), which reaches its prompt and answers commands typed on the console.

The console is a capture console; the run loop's progress callback types into it while the machine
runs, one step at a time, each step waiting for the guest's output before it types.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from rvisor.hw.console import CaptureConsole
from rvisor.runner import RunResult, build_board

pytestmark = pytest.mark.needs_jit(reason="boots OpenSBI and U-Boot (millions of instructions)")

FW_JUMP = Path("/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin")
UBOOT = Path("/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin")
PROMPT = "=> "
TIMEOUT = 120.0  # seconds; the whole dialogue takes well under one, this only bounds a hang


# runs when a test needs the firmware files: skip, naming the package, when one is missing
def _files() -> tuple[str, str]:
    if not FW_JUMP.is_file():
        pytest.skip(f"OpenSBI is not installed ({FW_JUMP} missing): apt-get install opensbi")
    if not UBOOT.is_file():
        pytest.skip(f"U-Boot for QEMU is not installed ({UBOOT} missing): apt-get install u-boot-qemu")
    return str(FW_JUMP), str(UBOOT)


@dataclass
class Dialogue:
    """Types each step's input once the output since the previous step contains its trigger."""

    console: CaptureConsole
    steps: list[tuple[str, str]]  # (text to wait for, bytes to type then)
    done: str  # once every step is typed, stop the machine when the output since then contains this
    halt: Any = None  # the board's halt method
    typed: list[int] = field(default_factory=list)  # output offset at which each step was typed

    # runs from the board's run loop every progress interval
    def __call__(self, info: dict[str, Any]) -> None:
        since = self.typed[-1] if self.typed else 0
        tail = self.console.output[since:].decode("utf-8", "replace")
        if len(self.typed) < len(self.steps):
            wait, text = self.steps[len(self.typed)]
            if wait in tail and (wait != PROMPT or tail.endswith(PROMPT)):
                self.typed.append(len(self.console.output))
                self.console.inject(text)
        elif self.done in tail and tail.endswith(PROMPT):
            self.halt("poweroff", 0, "dialogue finished")

    # runs after the run: the output produced in answer to step i
    def answer(self, i: int) -> str:
        out = self.console.output
        end = self.typed[i + 1] if i + 1 < len(self.typed) else len(out)
        return out[self.typed[i]:end].decode("utf-8", "replace").replace("\r\n", "\n")


# runs for each test: boot OpenSBI + U-Boot and play the dialogue to its end
def _play(steps: list[tuple[str, str]], done: str) -> tuple[RunResult, Dialogue]:
    fw, uboot = _files()
    board = build_board(uboot, bios=fw, console="capture")
    try:
        assert isinstance(board.console, CaptureConsole)
        d = Dialogue(board.console, steps, done, board.halt)
        r = board.run(timeout=TIMEOUT, progress=d, progress_interval=0.05)
    finally:
        board.close()
    return r, d


# proves: OpenSBI prints its banner and platform report for the virt board, U-Boot starts in S-mode
# behind it, stops its autoboot on a key press, reaches its prompt and answers `version` and `echo`
def test_opensbi_uboot_prompt_answers_version() -> None:
    token = "rvisor-typed-0123"
    r, d = _play([("Hit any key to stop autoboot", " "), (PROMPT, "version\r"), (PROMPT, f"echo {token}\r")],
                 done=token)
    out = r.output.replace("\r\n", "\n")
    assert r.reason == "poweroff", f"{r.reason} {r.message}\n{out[-2000:]}"
    assert r.message == "dialogue finished", out[-2000:]
    assert len(d.typed) == 3, out[-2000:]
    # OpenSBI's banner and what it found on the board
    assert re.search(r"^OpenSBI v\d+\.\d+$", out, re.M), out[:2000]
    assert "/ __ \\" in out and "|_|" in out
    assert re.search(r"^Platform Name\s+: riscv-virtio,qemu$", out, re.M)
    assert re.search(r"^Platform Console Device\s+: uart8250$", out, re.M)
    assert re.search(r"^Domain0 Next Address\s+: 0x0*80200000$", out, re.M)
    assert re.search(r"^Domain0 Next Mode\s+: S-mode$", out, re.M)
    # U-Boot after it, on the same console
    assert out.index("OpenSBI v") < out.index("\nU-Boot 20")
    assert re.search(r"^DRAM:\s+128 MiB$", out, re.M), out[-2000:]
    assert re.search(r"^In:\s+serial@10000000$", out, re.M)
    # the dialogue: the prompt after the key, the reply to `version`, then the echo
    assert d.answer(0).rstrip().endswith("=>")
    reply = d.answer(1)
    assert reply.startswith("version\n"), reply  # U-Boot echoes what was typed
    assert re.search(r"^U-Boot 20\d\d\.\d\d", reply, re.M), reply
    assert re.search(r"gcc", reply), reply
    echo = d.answer(2)
    assert echo.splitlines()[:2] == [f"echo {token}", token], echo
    assert echo.endswith(PROMPT)


# proves: with no key pressed U-Boot's autoboot countdown runs down on the board's timer (2, 1, 0),
# its boot command finds nothing to boot and falls back to the prompt, which still answers `version`
def test_uboot_autoboot_falls_back_to_prompt() -> None:
    r, d = _play([(PROMPT, "version\r")], done="U-Boot 20")
    raw = r.output
    assert r.reason == "poweroff", f"{r.reason} {r.message}\n{raw[-2000:]}"
    assert r.message == "dialogue finished", raw[-2000:]
    countdown = raw[raw.index("Hit any key to stop autoboot:"):].split("\n", 1)[0]
    assert [int(n) for n in re.findall(r"\d", countdown)] == [2, 1, 0], repr(countdown)
    assert d.typed[0] > raw.index("Hit any key")
    reply = d.answer(0)
    assert reply.startswith("version\n") and re.search(r"^U-Boot 20\d\d\.\d\d", reply, re.M), reply
