"""Interrupt-driven UART output the way xv6 does it (guest/demo/uartirq.c), on QEMU and on rvisor.

xv6's uartinit enables IER = RDA | THRE, and its interrupt handler never reads IIR: it claims the
source from the PLIC, writes the next byte if LSR says the transmitter is empty, and completes.
QEMU's sifive_plic pends a source only when the device raises its line (serial.c raises it again
when a byte written to THR has gone out), so the 40-byte line costs 41 UART interrupts: one per
byte plus the one that enabling THRE raises at once, the last of them finding nothing to send.
A PLIC that pends the source again on completion while its line is still high gives an endless
storm instead; the program stops it after 10*N interrupts, says "storm" and fails with code 7.

* ``test_qemu``: the count QEMU gives (skipped when qemu-system-riscv64 is not installed).
* ``test_rvisor``: rvisor, deterministic clock, gives the same line and powers off.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

ELF = "guest/build/demo/uartirq.elf"
QEMU = shutil.which("qemu-system-riscv64")
# measured with qemu-system-riscv64 7.2: -M virt -bios none -nographic -kernel uartirq.elf
EXPECTED = "UARTIRQ bytes=40 interrupts=41 idle=1 spurious=0"
STORM_FAIL = 7


# runs for each test: the result line the program printed, or a failure that shows the output
def result_line(output: str) -> str:
    lines = [ln.strip() for ln in output.splitlines() if ln.startswith("UARTIRQ")]
    assert lines, f"no UARTIRQ result line in the output:\n{output[-2000:]}"
    return lines[-1]


# proves: on QEMU's virt board (its 16550A and sifive_plic) the xv6 pattern takes one UART
# interrupt per transmitted byte plus the first one, 41 for 40 bytes, and ends with poweroff
@pytest.mark.skipif(QEMU is None, reason="qemu-system-riscv64 is not installed: cannot measure on QEMU")
def test_qemu(guest_elf: Callable[[str], Path]) -> None:
    elf = guest_elf(ELF)
    assert QEMU is not None
    proc = subprocess.run([QEMU, "-M", "virt", "-bios", "none", "-nographic", "-kernel", str(elf)],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    out = proc.stdout + proc.stderr
    assert result_line(out) == EXPECTED, out[-2000:]
    assert proc.returncode == 0, out[-2000:]


# proves: rvisor's PLIC and UART give the xv6 pattern the same interrupts as QEMU (no storm
# after the last byte), with the deterministic clock, and the program powers off with 0
@pytest.mark.needs_jit(reason="runs about two million guest instructions")
def test_rvisor(guest_elf: Callable[[str], Path],
                rvisor_cli: Callable[..., subprocess.CompletedProcess[str]]) -> None:
    elf = guest_elf(ELF)
    proc = rvisor_cli("run", "--bios", "none", "--kernel", str(elf), "--clock", "deterministic",
                      "--timeout", "300", timeout=600)
    out = proc.stdout + proc.stderr
    line = result_line(out)
    assert "storm" not in line, f"UART interrupt storm (exit {proc.returncode}): {line}"
    assert line == EXPECTED, out[-2000:]
    assert proc.returncode == 0, out[-2000:]
