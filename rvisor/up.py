"""``rvisor up FILE.toml``: the VMs of one file on one Host, the control API beside them, then a table.

The file is checked completely (``rvisor.vmm.config``) and every VM is created before any starts, so a
mistake is exit 2 with nothing run.  Then the control API listens on its socket, the VMs start, and
``Host.run`` drives them until all have stopped (or the timeout).  The per-VM table that follows is
also what ``rvisor demo vmm`` shows; ``rvisor ps`` prints one row per VM from the same counters.

Exit codes: 0 when every VM powered off cleanly (or was stopped by the user), 1 when one failed or was
stopped for misbehaviour (also: paused for want of host RAM while no other VM could free any, then
stopped), 124 on ``--timeout``, 130 on Ctrl-C, 2 for a bad file.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.table import Table

from rvisor.vmm import config as vmconfig

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_TIMEOUT, EXIT_INTERRUPTED = 0, 1, 2, 124, 130
OUT_OF_MEMORY = "out of host memory"  # the VMM's exit status of a VM paused because host RAM ran out
STARVED_AFTER = 2.0  # seconds every remaining VM may wait for host RAM before rvisor up stops them


class UpError(Exception):
    """A VM of the file that the VMM refuses (bad image, M-mode software, a locked drive): exit 2."""


# runs whenever a VMState (or its name) is shown
def state_name(state: Any) -> str:
    value = getattr(state, "value", state)
    return str(getattr(state, "name", value) if not isinstance(value, str) else value).lower()


# The ends of a VM that are not failures: the guest powered off cleanly, or a user (API, Ctrl-A x,
# the timeout) stopped it; a VM that never started has no exit status.
CLEAN_EXITS = (None, "poweroff", "stopped")


# runs when a VM's end is judged: did it fail, or was it stopped for misbehaviour? (exit 1 of rvisor up)
def vm_failed(stats: dict[str, Any]) -> bool:
    return stats.get("exit") not in CLEAN_EXITS


# runs when a VM's exit is shown in a table cell
def exit_text(stats: dict[str, Any]) -> str:
    exit_ = stats.get("exit")
    if exit_ is None:
        return "-"
    if isinstance(exit_, dict):
        parts = [str(exit_.get(k)) for k in ("reason", "code") if exit_.get(k) is not None]
        return " ".join(parts) or "-"
    return str(exit_)


# runs for every share cell: a fraction of the machine's hart time as a percentage
def share_text(value: Any) -> str:
    if not isinstance(value, (int, float)):
        return "-"
    return f"{value * 100:.1f}%"


# runs for every memory cell
def bytes_text(n: Any) -> str:
    if not isinstance(n, (int, float)):
        return "-"
    for unit, div in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= div:
            return f"{n / div:.1f} {unit}"
    return f"{int(n)} B"


# runs after rvisor up (and the demo's VMM scenario): one column per VM, one row per counter
def stats_table(stats: list[dict[str, Any]], title: str = "rvisor up: the VMs") -> Table:
    table = Table(title=title)
    table.add_column("counter", style="bold")
    for s in stats:
        table.add_column(str(s.get("name", "?")), justify="right")

    # runs for each row of the table
    def row(label: str, cell: Callable[[dict[str, Any]], str], style: str | None = None) -> None:
        table.add_row(label, *[cell(s) for s in stats], style=style)

    # runs for each integer cell
    def num(key: str) -> Callable[[dict[str, Any]], str]:
        return lambda s: f"{s[key]:,}" if isinstance(s.get(key), int) else "-"

    row("state", lambda s: state_name(s.get("state", "-")))
    row("exit", exit_text)
    row("instructions", num("instructions"))
    row("hart seconds", lambda s: f"{s['hart_seconds']:.2f}"
        if isinstance(s.get("hart_seconds"), (int, float)) else "-")
    row("share of hart time", lambda s: share_text(s.get("share")))
    for key, title_ in (("exits", "exits by reason"), ("sbi", "SBI calls by extension")):
        names: list[str] = []
        for s in stats:
            for n in (s.get(key) or {}):
                if n not in names:
                    names.append(n)
        row(title_, lambda s, k=key: f"{sum((s.get(k) or {}).values()):,}", style="cyan")
        for n in names:
            row(f"  {n}", lambda s, k=key, n=n: f"{(s.get(k) or {}).get(n, 0):,}")
    row("guest-page faults", num("guest_page_faults"))
    row("pages mapped", num("pages_mapped"))
    row("host memory", lambda s: bytes_text(s.get("host_memory_bytes")))
    return table


# runs for `rvisor ps`: one row per VM
def ps_table(stats: list[dict[str, Any]]) -> Table:
    table = Table(title=None, box=None, pad_edge=False, header_style="bold")
    for col, justify in (("NAME", "left"), ("STATE", "left"), ("SHARE", "right"), ("INSTRUCTIONS", "right"),
                         ("EXITS", "right"), ("SBI", "right"), ("MEMORY", "right"), ("EXIT", "left")):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for s in stats:
        instr = s.get("instructions")
        table.add_row(str(s.get("name")), state_name(s.get("state", "-")), share_text(s.get("share")),
                      f"{instr:,}" if isinstance(instr, int) else "-",
                      f"{sum((s.get('exits') or {}).values()):,}", f"{sum((s.get('sbi') or {}).values()):,}",
                      bytes_text(s.get("host_memory_bytes")), exit_text(s))
    return table


@dataclass
class UpOutcome:
    """How one rvisor up ended: the exit code, why, and each VM's last counters."""

    code: int
    reason: str
    stats: list[dict[str, Any]] = field(default_factory=list)


class StdinToVM:
    """``console = "stdio"``: up's own terminal is that VM's UART (raw when a tty; Ctrl-A x quits)."""

    # runs once when the file gives one VM console = "stdio"
    def __init__(self, vm: Any, on_quit: Callable[[], None], show_output: bool) -> None:
        from rvisor.hw.console import StdioConsole

        self.vm = vm
        self.on_quit = on_quit
        self.term = StdioConsole()
        self.show_output = show_output
        if show_output:
            vm.console.subscribe(self.term.write)
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._pump, name="rvisor-up-stdin", daemon=True)
        self.thread.start()

    # runs in its own thread: typed (or piped) input to the VM, Ctrl-A x to the quit callback
    def _pump(self) -> None:
        while not self._stop.is_set():
            data = self.term.read(4096)
            if data:
                self.vm.console.send(data)
                continue
            if self.term.quit_requested:
                self.on_quit()
                return
            time.sleep(0.01)

    # runs when rvisor up ends: the terminal is given back
    def close(self) -> None:
        self._stop.set()
        if self.show_output:
            self.vm.console.unsubscribe(self.term.write)
        self.term.close()


# runs for `rvisor up`: creates every VM (UpError before any runs), serves the API, runs, reports
def run_up(cfg: vmconfig.UpConfig, timeout: float | None = None, api_sock: Path | None = None,
           clock: str = "realtime", stats_json: Path | None = None,
           notice: Callable[[str], None] = print) -> UpOutcome:
    from rvisor.api import default_socket_path
    from rvisor.api.server import ApiServer, Control
    from rvisor.vmm import Host, VMError

    try:
        host = Host(harts=cfg.harts, memory=cfg.memory, clock=clock)
    except VMError as e:
        raise UpError(f"{cfg.path}: machine: {e}") from None
    control = Control(host=host, base=cfg.path.resolve().parent, clock=clock)
    for spec in cfg.vms:
        try:
            vm = host.create(spec.vm_config())
        except VMError as e:
            _shutdown(host, control)
            raise UpError(f"{cfg.path}: vm.{spec.name}: {e}") from None
        control.add(spec, vm)
    sock = api_sock or default_socket_path()
    server = ApiServer(control, sock)
    try:
        server.start()
    except OSError as e:
        _shutdown(host, control)
        raise UpError(f"--api-sock: {e}") from None
    stdin_vm: StdinToVM | None = None
    quit_asked = threading.Event()

    # runs on Ctrl-A x at the stdio VM's terminal: every VM stops, up reports
    def quit_all() -> None:
        quit_asked.set()
        for vm in list(control.vms.values()):
            stop_quietly(vm)

    outcome = UpOutcome(EXIT_OK, "all VMs stopped")
    starved: dict[str, str] = {}  # VMs stopped because host RAM ran out and nothing else could free it
    done = threading.Event()

    # runs in its own thread: when every VM left is paused for want of host RAM and none runs (so none
    # can stop and no page comes free), they are stopped with their report instead of waiting forever
    def starvation_watch() -> None:
        stuck_since: float | None = None
        while not done.wait(0.2):
            live = [(n, vm) for n, vm in list(control.vms.items())
                    if state_name(vm.state) in ("running", "paused")]
            stuck = bool(live) and all(state_name(vm.state) == "paused" and
                                       getattr(vm, "exit_status", None) == OUT_OF_MEMORY for _, vm in live)
            if not stuck:
                stuck_since = None
                continue
            stuck_since = stuck_since or time.monotonic()
            if time.monotonic() - stuck_since >= STARVED_AFTER:
                for n, vm in live:
                    starved[n] = getattr(vm, "report", "") or "host RAM exhausted"
                    stop_quietly(vm)
                stuck_since = None

    watch = threading.Thread(target=starvation_watch, name="rvisor-up-memory", daemon=True)
    watch.start()
    try:
        notice(f"rvisor up: {len(cfg.vms)} VM(s) on {cfg.harts} hart(s), {cfg.memory >> 20} MiB; control API "
               f"at {sock}")
        notice("rvisor up: consoles: " + ", ".join(f"{v.name} {_console_where(v.console, v.name)}"
                                                   for v in cfg.vms))
        for spec in cfg.vms:
            vm = control.vms.get(spec.name)
            if vm is not None and state_name(vm.state) == "created":  # the API may have stopped it already
                try:
                    vm.start()
                except VMError:
                    pass
        stdio = cfg.stdio_vm
        if stdio is not None and stdio.name in control.vms:  # typed input goes to a VM that has started
            vm = control.vms[stdio.name]
            stdin_vm = StdinToVM(vm, quit_all, show_output=getattr(vm.console, "sink", "") != "stdio")
        try:
            finished = host.run(timeout=timeout)
        except KeyboardInterrupt:
            quit_all()
            outcome = UpOutcome(EXIT_INTERRUPTED, "interrupted (Ctrl-C)")
            finished = True
        if not finished:
            running = [n for n, vm in control.vms.items() if state_name(vm.state) in ("running", "paused")]
            outcome = UpOutcome(EXIT_TIMEOUT,
                                f"timeout after {timeout:g} s: still running: {', '.join(running)}")
            for n in running:
                stop_quietly(control.vms[n])
        elif quit_asked.is_set() and outcome.code == EXIT_OK:
            outcome = UpOutcome(EXIT_OK, "quit (Ctrl-A x)")
    finally:
        done.set()
        if stdin_vm is not None:
            stdin_vm.close()
        server.close()
    outcome.stats = [dict(vm.stats(), name=n) for n, vm in control.vms.items()]
    for st in outcome.stats:
        if st["name"] in starved:
            st.update(exit=OUT_OF_MEMORY, report=f"{starved[st['name']]}; stopped: no other VM could free "
                                                 "host RAM")
    if outcome.code == EXIT_OK and not quit_asked.is_set():
        failed = [s["name"] for s in outcome.stats if vm_failed(s)]
        if failed:
            outcome = UpOutcome(EXIT_FAILED, f"failed: {', '.join(failed)}", outcome.stats)
    if stats_json is not None:
        write_stats_json(stats_json, cfg, clock, outcome)
    _shutdown(host, control)  # every VM destroyed: frames back, drive locks and console files closed
    return outcome


# runs when up says where each VM's console goes
def _console_where(console: str, name: str) -> str:
    if console == "stdio":
        return "on this terminal (Ctrl-A x quits)"
    if console.startswith("file:"):
        return f"to {console[5:]}"
    return f"kept for 'rvisor console {name}'"


# runs after a run with --stats-json: the same counters as the table, per VM
def write_stats_json(path: Path, cfg: vmconfig.UpConfig, clock: str, outcome: UpOutcome) -> None:
    data = {"machine": {"harts": cfg.harts, "memory": cfg.memory, "clock": clock},
            "exit_code": outcome.code, "reason": outcome.reason,
            "vms": {s["name"]: _jsonable(s) for s in outcome.stats}}
    Path(path).write_text(json.dumps(data, indent=2) + "\n")


# runs when counters are written as JSON: enums become their names, paths strings
def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if hasattr(value, "value") and hasattr(value, "name"):
        return state_name(value)
    return str(value)


# runs when a VM must stop whatever its state (timeout, Ctrl-A x, Ctrl-C)
def stop_quietly(vm: Any) -> None:
    from rvisor.vmm import VMError

    if state_name(vm.state) in ("running", "paused", "created"):
        try:
            vm.stop()
        except VMError:
            pass


# runs when rvisor up ends or gives up: VMs stopped (and destroyed when asked), the host closed
def _shutdown(host: Any, control: Any, destroy: bool = True) -> None:
    from rvisor.vmm import VMError

    for name, vm in list(control.vms.items()):
        stop_quietly(vm)
        if destroy:
            try:
                host.destroy(name)
            except VMError:
                pass
    close = getattr(host, "close", None)
    if callable(close):
        close()
