"""The VMM's watchdog: guests that misbehave without ever faulting.

A guest that faults is stopped by the exit handlers (``rvisor.vmm.exits``).  Two kinds of
misbehaviour raise no fault at all, and the watchdog looks for them after every slice:

* **Stuck with interrupts off.**  A vCPU in VS-mode with vsstatus.SIE clear while one of the
  interrupts it enabled (vsie) is pending cannot take it (priv spec, Hypervisor chapter,
  "Trap Entry": a VS-level interrupt traps only when SIE is set in VS-mode).  A kernel does this
  for microseconds; a vCPU that stays so for ``spin_limit`` of its own instructions in a row is
  spinning with interrupts off, and the VM is stopped with a report.  Counting the vCPU's own
  instructions rather than host or guest time keeps the rule the same whatever the host's load
  and under the deterministic clock, and a vCPU that is merely waiting for a hart is never blamed.
* **Exit storms.**  A guest that makes the VMM handle exits back to back (SBI calls, device
  accesses in a tight loop) costs Python time, which the scheduler charges to that VM's share,
  so it cannot take more than its weight allows: it is throttled by construction.  When a VM made
  more than ``storm_rate`` exits per second of its hart time over the last ``storm_window``
  seconds of it (a Linux boot makes some 6,000; each exit costs the VMM 10-30 us, so past
  20,000 the guest itself hardly runs), the VM carries a warning naming its exit rate and the
  commonest exit reason, so a person sees why it makes little progress.  It is not stopped: a
  guest printing a large file over its UART looks much the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rvisor.hw import layout as L
from rvisor.hw.csr import mip_value
from rvisor.hw.hcsr import MIP_VS

SPIN_LIMIT = 400_000_000  # a vCPU's own instructions with a pending interrupt masked: stuck
STORM_RATE = 20_000  # exits per second of a VM's hart time that make a storm
STORM_WINDOW = 2.0  # seconds of the VM's hart time the storm rule looks at


@dataclass
class Watchdog:
    """What the watchdog remembers of one VM between slices."""

    spin_limit: int = SPIN_LIMIT
    storm_rate: float = STORM_RATE
    storm_window: float = STORM_WINDOW
    masked: dict[int, int] = field(default_factory=dict)  # vCPU index -> instructions run masked
    window_seconds: float = 0.0  # hart time in the current storm window
    window_exits: int = 0
    warnings: list[str] = field(default_factory=list)
    storms: int = 0  # windows judged a storm


# runs after every slice of a vCPU: the instructions it has now run in a row with a pending,
# enabled interrupt masked by vsstatus.SIE = 0 in VS-mode (0 when it can take interrupts)
def masked_run(dog: Watchdog, index: int, csr: np.ndarray, hs: np.ndarray, mtime: int, instr: int) -> int:
    in_vs = hs[0, L.HS_V] != 0 and hs[0, L.HS_PRIV] == L.PRV_S
    masked = in_vs and not (csr[0, L.CSR_VSSTATUS] & L.MSTATUS_SIE)
    if masked:
        masked = bool(int(mip_value(0, csr, hs, mtime)) & int(csr[0, L.CSR_MIE]) & MIP_VS)
    run = dog.masked.get(index, 0) + instr if masked else 0
    dog.masked[index] = run
    return run


# runs after every slice: the exits per second of hart time when the window just completed was
# an exit storm, else None
def storm_check(dog: Watchdog, seconds: float, exits: int) -> float | None:
    dog.window_seconds += seconds
    dog.window_exits += exits
    if dog.window_seconds < dog.storm_window:
        return None
    rate = dog.window_exits / dog.window_seconds
    dog.window_seconds = 0.0
    dog.window_exits = 0
    if rate <= dog.storm_rate:
        return None
    dog.storms += 1
    return rate
