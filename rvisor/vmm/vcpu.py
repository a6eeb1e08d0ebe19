"""A virtual hart: its architectural state while it is off a physical hart, and its run state.

A ``VCpu`` keeps copies of the engine's per-hart rows (``x``, ``f``, ``csr`` — all 4096 slots,
VS CSRs, hvip and vstimecmp included — ``hs`` and ``cnt``), each as a one-row array so that the
engine's helpers (indexed ``[h, ...]``) work on them with ``h = 0``.  ``load`` copies them onto a
physical hart, ``save`` back.

The hart set-up is what a hypervisor leaves for a guest in VS mode (priv spec, Hypervisor
chapter): every exception a guest can raise from V=1 is delegated past M (medeleg), the ones a
guest kernel handles itself go on to VS (hedeleg, as KVM: misaligned fetch, illegal instruction,
breakpoint, ecall from U, page faults); the VS-level interrupts are delegated to VS (hideleg) and
are the only ones enabled (mie); Sstc is on for VS (menvcfg.STCE, henvcfg.STCE: vstimecmp raises
VSTIP with no exit); the counters are readable (mcounteren, hcounteren).  HS_VMM makes a trap that
targets HS leave the engine (EXIT_HS_TRAP) for the VMM.
"""

from __future__ import annotations

import enum

import numpy as np

from rvisor.boot.sbi import MCOUNTEREN_BUILTIN, MEDELEG_BUILTIN, MIDELEG_BUILTIN
from rvisor.hw import layout as L
from rvisor.hw.csr import MEDELEG_H, MEDELEG_MASK, reset_csrs
from rvisor.hw.hcsr import MIP_VS
from rvisor.hw.machine import Machine
from rvisor.hw.tlb import N_CTX, TLB_SHAPE
from rvisor.vmm.memory import s64

# hedeleg as KVM sets it (arch/riscv/kvm/main.c, KVM_HEDELEG_DEFAULT, with illegal instruction):
# the same causes the built-in firmware hands to S-mode on the bare board
HEDELEG_GUEST = MEDELEG_BUILTIN
MEDELEG_GUEST = MEDELEG_MASK | MEDELEG_H  # nothing a guest raises from V=1 reaches M
HIDELEG_GUEST = MIP_VS  # VSSIP, VSTIP, VSEIP go to VS
MIDELEG_GUEST = MIDELEG_BUILTIN
MIE_GUEST = MIP_VS  # only the VS-level interrupts are enabled: none ever targets HS or M
COUNTERS = MCOUNTEREN_BUILTIN  # CY, TM, IR
STCE = -(1 << 63)
NEVER = 0x7FFFFFFFFFFFFFFF
U64 = (1 << 64) - 1
# hs slots that belong to the physical hart, not to the vCPU on it: the TLB's context table
# (its entries are tagged with these slots' indices) and the translation key of the last run
HART_OWN = np.array([L.HS_TLB_KEY, L.HS_CTX_HOST, L.HS_CTX_GUEST, L.HS_CTX_NEXT_HOST, L.HS_CTX_NEXT_GUEST]
                    + list(range(L.HS_CTX, L.HS_CTX + 2 * N_CTX)))
MIP_VSSIP = 1 << L.IRQ_VSSI
MIP_VSTIP = 1 << L.IRQ_VSTI
MIP_VSEIP = 1 << L.IRQ_VSEI


class VCpuState(enum.Enum):
    """Run state of a vCPU as the scheduler sees it."""

    RUNNABLE = "runnable"
    WFI = "wfi"  # parked in WFI (or an HSM retentive suspend) until an interrupt is pending
    STOPPED = "stopped"  # SBI HSM: not started, or stopped itself


class VCpu:
    """Architectural state of one virtual hart of a VM."""

    # runs once per vCPU when its VM is created
    def __init__(self, index: int) -> None:
        self.index = index
        self.x = np.zeros((1, 32), dtype=np.int64)
        self.f = np.zeros((1, 32), dtype=np.int64)
        self.csr = np.zeros((1, 4096), dtype=np.int64)
        self.hs = np.zeros((1, L.HS_SIZE), dtype=np.int64)
        self.cnt = np.zeros((1, L.CNT_SIZE), dtype=np.int64)
        self.state = VCpuState.STOPPED
        self.suspended = False  # in an HSM retentive suspend: a0 = SBI_SUCCESS is already written
        self.hart: int | None = None  # the physical hart it is loaded on
        self.flush_pending = False  # a remote fence asked for its cached translations to go

    # ---- where the live state is ----------------------------------------------------------------
    # runs whenever the VMM reads or writes a vCPU's registers: the rows in use and their index
    def live(self, machine: Machine) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
        """(x, f, csr, hs, h): the machine's rows while loaded on hart h, else this vCPU's copies."""
        if self.hart is not None:
            return machine.x, machine.f, machine.csr, machine.hs, self.hart
        return self.x, self.f, self.csr, self.hs, 0

    # runs when the vCPU is put on a physical hart for a slice
    def load(self, machine: Machine, h: int) -> None:
        machine.x[h] = self.x[0]
        machine.f[h] = self.f[0]
        machine.csr[h] = self.csr[0]
        keep = machine.hs[h, HART_OWN].copy()  # the hart's TLB context table stays with its TLB
        machine.hs[h] = self.hs[0]
        machine.hs[h, HART_OWN] = keep
        machine.hs[h, L.HS_FETCH_PAGE] = -1
        machine.cnt[h] = self.cnt[0]
        machine.hs[h, L.HS_EVENT] = 1  # re-check interrupts at once (hvip may have changed)
        self.hart = h

    # runs when the vCPU leaves its hart at the end of a slice
    def save(self, machine: Machine, h: int) -> None:
        self.x[0] = machine.x[h]
        self.f[0] = machine.f[h]
        self.csr[0] = machine.csr[h]
        self.hs[0] = machine.hs[h]
        self.cnt[0] = machine.cnt[h]
        self.hart = None

    # ---- reset ------------------------------------------------------------------------------------
    # runs at VM start and reboot for every vCPU, and on HSM hart_start / non-retentive resume
    def reset(self, hgatp: int, htimedelta: int, pc: int, a0: int, a1: int, running: bool) -> None:
        """The SBI boot protocol (SBI v2.0, HSM "Hart Start Register State", and the RISC-V Linux
        boot protocol): V=1, S-mode at ``pc``, a0 and a1 as given, vsatp = 0, vsstatus.SIE = 0."""
        keep_cnt = self.cnt.copy()
        self.x[:] = 0
        self.f[:] = 0
        self.hs[:] = 0
        row = self.csr[0]
        reset_csrs(row, self.index, True)
        row[L.CSR_MEDELEG] = MEDELEG_GUEST
        row[L.CSR_MIDELEG] = MIDELEG_GUEST
        row[L.CSR_HEDELEG] = HEDELEG_GUEST
        row[L.CSR_HIDELEG] = HIDELEG_GUEST
        row[L.CSR_MIE] = MIE_GUEST
        row[L.CSR_MCOUNTEREN] = COUNTERS
        row[L.CSR_HCOUNTEREN] = COUNTERS
        row[L.CSR_SCOUNTEREN] = COUNTERS  # as OpenSBI leaves it: U-mode reads time (vDSO)
        row[L.CSR_MENVCFG] = STCE
        row[L.CSR_HENVCFG] = STCE
        row[L.CSR_MSTATUS] = int(row[L.CSR_MSTATUS]) | L.MSTATUS_FS | L.MSTATUS_SD
        row[L.CSR_HGATP] = hgatp
        row[L.CSR_HTIMEDELTA] = htimedelta
        row[L.CSR_VSTIMECMP] = -1  # all ones: no timer until the guest programs one
        row[L.CSR_STIMECMP] = -1
        row[L.CSR_VSATP] = 0
        row[L.CSR_VSTVEC] = 0
        hs = self.hs[0]
        hs[L.HS_PC] = s64(pc)
        hs[L.HS_PRIV] = L.PRV_S
        hs[L.HS_V] = 1
        hs[L.HS_VMM] = 1
        hs[L.HS_FIRMWARE] = 0
        hs[L.HS_HARTID] = self.index
        hs[L.HS_MTIMECMP] = NEVER
        hs[L.HS_SBI_TIMECMP] = NEVER
        hs[L.HS_FETCH_PAGE] = -1
        hs[L.HS_EVENT] = 1
        self.x[0, 10] = s64(a0)
        self.x[0, 11] = s64(a1)
        self.cnt[:] = keep_cnt
        self.suspended = False
        self.flush_pending = True
        self.state = VCpuState.RUNNABLE if running else VCpuState.STOPPED
        hs[L.HS_STATE] = L.HART_RUNNING if running else L.HART_STOPPED

    # ---- interrupts ---------------------------------------------------------------------------------
    # runs when a VS-level interrupt is injected or withdrawn (PLIC output, SBI IPI): hvip, where it lives
    def set_hvip(self, machine: Machine, bit: int, level: bool) -> None:
        """hvip is stored in the VS bits of the mip slot (rvisor.hw.hcsr); the change takes effect
        whether the vCPU is on a hart (its row there) or not (its saved copy)."""
        _, _, csr, hs, h = self.live(machine)
        if level:
            csr[h, L.CSR_MIP] |= bit
        else:
            csr[h, L.CSR_MIP] &= ~bit
        hs[h, L.HS_EVENT] = 1

    # runs when the scheduler asks whether a parked vCPU may run: an enabled interrupt pending?
    def wake_pending(self, machine: Machine, mtime: int) -> bool:
        """WFI ends when mip & mie != 0, whatever the global enables (priv spec 3.3.3)."""
        _, _, csr, _, h = self.live(machine)
        pend = int(csr[h, L.CSR_MIP]) & MIP_VS
        if ((mtime + int(csr[h, L.CSR_HTIMEDELTA])) & U64) >= (int(csr[h, L.CSR_VSTIMECMP]) & U64):
            pend |= MIP_VSTIP
        return bool(pend & int(csr[h, L.CSR_MIE]))

    # runs when the scheduler needs a parked vCPU's timer deadline in host mtime ticks, or None
    def deadline(self, machine: Machine) -> int | None:
        _, _, csr, _, h = self.live(machine)
        cmp = int(csr[h, L.CSR_VSTIMECMP]) & U64
        if cmp == U64 or not int(csr[h, L.CSR_MIE]) & MIP_VSTIP:
            return None
        d = (cmp - int(csr[h, L.CSR_HTIMEDELTA])) & U64
        return None if d >> 62 else d

    # runs for stats: this vCPU's counters, wherever they are
    def counters(self, machine: Machine) -> np.ndarray:
        return machine.cnt[self.hart] if self.hart is not None else self.cnt[0]

    # runs for stats: the host bytes its state takes
    @property
    def state_bytes(self) -> int:
        return (
            self.x.nbytes + self.f.nbytes + self.csr.nbytes + self.hs.nbytes + self.cnt.nbytes
            + int(np.prod(TLB_SHAPE)) * 8
        )
