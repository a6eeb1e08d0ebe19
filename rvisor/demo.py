"""``rvisor demo``: boot the bundled guest software and show what the hardware saw.

Each guest's UART goes to a scratch file that is shown as it grows (above a live status line fed by
the runner's progress callback when stdout is a terminal), then one summary table compares the
guests: instructions retired, MIPS, traps and interrupts by cause, privilege-mode switches and engine
exits by reason.  Nothing is downloaded: only images built from guest/ (and firmware already
installed) are booted.

``rvisor demo vmm`` is the virtualization stack of the course: three VMs on one 2-hart machine —
"web" (rvisor's Linux guest, its self-checks), "db" (the teaching OS running its key-value database
``kvdb``) and "dev" (the Linux guest's shell) — each driven by a scripted session typed at its
prompts, their consoles side by side, then the per-VM table of ``rvisor up``.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text

from rvisor import images
from rvisor.interface import CliError, load_runner, parse_size_text, require_present

VMM_SCENARIO = "vmm"

# The demo's guests, in order; those not built yet are left out (and named) when no names are given.
DEFAULT_GUESTS = ["privilege", "os"]
# Wall-clock limit per guest (the bundled guests power off by themselves well before).
GUEST_TIMEOUT = {"privilege": 120.0, "hello": 120.0, "os": 120.0}
DEFAULT_TIMEOUT = 60.0

# `rvisor demo os`: a scripted session at the teaching OS's shell, each line typed when it prompts.
OS_PROMPT = "os$ "
OS_SCRIPT = [
    "help",
    "echo hello from user space",
    "mkdir /course",
    "echo layers: apps, libraries, kernel, machine > /course/notes.txt",
    "cat /course/notes.txt | wc",
    "ls /course",
    "ps",
    "trapdemo",
    "kvdb set course operating-systems",
    "kvdb set lab rvisor",
    "kvdb scan",
    "uptime",
    "poweroff",
]


@dataclass
class GuestRun:
    """One guest of the demo and how it ended."""

    image: images.Image
    result: Any = None
    error: str = ""

    # runs for each counter row of the summary table: the run's counters ({} when it did not run)
    @property
    def stats(self) -> dict[str, Any]:
        return getattr(self.result, "stats", None) or {}


class ConsoleTail:
    """Shows the guest console file as it grows, whole lines at a time."""

    # runs once per guest, before it boots
    def __init__(self, path: Path, emit: Callable[[str], None]) -> None:
        self.path = path
        self.emit = emit
        self.offset = 0
        self.partial = ""
        self.shown = 0
        self.last = "\n"

    # runs from the progress callback and once after the guest stops
    def pump(self, final: bool = False) -> None:
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                data = f.read()
        except OSError:
            return
        self.offset += len(data)
        text = self.partial + data.decode("utf-8", errors="replace")
        if final:
            lines, self.partial = text, ""
        else:
            cut = text.rfind("\n") + 1
            lines, self.partial = text[:cut], text[cut:]
        if lines:
            self.shown += len(lines)
            self.last = lines[-1]
            self.emit(lines)


# runs on every progress report: one status line from whatever the runner reports
def status_text(name: str, info: dict[str, Any], started: float) -> Text:
    t = Text()
    t.append(" running ", style="bold black on green")
    t.append(f" {name} ", style="bold")
    instr = info.get("instructions")
    if isinstance(instr, int):
        t.append(f" {instr:,} instructions")
    mips = info.get("mips")
    if isinstance(mips, (int, float)):
        t.append(f"  {mips:,.1f} MIPS")
    for key in ("priv", "mode", "pc", "hart"):
        if key in info:
            val = info[key]
            t.append(f"  {key} {val:#x}" if key == "pc" and isinstance(val, int) else f"  {key} {val}")
    t.append(f"  {time.monotonic() - started:.1f} s", style="dim")
    return t


# runs once per guest: boots it with its console in a scratch file and shows that file as it grows
def run_one(img: images.Image, console: Console, live: bool, timeout: float | None) -> GuestRun:
    run_guest, boot_error = load_runner()
    gr = GuestRun(img)
    limit = timeout if timeout is not None else GUEST_TIMEOUT.get(img.name, DEFAULT_TIMEOUT)
    with tempfile.TemporaryDirectory(prefix="rvisor-demo-") as tmp:
        out = Path(tmp) / "console.txt"
        out.touch()
        started = time.monotonic()
        display: Live | None = None

        # runs for every chunk of guest console text to show
        def emit(text: str) -> None:
            console.print(text, end="", markup=False, highlight=False)

        tail = ConsoleTail(out, emit)
        last = [0.0]

        # runs whenever the runner reports progress (throttled to 10 Hz here)
        def progress(info: dict[str, Any]) -> None:
            now = time.monotonic()
            if now - last[0] < 0.1:
                return
            last[0] = now
            tail.pump()
            if display is not None:
                display.update(status_text(img.name, info, started))

        kwargs: dict[str, Any] = dict(kernel=str(img.path), bios=img.bios, append=img.append,
                                      memory=img.memory or 128 << 20, smp=img.smp or 1, timeout=limit,
                                      clock="deterministic", console=f"file:{out}", progress=progress)
        if img.initrd:
            kwargs["initrd"] = str(img.initrd)
        if img.drives:  # the demo writes to scratch copies, the built disk images stay as they are
            copies = []
            for i, (disk, ro) in enumerate(img.drives):
                copy = Path(tmp) / f"disk{i}-{disk.name}"
                shutil.copyfile(disk, copy)
                copies.append((str(copy), ro))
            kwargs["drives"] = copies
        try:
            runner = run_guest if img.name != "os" else run_scripted
            if live:
                with Live(status_text(img.name, {}, started), console=console, refresh_per_second=8,
                          transient=True) as display:
                    gr.result = runner(**kwargs)
                display = None
            else:
                gr.result = runner(**kwargs)
        except boot_error as e:
            gr.error = f"boot error: {e}"
        finally:
            display = None
            tail.pump(final=True)
        if gr.result is not None and tail.shown == 0 and getattr(gr.result, "output", ""):
            tail.last = gr.result.output[-1]
            emit(gr.result.output)
        if tail.last != "\n":
            console.print()
    return gr


# runs for `rvisor demo os`: boots it like run_guest, typing OS_SCRIPT at the shell's prompts; the
# console text goes to the same file run_guest would have written (console="file:PATH")
def run_scripted(**kwargs: Any) -> Any:
    from rvisor.hw.console import CaptureConsole
    from rvisor.runner import build_board

    path = Path(str(kwargs.pop("console")).removeprefix("file:"))
    timeout, report = kwargs.pop("timeout"), kwargs.pop("progress")
    board = build_board(console="capture", **kwargs)
    con = board.console
    assert isinstance(con, CaptureConsole)
    typed, written = [0], [0]

    # runs from the run loop: copy new output to the file, type the next line at a new prompt
    def progress(info: dict[str, Any]) -> None:
        data = con.output
        if len(data) > written[0]:
            with open(path, "ab") as f:
                f.write(data[written[0]:])
            written[0] = len(data)
        if typed[0] < len(OS_SCRIPT) and con.text.count(OS_PROMPT) > typed[0]:
            con.inject(OS_SCRIPT[typed[0]] + "\n")
            typed[0] += 1
        report(info)

    try:
        return board.run(timeout=timeout, progress=progress, progress_interval=0.02)
    finally:
        board.close()


# runs when a guest's end is summarised in the table
def ending(gr: GuestRun) -> str:
    if gr.error:
        return gr.error
    r = gr.result
    if r.reason == "timeout":
        return f"stopped by the demo after {r.seconds:.1f} s"
    if r.reason == "poweroff":
        return "powered off (exit 0)"
    return f"{r.reason} (exit {r.exit_code})"


# runs after the guests: one column per guest, rows for each counter
def summary_table(runs: list[GuestRun]) -> Table:
    table = Table(title="rvisor demo: what the hardware saw", show_lines=False)
    table.add_column("counter", style="bold")
    for gr in runs:
        table.add_column(gr.image.name, justify="right")

    # runs for each row of the summary table
    def row(label: str, values: list[str], style: str | None = None) -> None:
        table.add_row(label, *values, style=style)

    row("ended", [ending(gr) for gr in runs])
    ok = [gr for gr in runs if gr.result is not None]
    if not ok:
        return table

    # runs for each cell that needs a finished run
    def val(gr: GuestRun, fn: Callable[[Any], str]) -> str:
        return fn(gr.result) if gr.result is not None else "-"

    row("instructions", [val(gr, lambda r: f"{r.instructions:,}") for gr in runs])
    row("seconds", [val(gr, lambda r: f"{r.seconds:.2f}") for gr in runs])
    row("MIPS", [val(gr, lambda r: f"{r.mips:,.1f}") for gr in runs])
    row("privilege switches", [f"{gr.stats.get('priv_switches', 0):,}" if gr.result else "-" for gr in runs])
    harts = [len(gr.stats.get("harts", []) or []) for gr in runs]
    if any(harts):
        row("harts", [str(h or 1) for h in harts])
    for key, title in (("traps", "traps by cause"), ("interrupts", "interrupts by cause"),
                       ("exits", "exits by reason")):
        names: list[str] = []
        for gr in runs:
            for n in (gr.stats.get(key) or {}):
                if n not in names:
                    names.append(n)
        totals = [sum((gr.stats.get(key) or {}).values()) for gr in runs]
        row(title, [f"{t:,}" if gr.result else "-" for t, gr in zip(totals, runs, strict=True)],
            style="cyan")
        for n in names:
            row(f"  {n}", [f"{(gr.stats.get(key) or {}).get(n, 0):,}" if gr.result else "-" for gr in runs])
    return table


# runs for `rvisor demo [IMAGE]...`; returns the exit code
def main(names: list[str], live: bool = True, timeout: float | None = None) -> int:
    tty = sys.stdout.isatty()
    console = Console(width=None if tty else 120, force_terminal=None if tty else False)
    live = live and tty and os.environ.get("TERM") != "dumb"
    if VMM_SCENARIO in names:
        if len(names) > 1:
            raise CliError(f"'rvisor demo {VMM_SCENARIO}' is a scenario of its own; give it alone")
        return run_vmm_scenario(console, live, timeout)
    reg = images.registry()
    chosen: list[images.Image] = []
    if names:
        for n in names:
            img = reg.get(n)
            if img is None:
                raise CliError(f"no bundled image named {n!r} (see 'rvisor images')")
            chosen.append(require_present(img))
    else:
        missing = [n for n in DEFAULT_GUESTS if n in reg and not reg[n].present]
        chosen = [reg[n] for n in DEFAULT_GUESTS if n in reg and reg[n].present]
        if not chosen:
            raise CliError("no demo guest is built yet (" + ", ".join(missing) + "): run 'make -C guest' "
                           "or 'bash setup.sh'")
        if missing:
            console.print(f"[dim]not built yet, left out: {', '.join(missing)} (make -C guest)[/]")
    runs: list[GuestRun] = []
    for img in chosen:
        console.rule(f"[bold]{img.name}[/]: {img.description}")
        runs.append(run_one(img, console, live, timeout))
    console.print()
    console.print(summary_table(runs))
    bad = [gr for gr in runs if gr.error or gr.result.reason in ("fatal", "fail")]
    for gr in bad:
        msg = gr.error or f"{gr.result.reason}: {gr.result.message}"
        console.print(f"[red]{gr.image.name}: {msg}[/]", highlight=False)
    rc = 1 if bad else 0
    if not names:  # the whole demo goes on with the virtualization stack, when its guests are built
        missing = sorted({image for _, image, *_ in VMM_VMS if image not in reg or not reg[image].present})
        console.print()
        if missing:
            console.print(f"[dim]the VMM scenario needs {', '.join(missing)}, not built yet; left out "
                          "(bash setup.sh)[/]")
        else:
            rc = max(rc, run_vmm_scenario(console, live, None))
    return rc


@dataclass
class Session:
    """One VM's scripted session: after ``ready`` has appeared, each ``prompt`` gets the next line."""

    vm: str
    prompt: str
    lines: list[str]
    ready: str = ""
    typed: int = 0
    seen: int = 0  # where in the output the next prompt is looked for

    # runs from the driver thread: type the next line when a new prompt has appeared since the last one
    def step(self, text: str, send: Callable[[bytes], None]) -> None:
        if self.typed >= len(self.lines):
            return
        if self.seen == 0 and self.ready:
            at = text.find(self.ready)
            if at < 0:
                return
            self.seen = at + len(self.ready)
        at = text.find(self.prompt, self.seen)
        if at < 0:
            return
        self.seen = at + len(self.prompt)
        send((self.lines[self.typed] + "\n").encode())
        self.typed += 1


# The course's three VMs: (name, image, command line or None for the image's, memory, session)
VMM_VMS: list[tuple[str, str, str | None, str, Session | None]] = [
    ("web", "linux", "console=ttyS0 earlycon=sbi rvisor.memsum_mib=2", "256M", None),
    ("db", "os", None, "64M", Session("db", OS_PROMPT, [
        "kvdb set course operating-systems",
        "kvdb set lab rvisor",
        "kvdb set layers apps,libraries,kernel,machine",
        "kvdb get lab",
        "kvdb scan",
        "poweroff",
    ])),
    ("dev", "linux", "console=ttyS0 earlycon=sbi rvisor.shell=1", "256M", Session("dev", "# ", [
        "echo hello from the dev VM",
        "uptime",
        "free",
        "ls /",
        "poweroff",
    ], ready="RVISOR-LINUX-SHELL-READY")),
]
VMM_TIMEOUT = 600.0


# runs for the side-by-side view: the last lines of each VM's console, one panel per VM
def consoles_view(vms: dict[str, Any], height: int, states: dict[str, str] | None = None) -> Table:
    from rich.panel import Panel

    grid = Table.grid(expand=True, padding=(0, 1))
    for _ in vms:
        grid.add_column(ratio=1)
    panels = []
    for name, vm in vms.items():
        text = vm.console.output().decode("utf-8", errors="replace").replace("\r", "")
        lines = text.split("\n")[-height:]
        body = Text("\n".join(lines), no_wrap=True, overflow="crop")
        state = (states or {}).get(name, "")
        panels.append(Panel(body, title=f"[bold]{name}[/] {state}", height=height + 2))
    grid.add_row(*panels)
    return grid


# runs for `rvisor demo vmm`: three VMs on one Host, scripted, consoles side by side, then the table
def run_vmm_scenario(console: Console, live: bool, timeout: float | None) -> int:
    import threading

    from rvisor import up as up_mod

    reg = images.registry()
    for _, image, *_rest in VMM_VMS:
        if image not in reg:
            raise CliError(f"the VMM demo needs the bundled image {image!r}, which is unknown here")
        require_present(reg[image])
    try:
        from rvisor.vmm import DriveSpec, Host, VMConfig, VMError
    except ImportError as e:
        raise CliError(f"the VMM cannot be loaded ({e}); run 'bash setup.sh'") from None
    limit = timeout if timeout is not None else VMM_TIMEOUT
    console.rule("[bold]vmm[/]: three guests in their own VMs on one machine (2 harts, 1 GiB)")
    with tempfile.TemporaryDirectory(prefix="rvisor-demo-vmm-") as tmp:
        host = Host(harts=2, memory=1 << 30, clock="deterministic")
        vms: dict[str, Any] = {}
        sessions: list[Session] = []
        try:
            for name, image, append, memory, session in VMM_VMS:
                img = reg[image]
                drives = []
                for i, (disk, ro) in enumerate(img.drives):  # scratch copies of the disks
                    copy = Path(tmp) / f"{name}-disk{i}.img"
                    shutil.copyfile(disk, copy)
                    drives.append(DriveSpec(path=copy, readonly=ro))
                cfg = VMConfig(name=name, kernel=img.path, initrd=img.initrd,
                               append=append if append is not None else img.append,
                               memory=parse_size_text(memory), vcpus=1, drives=drives, console="none")
                vms[name] = host.create(cfg)
                if session is not None:
                    sessions.append(replace(session, lines=list(session.lines)))
        except VMError as e:
            raise CliError(f"the VMM refused a demo VM: {e}") from None
        done = threading.Event()

        # runs in its own thread: types each session's next line once its prompt has appeared
        def drive() -> None:
            while not done.wait(0.05):
                for sess in sessions:
                    vm = vms[sess.vm]
                    if up_mod.state_name(vm.state) == "running":
                        sess.step(vm.console.output().decode("utf-8", errors="replace"), vm.console.send)

        driver = threading.Thread(target=drive, name="rvisor-demo-script", daemon=True)
        for vm in vms.values():
            vm.start()
        driver.start()
        started = time.monotonic()
        height = max(8, (console.size.height or 40) - 6)
        finished = False
        try:
            if live:

                # runs at every refresh of the live view
                def view() -> Any:
                    states = {n: f"({up_mod.state_name(v.state)}, {time.monotonic() - started:.0f} s)"
                              for n, v in vms.items()}
                    return consoles_view(vms, height, states)

                with Live(get_renderable=view, console=console, refresh_per_second=4, transient=False):
                    finished = host.run(timeout=limit)
            else:
                finished = host.run(timeout=limit)
        finally:
            done.set()
            driver.join(timeout=2.0)
            if not finished:
                for vm in vms.values():
                    up_mod.stop_quietly(vm)
        if not live:
            console.print(consoles_view(vms, 40))
        stats = [dict(vm.stats(), name=n) for n, vm in vms.items()]
        console.print()
        console.print(up_mod.stats_table(stats, title="rvisor demo vmm: three VMs on one machine"))
        bad = [s["name"] for s in stats if up_mod.vm_failed(s)]
        unfinished = [sess.vm for sess in sessions if sess.typed < len(sess.lines)]
        if not finished:
            console.print(f"[red]vmm: stopped by the demo after {limit:g} s[/]", highlight=False)
        for name in bad:
            console.print(f"[red]{name}: {up_mod.exit_text(next(s for s in stats if s['name'] == name))}[/]",
                          highlight=False)
        if unfinished:
            console.print(f"[red]scripted session not finished: {', '.join(unfinished)}[/]", highlight=False)
        for name in list(vms):
            try:
                host.destroy(name)
            except VMError:
                pass
        return 1 if (bad or unfinished or not finished) else 0
