"""The built-in SBI firmware: the Supervisor Binary Interface implemented in Python.

With ``bios="builtin"`` no firmware image runs in M-mode.  The board marks
each hart with ``hs[h, HS_FIRMWARE] = 1``; the engine then returns
``EXIT_SBI`` for every ``ecall`` from S-mode (pc already past the ecall) and
``EXIT_TRAP`` for a trap that would enter M-mode.  ``BuiltinFirmware``
answers both between engine runs.

Calling convention (SBI v2.0, chapter "Binary Encoding"): a7 = EID, a6 = FID,
a0-a5 = arguments; a0 returns the error code, a1 the value; all other
registers are preserved.  Legacy extensions (EIDs 0x00-0x08, chapter
"Legacy Extensions") return only a0.

Extensions: BASE (0x10), TIME ("TIME"), IPI ("sPI"), RFENCE ("RFNC"),
HSM ("HSM"), SRST ("SRST"), DBCN ("DBCN") and the legacy 0x00-0x08.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from rvisor.boot.loaders import PhysMemory
from rvisor.hw import layout as L

log = logging.getLogger(__name__)

U64 = (1 << 64) - 1
PPN_MASK = (1 << 44) - 1  # satp.PPN

# ---- extension IDs (SBI v2.0) -------------------------------------------------------------
EXT_LEGACY_SET_TIMER = 0x00
EXT_LEGACY_PUTCHAR = 0x01
EXT_LEGACY_GETCHAR = 0x02
EXT_LEGACY_CLEAR_IPI = 0x03
EXT_LEGACY_SEND_IPI = 0x04
EXT_LEGACY_FENCE_I = 0x05
EXT_LEGACY_SFENCE_VMA = 0x06
EXT_LEGACY_SFENCE_VMA_ASID = 0x07
EXT_LEGACY_SHUTDOWN = 0x08
EXT_BASE = 0x10
EXT_TIME = 0x54494D45  # "TIME"
EXT_IPI = 0x735049  # "sPI"
EXT_RFENCE = 0x52464E43  # "RFNC"
EXT_HSM = 0x48534D  # "HSM"
EXT_SRST = 0x53525354  # "SRST"
EXT_DBCN = 0x4442434E  # "DBCN"

EXT_NAMES = {
    EXT_BASE: "base",
    EXT_TIME: "time",
    EXT_IPI: "ipi",
    EXT_RFENCE: "rfence",
    EXT_HSM: "hsm",
    EXT_SRST: "srst",
    EXT_DBCN: "dbcn",
    **{i: "legacy" for i in range(0x09)},
}
SUPPORTED_EXTENSIONS = frozenset(EXT_NAMES)

# ---- standard error codes (SBI v2.0, table "Standard SBI Errors") --------------------------
SBI_SUCCESS = 0
SBI_ERR_FAILED = -1
SBI_ERR_NOT_SUPPORTED = -2
SBI_ERR_INVALID_PARAM = -3
SBI_ERR_DENIED = -4
SBI_ERR_INVALID_ADDRESS = -5
SBI_ERR_ALREADY_AVAILABLE = -6
SBI_ERR_ALREADY_STARTED = -7
SBI_ERR_ALREADY_STOPPED = -8

# ---- BASE answers ---------------------------------------------------------------------------
SBI_SPEC_VERSION = (2 << 24) | 0  # v2.0: major in bits 30:24, minor in bits 23:0
# Implementation ID for rvisor's built-in firmware.  IDs 0-11 of the spec's table are taken
# (BBL, OpenSBI, Xvisor, KVM, RustSBI, ...); this one spells "rvis" and is far from them.
SBI_IMPL_ID = 0x72766973
SBI_IMPL_VERSION = (0 << 16) | 1  # rvisor firmware 0.1 (major << 16 | minor, as OpenSBI does)

# ---- HSM ---------------------------------------------------------------------------------------
HSM_STARTED = 0
HSM_STOPPED = 1
HSM_START_PENDING = 2
HSM_STOP_PENDING = 3
HSM_SUSPENDED = 4
HSM_SUSPEND_RETENTIVE = 0x00000000
HSM_SUSPEND_NON_RETENTIVE = 0x80000000

# ---- SRST ---------------------------------------------------------------------------------------
SRST_SHUTDOWN = 0
SRST_COLD_REBOOT = 1
SRST_WARM_REBOOT = 2
SRST_REASON_NONE = 0
SRST_REASON_FAILURE = 1

# ---- M-mode set-up, as OpenSBI leaves it for the next stage ---------------------------------------
# medeleg: instruction-address-misaligned, illegal instruction, breakpoint, ecall from U,
# and the three page faults go straight to S-mode (priv spec 3.1.8).
MEDELEG_BUILTIN = (
    (1 << L.EXC_INSN_MISALIGNED)
    | (1 << L.EXC_ILLEGAL)
    | (1 << L.EXC_BREAKPOINT)
    | (1 << L.EXC_ECALL_U)
    | (1 << L.EXC_INSN_PAGE)
    | (1 << L.EXC_LOAD_PAGE)
    | (1 << L.EXC_STORE_PAGE)
)
# with the hypervisor extension OpenSBI also delegates (sbi_hart.c, delegate_traps): ecall from
# VS, the three guest-page faults and virtual instruction, so an HS kernel handles its guests
MEDELEG_HEXT = (
    (1 << L.EXC_ECALL_VS)
    | (1 << L.EXC_INSN_GUEST_PAGE)
    | (1 << L.EXC_LOAD_GUEST_PAGE)
    | (1 << L.EXC_VIRTUAL_INSN)
    | (1 << L.EXC_STORE_GUEST_PAGE)
)
MIDELEG_BUILTIN = (1 << L.IRQ_SSI) | (1 << L.IRQ_STI) | (1 << L.IRQ_SEI)
MCOUNTEREN_BUILTIN = 0x7  # CY, TM, IR readable below M
SCOUNTEREN_BUILTIN = 0x7  # OpenSBI also opens them to U-mode (vDSO reads time)
MENVCFG_STCE = 1 << 63  # Sstc: S-mode may program stimecmp
PMPCFG_NAPOT_RWX = 0x1F  # A = NAPOT, R, W, X
PMPADDR_ALL = (1 << 54) - 1  # NAPOT region covering the whole physical address space
IRQ_BIT = 1 << 63


# runs whenever a 64-bit value is stored into the int64 state arrays
def _s64(v: int) -> int:
    """A 64-bit pattern as the signed value numpy int64 arrays hold."""
    v &= U64
    return v - (1 << 64) if v >> 63 else v


class Board(Protocol):
    """What the firmware needs from the board that owns the machine."""

    machine: Any

    # runs on console output calls
    def console_write(self, data: bytes) -> None: ...

    # runs on console input calls
    def console_read(self) -> int: ...

    # runs on shutdown/reset calls and when the firmware gives up
    def halt(self, reason: str, code: int) -> None: ...


@dataclass
class SbiStats:
    """Calls answered, per extension name, and traps redirected to S-mode."""

    calls: dict[str, int] = field(default_factory=dict)
    unsupported: int = 0
    redirected: int = 0


# runs for every call taking hart_mask/hart_mask_base (SBI v2.0 3.1 "Hart list parameter"),
# on the board and in the VMM: the hart indexes named, or None if any of them does not exist
def hart_list(mask: int, base: int, count: int) -> list[int] | None:
    if base == U64:  # hart_mask_base = -1: every available hart
        return list(range(count))
    targets = []
    mask &= U64
    bit = 0
    while mask:
        if mask & 1:
            hid = base + bit
            if hid >= count:
                return None
            targets.append(hid)
        mask >>= 1
        bit += 1
    return targets


# runs on a7 = BASE (chapter 4), on the board and in the VMM: (error, value) for function fid;
# ids are the hart's mvendorid, marchid and mimpid
def base_call(fid: int, a: list[int], ids: tuple[int, int, int]) -> tuple[int, int]:
    if fid == 0:
        return SBI_SUCCESS, SBI_SPEC_VERSION
    if fid == 1:
        return SBI_SUCCESS, SBI_IMPL_ID
    if fid == 2:
        return SBI_SUCCESS, SBI_IMPL_VERSION
    if fid == 3:
        return SBI_SUCCESS, 1 if a[0] in SUPPORTED_EXTENSIONS else 0
    if 4 <= fid <= 6:
        return SBI_SUCCESS, ids[fid - 4]
    return SBI_ERR_NOT_SUPPORTED, 0


DBCN_MAX = 1 << 16  # bytes one DBCN write or read moves at most (fewer than asked is allowed, 12.1)


# runs on a7 = SRST (chapter 10), on the board and in the VMM: (error, 0) for a bad call, else
# None after halt("poweroff" or "reset", exit code), the code 1 when the reason is a failure
def srst_call(fid: int, a: list[int], halt: Callable[[str, int], None]) -> tuple[int, int] | None:
    if fid != 0:
        return SBI_ERR_NOT_SUPPORTED, 0
    rtype, reason = a[0], a[1]
    reason_ok = reason <= SRST_REASON_FAILURE or 0xE0000000 <= reason <= 0xFFFFFFFF
    if rtype > SRST_WARM_REBOOT or not reason_ok:
        return SBI_ERR_INVALID_PARAM, 0
    halt("poweroff" if rtype == SRST_SHUTDOWN else "reset", 1 if reason == SRST_REASON_FAILURE else 0)
    return None


# runs on a7 = DBCN (chapter 12), on the board and in the VMM: console write, read and
# write_byte over `mem`; `read(n)` returns at most n bytes of console input, without waiting
def dbcn_call(fid: int, a: list[int], mem: PhysMemory, write: Callable[[bytes], None],
              read: Callable[[int], bytes]) -> tuple[int, int]:
    if fid == 2:
        write(bytes([a[0] & 0xFF]))
        return SBI_SUCCESS, 0
    if fid not in (0, 1):
        return SBI_ERR_NOT_SUPPORTED, 0
    n, lo, hi = a[0], a[1], a[2]
    if hi != 0 or not mem.in_ram(lo, n):  # the whole area named must be memory (12.1, 12.2)
        return SBI_ERR_INVALID_PARAM, 0
    n = min(n, DBCN_MAX)
    if fid == 0:
        write(mem.read_phys(lo, n))
        return SBI_SUCCESS, n
    got = read(n)
    if got:
        mem.write_phys(lo, got)
    return SBI_SUCCESS, len(got)


class SupervisorFault(Exception):
    """A supervisor memory access made by the firmware (or the VMM) on the supervisor's behalf
    failed: the legacy calls' hart-mask pointer does not translate or is not RAM."""

    # runs when read_u64_virt cannot load the word
    def __init__(self, cause: int, vaddr: int) -> None:
        super().__init__(cause, vaddr)
        self.cause = cause
        self.vaddr = vaddr


# runs when the firmware (satp) or the VMM (vsatp) reads supervisor memory by virtual address,
# for the legacy calls' hart masks
def read_u64_virt(mem: PhysMemory, satp: int, va: int) -> int:
    """Load 8 bytes as S-mode (or VS-mode) would under ``satp``: Bare, Sv39 or Sv48 (priv spec
    4.3.2's walk).  Raises ``SupervisorFault`` (load page fault or load access fault) so the
    caller can redirect it to the supervisor with sepc at the ecall (SBI "Legacy Extensions")."""
    satp &= U64
    va &= U64
    mode = satp >> 60
    if mode == 0:
        pa = va
    else:
        levels = {8: 3, 9: 4}.get(mode)
        if levels is None:
            raise SupervisorFault(L.EXC_LOAD_PAGE, va)
        vbits = 12 + 9 * levels
        top = va >> (vbits - 1)
        if top not in (0, (1 << (64 - vbits + 1)) - 1):  # not sign-extended: page fault
            raise SupervisorFault(L.EXC_LOAD_PAGE, va)
        table = (satp & PPN_MASK) << 12
        pa = -1
        for level in range(levels - 1, -1, -1):
            pte_addr = table + 8 * ((va >> (12 + 9 * level)) & 0x1FF)
            if not mem.in_ram(pte_addr, 8):
                raise SupervisorFault(L.EXC_LOAD_ACCESS, va)
            pte = mem.read_u64(pte_addr)
            valid, r, w, x = pte & 1, (pte >> 1) & 1, (pte >> 2) & 1, (pte >> 3) & 1
            if not valid or (w and not r):
                raise SupervisorFault(L.EXC_LOAD_PAGE, va)
            ppn = (pte >> 10) & PPN_MASK
            if r or x:
                span = 12 + 9 * level
                if not r or ppn & ((1 << (9 * level)) - 1):  # execute-only, or a misaligned superpage
                    raise SupervisorFault(L.EXC_LOAD_PAGE, va)
                pa = (ppn << 12) | (va & ((1 << span) - 1))
                break
            table = ppn << 12
        if pa < 0:
            raise SupervisorFault(L.EXC_LOAD_PAGE, va)
    if not mem.in_ram(pa, 8):
        raise SupervisorFault(L.EXC_LOAD_ACCESS, va)
    return mem.read_u64(pa)


class BuiltinFirmware:
    """SBI v2.0 at M-level for every hart of one board, answering engine exits."""

    name = "builtin"

    # runs when boot() selects the built-in firmware, once the kernel entry and FDT are known
    def __init__(self, entry: int = L.DRAM_BASE + 0x200000, fdt_addr: int = 0, boot_hart: int = 0) -> None:
        self.entry = entry
        self.fdt_addr = fdt_addr
        self.boot_hart = boot_hart
        self.stats = SbiStats()
        self.suspended: set[int] = set()  # harts in HSM retentive suspend (they sit in HART_WFI)
        self.fault: str | None = None  # why the firmware stopped the machine, if it did

    # ---- boot ---------------------------------------------------------------------------------
    # runs once at boot, after the kernel and FDT are in RAM: M-mode set-up of every hart
    def setup(self, board: Board) -> None:
        """Prepare M-level state as OpenSBI would and enter S-mode on the boot hart.

        The boot hart starts at ``self.entry`` with a0 = hartid, a1 = FDT
        address (the RISC-V Linux boot protocol); the other harts are left
        ``HART_STOPPED`` until an HSM ``hart_start`` (SBI v2.0, chapter 9).
        """
        m = board.machine
        self.suspended.clear()
        self.fault = None
        for h in range(m.nharts):
            self.init_hart(m, h)
            if h == self.boot_hart:
                self.enter_supervisor(m, h, self.entry, h, self.fdt_addr)
            else:
                m.hs[h, L.HS_STATE] = L.HART_STOPPED

    # runs at boot for each hart and again when HSM starts a stopped hart
    def init_hart(self, m: Any, h: int) -> None:
        """M-mode CSRs a hart needs before it may run S-mode code under this firmware.

        Delegation (priv spec 3.1.8), counter enables (3.1.11), menvcfg.STCE
        (Sstc), one PMP entry granting S/U all of memory (3.7) and HS_FIRMWARE
        so traps to M-mode exit to Python.
        """
        csr = m.csr
        hext = bool(int(csr[h, L.CSR_MISA]) & L.MISA_H)
        csr[h, L.CSR_MEDELEG] = MEDELEG_BUILTIN | (MEDELEG_HEXT if hext else 0)
        csr[h, L.CSR_MIDELEG] = MIDELEG_BUILTIN
        csr[h, L.CSR_MIE] = 0
        csr[h, L.CSR_MCOUNTEREN] = MCOUNTEREN_BUILTIN
        csr[h, L.CSR_SCOUNTEREN] = SCOUNTEREN_BUILTIN
        csr[h, L.CSR_MENVCFG] = _s64(MENVCFG_STCE)
        csr[h, L.CSR_STIMECMP] = -1  # no Sstc timer until S-mode programs one
        csr[h, L.CSR_PMPADDR0] = PMPADDR_ALL
        csr[h, L.CSR_PMPCFG0] = PMPCFG_NAPOT_RWX
        m.hs[h, L.HS_FIRMWARE] = 1
        m.hs[h, L.HS_SBI_TIMECMP] = -1  # all ones: never (the engine compares unsigned)

    # runs when a hart is handed to S-mode: at boot, on hart_start, on non-retentive resume
    def enter_supervisor(self, m: Any, h: int, pc: int, a0: int, a1: int) -> None:
        """Start S-mode at ``pc`` as an MRET from the firmware would (priv spec 3.3.2).

        After MRET: MPP = U, MPIE = 1, MIE = 0.  The kernel sees SIE = 0,
        SPP = 0, satp = 0 (SBI HSM "Hart Start Register State").
        """
        st = int(m.csr[h, L.CSR_MSTATUS]) & U64
        st &= ~(L.MSTATUS_MPP | L.MSTATUS_MIE | L.MSTATUS_SIE | L.MSTATUS_SPIE | L.MSTATUS_SPP
                | L.MSTATUS_MPRV | L.MSTATUS_TVM | L.MSTATUS_TW | L.MSTATUS_TSR) & U64
        st |= L.MSTATUS_MPIE
        m.csr[h, L.CSR_MSTATUS] = _s64(st)
        m.csr[h, L.CSR_SATP] = 0
        m.csr[h, L.CSR_STVEC] = 0
        m.hs[h, L.HS_PC] = _s64(pc)
        m.hs[h, L.HS_PRIV] = L.PRV_S
        m.hs[h, L.HS_V] = 0  # HS-mode (V=0) when the hypervisor extension is present
        m.hs[h, L.HS_RES_VALID] = 0
        m.hs[h, L.HS_STATE] = L.HART_RUNNING
        m.set_reg(h, 10, a0)
        m.set_reg(h, 11, a1)
        m.flush_tlb(h)
        m.wake(h)

    # ---- ecall from S-mode ----------------------------------------------------------------------
    # runs when the engine returns EXIT_SBI for hart h (pc is already past the ecall)
    def on_sbi(self, board: Board, h: int) -> None:
        """Dispatch one SBI call (SBI v2.0, "Binary Encoding") and write a0/a1."""
        m = board.machine
        eid = m.reg(h, 17)
        fid = m.reg(h, 16)
        args = [m.reg(h, 10 + i) for i in range(6)]
        if eid <= EXT_LEGACY_SHUTDOWN:
            self._count("legacy")
            try:
                ret = self._legacy(board, h, eid, args)
            except SupervisorFault as f:
                self._redirect_fault(board, h, f)
                return
            if ret is not None:
                m.set_reg(h, 10, ret)
            return
        handler = self._handlers.get(eid)
        if handler is None:
            self.stats.unsupported += 1
            self._ret(m, h, SBI_ERR_NOT_SUPPORTED, 0)
            return
        self._count(EXT_NAMES[eid])
        result = handler(self, board, h, fid, args)
        if result is not None:
            self._ret(m, h, *result)

    # runs on every call: per-extension statistics
    def _count(self, name: str) -> None:
        self.stats.calls[name] = self.stats.calls.get(name, 0) + 1

    # runs at the end of each SBI v0.2+ call: a0 = error, a1 = value
    @staticmethod
    def _ret(m: Any, h: int, error: int, value: int) -> None:
        m.set_reg(h, 10, error)
        m.set_reg(h, 11, value)

    # ---- BASE (SBI v2.0 chapter 4) ----------------------------------------------------------------
    # runs on ecall with a7 = 0x10
    def _base(self, board: Board, h: int, fid: int, a: list[int]) -> tuple[int, int]:
        """Spec/implementation versions, extension probing, machine ID registers."""
        c = board.machine.csr[h]
        return base_call(fid, a, (int(c[L.CSR_MVENDORID]), int(c[L.CSR_MARCHID]), int(c[L.CSR_MIMPID])))

    # ---- TIME (chapter 6) ---------------------------------------------------------------------------
    # runs on ecall with a7 = "TIME"
    def _time(self, board: Board, h: int, fid: int, a: list[int]) -> tuple[int, int]:
        if fid != 0:
            return SBI_ERR_NOT_SUPPORTED, 0
        self.set_timer(board.machine, h, a[0])
        return SBI_SUCCESS, 0

    # runs on TIME set_timer and legacy set_timer
    def set_timer(self, m: Any, h: int, stime_value: int) -> None:
        """Program the S-mode timer and clear the pending STIP (SBI v2.0 6.1).

        The engine raises STIP once mtime >= HS_SBI_TIMECMP (unsigned), so a
        deadline already in the past makes it pending again at once.
        """
        m.hs[h, L.HS_SBI_TIMECMP] = _s64(stime_value)
        m.set_mip(h, L.IRQ_STI, False)

    # ---- IPI (chapter 7) -------------------------------------------------------------------------------
    # runs on ecall with a7 = "sPI"
    def _ipi(self, board: Board, h: int, fid: int, a: list[int]) -> tuple[int, int]:
        if fid != 0:
            return SBI_ERR_NOT_SUPPORTED, 0
        targets = hart_list(a[0], a[1], board.machine.nharts)
        if targets is None:
            return SBI_ERR_INVALID_PARAM, 0
        for t in targets:
            board.machine.set_mip(t, L.IRQ_SSI, True)
        return SBI_SUCCESS, 0

    # ---- RFENCE (chapter 8) ---------------------------------------------------------------------------
    # runs on ecall with a7 = "RFNC"
    def _rfence(self, board: Board, h: int, fid: int, a: list[int]) -> tuple[int, int]:
        """remote fence.i / sfence.vma(_asid) / hfence.* on the harts in the mask.

        A fence here drops every cached translation and the fetch cache of the
        target, a superset of any address or ASID range asked for.
        """
        if fid > 6:
            return SBI_ERR_NOT_SUPPORTED, 0
        targets = hart_list(a[0], a[1], board.machine.nharts)
        if targets is None:
            return SBI_ERR_INVALID_PARAM, 0
        for t in targets:
            self._fence(board.machine, t)
        return SBI_SUCCESS, 0

    # runs for each target of a remote fence (fence.i, sfence.vma and hfence alike)
    @staticmethod
    def _fence(m: Any, t: int) -> None:
        m.flush_tlb(t)  # drops the translations and the fetch-page cache: enough for fence.i too

    # ---- HSM (chapter 9) ----------------------------------------------------------------------------------
    # runs on ecall with a7 = "HSM"
    def _hsm(self, board: Board, h: int, fid: int, a: list[int]) -> tuple[int, int] | None:
        m = board.machine
        if fid == 0:
            return self.hart_start(m, a[0], a[1], a[2])
        if fid == 1:
            return self.hart_stop(m, h)
        if fid == 2:
            return self.hart_get_status(m, a[0])
        if fid == 3:
            return self.hart_suspend(m, h, a[0], a[1], a[2])
        return SBI_ERR_NOT_SUPPORTED, 0

    # runs on HSM hart_start (SBI v2.0 9.1)
    def hart_start(self, m: Any, hartid: int, start_addr: int, opaque: int) -> tuple[int, int]:
        """Start a STOPPED hart in S-mode at start_addr with a0 = hartid, a1 = opaque."""
        if hartid >= m.nharts:
            return SBI_ERR_INVALID_PARAM, 0
        if self.hart_status(m, hartid) != HSM_STOPPED:
            return SBI_ERR_ALREADY_AVAILABLE, 0
        if not m.in_ram(start_addr, 4):
            return SBI_ERR_INVALID_ADDRESS, 0
        self.init_hart(m, hartid)
        self.enter_supervisor(m, hartid, start_addr, hartid, opaque)
        return SBI_SUCCESS, 0

    # runs on HSM hart_stop from the hart itself (9.2); does not return to the caller
    def hart_stop(self, m: Any, h: int) -> None:
        m.hs[h, L.HS_STATE] = L.HART_STOPPED
        self.suspended.discard(h)
        return None

    # runs on HSM hart_get_status (9.3)
    def hart_get_status(self, m: Any, hartid: int) -> tuple[int, int]:
        if hartid >= m.nharts:
            return SBI_ERR_INVALID_PARAM, 0
        return SBI_SUCCESS, self.hart_status(m, hartid)

    # runs whenever a hart's HSM state is needed: maps the scheduler's run state to HSM states
    def hart_status(self, m: Any, hartid: int) -> int:
        state = int(m.hs[hartid, L.HS_STATE])
        if state == L.HART_STOPPED:
            return HSM_STOPPED
        if state == L.HART_SUSPENDED or (state == L.HART_WFI and hartid in self.suspended):
            return HSM_SUSPENDED
        self.suspended.discard(hartid)
        return HSM_STARTED

    # runs on HSM hart_suspend from the hart itself (9.4)
    def hart_suspend(
        self, m: Any, h: int, stype: int, resume_addr: int, opaque: int
    ) -> tuple[int, int] | None:
        """Retentive suspend waits like WFI and returns success on wake-up; non-retentive
        suspend wakes at resume_addr in S-mode with a0 = hartid, a1 = opaque."""
        if stype == HSM_SUSPEND_RETENTIVE:
            m.hs[h, L.HS_STATE] = L.HART_WFI
            m.hs[h, L.HS_EVENT] = 1
            self.suspended.add(h)
            return SBI_SUCCESS, 0
        if stype == HSM_SUSPEND_NON_RETENTIVE:
            if not m.in_ram(resume_addr, 4):
                return SBI_ERR_INVALID_ADDRESS, 0
            self.enter_supervisor(m, h, resume_addr, h, opaque)
            m.hs[h, L.HS_STATE] = L.HART_WFI
            m.hs[h, L.HS_EVENT] = 1
            self.suspended.add(h)
            return None  # a0/a1 already hold the resume values
        return SBI_ERR_INVALID_PARAM, 0

    # ---- SRST (chapter 10) ------------------------------------------------------------------------------
    # runs on ecall with a7 = "SRST"
    def _srst(self, board: Board, h: int, fid: int, a: list[int]) -> tuple[int, int] | None:
        """system_reset(reset_type, reset_reason): shutdown, cold or warm reboot."""
        return srst_call(fid, a, board.halt)

    # ---- DBCN (chapter 12) ------------------------------------------------------------------------------
    # runs on ecall with a7 = "DBCN"
    def _dbcn(self, board: Board, h: int, fid: int, a: list[int]) -> tuple[int, int]:
        """Console write/read over physical memory, and write_byte."""

        # runs on a DBCN read: the console input there is now, up to n bytes
        def read(n: int) -> bytes:
            got = bytearray()
            while len(got) < n and (c := board.console_read()) >= 0:
                got.append(c & 0xFF)
            return bytes(got)

        return dbcn_call(fid, a, board.machine, board.console_write, read)

    _handlers = {
        EXT_BASE: _base,
        EXT_TIME: _time,
        EXT_IPI: _ipi,
        EXT_RFENCE: _rfence,
        EXT_HSM: _hsm,
        EXT_SRST: _srst,
        EXT_DBCN: _dbcn,
    }

    # ---- legacy extensions (chapter 5) -------------------------------------------------------------------
    # runs on ecall with a7 in 0x00-0x08; returns the new a0 or None when it must not be written
    def _legacy(self, board: Board, h: int, eid: int, a: list[int]) -> int | None:
        m = board.machine
        if eid == EXT_LEGACY_SET_TIMER:
            self.set_timer(m, h, a[0])
            return 0
        if eid == EXT_LEGACY_PUTCHAR:
            board.console_write(bytes([a[0] & 0xFF]))
            return 0
        if eid == EXT_LEGACY_GETCHAR:
            c = board.console_read()
            return c if c >= 0 else -1
        if eid == EXT_LEGACY_CLEAR_IPI:
            was = (int(m.csr[h, L.CSR_MIP]) >> L.IRQ_SSI) & 1
            m.set_mip(h, L.IRQ_SSI, False)
            return was
        if eid == EXT_LEGACY_SHUTDOWN:
            board.halt("poweroff", 0)
            return None
        # 0x04-0x07 take a pointer (a virtual address) to a hart mask in supervisor memory
        targets = self._legacy_mask(m, h, a[0])
        if eid == EXT_LEGACY_SEND_IPI:
            for t in targets:
                m.set_mip(t, L.IRQ_SSI, True)
        else:
            for t in targets:
                self._fence(m, t)
        return 0

    # runs on legacy IPI/fence calls: reads the unsigned-long hart mask array the pointer names
    def _legacy_mask(self, m: Any, h: int, ptr: int) -> list[int]:
        """A null pointer means every hart (as OpenSBI treats it); otherwise one
        word per 64 harts is read through the caller's address translation."""
        if ptr == 0:
            return list(range(m.nharts))
        targets = []
        for word in range((m.nharts + 63) // 64):
            mask = self.read_u64_virt(m, h, ptr + 8 * word)
            for bit in range(64):
                hid = word * 64 + bit
                if (mask >> bit) & 1 and hid < m.nharts:
                    targets.append(hid)
        return targets

    # runs when the firmware reads supervisor memory by virtual address (legacy hart masks)
    @staticmethod
    def read_u64_virt(m: Any, h: int, va: int) -> int:
        """Hart h's S-mode view (satp) of the word at va; raises ``SupervisorFault``."""
        return read_u64_virt(m, int(m.csr[h, L.CSR_SATP]), va)

    # runs when a legacy call faulted on supervisor memory: the fault is S-mode's (sepc = ecall)
    def _redirect_fault(self, board: Board, h: int, f: SupervisorFault) -> None:
        m = board.machine
        ecall_pc = (int(m.hs[h, L.HS_PC]) - 4) & U64
        self.redirect_trap(board, h, f.cause, f.vaddr, ecall_pc)

    # ---- traps that reached M-mode ----------------------------------------------------------------------
    # runs when the engine returns EXIT_TRAP for hart h
    def on_m_trap(self, board: Board, h: int) -> None:
        """Hand a trap the firmware does not handle to S-mode, as OpenSBI's
        sbi_trap_redirect does; stop the machine if S-mode cannot take it."""
        m = board.machine
        cause = int(m.hs[h, L.HS_EXIT_CAUSE]) & U64
        tval = int(m.hs[h, L.HS_EXIT_TVAL]) & U64
        pc = int(m.hs[h, L.HS_EXIT_PC]) & U64
        priv = int(m.hs[h, L.HS_PRIV])
        if cause & IRQ_BIT:
            irq = cause & ~IRQ_BIT
            name = L.IRQ_NAMES.get(irq, f"interrupt {irq}")
            self._stop(board, h, f"{name} interrupt reached M-mode (mie should keep it off)", pc, priv)
            return
        if priv == L.PRV_M:
            self._stop(board, h, f"{L.EXC_NAMES.get(cause, f'cause {cause}')} in M-mode", pc, priv)
            return
        self.redirect_trap(board, h, cause, tval, pc)

    # runs for each trap given back to S-mode (from on_m_trap and faulting legacy calls)
    def redirect_trap(self, board: Board, h: int, cause: int, tval: int, pc: int) -> None:
        """Trap entry into S-mode (priv spec 3.1.6.1 and 4.1.1): scause, sepc,
        stval; SPP = previous mode, SPIE = SIE, SIE = 0; pc = stvec.BASE."""
        m = board.machine
        priv = int(m.hs[h, L.HS_PRIV])
        if int(m.csr[h, L.CSR_MISA]) & L.MISA_H:
            self._redirect_hext(board, h, cause, tval, pc)
            return
        stvec = int(m.csr[h, L.CSR_STVEC]) & U64
        base = stvec & ~3 & U64
        if base == 0:
            what = L.EXC_NAMES.get(cause, f"exception cause {cause}")
            msg = f"{what} (tval {tval:#x}) with no S-mode trap handler (stvec = 0)"
            self._stop(board, h, msg, pc, priv)
            return
        st = int(m.csr[h, L.CSR_MSTATUS]) & U64
        spie = L.MSTATUS_SPIE if st & L.MSTATUS_SIE else 0
        st &= ~(L.MSTATUS_SPP | L.MSTATUS_SPIE | L.MSTATUS_SIE) & U64
        st |= spie | (L.MSTATUS_SPP if priv == L.PRV_S else 0)
        m.csr[h, L.CSR_MSTATUS] = _s64(st)
        m.csr[h, L.CSR_SCAUSE] = _s64(cause)
        m.csr[h, L.CSR_SEPC] = _s64(pc)
        m.csr[h, L.CSR_STVAL] = _s64(tval)
        if priv != L.PRV_S:
            m.cnt[h, L.CNT_PRIV_SWITCH] += 1
        m.hs[h, L.HS_PRIV] = L.PRV_S
        m.hs[h, L.HS_PC] = _s64(base)  # exceptions always go to BASE, also in vectored mode
        self.stats.redirected += 1

    # runs for each trap given back below M on a hart with the hypervisor extension
    def _redirect_hext(self, board: Board, h: int, cause: int, tval: int, pc: int) -> None:
        """As OpenSBI's sbi_trap_redirect with H: to VS when the trap came from V=1 and hedeleg
        has its bit, else to HS with hstatus.SPV/SPVP/GVA, htval and htinst (priv spec,
        Hypervisor chapter, "Trap Entry").  The engine's trap entry does the work, as though
        medeleg delegated the cause."""
        from rvisor.hw.trap import take_trap

        m = board.machine
        priv = int(m.hs[h, L.HS_PRIV])
        virt = int(m.hs[h, L.HS_V])
        to_vs = virt and (int(m.csr[h, L.CSR_HEDELEG]) >> cause) & 1
        tvec = int(m.csr[h, L.CSR_VSTVEC if to_vs else L.CSR_STVEC]) & ~3 & U64
        if tvec == 0:
            what = L.EXC_NAMES.get(cause, f"exception cause {cause}")
            where = "VS-mode trap handler (vstvec" if to_vs else "S-mode trap handler (stvec"
            self._stop(board, h, f"{what} (tval {tval:#x}) with no {where} = 0)", pc, priv)
            return
        medeleg = int(m.csr[h, L.CSR_MEDELEG])
        m.csr[h, L.CSR_MEDELEG] = medeleg | (1 << cause)
        try:
            npc = int(take_trap(h, cause, _s64(tval), _s64(pc), False, m.csr, m.hs, m.cnt))
        finally:
            m.csr[h, L.CSR_MEDELEG] = medeleg
        if cause < L.CNT_IRQ - L.CNT_EXC:
            m.cnt[h, L.CNT_EXC + cause] -= 1  # counted once already, when it reached M-mode
        m.hs[h, L.HS_PC] = _s64(npc)  # exceptions go to BASE, also in vectored mode
        self.stats.redirected += 1

    # runs when the firmware cannot continue a hart: records why and halts the board
    def _stop(self, board: Board, h: int, what: str, pc: int, priv: int) -> None:
        mode = {L.PRV_U: "U", L.PRV_S: "S", L.PRV_M: "M"}.get(priv, str(priv))
        self.fault = f"hart {h}: {what} at pc {pc:#x} in {mode}-mode"
        log.error("built-in firmware: %s", self.fault)
        board.halt("fail", 1)
