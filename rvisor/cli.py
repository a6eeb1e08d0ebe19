"""rvisor's command line: ``run``, ``demo``, ``bench``, ``images``, ``warmup``; the VMM's ``up`` and the
control API's ``ps``, ``pause``, ``resume``, ``stop``, ``console``.

Every error the user can cause (unknown flag, missing or corrupt file, bad size, conflicting options,
a boot error) is one line on stderr and exit code 2, before any guest code runs.  ``run`` exits with
the guest's code: poweroff 0, a fail code n, 124 on timeout.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import click

from rvisor import images
from rvisor.hw import layout as L
from rvisor.interface import EXIT_USAGE, CliError, SizeError, load_runner, parse_size_text, require_present

KERNEL_OFFSET = 0x20_0000  # the kernel's place behind firmware (--bios builtin|FILE)
MAX_HARTS = 64
EXIT_TIMEOUT = 124

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


# runs for `rvisor --version`: the installed package's version, or the source tree's
def version() -> str:
    try:
        return metadata.version("rvisor")
    except metadata.PackageNotFoundError:
        return "0.1.0"


# runs when -m SIZE is parsed: "128M", "1G", "512K", a plain number is MiB (as QEMU's -m)
def parse_size(text: str) -> int:
    try:
        return parse_size_text(text)
    except SizeError as e:
        raise CliError(f"-m: {e}") from None


# runs when a size is printed in a message or a table
def human_size(n: int) -> str:
    for unit, div in (("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)):
        if n >= div:
            return f"{n / div:.1f}".rstrip("0").rstrip(".") + unit
    return f"{n}B"


# runs for every file a flag names: it must exist, be a regular file and be readable
def check_file(flag: str, path: str) -> Path:
    p = Path(path)
    if not p.exists():
        raise CliError(f"{flag}: no such file: {path}")
    if not p.is_file():
        raise CliError(f"{flag}: not a regular file: {path}")
    if not os.access(p, os.R_OK):
        raise CliError(f"{flag}: file not readable: {path}")
    return p


# runs when --bios is not given: the lowest physical load address of an ELF, or None
def elf_load_base(path: Path) -> int | None:
    from elftools.common.exceptions import ELFError
    from elftools.elf.elffile import ELFFile

    try:
        with open(path, "rb") as f:
            if f.read(4) != b"\x7fELF":
                return None
            f.seek(0)
            segs = ELFFile(f).iter_segments()
            bases = [s["p_paddr"] for s in segs if s["p_type"] == "PT_LOAD" and s["p_memsz"]]
    except (ELFError, OSError, ValueError, KeyError):
        return None  # check_image reports what is wrong with the file
    return min(bases) if bases else None


# runs before boot for --kernel and --bios FILE: ELF sanity (arch, class, segments) and fit in RAM
def check_image(flag: str, path: Path, memory: int, offset: int) -> None:
    with open(path, "rb") as f:
        head = f.read(64)
    size = path.stat().st_size
    if size == 0:
        raise CliError(f"{flag}: empty file: {path}")
    if head[:4] != b"\x7fELF":
        if path.suffix.lower() == ".elf":
            raise CliError(f"{flag}: corrupt ELF file (no ELF magic): {path}")
        if offset + size > memory:
            raise CliError(f"{flag}: image {path} ({human_size(size)}) does not fit in {human_size(memory)} "
                           "of RAM (raise -m)")
        return
    from elftools.common.exceptions import ELFError
    from elftools.elf.elffile import ELFFile

    try:
        with open(path, "rb") as f:
            elf = ELFFile(f)
            arch = elf.get_machine_arch()
            if elf["e_machine"] != "EM_RISCV":
                raise CliError(f"{flag}: wrong architecture: {path} is an ELF for {arch}, not RISC-V")
            if elf.elfclass != 64:
                raise CliError(f"{flag}: wrong architecture: {path} is a 32-bit RISC-V ELF; "
                               "rvisor's harts are RV64")
            end = 0
            loads = 0
            for seg in elf.iter_segments():
                if seg["p_type"] != "PT_LOAD":
                    continue
                loads += 1
                if seg["p_offset"] + seg["p_filesz"] > size:
                    raise CliError(f"{flag}: corrupt ELF file (a segment runs past the end of the file): "
                                   f"{path}")
                if seg["p_memsz"] and seg["p_paddr"] >= L.DRAM_BASE:
                    end = max(end, seg["p_paddr"] + seg["p_memsz"] - L.DRAM_BASE)
            if loads == 0:
                raise CliError(f"{flag}: ELF has no loadable segments: {path}")
    except ELFError as e:
        raise CliError(f"{flag}: corrupt ELF file ({e}): {path}") from None
    except (ValueError, KeyError, OSError) as e:
        raise CliError(f"{flag}: corrupt ELF file ({type(e).__name__}: {e}): {path}") from None
    if end > memory:
        raise CliError(f"{flag}: {path} needs {human_size(end)} of RAM from {L.DRAM_BASE:#x}, more than "
                       f"{human_size(memory)} (raise -m)")


# runs when --dtb FILE is given: it must be a flattened device tree
def check_dtb(path: Path) -> None:
    with open(path, "rb") as f:
        magic = f.read(4)
    if magic != b"\xd0\x0d\xfe\xed":
        raise CliError(f"--dtb: not a device tree blob (bad magic): {path}")


# runs for each --drive FILE[,ro]
def parse_drive(spec: str) -> tuple[str, bool]:
    parts = spec.split(",")
    path, flags = parts[0], [p.strip().lower() for p in parts[1:]]
    readonly = False
    for fl in flags:
        if fl in ("ro", "readonly", "readonly=on"):
            readonly = True
        elif fl in ("rw", "readonly=off"):
            readonly = False
        else:
            raise CliError(f"--drive: unknown drive option {fl!r} in {spec!r} (use FILE or FILE,ro)")
    if not path:
        raise CliError(f"--drive: no file in {spec!r}")
    p = check_file("--drive", path)
    if not readonly and not os.access(p, os.W_OK):
        raise CliError(f"--drive: file not writable (add ,ro for a read-only disk): {path}")
    return str(p), readonly


# runs when --console is parsed: stdio, none or file:PATH
def parse_console(spec: str) -> str:
    if spec in ("stdio", "none"):
        return spec
    if spec.startswith("file:") and len(spec) > 5:
        parent = Path(spec[5:]).parent
        if not parent.is_dir():
            raise CliError(f"--console: folder does not exist: {parent}")
        return spec
    raise CliError(f"--console: unknown console {spec!r} (use stdio, file:PATH or none)")


@dataclass
class BootPlan:
    """Everything `rvisor run` hands to the runner, checked."""

    kernel: str
    bios: str
    initrd: str | None
    append: str
    drives: list[tuple[str, bool]]
    dtb: str | None
    memory: int
    smp: int
    image: images.Image | None


# runs when --kernel is parsed: an existing file, else a bundled image name
def resolve_kernel(kernel: str) -> tuple[Path, images.Image | None]:
    if os.path.exists(kernel):
        return check_file("--kernel", kernel), None
    img = images.resolve(kernel)
    if img is None:
        raise CliError(f"--kernel: no such file or bundled image: {kernel} (see 'rvisor images')")
    return require_present(img, "--kernel").path, img


# runs for `rvisor run` (and the demo and bench) before boot: resolves names, checks every input
def plan_boot(kernel: str, bios: str | None = None, initrd: str | None = None, append: str | None = None,
              drives: tuple[str, ...] = (), dtb: str | None = None, memory: str | None = None,
              smp: int | None = None) -> BootPlan:
    kpath, img = resolve_kernel(kernel)
    if bios is None:
        if img:
            bios = img.bios
        else:
            # a bare-metal ELF linked at the DRAM base (the firmware's place) runs without firmware,
            # as the standard ISA tests expect; anything else gets the built-in SBI firmware
            bare = initrd is None and elf_load_base(kpath) == L.DRAM_BASE
            bios = "none" if bare else "builtin"
    if initrd is None and img and img.initrd:
        initrd = str(img.initrd)
    if append is None:
        append = img.append if img else ""
    mem = parse_size(memory) if memory is not None else (img.memory if img and img.memory else 128 << 20)
    if smp is None:
        smp = img.smp if img and img.smp else 1
    if not 1 <= smp <= MAX_HARTS:
        raise CliError(f"--smp: number of harts must be 1..{MAX_HARTS}, not {smp}")
    if bios not in ("none", "builtin"):
        check_file("--bios", bios)
        check_image("--bios", Path(bios), mem, 0)
    if bios == "none" and initrd:
        raise CliError("conflicting options: --initrd needs firmware to hand it to an S-mode kernel; "
                       "it cannot be used with --bios none")
    check_image("--kernel", kpath, mem, 0 if bios == "none" else KERNEL_OFFSET)
    if initrd:
        ipath = check_file("--initrd", initrd)
        if ipath.stat().st_size >= mem // 2:
            raise CliError(f"--initrd: {initrd} ({human_size(ipath.stat().st_size)}) does not fit in "
                           f"{human_size(mem)} of RAM next to the kernel (raise -m)")
    if dtb:
        check_dtb(check_file("--dtb", dtb))
    if not drives and img and img.drives:
        drives = tuple(f"{d},ro" if ro else str(d) for d, ro in img.drives)
    parsed: list[tuple[str, bool]] = []
    for spec in drives:
        path, ro = parse_drive(spec)
        if any(os.path.samefile(path, other) for other, _ in parsed):
            raise CliError(f"conflicting options: --drive {path} given twice (one disk, one device)")
        parsed.append((path, ro))
    if len(parsed) > L.VIRTIO_SLOTS:
        raise CliError(f"--drive: at most {L.VIRTIO_SLOTS} drives (virtio-mmio slots)")
    return BootPlan(str(kpath), bios, initrd, append, parsed, dtb, mem, smp, img)


# runs after a run when --stats-json was given
def write_stats(path: str, result: Any) -> None:
    stats = getattr(result, "stats", {}) or {}
    data = {
        "instructions": result.instructions,
        "seconds": result.seconds,
        "mips": result.mips,
        "traps": stats.get("traps", {}),
        "interrupts": stats.get("interrupts", {}),
        "exits": stats.get("exits", {}),
        "exits_per_second": stats.get("exits_per_second", 0.0),
        "exit_cost": stats.get("exit_cost", {}),
        "priv_switches": stats.get("priv_switches", 0),
        "reason": result.reason,
        "exit_code": result.exit_code,
    }
    Path(path).write_text(json.dumps(data, indent=2) + "\n")


# runs first on every rvisor invocation (the command group)
@click.group(context_settings=CONTEXT)
@click.version_option(version(), "--version", prog_name="rvisor", message="%(prog)s %(version)s")
def cli() -> None:
    """rvisor: a RISC-V virtualization stack (a QEMU-virt-compatible RV64GC board and a VMM).

    \b
    Examples:
      rvisor demo                              boot the bundled guests and show what happened
      rvisor images                            list the bundled images
      rvisor run --kernel os --bios none       boot the teaching OS in M-mode
      rvisor run --kernel linux                boot the Linux guest with the built-in SBI firmware
      rvisor bench --json                      run the benchmark workloads
      rvisor up vms.toml                       several guests in their own VMs on one machine
      rvisor ps                                the VMs of the running rvisor up
    """


RUN_EPILOG = """\b
Examples:
  rvisor run --kernel hello --bios none
  rvisor run --kernel Image --initrd initramfs.cpio.gz --append "console=ttyS0" -m 256M
  rvisor run --kernel u-boot.bin --bios fw_jump.bin --drive disk.img,ro --smp 2
\b
Boot modes (as QEMU): --bios none enters the kernel at 0x80000000 in M-mode; --bios FILE loads
firmware at 0x80000000 and the kernel at 0x80200000; --bios builtin (default) is SBI in Python
entering an S-mode kernel at 0x80200000; without --bios, an ELF linked at 0x80000000 (a
bare-metal program such as the standard ISA tests) runs as with --bios none. A bundled image
name boots with its own settings.
\b
Conflicting options (exit 2): --initrd with --bios none; the same file given to --drive twice;
--console file:PATH and --stats-json naming the same file.
\b
Exit code: the guest's (poweroff 0, syscon/HTIF fail code n), 124 on --timeout, 2 on bad input.
The console escape is Ctrl-A x (quit; Ctrl-A h for help), as QEMU's."""


# runs for `rvisor run`
@cli.command(context_settings=CONTEXT, epilog=RUN_EPILOG)
@click.option("--kernel", required=True, metavar="FILE|NAME", help="Kernel: ELF, raw binary or Linux Image; "
              "or a bundled image name (see 'rvisor images').")
@click.option("--bios", default=None, metavar="none|builtin|FILE", help="Firmware  [default: builtin, or the "
              "image's own]")
@click.option("--initrd", default=None, metavar="FILE",
              help="Initial ramdisk, placed in RAM and named in the device tree.")
@click.option("--append", default=None, metavar="STR", help="Kernel command line (/chosen/bootargs).")
@click.option("--drive", "drives", multiple=True, metavar="FILE[,ro]", help="Raw disk image as virtio-blk; "
              "repeatable, the first is virtio-mmio slot 0.")
@click.option("--dtb", default=None, metavar="FILE",
              help="Use this device tree instead of the generated one.")
@click.option("-m", "--memory", default=None, metavar="SIZE",
              help="RAM size: 128M, 1G, a plain number is MiB  [default: 128M]")
@click.option("--smp", default=None, type=int, metavar="N", help=f"Number of harts, 1..{MAX_HARTS}  "
              "[default: 1]")
@click.option("--timeout", default=None, type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="Stop the guest after SECONDS of wall-clock time (exit 124).")
@click.option("--clock", default="deterministic", show_default=True,
              type=click.Choice(["deterministic", "realtime"]), help="mtime follows instructions retired "
              "or the host clock.")
@click.option("--console", "console", default="stdio", show_default=True, metavar="stdio|file:PATH|none",
              help="Where the guest's UART goes.")
@click.option("--stats-json", default=None, metavar="PATH", help="Write instructions, seconds, MIPS, traps, "
              "interrupts and exits as JSON.")
@click.option("--virtio-legacy", is_flag=True, help="virtio-mmio devices use the legacy (version 1) "
              "transport, as QEMU's virtio-mmio.force-legacy=true; default: modern, version 2.")
@click.option("--no-hext", is_flag=True, help="Harts without the hypervisor extension (misa.H clear, no "
              "'h' in riscv,isa), as QEMU's -cpu rv64,h=false.")
def run(kernel: str, bios: str | None, initrd: str | None, append: str | None, drives: tuple[str, ...],
        dtb: str | None, memory: str | None, smp: int | None, timeout: float | None, clock: str,
        console: str, stats_json: str | None, virtio_legacy: bool, no_hext: bool) -> int:
    """Boot one guest on the board, as qemu-system-riscv64 -M virt would."""
    plan = plan_boot(kernel, bios, initrd, append, drives, dtb, memory, smp)
    console = parse_console(console)
    if stats_json:
        sp = Path(stats_json)
        if not sp.parent.is_dir():
            raise CliError(f"--stats-json: folder does not exist: {sp.parent}")
        if sp.is_dir():
            raise CliError(f"--stats-json: is a folder: {stats_json}")
        if console.startswith("file:") and os.path.abspath(console[5:]) == os.path.abspath(stats_json):
            raise CliError("conflicting options: --console file: and --stats-json name the same file")
    run_guest, boot_error = load_runner()
    try:
        result = run_guest(kernel=plan.kernel, bios=plan.bios, initrd=plan.initrd, append=plan.append,
                           drives=plan.drives, dtb=plan.dtb, memory=plan.memory, smp=plan.smp,
                           timeout=timeout, clock=clock, console=console,
                           virtio_version=1 if virtio_legacy else 2, hext=not no_hext)
    except boot_error as e:
        raise CliError(str(e)) from None
    if stats_json:
        write_stats(stats_json, result)
    if result.reason == "timeout":
        click.echo(f"rvisor run: timeout: the guest was still running after {timeout:g} s "
                   f"({result.instructions:,} instructions); stopped", err=True)
        return EXIT_TIMEOUT
    if result.reason == "fatal" or (result.reason == "fail" and result.message):
        click.echo(f"rvisor run: {result.reason}: {result.message}", err=True)
    return int(result.exit_code)


DEMO_EPILOG = """\b
Examples:
  rvisor demo                  the privilege demo, the teaching OS, then the VMM scenario
  rvisor demo vmm              the VMM scenario: web, db and dev VMs on one machine, scripted
  rvisor demo privilege        one guest
  rvisor demo --no-live        no live status line (for logs and tests)"""


# runs for `rvisor demo`
@cli.command(context_settings=CONTEXT, epilog=DEMO_EPILOG)
@click.argument("names", nargs=-1, metavar="[IMAGE]...")
@click.option("--no-live", is_flag=True,
              help="No live status line (automatic when stdout is not a terminal).")
@click.option("--timeout", default=None, type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="Stop each guest after SECONDS  [default: the guest's own]")
def demo(names: tuple[str, ...], no_live: bool, timeout: float | None) -> int:
    """Boot the bundled guest software, show its console and what the hardware saw."""
    from rvisor import demo as demo_mod

    return demo_mod.main(list(names), live=not no_live, timeout=timeout)


BENCH_EPILOG = """\b
Examples:
  rvisor bench                      every workload of bench/workloads/workloads.txt
  rvisor bench sort --json          one workload, as JSON
  rvisor bench --compare qemu       also time each workload under qemu-system-riscv64
  rvisor bench --boot               time Linux to RVISOR-LINUX-SELFTEST-DONE and U-Boot to its prompt
  rvisor bench --vm                 the VMM: workloads in a VM vs the bare board, two VMs on 2 harts,
                                    VM creation time, host memory per VM"""


# runs for `rvisor bench`
@cli.command(context_settings=CONTEXT, epilog=BENCH_EPILOG)
@click.argument("name", required=False, metavar="[NAME]")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list, one object per workload.")
@click.option("--compare", type=click.Choice(["qemu"]), default=None, help="Also run under this emulator "
              "and print time ratios (rvisor / QEMU).")
@click.option("--boot", is_flag=True, help="Time guest boots (Linux, U-Boot) on rvisor and QEMU instead.")
@click.option("--vm", "vm_rows", is_flag=True, help="Measure the VMM instead (rows against their targets).")
@click.option("--timeout", default=None, type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="Per-run limit  [default: 300 for workloads, 600 for boots]")
def bench(name: str | None, as_json: bool, compare: str | None, boot: bool, vm_rows: bool,
          timeout: float | None) -> int:
    """Measure instructions retired, seconds and MIPS of the benchmark workloads."""
    from rvisor import bench as bench_mod

    if vm_rows:
        if name or boot or compare:
            raise CliError("conflicting options: --vm runs its own rows; give no NAME, --boot or --compare")
        return bench_mod.run_vm_bench(as_json=as_json, timeout=timeout)
    if boot:
        if name:
            raise CliError("conflicting options: --boot times the boot guests; give no workload NAME")
        return bench_mod.run_boot(as_json=as_json, timeout=timeout)
    return bench_mod.run_workloads(name, as_json=as_json, compare=compare, timeout=timeout)


IMAGES_EPILOG = """\b
Examples:
  rvisor images
  rvisor images --json
  rvisor run --kernel privilege"""


# runs for `rvisor images`
@cli.command("images", context_settings=CONTEXT, epilog=IMAGES_EPILOG)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
def images_cmd(as_json: bool) -> int:
    """List the bundled images that --kernel NAME accepts."""
    reg = images.registry()
    if as_json:
        rows = [{"name": i.name, "kind": i.kind, "description": i.description, "path": str(i.path),
                 "size": i.size, "present": i.present, "bios": i.bios,
                 "initrd": str(i.initrd) if i.initrd else None, "append": i.append} for i in reg.values()]
        click.echo(json.dumps(rows, indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title="rvisor bundled images")
    for col in ("name", "what it is", "size", "path", "present"):
        table.add_column(col, overflow="fold")
    for i in reg.values():
        try:
            shown = str(i.path.relative_to(images.ROOT))
        except ValueError:
            shown = str(i.path)
        table.add_row(i.name, i.description, human_size(i.size) if i.present else "-", shown,
                      "yes" if i.present else f"no ({i.build_hint})")
    Console(width=None if sys.stdout.isatty() else 160).print(table)
    return 0


WARMUP_EPILOG = """\b
Example:
  rvisor warmup        (setup.sh runs it once; later starts load the compiled engine from disk)"""


# runs for `rvisor warmup` (setup.sh calls it once)
@cli.command(context_settings=CONTEXT, epilog=WARMUP_EPILOG)
def warmup() -> int:
    """Compile the engine into Numba's on-disk cache by running a tiny bundled guest."""
    import time

    reg = images.registry()
    order = ["hello", "privilege"] + [n for n, i in reg.items() if i.kind == "workload"] + ["os"]
    img = next((reg[n] for n in order if n in reg and reg[n].present), None)
    run_guest, boot_error = load_runner()
    if img is None:
        click.echo("rvisor warmup: no bundled guest is built yet (make -C guest); nothing to run", err=True)
        return 0
    t0 = time.perf_counter()
    try:
        res = run_guest(kernel=str(img.path), bios=img.bios, memory=img.memory or 128 << 20, timeout=120.0,
                        console="none")
    except boot_error as e:
        raise CliError(str(e)) from None
    click.echo(f"rvisor warmup: ran {img.name} ({res.instructions:,} instructions, {res.reason}) "
               f"in {time.perf_counter() - t0:.1f} s; the engine is compiled and cached")
    return 0


UP_EPILOG = """\b
Examples:
  rvisor up vms.toml                          boot the VMs of vms.toml, table when all have stopped
  rvisor up vms.toml --timeout 60 --stats-json stats.json
  rvisor up vms.toml --api-sock /tmp/up.sock  then: rvisor ps --api-sock /tmp/up.sock
\b
The file (paths relative to its folder; README.md has every key):
  [machine]
  harts = 2
  memory = "1G"
  [vm.web]
  kernel = "linux"              # a bundled image name (rvisor images) or a path
  memory = "256M"
  vcpus = 1
  weight = 1                    # share of hart time against the other VMs
  cap = 0.5                     # at most half of one hart
  drives = ["web.img", "data.img,ro"]
  console = "file:web.log"      # or "stdio" (one VM: up's terminal, Ctrl-A x quits) or "none"
\b
While it runs: rvisor ps | pause NAME | resume NAME | stop NAME | console NAME (the control API).
Exit code: 0 every VM powered off cleanly, 1 a VM failed or was stopped for misbehaviour,
124 on --timeout, 2 for a bad file."""


# runs for `rvisor up FILE.toml`
@cli.command(context_settings=CONTEXT, epilog=UP_EPILOG)
@click.argument("file", metavar="FILE.toml")
@click.option("--timeout", default=None, type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="Stop every VM after SECONDS of wall-clock time (exit 124).")
@click.option("--stats-json", default=None, metavar="PATH", help="Write each VM's counters (the table's) as "
              "JSON.")
@click.option("--api-sock", default=None, metavar="PATH", help="The control API's UNIX socket  [default: "
              "$XDG_RUNTIME_DIR/rvisor/up-PID.sock]")
@click.option("--clock", default="realtime", show_default=True,
              type=click.Choice(["realtime", "deterministic"]),
              help="Guest time follows the host clock, or instructions retired (every VM on one thread in "
              "a fixed order: a run repeats exactly).")
def up(file: str, timeout: float | None, stats_json: str | None, api_sock: str | None, clock: str) -> int:
    """Boot the VMs that FILE.toml describes on one machine; return when all have stopped."""
    from rich.console import Console

    from rvisor import up as up_mod
    from rvisor.vmm import config as vmconfig

    try:
        cfg = vmconfig.load(file)
    except vmconfig.ConfigError as e:
        raise CliError(str(e)) from None
    for flag, value in (("--stats-json", stats_json), ("--api-sock", api_sock)):
        if value is not None:
            p = Path(value)
            if not p.parent.is_dir():
                raise CliError(f"{flag}: folder does not exist: {p.parent}")
            if p.is_dir():
                raise CliError(f"{flag}: is a folder: {value}")
    if stats_json is not None:
        target = os.path.abspath(stats_json)
        for spec in cfg.vms:
            if spec.console.startswith("file:") and os.path.abspath(spec.console[5:]) == target:
                raise CliError(f"conflicting options: --stats-json and vm.{spec.name}.console name the "
                               "same file")
    if api_sock is not None and len(os.fsencode(os.path.abspath(api_sock))) > 100:
        raise CliError(f"--api-sock: path too long for a UNIX socket (at most 100 bytes): {api_sock}")
    try:
        outcome = up_mod.run_up(cfg, timeout=timeout, api_sock=Path(api_sock) if api_sock else None,
                                clock=clock, stats_json=Path(stats_json) if stats_json else None,
                                notice=lambda text: click.echo(text, err=True))
    except up_mod.UpError as e:
        raise CliError(str(e)) from None
    out = Console(width=None if sys.stdout.isatty() else 160, highlight=False)
    out.print(up_mod.stats_table(outcome.stats, title=f"rvisor up {Path(file).name}"))
    if outcome.code == 0:
        out.print(f"rvisor up: {outcome.reason}", markup=False)
    for s in outcome.stats:
        if up_mod.vm_failed(s) and s.get("report"):
            click.echo(f"rvisor up: {s['name']}: {s['exit']}: {s['report']}", err=True)
        for warning in s.get("warnings", []):
            click.echo(f"rvisor up: {s['name']}: warning: {warning}", err=True)
    if outcome.code != 0:
        click.echo(f"rvisor up: {outcome.reason}", err=True)
    return outcome.code


class ApiCommandError(click.ClickException):
    """The control API refused a command, or no rvisor up answered: one line, exit code 1."""

    exit_code = 1

    # runs when a client command fails: remembers which subcommand it belongs to
    def __init__(self, message: str) -> None:
        super().__init__(message)
        ctx = click.get_current_context(silent=True)
        self.where = ctx.command_path if ctx is not None else "rvisor"


API_SOCK = click.option("--api-sock", default=None, metavar="PATH",
                        help="The control socket of the rvisor up to talk to  "
                        "[default: the only one running]")


# runs for every client command: a Client of the chosen (or only) rvisor up
def api_client(api_sock: str | None) -> Any:
    from rvisor.api.client import ApiClientError, Client

    try:
        return Client(api_sock)
    except ApiClientError as e:
        raise ApiCommandError(str(e)) from None


# runs for `rvisor ps`
@cli.command(context_settings=CONTEXT, epilog="""\b
Examples:
  rvisor ps
  rvisor ps --json
  rvisor ps --api-sock /tmp/up.sock""")
@API_SOCK
@click.option("--json", "as_json", is_flag=True, help="Print every VM's counters as JSON.")
def ps(api_sock: str | None, as_json: bool) -> int:
    """List the VMs of a running rvisor up: state, share, instructions, exits."""
    from rich.console import Console

    from rvisor import up as up_mod
    from rvisor.api.client import ApiClientError

    with api_client(api_sock) as client:
        try:
            vms = client.vms()
        except ApiClientError as e:
            raise ApiCommandError(str(e)) from None
    if as_json:
        click.echo(json.dumps(vms, indent=2))
        return 0
    Console(width=None if sys.stdout.isatty() else 160, highlight=False).print(up_mod.ps_table(vms))
    return 0


# runs for `rvisor pause|resume|stop NAME`: one action through the control API
def vm_action(action: str, name: str, api_sock: str | None) -> int:
    from rvisor import up as up_mod
    from rvisor.api.client import ApiClientError

    with api_client(api_sock) as client:
        try:
            info = getattr(client, action)(name)
        except ApiClientError as e:
            raise ApiCommandError(str(e)) from None
    click.echo(f"{name}: {up_mod.state_name(info.get('state', '?'))}")
    return 0


# runs for `rvisor pause NAME`
@cli.command(context_settings=CONTEXT, epilog="\b\nExample:\n  rvisor pause web")
@click.argument("name")
@API_SOCK
def pause(name: str, api_sock: str | None) -> int:
    """Pause a running VM: its vCPUs stop, its guest time stands still."""
    return vm_action("pause", name, api_sock)


# runs for `rvisor resume NAME`
@cli.command(context_settings=CONTEXT, epilog="\b\nExample:\n  rvisor resume web")
@click.argument("name")
@API_SOCK
def resume(name: str, api_sock: str | None) -> int:
    """Resume a paused VM."""
    return vm_action("resume", name, api_sock)


# runs for `rvisor stop NAME`
@cli.command(context_settings=CONTEXT, epilog="\b\nExample:\n  rvisor stop web")
@click.argument("name")
@API_SOCK
def stop(name: str, api_sock: str | None) -> int:
    """Stop a VM (running or paused) at once."""
    return vm_action("stop", name, api_sock)


# runs for `rvisor console NAME`
@cli.command(context_settings=CONTEXT, epilog="""\b
Examples:
  rvisor console db                         type at the VM's console; Ctrl-A x detaches
  printf 'kvdb get lab\\n' | rvisor console db  piped: detaches once the input ends and output is quiet""")
@click.argument("name")
@API_SOCK
@click.option("--quiet", default=1.0, show_default=True, type=click.FloatRange(min=0), metavar="SECONDS",
              help="With piped input: detach this long after the input ended and the output went quiet.")
def console(name: str, api_sock: str | None, quiet: float) -> int:
    """Attach the terminal to a VM's UART (input and output), as virsh console; Ctrl-A x detaches."""
    from rvisor import up as up_mod
    from rvisor.api.client import ApiClientError, attach_console

    with api_client(api_sock) as client:
        try:
            state = up_mod.state_name(client.vm(name).get("state"))
        except ApiClientError as e:
            raise ApiCommandError(str(e)) from None
        sock = client.sock
    if state not in ("running", "paused", "created"):
        raise ApiCommandError(f"VM {name!r} is {state}; nothing to attach to")
    try:
        why = attach_console(sock, name, quiet=quiet,
                             notice=lambda text: click.echo(f"rvisor console: {text}", err=True))
    except ApiClientError as e:
        raise ApiCommandError(str(e)) from None
    click.echo(f"\r\nrvisor console: {why}", err=True)
    return 1 if why.startswith("error:") else 0


# runs when an error message is printed: click's messages may span lines, ours are one
def _one_line(text: str) -> str:
    return " ".join(text.split())


# runs as the `rvisor` console script and for `python -m rvisor`
def main(argv: list[str] | None = None) -> None:
    if not (sys.argv[1:] if argv is None else argv):
        argv = ["--help"]  # bare `rvisor`: the overview with examples
    try:
        rc = cli.main(args=argv, prog_name="rvisor", standalone_mode=False)
    except click.UsageError as e:
        where = e.ctx.command_path if e.ctx is not None else "rvisor"
        click.echo(f"{where}: error: {_one_line(e.format_message())}", err=True)
        sys.exit(EXIT_USAGE)
    except click.ClickException as e:
        where = getattr(e, "where", "rvisor")
        click.echo(f"{where}: error: {_one_line(e.format_message())}", err=True)
        sys.exit(e.exit_code)
    except click.Abort:
        click.echo("rvisor: interrupted", err=True)
        sys.exit(130)
    sys.exit(rc if isinstance(rc, int) else 0)


if __name__ == "__main__":
    main()
