"""Host instructions per guest instruction of bench workloads, counted by callgrind.

    valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=OUT \\
        python3 bench/hotpath.py WARM COUNT ELF...

For each workload: boot it as ``rvisor bench`` does (``--bios none``, 256 MiB), run WARM guest
instructions uninstrumented (start-up, the compile cache and the workload's first pages stay out
of the count), then switch callgrind's instrumentation on, run COUNT more, dump the counters
and switch it off (``callgrind_control -i on``, ``-d``, ``-i off``).  The same is done first
around no instructions at all, which measures the cost of measuring: OUT.1, OUT.2 hold the
empty and the real measurement of the first workload, OUT.3, OUT.4 of the second, and so on.
Prints one line per workload: its name and the instructions measured.
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
def measure(elf: str, warm: int, count: int) -> int:
    board = build_board(elf, bios="none", memory=256 << 20, console="none")
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
        for target in (start, warm + count):  # an empty measurement first: the cost of measuring
            control("-i", "on")
            run_to(target)
            control("-d")  # dump (and zero) first: switching instrumentation off loses the counts
            control("-i", "off")
        return int(m.cnt[0, L.CNT_INSTRET]) - start
    finally:
        board.close()


# runs once per invocation
def main(argv: list[str]) -> int:
    warm, count = int(argv[0]), int(argv[1])
    Machine.load_engine()
    for elf in argv[2:]:
        print(Path(elf).stem, measure(elf, warm, count), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
