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


# runs for the VMM-contract test: the PTE word mapping physical address pa with flags
def _pte(pa: int, flags: int) -> int:
    return ((pa >> 12) << 10) | flags


def test_vm_switch_by_csr_writes_keeps_contexts() -> None:
    """rvisor.hw.tlb's contract with a VMM: writing hgatp straight into the csr array between
    engine runs switches the hart to another VM with no flush. Two VMs (VMID 1 and 2) map guest
    page 0xc0000000 to different host pages; each run reads its own VM's page, and switching
    back to a VM walks no page table again (its entries survived the other VM's run)."""
    from rvisor.hw.machine import Machine

    base = L.DRAM_BASE
    m = Machine(1, 1 << 20)
    ld_a0_a1 = (11 << 15) | (3 << 12) | (10 << 7) | 0x03  # ld a0, 0(a1)
    m.write_phys(base, ld_a0_a1.to_bytes(4, "little") + (0x00100073).to_bytes(4, "little"))  # ebreak
    g_leaf = 0x1 | 0x2 | 0x4 | 0x8 | 0x10 | 0x40 | 0x80  # V R W X U A D: a G-stage (user) leaf
    roots, leaves = [], []
    for vm in range(2):
        root = base + 0x10000 + vm * 0x4000  # Sv39x4 root: 16 KiB, 16 KiB aligned
        l1, l0 = base + 0x18000 + vm * 0x2000, base + 0x19000 + vm * 0x2000
        page = base + 0x20000 + vm * 0x1000
        m.write_u64(root + 2 * 8, _pte(base, g_leaf))  # GPA 0x80000000 (1 GiB): identity, the code
        m.write_u64(root + 3 * 8, _pte(l1, 0x1))  # GPA 0xc0000000 -> l1 -> l0 -> page
        m.write_u64(l1, _pte(l0, 0x1))
        m.write_u64(l0, _pte(page, g_leaf))
        m.write_u64(page, 0x1111 * (vm + 1))
        roots.append(root)
        leaves.append(l0)
    m.write_u64(base + 0x22000, 0x3333)
    m.hs[0, L.HS_DEBUG] = 1  # ebreak ends the run (EXIT_BREAK)
    sv39x4 = (8 << 60) - (1 << 64)  # hgatp.MODE = 8, as the int64 csr array holds it

    # runs one guest load in VS-mode of the VM with this index; returns (value, page walks)
    def load_in(vm: int) -> tuple[int, int]:
        m.csr[0, L.CSR_HGATP] = sv39x4 | ((vm + 1) << 44) | (roots[vm] >> 12)  # VMID vm + 1
        m.hs[0, L.HS_PRIV] = L.PRV_S
        m.hs[0, L.HS_V] = 1
        m.hs[0, L.HS_PC] = base
        m.x[0, 11] = 0xC0000000
        walks = int(m.cnt[0, L.CNT_TLB_MISS])
        assert m.run(0, 100) == L.EXIT_BREAK
        return int(m.x[0, 10]), int(m.cnt[0, L.CNT_TLB_MISS]) - walks

    assert load_in(0)[0] == 0x1111 and load_in(1)[0] == 0x2222
    for _ in range(3):
        assert load_in(0) == (0x1111, 0)  # no walk: VM 1's entries survived VM 2's run
        assert load_in(1) == (0x2222, 0)
    # VM 1's G stage changes without a fence: its surviving entry still answers until a flush
    m.write_u64(leaves[0], _pte(base + 0x22000, g_leaf))
    assert load_in(1)[0] == 0x2222 and load_in(0)[0] == 0x1111
    m.flush_tlb(0)
    assert load_in(0)[0] == 0x3333 and load_in(1)[0] == 0x2222


def test_idle_board_advances_time_to_vstimecmp(guest_elf: Callable[[str], Path]) -> None:
    """With every hart waiting, the deterministic clock jumps to the nearest timer deadline; with
    Sstc enabled for VS (menvcfg.STCE and henvcfg.STCE) vstimecmp - htimedelta is one of them
    (VSTIP: "time + htimedelta >= vstimecmp"), so a guest waiting for its own timer wakes then."""
    board = build_board(str(guest_elf(HELLO)), bios="none", console="none")
    try:
        m = board.machine
        now = int(m.mach[L.M_MTIME])
        m.hs[0, L.HS_STATE] = L.HART_WFI
        stce = -(1 << 63)
        m.csr[0, L.CSR_MENVCFG] = stce
        m.csr[0, L.CSR_HENVCFG] = stce
        m.csr[0, L.CSR_HTIMEDELTA] = 500
        m.csr[0, L.CSR_VSTIMECMP] = now + 500 + 1234
        board._idle(False)
        assert int(m.mach[L.M_MTIME]) == now + 1234
    finally:
        board.close()
