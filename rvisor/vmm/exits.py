"""What the VMM does with each engine exit of a vCPU (the HS-mode role, in Python).

``handle_exit`` runs after every ``rvisor.hw.engine.run`` of a loaded vCPU and returns whether
the vCPU keeps running in this slice.  By exit reason:

* ``EXIT_HS_TRAP`` (a trap from V=1 that targets HS, priv spec Hypervisor chapter "Trap
  Entry", with nothing changed and pc at the trapping instruction), by cause:

  - 10, ecall from VS: an SBI call (``rvisor.vmm.sbi``);
  - 20/21/23, guest-page faults: the guest-physical address is ``htval << 2 | stval[1:0]``
    ("hypervisor trap value register"). In the VM's RAM a zeroed host frame is mapped and the
    access retried; in a device window the access is emulated from the transformed instruction
    in htinst ("Transformed Instruction or Pseudoinstruction": funct3 gives size and sign, rd
    the destination of a load, rs2 the source of a store, bit 1 clear a compressed original)
    and pc moves past it; anywhere else the VM is stopped with a report;
  - 22, virtual instruction: an illegal-instruction exception is injected into the guest;
  - 4/6, misaligned LR/SC/AMO: injected into the guest as they are;
  - anything else stops the VM with a report.

* ``EXIT_WFI``: the vCPU parks until an interrupt is pending for it; ``EXIT_YIELD``: the slice
  ends when another vCPU of the VM can run; ``EXIT_BUDGET``: the slice ends; ``EXIT_FATAL`` and
  any exit a VS guest cannot cause stop the VM with a report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rvisor.hw import layout as L
from rvisor.hw.bus import Device
from rvisor.vmm.memory import HostMemoryExhausted, s64
from rvisor.vmm.vcpu import VCpu, VCpuState

if TYPE_CHECKING:
    from rvisor.vmm.vm import VM

U64 = (1 << 64) - 1
IRQ_BIT = 1 << 63
TINST_PTE_READ = 0x3000
TINST_PTE_WRITE = 0x3020


# runs after every engine run of a loaded vCPU: True when the vCPU keeps running in this slice
def handle_exit(vm: VM, vcpu: VCpu, h: int, reason: int) -> bool:
    m = vm.machine
    if reason == L.EXIT_BUDGET:
        return False
    if reason == L.EXIT_HS_TRAP:
        return _hs_trap(vm, vcpu, h)
    if reason == L.EXIT_WFI:
        vm.count_exit("wfi")
        if vcpu.wake_pending(m, vm.host.mtime_now()):
            return True
        vm.park(vcpu)
        return False
    if reason == L.EXIT_YIELD:
        vm.count_exit("yield")
        return not vm.other_runnable(vcpu)
    if reason == L.EXIT_FATAL:
        vm.count_exit("fatal")
        vm.fail("fault", f"emulator fault in the guest: {vm.describe_pc(h)}")
        return False
    name = L.EXIT_NAMES.get(reason, f"exit {reason}")
    vm.count_exit(name)
    vm.fail("fault", f"unexpected engine exit {name!r} from a guest: {vm.describe_pc(h)}")
    return False


# runs on EXIT_HS_TRAP: dispatch by scause
def _hs_trap(vm: VM, vcpu: VCpu, h: int) -> bool:
    m = vm.machine
    row = m.hs[h].tolist()  # the exit's details at once: one call instead of a numpy read per slot
    cause = row[L.HS_EXIT_CAUSE] & U64
    if cause & IRQ_BIT:
        vm.count_exit("interrupt")
        irq = cause & ~IRQ_BIT
        vm.fail("fault", f"{L.IRQ_NAMES.get(irq, f'interrupt {irq}')} interrupt reached the VMM"
                         f" (mie enables only VS-level ones): {vm.describe_pc(h)}")
        return False
    if cause == L.EXC_ECALL_VS:
        vm.count_exit("sbi")
        vm.sbi.handle(vcpu, h)
        return vm.is_running and vcpu.state == VCpuState.RUNNABLE and vcpu.hart is not None
    if cause in (L.EXC_INSN_GUEST_PAGE, L.EXC_LOAD_GUEST_PAGE, L.EXC_STORE_GUEST_PAGE):
        return _guest_page_fault(vm, vcpu, h, cause, row)
    if cause == L.EXC_VIRTUAL_INSN:
        vm.count_exit("virtual_instruction")
        tval = int(m.hs[h, L.HS_EXIT_TVAL])
        return vm.inject_exception(h, L.EXC_ILLEGAL, tval, counted=L.EXC_VIRTUAL_INSN)
    if cause in (L.EXC_LOAD_MISALIGNED, L.EXC_STORE_MISALIGNED):
        vm.count_exit("misaligned")
        return vm.inject_exception(h, cause, int(m.hs[h, L.HS_EXIT_TVAL]), counted=cause)
    vm.count_exit("other_trap")
    what = L.EXC_NAMES.get(cause, f"exception cause {cause}")
    tval = int(m.hs[h, L.HS_EXIT_TVAL]) & U64
    vm.fail("fault", f"guest raised {what} (tval {tval:#x}) that the VMM does not handle:"
                     f" {vm.describe_pc(h)}")
    return False


# runs on guest-page faults (causes 20, 21, 23): map RAM on first touch, emulate devices
def _guest_page_fault(vm: VM, vcpu: VCpu, h: int, cause: int, row: list[int]) -> bool:
    m = vm.machine
    gpa = ((row[L.HS_GPA] << 2) | (row[L.HS_EXIT_TVAL] & 3)) & U64
    tinst = row[L.HS_TINST] & 0xFFFFFFFF
    pc = row[L.HS_PC] & U64
    if vm.memory.in_ram(gpa, 1):
        vm.count_exit("guest_page_fault")
        try:
            vm.memory.map_page(gpa)
        except HostMemoryExhausted as e:
            vm.out_of_memory(f"{e}; the VM was paused at pc {pc:#x} needing guest page {gpa & ~0xFFF:#x}")
            return False
        vm.memory.stats.guest_page_faults += 1
        m.cnt[h, L.CNT_EXC + cause] -= 1  # a page mapped on first touch is no guest-visible trap
        return True
    dev = vm.devices.bus.find(gpa)
    if dev is None or cause == L.EXC_INSN_GUEST_PAGE or tinst in (TINST_PTE_READ, TINST_PTE_WRITE):
        vm.count_exit("unmapped_access")
        kind = {L.EXC_INSN_GUEST_PAGE: "fetched from", L.EXC_LOAD_GUEST_PAGE: "loaded from"}.get(
            cause, "stored to")
        if tinst in (TINST_PTE_READ, TINST_PTE_WRITE):
            kind = "walked a page table at"
        vm.fail("fault", f"guest {kind} unmapped guest-physical address {gpa:#x} at pc {pc:#x}"
                         f" (vCPU {vcpu.index}); it maps neither RAM nor a device")
        return False
    vm.count_exit("mmio")
    return _emulate_mmio(vm, dev, h, gpa, tinst, row)


# runs for a load or store to a device window: do it on the device the VM's bus found, retire the
# instruction (the device is called directly: Bus.read/write would only add its metrics counting)
def _emulate_mmio(vm: VM, dev: Device, h: int, gpa: int, tinst: int, row: list[int]) -> bool:
    m = vm.machine
    pc = row[L.HS_PC] & U64
    if tinst & 1:
        insn, length = tinst | 2, (4 if tinst & 2 else 2)  # bit 1 clear marks a compressed original
    else:  # no transformed instruction: decode the (expanded) instruction itself
        insn, length = row[L.HS_EXIT_INSN] & 0xFFFFFFFF, row[L.HS_EXIT_SIZE] or 4
    op, f3 = insn & 0x7F, (insn >> 12) & 7
    rd, rs2 = (insn >> 7) & 31, (insn >> 20) & 31
    load = op in (0x03, 0x07)
    if op in (0x03, 0x23) and f3 < (7 if load else 4):  # LB LH LW LD LBU LHU LWU / SB SH SW SD
        size = 1 << (f3 & 3)
    elif op in (0x07, 0x27) and f3 in (2, 3):  # FLW FLD / FSW FSD
        size = 4 if f3 == 2 else 8
    else:
        vm.fail("fault", f"guest made an access the VMM cannot emulate on a device (instruction"
                         f" {insn:#010x}) at guest-physical address {gpa:#x}, pc {pc:#x}")
        return False
    off = gpa - dev.base
    if off + size > dev.size:
        vm.fail("fault", f"guest access to guest-physical address {gpa:#x} at pc {pc:#x} runs past"
                         f" the end of the {dev.name} window")
        return False
    mask = (1 << (8 * size)) - 1
    if op == 0x03:
        v = dev.read(off, size) & mask
        if f3 < 4 and size < 8 and v >> (8 * size - 1):
            v -= 1 << (8 * size)
        m.set_reg(h, rd, v)
    elif op == 0x07:
        v = dev.read(off, size) & mask
        m.f[h, rd] = s64(v | (0xFFFFFFFF << 32) if size == 4 else v)  # NaN-boxed single
    elif op == 0x23:
        dev.write(off, size, int(m.x[h, rs2]) & mask)
    else:
        dev.write(off, size, int(m.f[h, rs2]) & mask)
    m.hs[h, L.HS_PC] = s64(pc + length)
    m.cnt[h, L.CNT_INSTRET] += 1  # the emulated access retires
    return vm.is_running
