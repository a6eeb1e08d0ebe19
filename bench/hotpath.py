"""Host instructions per guest instruction of bench workloads, counted by callgrind.

    valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=OUT \\
        python3 bench/hotpath.py [--vm] WARM COUNT ELF...

Start-up and loading the compile cache run uninstrumented; callgrind's instrumentation is
switched on once the engine is loaded (``callgrind_control -i on``).  For each workload: boot it
as ``rvisor bench`` does (``--bios none``, 256 MiB), run WARM guest instructions, dump the
counters (``callgrind_control -d``: the boot and warm-up, discarded), dump again (an empty
measurement: the cost of measuring), run COUNT more and dump (the measurement).  So OUT.1-3
belong to the first workload, OUT.4-6 to the second, and so on.
Prints one line per workload: its name and the instructions measured.
With ``--vm`` the ELFs are S-mode builds (``make -C guest vm``, guest/build/vm/bench): each is
measured twice, on the board under the built-in SBI (``NAME@board``) and as the only VM of a
one-hart rvisor.vmm Host on the deterministic clock (``NAME@vm``), its slices run by
``VM.run_slice`` without the scheduler around them.
``bench/hotpath.sh`` drives it for two trees and prints the comparison.  Without valgrind (no
HOTPATH_CALLGRIND=1) it only runs the workloads, which checks that they boot.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from rvisor.hw import layout as L
from rvisor.hw.machine import Machine
from rvisor.runner import build_board

SLICE = 500_000  # instructions per engine call, as `rvisor run` gives a single hart


# runs around each measured part when HOTPATH_CALLGRIND=1: a callgrind_control command on this process
def control(*args: str) -> None:
    if os.environ.get("HOTPATH_CALLGRIND") == "1":
        subprocess.run(["callgrind_control", *args, str(os.getpid())], check=True, stdout=subprocess.DEVNULL)


# runs for each workload: boot it, warm up, measure `count` instructions; returns how many ran
def measure(elf: str, warm: int, count: int, bios: str = "none") -> int:
    board = build_board(elf, bios=bios, memory=256 << 20, console="none")
    m = board.machine
    try:

        # runs twice per workload: the engine until `target` instructions have retired
        def run_to(target: int) -> None:
            while board._halt is None:
                done = int(m.cnt[0, L.CNT_INSTRET])
                if done >= target:
                    return
                board._exit(0, m.run(0, min(SLICE, target - done)))

        run_to(warm)
        start = int(m.cnt[0, L.CNT_INSTRET])
        control("-d")  # ends what came before (the boot and the warm-up): discarded
        control("-d")  # an empty measurement: the cost of measuring
        run_to(warm + count)
        control("-d")  # the measurement
        return int(m.cnt[0, L.CNT_INSTRET]) - start
    finally:
        board.close()


# runs for each workload with --vm: the S-mode build in a VM, warmed up and measured as measure() does
def measure_vm(elf: str, warm: int, count: int) -> int:
    from rvisor.vmm import Host, VMConfig
    from rvisor.vmm.vm import VMState

    host = Host(harts=1, memory=512 << 20, clock="deterministic", rtc_epoch_ns=0)
    vm = host.create(VMConfig(name="hotpath", kernel=Path(elf), memory=256 << 20, console="none"))
    vm.start()
    mach = host.thread_mach()

    # runs twice per workload: slices of the VM until `target` guest instructions have retired
    def run_to(target: int) -> int:
        while vm.state == VMState.RUNNING:
            done = int(vm.vcpus[0].cnt[0, L.CNT_INSTRET])
            if done >= target:
                return done
            vm.run_slice(0, mach, min(SLICE, target - done))
        raise RuntimeError(f"{elf}: the VM ended ({vm.exit_status} {vm.report}) before {target} instructions")

    try:
        start = run_to(warm)
        control("-d")  # the boot and the warm-up: discarded
        control("-d")  # an empty measurement
        end = run_to(warm + count)
        control("-d")  # the measurement
        return end - start
    finally:
        vm.stop()
        host.destroy(vm.name)


# runs once per invocation
def main(argv: list[str]) -> int:
    vm = argv[:1] == ["--vm"]
    argv = argv[1:] if vm else argv
    warm, count = int(argv[0]), int(argv[1])
    Machine.load_engine()
    # instrumentation stays on from here (switching it off and on again garbles later dumps)
    control("-i", "on")
    for elf in argv[2:]:
        if vm:
            print(f"{Path(elf).stem}@board", measure(elf, warm, count, bios="builtin"), flush=True)
            print(f"{Path(elf).stem}@vm", measure_vm(elf, warm, count), flush=True)
        else:
            print(Path(elf).stem, measure(elf, warm, count), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
