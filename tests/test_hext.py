"""The hypervisor extension as the board presents it: misa.H and "h" in the device tree by default,
both gone with the board option turned off; the bare-metal H programs of tests/isa (hext_*) then
stop at their first H instruction; the built-in firmware hands guest traps to HS or VS;
intloop_vs, a guest in VS/VU, computes intloop's result.

The architectural checks themselves are the tests/isa programs hext_csr, hext_vm and hext_irq
(run on rvisor and QEMU by tests/test_isa.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from rvisor.hw import fdt as F
from rvisor.hw import layout as L
from rvisor.runner import build_board, run_guest

HEXT_CSR = "tests/isa/build/hext_csr.elf"
HELLO = "guest/build/demo/hello.elf"


# runs for the device-tree checks: the riscv,isa string of hart 0 of a booted board
def _isa_of(elf: Path, hext: bool) -> tuple[str, int]:
    board = build_board(str(elf), bios="none", console="none", hext=hext)
    try:
        m = board.machine
        blob = m.read_phys(board.boot_info.fdt_addr, 0x10000)
        tree = F.parse_dtb(blob)
        cpu = tree.find("/cpus/cpu@0")
        assert cpu is not None
        return cpu.get_str("riscv,isa") or "", int(m.csr[0, L.CSR_MISA])
    finally:
        board.close()


def test_misa_and_device_tree(guest_elf: Callable[[str], Path]) -> None:
    elf = guest_elf(HELLO)
    isa, misa = _isa_of(elf, True)
    assert isa.startswith("rv64imafdch_"), isa
    assert misa & L.MISA_H
    isa, misa = _isa_of(elf, False)
    assert isa.startswith("rv64imafdc_") and "h_" not in isa.split("_")[0], isa
    assert not misa & L.MISA_H


def test_h_programs_need_the_extension(guest_elf: Callable[[str], Path]) -> None:
    elf = guest_elf(HEXT_CSR)
    res = run_guest(str(elf), bios="none", timeout=120, hext=True)
    assert int(res.exit_code) == 0 and "PASS hext_csr" in str(res.output), res.output
    res = run_guest(str(elf), bios="none", timeout=120, hext=False)
    # the first H CSR write of HEXT_INIT (csrw vstvec) is an illegal instruction without misa.H
    out = str(res.output)
    assert int(res.exit_code) == 255, out
    assert "unexpected trap cause 0x0000000000000002" in out and "in M-mode from mode 3" in out, out


@pytest.mark.needs_jit(reason="runs a benchmark workload (hundreds of millions of instructions)")
def test_intloop_vs(guest_elf: Callable[[str], Path]) -> None:
    elf = guest_elf("guest/build/bench/intloop_vs.elf")
    res = run_guest(str(elf), bios="none", timeout=600)
    out = str(res.output)
    assert int(res.exit_code) == 0 and "BENCH intloop_vs checksum=0xdfed8f13c348bd26" in out, out
    assert "ok" in out


def test_builtin_firmware_hands_guest_traps_to_hs() -> None:
    """A trap from V=1 that reaches the built-in firmware goes to HS (SPV, SPVP, GVA), or to VS
    when hedeleg has its bit, as OpenSBI's sbi_trap_redirect does; the H causes are delegated."""
    from types import SimpleNamespace

    from rvisor.boot.sbi import MEDELEG_HEXT, BuiltinFirmware
    from rvisor.hw.machine import Machine

    m = Machine(1, 1 << 20)
    fw = BuiltinFirmware()
    fw.init_hart(m, 0)
    assert int(m.csr[0, L.CSR_MEDELEG]) & MEDELEG_HEXT == MEDELEG_HEXT
    halted: list[tuple] = []
    board = SimpleNamespace(machine=m, halt=lambda *a: halted.append(a))
    m.csr[0, L.CSR_STVEC] = 0x80001000
    m.csr[0, L.CSR_VSTVEC] = 0x80002000
    m.hs[0, L.HS_PRIV] = L.PRV_S
    m.hs[0, L.HS_V] = 1
    fw.redirect_trap(board, 0, L.EXC_LOAD_ACCESS, 0x1234, 0x80000010)
    assert not halted
    assert (int(m.hs[0, L.HS_PRIV]), int(m.hs[0, L.HS_V]), int(m.hs[0, L.HS_PC])) == (L.PRV_S, 0, 0x80001000)
    assert int(m.csr[0, L.CSR_SCAUSE]) == L.EXC_LOAD_ACCESS and int(m.csr[0, L.CSR_STVAL]) == 0x1234
    hst = int(m.csr[0, L.CSR_HSTATUS])
    bits = L.HSTATUS_SPV | L.HSTATUS_SPVP | L.HSTATUS_GVA
    assert hst & bits == bits
    # delegated further by hedeleg: into VS, V stays 1
    m.hs[0, L.HS_PRIV] = L.PRV_U
    m.hs[0, L.HS_V] = 1
    m.csr[0, L.CSR_HEDELEG] = 1 << L.EXC_LOAD_ACCESS
    fw.redirect_trap(board, 0, L.EXC_LOAD_ACCESS, 0x5678, 0x80000020)
    assert (int(m.hs[0, L.HS_PRIV]), int(m.hs[0, L.HS_V]), int(m.hs[0, L.HS_PC])) == (L.PRV_S, 1, 0x80002000)
    assert int(m.csr[0, L.CSR_VSCAUSE]) == L.EXC_LOAD_ACCESS and int(m.csr[0, L.CSR_VSEPC]) == 0x80000020
    assert int(m.csr[0, L.CSR_VSSTATUS]) & L.MSTATUS_SPP == 0  # from VU
