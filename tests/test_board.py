"""The board's run loop end to end: exit paths, HTIF, faults, counters, determinism.

Each test assembles a tiny bare-metal program with Debian's riscv64-unknown-elf
toolchain, runs it with ``--bios none`` and checks what the machine did.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rvisor.hw.bus import Device
from rvisor.runner import build_board, run_guest

CC = "riscv64-unknown-elf-gcc"

UART_PUTS = """
# a0 = string; prints through the ns16550a at 0x10000000
puts:
  li t0, 0x10000000
1: lbu t1, 0(a0)
  beqz t1, 2f
3: lbu t2, 5(t0)
  andi t2, t2, 0x20
  beqz t2, 3b
  sb t1, 0(t0)
  addi a0, a0, 1
  j 1b
2: ret
"""


def build(tmp_path: Path, name: str, body: str, data: str = "") -> Path:
    if shutil.which(CC) is None:
        pytest.skip(f"{CC} is not installed (apt-get install gcc-riscv64-unknown-elf)")
    src = tmp_path / f"{name}.S"
    src.write_text(f".section .text\n.globl _start\n_start:\n{body}\n{UART_PUTS}\n.section .data\n{data}\n")
    elf = tmp_path / f"{name}.elf"
    subprocess.run(
        [CC, "-march=rv64gc", "-mabi=lp64d", "-nostdlib", "-mno-relax", "-Wl,-N", "-Wl,-Ttext=0x80000000",
         "-o", str(elf), str(src)],
        check=True, capture_output=True, text=True,
    )
    return elf


HTIF_DATA = """
.align 6
.globl tohost
tohost: .dword 0
.align 6
.globl fromhost
fromhost: .dword 0
"""


# the HTIF convention of the standard ISA tests: tohost = 1 passes, (n << 1) | 1 fails with n
@pytest.mark.parametrize("value,code", [(1, 0), ((5 << 1) | 1, 5)])
def test_htif_tohost_exit_code(tmp_path: Path, value: int, code: int) -> None:
    elf = build(tmp_path, "htif", f"  li t0, {value}\n  la t1, tohost\n  sd t0, 0(t1)\n9: j 9b", HTIF_DATA)
    r = run_guest(str(elf), bios="none", timeout=30)
    assert r.exit_code == code
    assert r.reason == ("poweroff" if code == 0 else "fail")


# HTIF console output (device 1, command 1) reaches the console, then the program exits
def test_htif_console_putchar(tmp_path: Path) -> None:
    body = """
  la t1, tohost
  li t2, (1 << 56) | (1 << 48)
  la a1, msg
1: lbu t0, 0(a1)
  beqz t0, 2f
  or t0, t0, t2
  sd t0, 0(t1)
  addi a1, a1, 1
  j 1b
2: li t0, 1
  sd t0, 0(t1)
9: j 9b
"""
    elf = build(tmp_path, "htifcon", body, HTIF_DATA + 'msg: .asciz "via-htif"\n')
    r = run_guest(str(elf), bios="none", timeout=30)
    assert r.exit_code == 0
    assert r.output == "via-htif"


# the SiFive test device: 0x3333 with a code in bits 31:16 ends the run with that exit code
def test_syscon_fail_code(tmp_path: Path) -> None:
    body = "  li t0, 0x100000\n  li t1, (7 << 16) | 0x3333\n  sw t1, 0(t0)\n9: j 9b"
    r = run_guest(str(build(tmp_path, "fail", body)), bios="none", timeout=30)
    assert (r.exit_code, r.reason) == (7, "fail")


# a guest that never stops is cut off with exit code 124 and a one-line message
@pytest.mark.needs_jit(reason="expects compiled speed (over a million instructions in 0.5 s)")
def test_timeout_exit_code(tmp_path: Path) -> None:
    r = run_guest(str(build(tmp_path, "spin", "9: j 9b")), bios="none", timeout=0.5)
    assert (r.exit_code, r.reason) == (124, "timeout")
    assert "timed out" in r.message
    assert r.instructions > 1_000_000


# a load from a hole in the memory map is a load access fault with mtval = the address
def test_unmapped_device_access_faults(tmp_path: Path) -> None:
    body = """
  la t0, handler
  csrw mtvec, t0
  li t1, 0x30000000
  ld t2, 0(t1)
  la a0, nofault
  call puts
  j fail
.align 2  # mtvec bases are 4-byte aligned
handler:
  csrr t3, mcause
  li t4, 5
  bne t3, t4, fail
  csrr t3, mtval
  li t4, 0x30000000
  bne t3, t4, fail
  la a0, ok
  call puts
  li t0, 0x100000
  li t1, 0x5555
  sw t1, 0(t0)
fail:
  li t0, 0x100000
  li t1, (1 << 16) | 0x3333
  sw t1, 0(t0)
9: j 9b
"""
    data = 'ok: .asciz "load access fault ok\\n"\nnofault: .asciz "no fault\\n"\n'
    r = run_guest(str(build(tmp_path, "hole", body, data)), bios="none", timeout=30)
    assert r.exit_code == 0, r.output
    assert "load access fault ok" in r.output
    assert r.stats["traps"] == {"load access fault": 1}


# counters: a U-mode ecall loop shows up as traps by cause, privilege switches and exits by reason
def test_counters_by_cause(tmp_path: Path) -> None:
    body = """
  la t0, handler
  csrw mtvec, t0
  li s0, 10
  la t0, user
  csrw mepc, t0
  li t0, 0x1800
  csrc mstatus, t0
  mret
user:
  ecall
  j user
.align 2  # mtvec bases are 4-byte aligned
handler:
  csrr t0, mepc
  addi t0, t0, 4
  csrw mepc, t0
  addi s0, s0, -1
  beqz s0, done
  mret
done:
  li t0, 0x100000
  li t1, 0x5555
  sw t1, 0(t0)
9: j 9b
"""
    r = run_guest(str(build(tmp_path, "ecalls", body)), bios="none", timeout=30)
    assert r.exit_code == 0
    assert r.stats["traps"] == {"environment call from U-mode": 10}
    assert r.stats["harts"][0]["traps"] == {"environment call from U-mode": 10}  # counted per hart too
    assert r.stats["priv_switches"] == 1 + 10 + 9  # mret to U, 10 traps to M, 9 mret back to U
    assert r.stats["exits"]["mmio"] == 1  # the test-device store
    assert r.instructions < 200


# the deterministic clock: the same program gives the same instruction count and output twice
def test_runs_repeat_exactly(guest_elf) -> None:  # type: ignore[no-untyped-def]
    elf = guest_elf("privilege")
    a = run_guest(str(elf), bios="none", timeout=60)
    b = run_guest(str(elf), bios="none", timeout=60)
    assert a.exit_code == b.exit_code == 0
    assert a.instructions == b.instructions
    assert a.output == b.output
    assert a.stats["interrupts"] == b.stats["interrupts"]


# a run paused again and again (Board.run(pause_after=...)) ends as one run without pauses does
def test_paused_runs_go_on_where_they_stopped(guest_elf) -> None:  # type: ignore[no-untyped-def]
    elf = guest_elf("guest/build/bench/intloop.elf")
    whole = run_guest(str(elf), bios="none", memory=256 << 20, timeout=120)
    board = build_board(str(elf), bios="none", memory=256 << 20)
    try:
        pauses = 0
        r = board.run(pause_after=0.05)
        while r.reason == "paused":
            pauses += 1
            assert 0 < r.instructions < whole.instructions
            r = board.run(pause_after=0.05)
    finally:
        board.close()
    assert pauses >= 3, pauses  # intloop runs for seconds
    assert (r.reason, r.exit_code) == (whole.reason, whole.exit_code) == ("poweroff", 0)
    assert r.instructions == whole.instructions and r.output == whole.output
    assert "BENCH intloop" in r.output


# without --bios, a bare-metal ELF at the DRAM base (an HTIF test program) runs in M-mode from reset
def test_cli_runs_bare_metal_elf_without_bios(tmp_path: Path) -> None:
    body = "  csrr t0, mhartid\n  li t0, 1\n  la t1, tohost\n  sd t0, 0(t1)\n9: j 9b"
    elf = build(tmp_path, "bare", body, HTIF_DATA)
    p = subprocess.run([sys.executable, "-m", "rvisor", "run", "--kernel", str(elf), "--timeout", "30"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr


class _BrokenDevice(Device):
    """A device model with a bug: every register read raises."""

    # runs on a guest load: the bug
    def read(self, offset: int, size: int) -> int:
        raise ZeroDivisionError("model bug")


# a bug in a device model stops that machine with a message naming pc, instruction and mode
def test_device_model_bug_names_pc_instruction_and_mode(tmp_path: Path) -> None:
    elf = build(tmp_path, "broken", "  li t1, 0x30000000\n  lw t2, 0(t1)\n9: j 9b")
    board = build_board(str(elf), bios="none")
    board.bus.attach(_BrokenDevice("broken", 0x30000000, 0x1000))
    try:
        r = board.run(timeout=30)
    finally:
        board.close()
    assert (r.exit_code, r.reason) == (1, "fatal")
    assert "pc=0x80000004" in r.message  # lui+addi are one 32-bit lui here; the lw follows it
    assert "insn=0x00032383" in r.message  # lw t2, 0(t1)
    assert "mode=M" in r.message
    assert "ZeroDivisionError" in r.message
