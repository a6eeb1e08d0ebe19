"""SBI for guests: the VMM answers a guest kernel's ``ecall`` from VS-mode (cause 10).

Calling convention (SBI v2.0, chapter "Binary Encoding"): a7 = EID, a6 = FID, a0-a5 the
arguments; a0 returns the error, a1 the value; the legacy extensions (chapter 5) return only a0.
The engine reports the ecall as EXIT_HS_TRAP with pc at the ecall; the VMM moves pc past it.

Extensions, per VM (a guest's hart ids are its vCPU indexes):

* BASE; TIME (set_timer programs the vCPU's vstimecmp, Sstc); IPI (VSSIP in the targets' hvip);
  RFENCE fence.i and sfence.vma (the targets' cached translations are dropped: a superset of
  every range asked for);
  HSM (start, stop, status, retentive and non-retentive suspend of this VM's vCPUs); SRST
  (shutdown stops this VM only, reboot restarts it); DBCN over guest-physical memory;
* the legacy calls 0x00-0x08 (set_timer, console putchar/getchar, clear/send IPI, remote fences
  with a hart-mask pointer read through the guest's own VS-stage translation, shutdown).

Constants (extension IDs, error codes, HSM states, version) are the built-in firmware's
(``rvisor.boot.sbi``), and so are the BASE, SRST and DBCN calls, hart-list decoding and the walk
that reads a hart mask by virtual address (``base_call``, ``srst_call``, ``dbcn_call``,
``hart_list``, ``read_u64_virt``): only what differs for a VM is here.  Guest arguments never
raise: bad ones get SBI_ERR_INVALID_PARAM or SBI_ERR_INVALID_ADDRESS, unknown calls
SBI_ERR_NOT_SUPPORTED.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rvisor.boot.sbi import (
    SupervisorFault,
    base_call,
    dbcn_call,
    hart_list,
    read_u64_virt,
    srst_call,
    EXT_BASE,
    EXT_DBCN,
    EXT_HSM,
    EXT_IPI,
    EXT_LEGACY_CLEAR_IPI,
    EXT_LEGACY_GETCHAR,
    EXT_LEGACY_PUTCHAR,
    EXT_LEGACY_SEND_IPI,
    EXT_LEGACY_SET_TIMER,
    EXT_LEGACY_SHUTDOWN,
    EXT_NAMES,
    EXT_RFENCE,
    EXT_SRST,
    EXT_TIME,
    HSM_STARTED,
    HSM_STOPPED,
    HSM_SUSPEND_NON_RETENTIVE,
    HSM_SUSPEND_RETENTIVE,
    HSM_SUSPENDED,
    SBI_ERR_ALREADY_AVAILABLE,
    SBI_ERR_INVALID_ADDRESS,
    SBI_ERR_INVALID_PARAM,
    SBI_ERR_NOT_SUPPORTED,
    SBI_SUCCESS,
)
from rvisor.hw import layout as L
from rvisor.vmm.memory import s64
from rvisor.vmm.vcpu import MIP_VSSIP, VCpu, VCpuState

if TYPE_CHECKING:
    from rvisor.vmm.vm import VM

U64 = (1 << 64) - 1


class GuestSbi:
    """SBI v2.0 for the vCPUs of one VM."""

    # runs once per VM
    def __init__(self, vm: VM) -> None:
        self.vm = vm
        self.calls: dict[str, int] = {}
        self.unsupported = 0

    # runs on every ecall from VS-mode (EXIT_HS_TRAP cause 10) of vCPU `vcpu` loaded on hart h
    def handle(self, vcpu: VCpu, h: int) -> None:
        """Dispatch one call; unless the call ends or moves the vCPU, pc goes past the ecall."""
        m = self.vm.machine
        x = m.x
        eid = int(x[h, 17]) & U64
        fid = int(x[h, 16]) & U64
        args = [int(x[h, 10 + i]) & U64 for i in range(6)]
        m.hs[h, L.HS_PC] = s64(int(m.hs[h, L.HS_PC]) + 4)
        name = EXT_NAMES.get(eid)
        if name is None:
            self.unsupported += 1
            self.calls["unsupported"] = self.calls.get("unsupported", 0) + 1
            self._ret(h, SBI_ERR_NOT_SUPPORTED, 0)
            return
        self.calls[name] = self.calls.get(name, 0) + 1
        if eid <= EXT_LEGACY_SHUTDOWN:
            try:
                ret = self._legacy(vcpu, h, eid, args)
            except SupervisorFault as f:
                m.hs[h, L.HS_PC] = s64(int(m.hs[h, L.HS_PC]) - 4)
                self.vm.inject_exception(h, f.cause, f.vaddr)
                return
            if ret is not None:
                m.set_reg(h, 10, ret)
            return
        handler = self._handlers[eid]
        result = handler(self, vcpu, h, fid, args)
        if result is not None:
            self._ret(h, *result)

    # runs at the end of each SBI v0.2+ call: a0 = error, a1 = value
    def _ret(self, h: int, error: int, value: int) -> None:
        m = self.vm.machine
        m.set_reg(h, 10, error)
        m.set_reg(h, 11, value)

    # ---- BASE -------------------------------------------------------------------------------------
    # runs on a7 = 0x10 (SBI v2.0 chapter 4)
    def _base(self, vcpu: VCpu, h: int, fid: int, a: list[int]) -> tuple[int, int]:
        return base_call(fid, a, (0, 0, 0))  # mvendorid, marchid, mimpid of the virtual hart

    # ---- TIME -------------------------------------------------------------------------------------
    # runs on a7 = "TIME" (chapter 6)
    def _time(self, vcpu: VCpu, h: int, fid: int, a: list[int]) -> tuple[int, int]:
        if fid != 0:
            return SBI_ERR_NOT_SUPPORTED, 0
        self.set_timer(h, a[0])
        return SBI_SUCCESS, 0

    # runs on TIME set_timer and legacy set_timer: the deadline in guest time is vstimecmp (Sstc)
    def set_timer(self, h: int, stime_value: int) -> None:
        """VSTIP is pending while time + htimedelta >= vstimecmp, so a new deadline in the
        future clears the pending timer interrupt (SBI v2.0 6.1)."""
        m = self.vm.machine
        m.csr[h, L.CSR_VSTIMECMP] = s64(stime_value)
        m.hs[h, L.HS_EVENT] = 1

    # ---- IPI --------------------------------------------------------------------------------------
    # runs on a7 = "sPI" (chapter 7)
    def _ipi(self, vcpu: VCpu, h: int, fid: int, a: list[int]) -> tuple[int, int]:
        if fid != 0:
            return SBI_ERR_NOT_SUPPORTED, 0
        targets = self.targets(a[0], a[1])
        if targets is None:
            return SBI_ERR_INVALID_PARAM, 0
        for t in targets:
            self.vm.raise_ipi(t)
        return SBI_SUCCESS, 0

    # runs for every call taking hart_mask/hart_mask_base: the vCPUs named, or None if one is missing
    def targets(self, mask: int, base: int) -> list[VCpu] | None:
        found = hart_list(mask, base, len(self.vm.vcpus))
        return None if found is None else [self.vm.vcpus[i] for i in found]

    # ---- RFENCE -----------------------------------------------------------------------------------
    # runs on a7 = "RFNC" (chapter 8)
    def _rfence(self, vcpu: VCpu, h: int, fid: int, a: list[int]) -> tuple[int, int]:
        """remote fence.i and sfence.vma(_asid): every cached translation and the fetch cache of
        each target go, a superset of the range asked for.  The hfence calls (3-6) are for
        hypervisors; a guest's harts have no H extension, so they are not supported (as KVM)."""
        if fid > 2:
            return SBI_ERR_NOT_SUPPORTED, 0
        targets = self.targets(a[0], a[1])
        if targets is None:
            return SBI_ERR_INVALID_PARAM, 0
        for t in targets:
            self.vm.fence(t)
        return SBI_SUCCESS, 0

    # ---- HSM --------------------------------------------------------------------------------------
    # runs on a7 = "HSM" (chapter 9)
    def _hsm(self, vcpu: VCpu, h: int, fid: int, a: list[int]) -> tuple[int, int] | None:
        vcpus = self.vm.vcpus
        if fid == 0:  # hart_start(hartid, start_addr, opaque)
            if a[0] >= len(vcpus):
                return SBI_ERR_INVALID_PARAM, 0
            target = vcpus[a[0]]
            if target.state != VCpuState.STOPPED:
                return SBI_ERR_ALREADY_AVAILABLE, 0
            if not self.vm.memory.in_ram(a[1], 4):
                return SBI_ERR_INVALID_ADDRESS, 0
            self.vm.start_vcpu(target, a[1], a[2])
            return SBI_SUCCESS, 0
        if fid == 1:  # hart_stop: does not return
            self.vm.stop_vcpu(vcpu)
            return None
        if fid == 2:  # hart_get_status(hartid)
            if a[0] >= len(vcpus):
                return SBI_ERR_INVALID_PARAM, 0
            t = vcpus[a[0]]
            if t.state == VCpuState.STOPPED:
                return SBI_SUCCESS, HSM_STOPPED
            return SBI_SUCCESS, HSM_SUSPENDED if t.suspended else HSM_STARTED
        if fid == 3:  # hart_suspend(type, resume_addr, opaque)
            stype = a[0]
            if stype == HSM_SUSPEND_RETENTIVE:
                self._ret(h, SBI_SUCCESS, 0)  # what the call returns once the vCPU wakes
                self.vm.park(vcpu, suspended=True)
                return None
            if stype == HSM_SUSPEND_NON_RETENTIVE:
                if not self.vm.memory.in_ram(a[1], 4):
                    return SBI_ERR_INVALID_ADDRESS, 0
                self.vm.resume_at(vcpu, h, a[1], a[2])
                return None
            return SBI_ERR_INVALID_PARAM, 0
        return SBI_ERR_NOT_SUPPORTED, 0

    # ---- SRST -------------------------------------------------------------------------------------
    # runs on a7 = "SRST" (chapter 10): this VM only
    def _srst(self, vcpu: VCpu, h: int, fid: int, a: list[int]) -> tuple[int, int] | None:
        return srst_call(fid, a, self.vm.guest_halt)

    # ---- DBCN -------------------------------------------------------------------------------------
    # runs on a7 = "DBCN" (chapter 12): console over guest-physical memory
    def _dbcn(self, vcpu: VCpu, h: int, fid: int, a: list[int]) -> tuple[int, int]:
        return dbcn_call(fid, a, self.vm.memory, self.vm.console_write, self.vm.console.read)

    _handlers: dict[int, Callable[..., tuple[int, int] | None]] = {
        EXT_BASE: _base,
        EXT_TIME: _time,
        EXT_IPI: _ipi,
        EXT_RFENCE: _rfence,
        EXT_HSM: _hsm,
        EXT_SRST: _srst,
        EXT_DBCN: _dbcn,
    }

    # ---- legacy (chapter 5) ---------------------------------------------------------------------------
    # runs on a7 in 0x00-0x08; returns the new a0, or None when a0 must not be written
    def _legacy(self, vcpu: VCpu, h: int, eid: int, a: list[int]) -> int | None:
        m = self.vm.machine
        if eid == EXT_LEGACY_SET_TIMER:
            self.set_timer(h, a[0])
            return 0
        if eid == EXT_LEGACY_PUTCHAR:
            self.vm.console_write(bytes([a[0] & 0xFF]))
            return 0
        if eid == EXT_LEGACY_GETCHAR:
            got = self.vm.console.read(1)
            return got[0] if got else -1
        if eid == EXT_LEGACY_CLEAR_IPI:
            was = (int(m.csr[h, L.CSR_MIP]) >> L.IRQ_VSSI) & 1
            vcpu.set_hvip(m, MIP_VSSIP, False)
            return was
        if eid == EXT_LEGACY_SHUTDOWN:
            self.vm.guest_halt("poweroff", 0)
            return None
        targets = self._legacy_mask(h, a[0])
        for t in targets:
            if eid == EXT_LEGACY_SEND_IPI:
                self.vm.raise_ipi(t)
            else:
                self.vm.fence(t)
        return 0

    # runs on legacy IPI/fence calls: the unsigned-long hart mask the pointer names (null: all)
    def _legacy_mask(self, h: int, ptr: int) -> list[VCpu]:
        vcpus = self.vm.vcpus
        if ptr == 0:
            return list(vcpus)
        out = []
        for word in range((len(vcpus) + 63) // 64):
            mask = self.read_u64_virt(h, ptr + 8 * word)
            for bit in range(64):
                i = word * 64 + bit
                if (mask >> bit) & 1 and i < len(vcpus):
                    out.append(vcpus[i])
        return out

    # runs when the VMM reads guest memory by guest virtual address (legacy hart masks)
    def read_u64_virt(self, h: int, va: int) -> int:
        """The word at va as VS-mode sees it (vsatp over the VM's guest-physical memory);
        raises ``SupervisorFault``."""
        return read_u64_virt(self.vm.memory, int(self.vm.machine.csr[h, L.CSR_VSATP]), va)
