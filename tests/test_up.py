"""`rvisor up FILE.toml`: bad files are refused before anything runs (exit 2, one line naming the file,
the line, the key path and what is allowed); good files boot real guests in VMs on one machine."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from rvisor.vmm import config as vmconfig
from tests.conftest import POWEROFF, write_riscv_elf

Cli = Callable[..., subprocess.CompletedProcess[str]]

# (file text, what the one-line error must contain); KERNEL is a tiny RISC-V ELF in the test's folder
BAD_FILES = {
    "syntax": ('[vm.web]\nkernel = "KERNEL"\nmemory = \n', ["up.toml:3:", "TOML syntax error"]),
    "unknown top-level key": ('[machin]\nharts = 2\n', ["up.toml:1:", "machin: unknown key",
                                                         "allowed: machine, vm", "did you mean 'machine'"]),
    "unknown machine key": ('[machine]\ncores = 2\n[vm.a]\nkernel = "KERNEL"\n',
                            ["up.toml:2:", "machine.cores: unknown key", "allowed: harts, memory"]),
    "unknown vm key": ('[vm.web]\nkernel = "KERNEL"\nmemroy = "256M"\n',
                       ["up.toml:3:", "vm.web.memroy: unknown key",
                        "allowed: kernel, initrd, append, memory, vcpus, weight, cap, drives, console",
                        "did you mean 'memory'"]),
    "malformed memory": ('[vm.web]\nkernel = "KERNEL"\nmemory = "lots"\n',
                         ["up.toml:3:", "vm.web.memory:", "malformed memory size 'lots'", "1G"]),
    "memory out of range": ('[vm.web]\nkernel = "KERNEL"\nmemory = "128G"\n',
                            ["vm.web.memory:", "out of range (1M .. 64G)"]),
    "machine memory type": ('[machine]\nmemory = true\n[vm.a]\nkernel = "KERNEL"\n',
                            ["up.toml:2:", "machine.memory: must be a size", "not a boolean"]),
    "harts range": ('[machine]\nharts = 0\n[vm.a]\nkernel = "KERNEL"\n',
                    ["up.toml:2:", "machine.harts: must be 1..64, not 0"]),
    "vcpus type": ('[vm.a]\nkernel = "KERNEL"\nvcpus = "2"\n',
                   ["up.toml:3:", "vm.a.vcpus: must be an integer 1..8, not a string ('2')"]),
    "vcpus range": ('[vm.a]\nkernel = "KERNEL"\nvcpus = 99\n', ["vm.a.vcpus: must be 1..8, not 99"]),
    "weight": ('[vm.a]\nkernel = "KERNEL"\nweight = 0\n', ["vm.a.weight: must be > 0"]),
    "cap above 1": ('[vm.a]\nkernel = "KERNEL"\ncap = 1.5\n', ["up.toml:3:", "vm.a.cap:", "0 < cap <= 1",
                                                              "not 1.5"]),
    "cap zero": ('[vm.a]\nkernel = "KERNEL"\ncap = 0\n', ["vm.a.cap:", "0 < cap <= 1"]),
    "bad name": ('[vm.Web]\nkernel = "KERNEL"\n', ["up.toml:1:", "vm.Web: bad VM name", "a-z, 0-9, _ and -"]),
    "no kernel": ('[vm.web]\nmemory = "64M"\n', ["up.toml:1:", "vm.web: no kernel"]),
    "missing kernel file": ('[vm.web]\nkernel = "nope/Image"\n',
                            ["up.toml:2:", "vm.web.kernel: no such file:", "nope/Image"]),
    "unknown image": ('[vm.web]\nkernel = "linx"\n', ["vm.web.kernel: no such file or bundled image: 'linx'",
                                                      "did you mean 'linux'"]),
    "missing initrd": ('[vm.web]\nkernel = "KERNEL"\ninitrd = "initrd.gz"\n',
                       ["up.toml:3:", "vm.web.initrd: no such file:"]),
    "missing drive": ('[vm.web]\nkernel = "KERNEL"\ndrives = ["disk.img"]\n',
                      ["up.toml:3:", "vm.web.drives[0]: no such file:"]),
    "drive option": ('[vm.web]\nkernel = "KERNEL"\ndrives = ["a.img,cache"]\n',
                     ["vm.web.drives[0]: unknown drive option 'cache'", "FILE,ro"]),
    "drives type": ('[vm.web]\nkernel = "KERNEL"\ndrives = "a.img"\n',
                    ["vm.web.drives: must be an array"]),
    "drive shared read-write": ('[vm.a]\nkernel = "KERNEL"\ndrives = ["a.img"]\n'
                                '[vm.b]\nkernel = "KERNEL"\ndrives = ["a.img,ro"]\n',
                                ["up.toml:6:", "vm.b.drives[0]:", "also a drive of VM 'a'", "read-only"]),
    "console value": ('[vm.a]\nkernel = "KERNEL"\nconsole = "tty"\n',
                      ["up.toml:3:", "vm.a.console: unknown console 'tty'",
                       "allowed: stdio, none, file:PATH"]),
    "console folder": ('[vm.a]\nkernel = "KERNEL"\nconsole = "file:no/such/dir/a.log"\n',
                       ["vm.a.console: folder does not exist"]),
    "two stdio consoles": ('[vm.a]\nkernel = "KERNEL"\nconsole = "stdio"\n'
                           '[vm.b]\nkernel = "KERNEL"\nconsole = "stdio"\n',
                           ["up.toml:6:", "vm.b.console:", "at most one VM"]),
    "one console file twice": ('[vm.a]\nkernel = "KERNEL"\nconsole = "file:x.log"\n'
                               '[vm.b]\nkernel = "KERNEL"\nconsole = "file:x.log"\n',
                               ["vm.b.console:", "also the console file of VM 'a'"]),
    "no VMs": ('[machine]\nharts = 2\n', ["up.toml: no VMs"]),
    "vm not a table": ('vm = 3\n', ["vm: must be tables [vm.NAME]"]),
}


# runs for each bad-file case: the folder with a tiny kernel and a disk image, and the file
def _write(tmp_path: Path, text: str) -> Path:
    kernel = write_riscv_elf(tmp_path / "k.elf", POWEROFF, addr=0x8020_0000)
    (tmp_path / "a.img").write_bytes(bytes(4096))
    path = tmp_path / "up.toml"
    path.write_text(text.replace("KERNEL", kernel.name))
    return path


# runs without the engine: each kind of mistake gets its own message, naming line, key path and choices
@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_file_message(tmp_path: Path, case: str) -> None:
    text, wanted = BAD_FILES[case]
    path = _write(tmp_path, text)
    with pytest.raises(vmconfig.ConfigError) as info:
        vmconfig.load(path)
    msg = str(info.value)
    assert msg.startswith(str(path)), msg
    assert "\n" not in msg
    for part in wanted:
        assert part.replace("up.toml", str(path)) in msg or part in msg, f"{part!r} not in {msg!r}"


# runs the real command: a bad file is exit 2 with one line on stderr, quickly, and nothing boots
@pytest.mark.parametrize("case", ["syntax", "unknown vm key", "cap above 1", "two stdio consoles",
                                  "missing kernel file"])
def test_bad_file_exit_2(tmp_path: Path, rvisor_cli: Cli, case: str) -> None:
    text, wanted = BAD_FILES[case]
    path = _write(tmp_path, text)
    stats = tmp_path / "stats.json"
    p = rvisor_cli("up", str(path), "--stats-json", str(stats), "--api-sock", str(tmp_path / "api.sock"),
                   timeout=120)
    assert p.returncode == 2, p.stdout + p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rvisor up: error: "), p.stderr
    assert wanted[-1] in lines[0]
    assert p.stdout == ""
    assert not stats.exists() and not (tmp_path / "api.sock").exists()


def test_missing_file(rvisor_cli: Cli, tmp_path: Path) -> None:
    p = rvisor_cli("up", str(tmp_path / "none.toml"), timeout=120)
    assert p.returncode == 2 and "none.toml: no such file" in p.stderr


# runs without the engine: a good file's settings, image defaults and relative paths
def test_good_file_parsed(tmp_path: Path) -> None:
    path = _write(tmp_path, '[machine]\nharts = 2\nmemory = "512M"\n\n'
                            '[vm.web]\nkernel = "KERNEL"\nappend = "console=ttyS0"\nmemory = 64\nvcpus = 2\n'
                            'weight = 2\ncap = 0.5\ndrives = ["a.img,ro"]\nconsole = "file:web.log"\n\n'
                            '[vm.db]\nkernel = "KERNEL"\nmemory = "32M"\ndrives = ["a.img,ro"]\n'
                            'console = "stdio"\n')
    cfg = vmconfig.load(path)
    assert (cfg.harts, cfg.memory) == (2, 512 << 20)
    web, db = cfg.vms
    assert web.name == "web" and web.kernel == tmp_path / "k.elf"
    assert (web.memory, web.vcpus, web.weight, web.cap) == (64 << 20, 2, 2.0, 0.5)
    assert web.drives[0].path == tmp_path / "a.img" and web.drives[0].readonly
    assert web.console == f"file:{tmp_path / 'web.log'}"
    assert (db.memory, db.vcpus, db.weight, db.cap, db.console) == (32 << 20, 1, 1.0, None, "stdio")
    assert cfg.stdio_vm is db


# runs without the engine: a bundled image name brings its initrd, command line and memory
def test_bundled_image_defaults(tmp_path: Path) -> None:
    from rvisor import images

    img = images.resolve("linux")
    if img is None or not img.present:
        pytest.skip("the bundled image 'linux' is not built (bash setup.sh builds it)")
    cfg = vmconfig.loads('[vm.web]\nkernel = "linux"\nvcpus = 1\n', source="t.toml", base=tmp_path)
    web = cfg.vms[0]
    assert web.kernel == img.path and web.initrd == img.initrd and web.append == img.append
    assert web.memory == img.memory and web.image == "linux"


# runs without the engine: the API's create request is checked by the same code
def test_api_table_checked_alike(tmp_path: Path) -> None:
    _write(tmp_path, "")
    spec = vmconfig.parse_vm_table("new", {"kernel": "k.elf", "memory": "64M"}, tmp_path,
                                   source="PUT /vms/new")
    assert spec.memory == 64 << 20
    with pytest.raises(vmconfig.ConfigError, match=re.escape("PUT /vms/new: vm.new.memory: malformed")):
        vmconfig.parse_vm_table("new", {"kernel": "k.elf", "memory": "x"}, tmp_path, source="PUT /vms/new")


# runs when a test reads the per-VM table: the cell of a VM's column in a counter's row
def table_cells(out: str, label: str) -> list[str]:
    for line in out.splitlines():
        cells = [c.strip() for c in re.split(r"[│|]", line)]
        if len(cells) > 2 and cells[1] == label:
            return cells[2:-1]
    raise AssertionError(f"no {label!r} row in:\n{out}")


# ---- booting real guests ------------------------------------------------------------------------------
LINUX_APPEND = "console=ttyS0 earlycon=sbi rvisor.memsum_mib=1"
SLOW = pytest.mark.slow


# runs for the booting tests: rvisor up in a subprocess, with input on its stdin (no terminal)
def up(path: Path, *args: str, stdin: str = "", timeout: float = 600) -> subprocess.CompletedProcess[str]:
    import os
    import sys

    env = dict(os.environ)
    env.pop("COLUMNS", None)
    return subprocess.run([sys.executable, "-m", "rvisor", "up", str(path), *args], input=stdin,
                          capture_output=True, text=True, timeout=timeout, env=env,
                          cwd=Path(__file__).resolve().parent.parent)


# runs for the booting tests: a tiny guest at 0x80200000 from instruction words (no toolchain needed)
def tiny(tmp_path: Path, name: str, words: list[int], addr: int = 0x8020_0000) -> Path:
    return write_riscv_elf(tmp_path / f"{name}.elf", words, addr=addr)


# lui t0, 0x40000; lw t1, 0(t0); j . — a load from guest-physical 0x40000000, which maps nothing
UNMAPPED_LOAD = [0x400002B7, 0x0002A303, 0x0000006F]
# SBI SRST system_reset(shutdown): a7 = 0x53525354 ("SRST"), a6 = 0, a0 = a1 = 0, ecall, j .
SRST_SHUTDOWN = [0x535258B7, 0x35488893, 0x00000813, 0x00000513, 0x00000593, 0x00000073, 0x0000006F]


# proves: two Linux VMs, each with its own disk, and the teaching OS on up's terminal run side by side
# on a 2-hart machine; each console holds only its own VM's output, each Linux VM reads its own disk's
# first sector, the OS answers what is typed on up's stdin; exit 0 and the table of every counter
@SLOW
def test_up_three_vms(tmp_path: Path, shared_guest: Callable[[str], Path],
                      guest_elf: Callable[[str], Path]) -> None:
    linux = shared_guest("linux")
    os_elf = guest_elf("os")
    for name in ("web", "api"):
        (tmp_path / f"{name}.img").write_bytes(f"DISK-OF-{name.upper()}-VM!".encode().ljust(1 << 20, b"\0"))
    (tmp_path / "db.img").write_bytes(b"")
    with open(tmp_path / "db.img", "wb") as f:
        f.truncate(16 << 20)
    linux_keys = (f'kernel = "{linux / "Image"}"\ninitrd = "{linux / "initramfs.cpio.gz"}"\n'
                  f'append = "{LINUX_APPEND}"\nmemory = "128M"\n')
    path = tmp_path / "up.toml"
    path.write_text(f'[machine]\nharts = 2\nmemory = "1G"\n\n'
                    f'[vm.web]\n{linux_keys}drives = ["web.img"]\nconsole = "file:web.log"\n\n'
                    f'[vm.api]\n{linux_keys}drives = ["api.img,ro"]\nconsole = "file:api.log"\nweight = 2\n\n'
                    f'[vm.db]\nkernel = "{os_elf}"\nmemory = "64M"\ndrives = ["db.img"]\nconsole = "stdio"\n')
    stats = tmp_path / "stats.json"
    p = up(path, "--clock", "deterministic", "--stats-json", str(stats), "--api-sock", str(tmp_path / "s"),
           stdin="kvdb set lab rvisor\nkvdb get lab\npoweroff\n")
    assert p.returncode == 0, p.stdout[-4000:] + p.stderr
    web, api = (tmp_path / "web.log").read_text(), (tmp_path / "api.log").read_text()
    for name, log in (("web", web), ("api", api)):
        assert "RVISOR-LINUX-SELFTEST-DONE" in log and "fail=0" in log, log[-2000:]
        own = f"DISK-OF-{name.upper()}-VM!"[:16].encode().hex()
        assert f"RVISOR-VDA-SECTOR0 {own}" in log, log[-2000:]
        assert "OS: boot" not in log and "os$" not in log
    assert "DISK-OF-API".encode().hex() not in web and "DISK-OF-WEB".encode().hex() not in api
    # the teaching OS on up's own stdin and stdout, each line prefixed with its VM's name
    assert "[db] os$ kvdb get lab" in p.stdout and "[db] rvisor" in p.stdout, p.stdout[-3000:]
    assert "RVISOR-LINUX" not in p.stdout.split("rvisor up")[0]
    assert not (tmp_path / "s").exists(), "the control socket is removed on exit"
    head = next(line for line in p.stdout.splitlines() if re.search(r"counter\s*┃", line))
    assert re.findall(r"┃\s*(\w+)\s*", head)[1:] == ["web", "api", "db"]
    assert table_cells(p.stdout, "exit") == ["poweroff"] * 3
    assert p.stdout.rstrip().endswith("rvisor up: all VMs stopped")
    assert "rvisor up: consoles: web to " in p.stderr and "db on this terminal" in p.stderr
    assert table_cells(p.stdout, "state") == ["stopped"] * 3
    for label in ("instructions", "guest-page faults", "pages mapped"):
        assert all(int(c.replace(",", "")) > 0 for c in table_cells(p.stdout, label)), label
    for label in ("share of hart time", "exits by reason", "SBI calls by extension", "host memory",
                  "mmio", "srst"):
        assert len(table_cells(p.stdout, label)) == 3
    data = json.loads(stats.read_text())
    assert data["exit_code"] == 0 and list(data["vms"]) == ["web", "api", "db"]
    for name, vm in data["vms"].items():
        assert vm["exit"] == "poweroff" and vm["instructions"] > 1_000_000, (name, vm)
        assert vm["sbi"]["srst"] == 1 and vm["guest_page_faults"] > 0 and vm["host_memory_bytes"] > 0
        assert 0 < vm["share"] < 1
    shown = int(table_cells(p.stdout, "instructions")[0].replace(",", ""))
    assert data["vms"]["web"]["instructions"] == shown


# proves: --timeout ends a run whose VM never stops (the teaching OS waiting at its prompt): exit 124,
# the VM stopped, the table printed
@SLOW
def test_up_timeout(tmp_path: Path, guest_elf: Callable[[str], Path]) -> None:
    path = tmp_path / "up.toml"
    path.write_text(f'[vm.idle]\nkernel = "{guest_elf("os")}"\nmemory = "32M"\ndrives = []\n'
                    'console = "file:idle.log"\n')
    p = up(path, "--timeout", "4", "--api-sock", str(tmp_path / "s"))
    assert p.returncode == 124, p.stdout + p.stderr
    assert "timeout after 4 s: still running: idle" in p.stderr
    assert "os$ " in (tmp_path / "idle.log").read_text()
    assert table_cells(p.stdout, "exit") == ["stopped"]


# proves: a VM that touches unmapped guest-physical memory is stopped alone with a report (exit 1); the
# VM beside it powers off cleanly
@pytest.mark.needs_jit(reason="runs guests in VMs")
def test_up_failed_vm(tmp_path: Path) -> None:
    tiny(tmp_path, "crash", UNMAPPED_LOAD)
    tiny(tmp_path, "ok", SRST_SHUTDOWN)
    path = tmp_path / "up.toml"
    path.write_text('[vm.bad]\nkernel = "crash.elf"\nmemory = "16M"\n\n[vm.good]\nkernel = "ok.elf"\n'
                    'memory = "16M"\n')
    p = up(path, "--api-sock", str(tmp_path / "s"), timeout=300)
    assert p.returncode == 1, p.stdout + p.stderr
    assert table_cells(p.stdout, "exit") == ["fault", "poweroff"]
    assert "rvisor up: bad: fault: guest" in p.stderr
    assert "unmapped guest-physical address 0x40000000" in p.stderr
    assert "rvisor up: failed: bad" in p.stderr


# proves: M-mode software (an ELF linked at 0x80000000) is refused when the VM is created: exit 2 with
# the VMM's reason, before any VM runs
@pytest.mark.needs_jit(reason="creates VMs")
def test_up_mmode_kernel_refused(tmp_path: Path) -> None:
    tiny(tmp_path, "mmode", SRST_SHUTDOWN, addr=0x8000_0000)
    tiny(tmp_path, "ok", SRST_SHUTDOWN)
    path = tmp_path / "up.toml"
    path.write_text('[vm.ok]\nkernel = "ok.elf"\nmemory = "16M"\n[vm.m]\nkernel = "mmode.elf"\n'
                    'memory = "16M"\n')
    p = up(path, "--api-sock", str(tmp_path / "s"), timeout=300)
    assert p.returncode == 2, p.stdout + p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and "vm.m:" in p.stderr and "M-mode" in p.stderr
    assert p.stdout == ""


# proves: Ctrl-A x typed on up's terminal (here: piped) stops every VM; up reports the quit and exits 0
@SLOW
def test_up_stdio_quit(tmp_path: Path, guest_elf: Callable[[str], Path]) -> None:
    path = tmp_path / "up.toml"
    kernel = guest_elf("os")
    path.write_text(f'[vm.sh]\nkernel = "{kernel}"\nmemory = "32M"\ndrives = []\nconsole = "stdio"\n\n'
                    f'[vm.bg]\nkernel = "{kernel}"\nmemory = "32M"\ndrives = []\n')
    p = up(path, "--api-sock", str(tmp_path / "s"), stdin="\x01x", timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "rvisor: terminated by Ctrl-A x" in p.stdout
    assert p.stdout.rstrip().endswith("rvisor up: quit (Ctrl-A x)")
    assert table_cells(p.stdout, "exit") == ["stopped", "stopped"]


# lui t0, 0x40200; slli t0, t0, 1; sd zero, 0(t0); lui t1, 1; add t0, t0, t1; j -12 — a store to every
# page of guest RAM from 0x80400000 on
FILL_RAM = [0x402002B7, 0x00129293, 0x0002B023, 0x00001337, 0x006282B3, 0xFF5FF06F]


# proves: a VM that needs more pages than the host has left is paused for want of host RAM; once no VM
# runs that could free any, rvisor up stops it with the VMM's report (exit 1); the VM beside it powered
# off cleanly
@pytest.mark.needs_jit(reason="runs guests in VMs")
def test_up_host_memory_exhausted(tmp_path: Path) -> None:
    tiny(tmp_path, "fill", FILL_RAM)
    tiny(tmp_path, "ok", SRST_SHUTDOWN)
    path = tmp_path / "up.toml"
    path.write_text('[machine]\nmemory = "16M"\n[vm.ok]\nkernel = "ok.elf"\nmemory = "8M"\n'
                    '[vm.fill]\nkernel = "fill.elf"\nmemory = "64M"\n')
    p = up(path, "--api-sock", str(tmp_path / "s"), "--timeout", "120", timeout=300)
    assert p.returncode == 1, p.stdout + p.stderr
    assert table_cells(p.stdout, "exit") == ["poweroff", "out of host memory"]
    assert "rvisor up: fill: out of host memory: " in p.stderr and "host RAM exhausted" in p.stderr
    assert "stopped: no other VM could free host RAM" in p.stderr
