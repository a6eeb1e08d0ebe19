"""rvisor's VMM: several guest OSes in their own virtual machines on the H extension.

``Host`` is the physical board (harts and RAM); ``Host.create(VMConfig)`` makes a ``VM`` whose
guest runs in VS/VU mode on the harts while the VMM plays HS-mode in Python: SBI for the guest,
guest memory allocated on first touch and mapped with G-stage tables, the board's device models
on the VM's own bus, interrupts injected through hvip.

    from rvisor.vmm import Host, VMConfig
    host = Host(harts=2, memory=1 << 30)
    vm = host.create(VMConfig(name="web", kernel=Path("Image"), initrd=Path("initramfs.cpio.gz"),
                              append="console=ttyS0", memory=256 << 20))
    vm.start()
    host.run(timeout=60)
    print(vm.exit_status, vm.console.output().decode())
"""

from rvisor.vmm.console import VMConsole
from rvisor.vmm.host import Host
from rvisor.vmm.memory import GuestMemory, HostMemory, HostMemoryExhausted
from rvisor.vmm.vcpu import VCpu, VCpuState
from rvisor.vmm.vm import VM, DriveSpec, SliceResult, VMConfig, VMError, VMState

__all__ = [
    "DriveSpec",
    "GuestMemory",
    "Host",
    "HostMemory",
    "HostMemoryExhausted",
    "SliceResult",
    "VCpu",
    "VCpuState",
    "VM",
    "VMConfig",
    "VMConsole",
    "VMError",
    "VMState",
]
