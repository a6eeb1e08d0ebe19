"""The built-in SBI firmware (rvisor.boot.sbi) against a real Machine and a fake board."""

from __future__ import annotations

import pytest

from rvisor.boot import sbi as S
from rvisor.boot.sbi import BuiltinFirmware
from rvisor.hw import layout as L
from rvisor.hw.machine import Machine

MiB = 1 << 20
U64 = (1 << 64) - 1
ENTRY = 0x80200000
FDT = 0x80F00000
ECALL_PC = 0x80200100


class FakeBoard:
    """The board surface the firmware uses, around a real Machine: console bytes and halts recorded."""

    # runs at the start of each test (through booted)
    def __init__(self, nharts: int = 4, ram_size: int = 16 * MiB, keys: bytes = b"") -> None:
        self.machine = Machine(nharts, ram_size)
        self.out = bytearray()
        self.keys = bytearray(keys)
        self.halted: tuple[str, int] | None = None
        self.firmware: BuiltinFirmware | None = None

    # runs when the firmware prints
    def console_write(self, data: bytes) -> None:
        self.out += data

    # runs when the firmware reads a key: the next of `keys`, or -1
    def console_read(self) -> int:
        return self.keys.pop(0) if self.keys else -1

    # runs when the firmware shuts the machine down or gives up
    def halt(self, reason: str, code: int) -> None:
        self.halted = (reason, code)


# runs at the start of a test: a fake board whose harts the built-in firmware has set up
def booted(keys: bytes = b"") -> FakeBoard:
    b = FakeBoard(keys=keys)
    fw = BuiltinFirmware(entry=ENTRY, fdt_addr=FDT)
    fw.setup(b)
    b.firmware = fw
    return b


# runs before each test that takes `board`
@pytest.fixture
def board() -> FakeBoard:
    return booted()


# runs when a test compares with an int64 array cell: the 64-bit pattern as a signed value
def signed(v: int) -> int:
    v &= U64
    return v - (1 << 64) if v >> 63 else v


# runs for every SBI call a test makes
def call(b: FakeBoard, eid: int, fid: int = 0, *args: int, hart: int = 0) -> tuple[int, int]:
    """Make hart `hart` ecall as S-mode would and let the firmware answer; returns (a0, a1)."""
    m = b.machine
    for i in range(6):
        m.set_reg(hart, 10 + i, args[i] if i < len(args) else 0)
    m.set_reg(hart, 16, fid)
    m.set_reg(hart, 17, eid)
    m.hs[hart, L.HS_PC] = ECALL_PC + 4
    m.hs[hart, L.HS_PRIV] = L.PRV_S
    assert b.firmware is not None
    b.firmware.on_sbi(b, hart)
    return signed(m.reg(hart, 10)), signed(m.reg(hart, 11))


# ---- set-up -------------------------------------------------------------------------------------
def test_setup_starts_boot_hart_in_s_mode(board: FakeBoard) -> None:
    m = board.machine
    assert (m.hs[0, L.HS_PC], m.hs[0, L.HS_PRIV], m.reg(0, 10), m.reg(0, 11)) == (ENTRY, L.PRV_S, 0, FDT)
    assert [int(m.hs[h, L.HS_STATE]) for h in range(4)] == [L.HART_RUNNING] + [L.HART_STOPPED] * 3
    assert m.csr[0, L.CSR_SATP] == 0
    assert int(m.csr[0, L.CSR_STIMECMP]) == -1 and int(m.hs[0, L.HS_SBI_TIMECMP]) == -1


# ---- calling convention -------------------------------------------------------------------------
def test_other_registers_preserved(board: FakeBoard) -> None:
    m = board.machine
    for r in range(1, 32):
        m.set_reg(0, r, 0x1000 + r)
    m.set_reg(0, 17, S.EXT_BASE)
    m.set_reg(0, 16, 0)
    board.firmware.on_sbi(board, 0)  # type: ignore[union-attr]
    assert m.reg(0, 10) == 0 and m.reg(0, 11) == S.SBI_SPEC_VERSION
    expect = {r: 0x1000 + r for r in range(1, 32)} | {16: 0, 17: S.EXT_BASE}
    for r in list(range(1, 10)) + list(range(12, 32)):
        assert m.reg(0, r) == expect[r], r


def test_unknown_extension_and_function(board: FakeBoard) -> None:
    assert call(board, 0x12345678)[0] == S.SBI_ERR_NOT_SUPPORTED
    assert call(board, 0x09)[0] == S.SBI_ERR_NOT_SUPPORTED  # reserved legacy EID: only a0
    assert call(board, (1 << 32) | S.EXT_BASE)[0] == S.SBI_ERR_NOT_SUPPORTED  # not a 32-bit EID
    for eid, fid in ((S.EXT_BASE, 7), (S.EXT_TIME, 1), (S.EXT_IPI, 1), (S.EXT_RFENCE, 7),
                     (S.EXT_HSM, 4), (S.EXT_SRST, 1), (S.EXT_DBCN, 3)):
        assert call(board, eid, fid)[0] == S.SBI_ERR_NOT_SUPPORTED, hex(eid)
    assert board.firmware.stats.unsupported >= 2  # type: ignore[union-attr]


# ---- BASE ------------------------------------------------------------------------------------
def test_base(board: FakeBoard) -> None:
    m = board.machine
    m.csr[0, L.CSR_MVENDORID] = 0x489
    m.csr[0, L.CSR_MARCHID] = 7
    m.csr[0, L.CSR_MIMPID] = 9
    assert call(board, S.EXT_BASE, 0) == (0, 0x02000000)  # v2.0
    assert call(board, S.EXT_BASE, 1) == (0, S.SBI_IMPL_ID)
    assert call(board, S.EXT_BASE, 2) == (0, S.SBI_IMPL_VERSION)
    for eid in (S.EXT_BASE, S.EXT_TIME, S.EXT_IPI, S.EXT_RFENCE, S.EXT_HSM, S.EXT_SRST, S.EXT_DBCN, 0, 1, 8):
        assert call(board, S.EXT_BASE, 3, eid) == (0, 1), hex(eid)
    for eid in (0x09, 0x504D55, 0x53555350, 0x12345678):  # reserved legacy, PMU, SUSP, junk
        assert call(board, S.EXT_BASE, 3, eid) == (0, 0), hex(eid)
    assert call(board, S.EXT_BASE, 4) == (0, 0x489)
    assert call(board, S.EXT_BASE, 5) == (0, 7)
    assert call(board, S.EXT_BASE, 6) == (0, 9)


# ---- TIME ------------------------------------------------------------------------------------
def test_time_set_timer_clears_stip(board: FakeBoard) -> None:
    m = board.machine
    m.set_mip(0, L.IRQ_STI, True)
    assert call(board, S.EXT_TIME, 0, 123456) == (0, 0)
    assert m.hs[0, L.HS_SBI_TIMECMP] == 123456
    assert not int(m.csr[0, L.CSR_MIP]) & (1 << L.IRQ_STI)
    assert m.hs[0, L.HS_EVENT] == 1
    call(board, S.EXT_TIME, 0, U64)  # "infinitely far into the future"
    assert int(m.hs[0, L.HS_SBI_TIMECMP]) == -1


def test_time_drives_stip_in_mip_value(board: FakeBoard) -> None:
    from rvisor.hw.csr import mip_value

    m = board.machine
    call(board, S.EXT_TIME, 0, 1000)
    stip = 1 << L.IRQ_STI
    assert not mip_value(0, m.csr, m.hs, 999) & stip
    assert mip_value(0, m.csr, m.hs, 1000) & stip
    call(board, S.EXT_TIME, 0, U64)
    assert not mip_value(0, m.csr, m.hs, 1 << 62) & stip


# ---- IPI -------------------------------------------------------------------------------------
# runs in the IPI checks: is hart h's supervisor software interrupt pending?
def ssip(m: Machine, h: int) -> bool:
    return bool(int(m.csr[h, L.CSR_MIP]) & (1 << L.IRQ_SSI))


def test_ipi_masks(board: FakeBoard) -> None:
    m = board.machine
    assert call(board, S.EXT_IPI, 0, 0b101, 0) == (0, 0)
    assert [ssip(m, h) for h in range(4)] == [True, False, True, False]
    for h in range(4):
        m.set_mip(h, L.IRQ_SSI, False)
    assert call(board, S.EXT_IPI, 0, 0b11, 2)[0] == 0  # harts 2, 3
    assert [ssip(m, h) for h in range(4)] == [False, False, True, True]
    for h in range(4):
        m.set_mip(h, L.IRQ_SSI, False)
    assert call(board, S.EXT_IPI, 0, 0, U64)[0] == 0  # base -1: all harts
    assert all(ssip(m, h) for h in range(4))
    assert call(board, S.EXT_IPI, 0, 0, 100)[0] == 0  # empty mask: base need not exist


def test_ipi_invalid_hart(board: FakeBoard) -> None:
    m = board.machine
    assert call(board, S.EXT_IPI, 0, 1 << 4, 0)[0] == S.SBI_ERR_INVALID_PARAM
    assert call(board, S.EXT_IPI, 0, 1, 4)[0] == S.SBI_ERR_INVALID_PARAM
    assert call(board, S.EXT_IPI, 0, 1 << 63, 1 << 62)[0] == S.SBI_ERR_INVALID_PARAM
    assert not any(ssip(m, h) for h in range(4))


def test_ipi_wakes_waiting_hart(board: FakeBoard) -> None:
    m = board.machine
    m.hs[0, L.HS_STATE] = L.HART_RUNNING
    m.hs[2, L.HS_STATE] = L.HART_WFI
    call(board, S.EXT_IPI, 0, 1 << 2, 0)
    assert m.hs[2, L.HS_STATE] == L.HART_RUNNING


# ---- RFENCE ------------------------------------------------------------------------------------
# runs before each fence check: fill every TLB and fetch-page cache with junk
def dirty_tlb(m: Machine) -> None:
    m.tlb[:] = 7
    m.hs[:, L.HS_FETCH_PAGE] = 5


def test_rfence_flushes_targets(board: FakeBoard) -> None:
    m = board.machine
    for fid, extra in ((0, ()), (1, (0x1000, 0x2000)), (2, (0, 0, 5)), (3, (0, 0, 1)), (4, (0, 0)),
                       (5, (0, 0, 1)), (6, (0, 0))):
        dirty_tlb(m)
        assert call(board, S.EXT_RFENCE, fid, 0b110, 0, *extra) == (0, 0)
        assert (m.tlb[1] == -1).all() and (m.tlb[2] == -1).all()
        assert (m.tlb[0] == 7).all() and (m.tlb[3] == 7).all()
        assert m.hs[1, L.HS_FETCH_PAGE] == -1 and m.hs[0, L.HS_FETCH_PAGE] == 5
    dirty_tlb(m)
    assert call(board, S.EXT_RFENCE, 1, 0, U64, 0, U64)[0] == 0
    assert (m.tlb == -1).all()
    dirty_tlb(m)
    assert call(board, S.EXT_RFENCE, 1, 1 << 9, 0)[0] == S.SBI_ERR_INVALID_PARAM
    assert (m.tlb == 7).all()


# ---- HSM -------------------------------------------------------------------------------------
def test_hsm_start_status_stop(board: FakeBoard) -> None:
    m = board.machine
    assert call(board, S.EXT_HSM, 2, 0) == (0, S.HSM_STARTED)
    assert call(board, S.EXT_HSM, 2, 1) == (0, S.HSM_STOPPED)
    assert call(board, S.EXT_HSM, 2, 4)[0] == S.SBI_ERR_INVALID_PARAM
    assert call(board, S.EXT_HSM, 0, 1, 0x80300000, 0xABCD) == (0, 0)
    assert (m.hs[1, L.HS_PC], m.hs[1, L.HS_PRIV]) == (0x80300000, L.PRV_S)
    assert m.hs[1, L.HS_STATE] == L.HART_RUNNING
    assert (m.reg(1, 10), m.reg(1, 11)) == (1, 0xABCD)
    assert m.csr[1, L.CSR_SATP] == 0 and not int(m.csr[1, L.CSR_MSTATUS]) & L.MSTATUS_SIE
    assert m.hs[1, L.HS_FIRMWARE] == 1
    assert call(board, S.EXT_HSM, 2, 1) == (0, S.HSM_STARTED)
    assert call(board, S.EXT_HSM, 0, 1, 0x80300000, 0)[0] == S.SBI_ERR_ALREADY_AVAILABLE
    assert call(board, S.EXT_HSM, 0, 0, 0x80300000, 0)[0] == S.SBI_ERR_ALREADY_AVAILABLE
    assert call(board, S.EXT_HSM, 0, 9, 0x80300000, 0)[0] == S.SBI_ERR_INVALID_PARAM
    assert call(board, S.EXT_HSM, 0, 2, 0x1000_0000, 0)[0] == S.SBI_ERR_INVALID_ADDRESS
    assert m.hs[2, L.HS_STATE] == L.HART_STOPPED
    # hart 1 stops itself: no return value is written, the hart is parked
    m.set_reg(1, 10, 0x55)
    call(board, S.EXT_HSM, 1, hart=1)
    assert m.hs[1, L.HS_STATE] == L.HART_STOPPED
    assert call(board, S.EXT_HSM, 2, 1) == (0, S.HSM_STOPPED)
    assert call(board, S.EXT_HSM, 0, 1, 0x80400000, 7) == (0, 0)  # it can be started again
    assert m.hs[1, L.HS_PC] == 0x80400000


def test_hsm_suspend(board: FakeBoard) -> None:
    m = board.machine
    call(board, S.EXT_HSM, 0, 1, 0x80300000, 0)
    assert call(board, S.EXT_HSM, 3, 0, 0, 0, hart=1) == (0, 0)  # retentive: like WFI
    assert m.hs[1, L.HS_STATE] == L.HART_WFI and m.hs[1, L.HS_PC] == ECALL_PC + 4
    assert call(board, S.EXT_HSM, 2, 1) == (0, S.HSM_SUSPENDED)
    m.set_mip(1, L.IRQ_SSI, True)  # an interrupt resumes it
    assert m.hs[1, L.HS_STATE] == L.HART_RUNNING
    assert call(board, S.EXT_HSM, 2, 1) == (0, S.HSM_STARTED)
    # non-retentive: resumes at resume_addr with a0 = hartid, a1 = opaque
    call(board, S.EXT_HSM, 3, 0x80000000, 0x80500000, 0x77, hart=1)
    assert (m.hs[1, L.HS_PC], m.reg(1, 10), m.reg(1, 11)) == (0x80500000, 1, 0x77)
    assert m.hs[1, L.HS_STATE] == L.HART_WFI
    for bad in (1, 0x0FFFFFFF, 0x10000000, 0x7FFFFFFF, 0x80000001, 0xFFFFFFFF, 1 << 32):
        assert call(board, S.EXT_HSM, 3, bad, 0x80500000, 0, hart=0)[0] == S.SBI_ERR_INVALID_PARAM
    assert call(board, S.EXT_HSM, 3, 0x80000000, 0x20, 0, hart=0)[0] == S.SBI_ERR_INVALID_ADDRESS
    assert m.hs[0, L.HS_STATE] == L.HART_RUNNING


# ---- SRST ------------------------------------------------------------------------------------
@pytest.mark.parametrize("rtype, reason, halted", [
    (0, 0, ("poweroff", 0)), (1, 0, ("reset", 0)), (2, 0, ("reset", 0)), (0, 1, ("poweroff", 1)),
    (0, 0xE0000000, ("poweroff", 0)),
])
def test_srst(board: FakeBoard, rtype: int, reason: int, halted: tuple[str, int]) -> None:
    call(board, S.EXT_SRST, 0, rtype, reason)
    assert board.halted == halted


def test_srst_invalid(board: FakeBoard) -> None:
    for rtype, reason in ((3, 0), (0xF0000000, 0), (1 << 32, 0), (0, 2), (0, 0xDFFFFFFF), (0, 1 << 32)):
        assert call(board, S.EXT_SRST, 0, rtype, reason)[0] == S.SBI_ERR_INVALID_PARAM
    assert board.halted is None


# ---- DBCN ------------------------------------------------------------------------------------
def test_dbcn_write_read_byte() -> None:
    b = booted(keys=b"hi!")
    m = b.machine
    m.write_phys(0x80001000, b"hello, world\n")
    assert call(b, S.EXT_DBCN, 0, 13, 0x80001000, 0) == (0, 13)
    assert bytes(b.out) == b"hello, world\n"
    assert call(b, S.EXT_DBCN, 2, 0x141) == (0, 0)  # only the low byte
    assert bytes(b.out).endswith(b"A")
    assert call(b, S.EXT_DBCN, 1, 2, 0x80002000, 0) == (0, 2)
    assert m.read_phys(0x80002000, 2) == b"hi"
    assert call(b, S.EXT_DBCN, 1, 16, 0x80002000, 0) == (0, 1)  # only what is there
    assert call(b, S.EXT_DBCN, 1, 16, 0x80002000, 0) == (0, 0)
    assert m.read_phys(0x80002000, 3) == b"!i\0"
    assert call(b, S.EXT_DBCN, 0, 0, 0x80001000, 0) == (0, 0)


def test_dbcn_bounds(board: FakeBoard) -> None:
    end = 0x80000000 + 16 * MiB
    for n, lo, hi in ((16, end - 8, 0), (1, 0x1000, 0), (1, 0x80000000, 1), (U64, 0x80000000, 0),
                      (4, U64 - 1, 0)):
        assert call(board, S.EXT_DBCN, 0, n, lo, hi)[0] == S.SBI_ERR_INVALID_PARAM
        assert call(board, S.EXT_DBCN, 1, n, lo, hi)[0] == S.SBI_ERR_INVALID_PARAM
    assert board.out == b""


# ---- legacy extensions -----------------------------------------------------------------------
def test_legacy_console_and_timer() -> None:
    b = booted(keys=b"k")
    m = b.machine
    m.set_reg(0, 11, 0x5A5A)
    assert call(b, 0x01, 0, ord("x"))[0] == 0
    assert b.out == b"x"
    assert call(b, 0x02)[0] == ord("k")
    assert call(b, 0x02)[0] == -1
    m.set_mip(0, L.IRQ_STI, True)
    assert call(b, 0x00, 0, 4242)[0] == 0
    assert m.hs[0, L.HS_SBI_TIMECMP] == 4242 and not int(m.csr[0, L.CSR_MIP]) & (1 << L.IRQ_STI)


def test_legacy_returns_only_a0(board: FakeBoard) -> None:
    m = board.machine
    m.hs[0, L.HS_PC] = ECALL_PC + 4
    m.set_reg(0, 10, ord("z"))
    m.set_reg(0, 11, 0x5A5A)
    m.set_reg(0, 17, 0x01)
    board.firmware.on_sbi(board, 0)  # type: ignore[union-attr]
    assert m.reg(0, 10) == 0 and m.reg(0, 11) == 0x5A5A


def test_legacy_clear_ipi(board: FakeBoard) -> None:
    m = board.machine
    assert call(board, 0x03)[0] == 0
    m.set_mip(0, L.IRQ_SSI, True)
    assert call(board, 0x03)[0] == 1
    assert not ssip(m, 0)


def test_legacy_ipi_and_fences_physical_mask(board: FakeBoard) -> None:
    m = board.machine
    m.write_u64(0x80003000, 0b1010)
    assert call(board, 0x04, 0, 0x80003000)[0] == 0
    assert [ssip(m, h) for h in range(4)] == [False, True, False, True]
    for eid in (0x05, 0x06, 0x07):
        dirty_tlb(m)
        assert call(board, eid, 0, 0x80003000, 0, 0, 1)[0] == 0
        assert (m.tlb[1] == -1).all() and (m.tlb[3] == -1).all() and (m.tlb[0] == 7).all()
    dirty_tlb(m)
    assert call(board, 0x06, 0, 0)[0] == 0  # null mask pointer: every hart
    assert (m.tlb == -1).all()


# runs in the legacy hart-mask tests that go through a page table
def build_sv39(m: Machine, va: int, pa: int) -> int:
    """A three-level Sv39 table mapping the 4 KiB page of `va` to `pa`; returns satp."""
    root, mid, leaf = 0x80100000, 0x80101000, 0x80102000
    vpn = [(va >> (12 + 9 * i)) & 0x1FF for i in range(3)]
    m.write_u64(root + 8 * vpn[2], ((mid >> 12) << 10) | 1)
    m.write_u64(mid + 8 * vpn[1], ((leaf >> 12) << 10) | 1)
    m.write_u64(leaf + 8 * vpn[0], ((pa >> 12) << 10) | 0b11000111)  # D A . . . W R V
    return (8 << 60) | (root >> 12)


def test_legacy_mask_through_sv39(board: FakeBoard) -> None:
    m = board.machine
    va = 0xFFFFFFFF80001000
    m.write_u64(0x80004008, 0b0100)
    m.csr[0, L.CSR_SATP] = signed(build_sv39(m, va, 0x80004000))
    assert BuiltinFirmware.read_u64_virt(m, 0, va + 8) == 0b0100
    assert call(board, 0x04, 0, va + 8)[0] == 0
    assert [ssip(m, h) for h in range(4)] == [False, False, True, False]


def test_legacy_mask_fault_redirects_to_s(board: FakeBoard) -> None:
    m = board.machine
    m.csr[0, L.CSR_STVEC] = 0x80200800
    m.csr[0, L.CSR_MSTATUS] |= L.MSTATUS_SIE
    m.csr[0, L.CSR_SATP] = signed(build_sv39(m, 0xFFFFFFFF80001000, 0x80004000))
    m.set_reg(0, 10, 0x1234)
    call(board, 0x04, 0, 0xFFFFFFFF80200000)  # unmapped
    assert m.hs[0, L.HS_PC] == 0x80200800 and m.hs[0, L.HS_PRIV] == L.PRV_S
    assert m.csr[0, L.CSR_SCAUSE] == L.EXC_LOAD_PAGE
    assert m.csr[0, L.CSR_SEPC] == ECALL_PC
    assert signed(int(m.csr[0, L.CSR_STVAL])) == signed(0xFFFFFFFF80200000)
    st = int(m.csr[0, L.CSR_MSTATUS])
    assert st & L.MSTATUS_SPP and st & L.MSTATUS_SPIE and not st & L.MSTATUS_SIE
    m.csr[0, L.CSR_SATP] = 0
    call(board, 0x04, 0, 0x1000)  # bare: physical address outside RAM
    assert m.csr[0, L.CSR_SCAUSE] == L.EXC_LOAD_ACCESS
    assert m.read_u64(0x80004000) == 0  # nothing clobbered
    assert not any(ssip(m, h) for h in range(4))


def test_legacy_shutdown(board: FakeBoard) -> None:
    call(board, 0x08)
    assert board.halted == ("poweroff", 0)


# ---- traps that reach M-mode -------------------------------------------------------------------
# runs for every trap a test hands to the firmware as the engine would (EXIT_TRAP)
def m_trap(b: FakeBoard, cause: int, tval: int, pc: int, priv: int, h: int = 0) -> None:
    m = b.machine
    m.hs[h, L.HS_EXIT_CAUSE] = signed(cause)
    m.hs[h, L.HS_EXIT_TVAL] = signed(tval)
    m.hs[h, L.HS_EXIT_PC] = signed(pc)
    m.hs[h, L.HS_PRIV] = priv
    b.firmware.on_m_trap(b, h)  # type: ignore[union-attr]


def test_m_trap_from_u_redirected(board: FakeBoard) -> None:
    m = board.machine
    m.csr[0, L.CSR_STVEC] = 0x80200401  # vectored: exceptions still go to BASE
    m.csr[0, L.CSR_MSTATUS] |= L.MSTATUS_SPP
    m_trap(board, L.EXC_LOAD_ACCESS, 0xDEAD0000, 0x10074, L.PRV_U)
    assert (m.hs[0, L.HS_PC], m.hs[0, L.HS_PRIV]) == (0x80200400, L.PRV_S)
    assert (m.csr[0, L.CSR_SCAUSE], m.csr[0, L.CSR_SEPC], m.csr[0, L.CSR_STVAL]) == (5, 0x10074, 0xDEAD0000)
    st = int(m.csr[0, L.CSR_MSTATUS])
    assert not st & (L.MSTATUS_SPP | L.MSTATUS_SPIE | L.MSTATUS_SIE)
    assert board.halted is None and board.firmware.stats.redirected == 1  # type: ignore[union-attr]


def test_m_trap_from_s_redirected(board: FakeBoard) -> None:
    m = board.machine
    m.csr[0, L.CSR_STVEC] = 0x80200400
    m.csr[0, L.CSR_MSTATUS] |= L.MSTATUS_SIE
    m_trap(board, L.EXC_STORE_MISALIGNED, 0x80300003, 0x80201000, L.PRV_S)
    assert m.hs[0, L.HS_PC] == 0x80200400 and m.csr[0, L.CSR_SCAUSE] == 6
    st = int(m.csr[0, L.CSR_MSTATUS])
    assert st & L.MSTATUS_SPP and st & L.MSTATUS_SPIE and not st & L.MSTATUS_SIE


def test_m_trap_without_stvec_stops(board: FakeBoard) -> None:
    m_trap(board, L.EXC_ILLEGAL, 0x12345, 0x80200010, L.PRV_S)
    assert board.halted == ("fail", 1)
    fault = board.firmware.fault  # type: ignore[union-attr]
    assert fault is not None and "illegal instruction" in fault and "0x80200010" in fault and "stvec" in fault


def test_m_trap_interrupt_or_m_mode_stops(board: FakeBoard) -> None:
    board.machine.csr[0, L.CSR_STVEC] = 0x80200400
    m_trap(board, (1 << 63) | L.IRQ_MTI, 0, 0x80200010, L.PRV_S)
    assert board.halted == ("fail", 1) and "machine timer" in board.firmware.fault  # type: ignore[union-attr]
    board.halted = None
    m_trap(board, L.EXC_ILLEGAL, 0, 0x80000010, L.PRV_M)
    assert board.halted == ("fail", 1) and "M-mode" in board.firmware.fault  # type: ignore[union-attr]
