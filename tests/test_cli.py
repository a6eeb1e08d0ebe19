"""The command line: every error path is one line on stderr and exit code 2; run's exit codes."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import FAIL5, LOOP, POWEROFF, write_riscv_elf

from rvisor import cli

Cli = Callable[..., subprocess.CompletedProcess[str]]


# runs for the in-process tests: rvisor's main() with argv, returning (exit code, stdout, stderr)
def call(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as ex:
        cli.main(list(argv))
    out, err = capsys.readouterr()
    code = ex.value.code
    return (code if isinstance(code, int) else 1), out, err


# runs in each error-path test: exit 2, exactly one line on stderr, naming the problem
def assert_usage_error(result: tuple[int, str, str], *words: str) -> None:
    code, _, err = result
    assert code == 2, f"exit code {code}, stderr {err!r}"
    lines = err.strip().splitlines()
    assert len(lines) == 1, f"stderr is not one line: {err!r}"
    for w in words:
        assert w.lower() in lines[0].lower(), f"{w!r} not in {lines[0]!r}"


# runs for tests that need a valid kernel file to get past the kernel checks
@pytest.fixture
def kernel(tmp_path: Path) -> Path:
    return write_riscv_elf(tmp_path / "k.elf", LOOP)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = call(capsys, "--version")
    assert code == 0
    assert out.strip() == f"rvisor {cli.version()}"


def test_version_console_script(rvisor_cli: Cli) -> None:
    p = rvisor_cli("--version", timeout=60)
    assert p.returncode == 0 and p.stdout.startswith("rvisor ")


@pytest.mark.parametrize("sub", ["run", "demo", "bench", "images", "warmup"])
def test_help_has_example(capsys: pytest.CaptureFixture[str], sub: str) -> None:
    code, out, _ = call(capsys, sub, "--help")
    assert code == 0
    assert "Example" in out


def test_bare_rvisor_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = call(capsys)
    assert code == 0 and "Examples" in out and "run" in out


def test_unknown_flag(capsys: pytest.CaptureFixture[str], kernel: Path) -> None:
    assert_usage_error(call(capsys, "run", "--kernel", str(kernel), "--frobnicate"), "--frobnicate")


def test_unknown_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    assert_usage_error(call(capsys, "frobnicate"), "frobnicate")


def test_unknown_flag_subprocess(rvisor_cli: Cli) -> None:
    p = rvisor_cli("run", "--kernel", "x", "--no-such-flag", timeout=60)
    assert p.returncode == 2
    assert len(p.stderr.strip().splitlines()) == 1 and "--no-such-flag" in p.stderr


def test_kernel_required(capsys: pytest.CaptureFixture[str]) -> None:
    assert_usage_error(call(capsys, "run"), "--kernel")


def test_missing_kernel(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.elf")
    assert_usage_error(call(capsys, "run", "--kernel", missing), "no such file", "nope.elf")


def test_unknown_image_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert_usage_error(call(capsys, "run", "--kernel", "no-such-image"), "no-such-image", "rvisor images")


def test_corrupt_elf(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "garbage.elf"
    bad.write_bytes(bytes(range(256)) * 4)
    assert_usage_error(call(capsys, "run", "--kernel", str(bad)), "corrupt ELF", "garbage.elf")


def test_truncated_elf(capsys: pytest.CaptureFixture[str], kernel: Path) -> None:
    kernel.write_bytes(kernel.read_bytes()[:80])
    assert_usage_error(call(capsys, "run", "--kernel", str(kernel)), "corrupt ELF")


def test_empty_kernel(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    assert_usage_error(call(capsys, "run", "--kernel", str(empty)), "empty")


def test_wrong_architecture(capsys: pytest.CaptureFixture[str]) -> None:
    ls = Path("/bin/ls")
    if not ls.is_file():
        pytest.skip("/bin/ls is not there to serve as a foreign-architecture ELF")
    assert_usage_error(call(capsys, "run", "--kernel", str(ls)), "wrong architecture", "not RISC-V")


def test_rv32_elf(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    k = tmp_path / "rv32.elf"
    data = bytearray(write_riscv_elf(k, LOOP).read_bytes())
    data[4] = 1  # ELFCLASS32: the rest no longer parses as a 32-bit header, either way it is refused
    k.write_bytes(bytes(data))
    code, _, err = call(capsys, "run", "--kernel", str(k))
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "32-bit" in err or "corrupt ELF" in err


def test_kernel_too_big_for_ram(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    k = write_riscv_elf(tmp_path / "big.elf", LOOP, memsz=200 << 20)
    assert_usage_error(call(capsys, "run", "--kernel", str(k), "--bios", "none"), "RAM", "-m")


@pytest.mark.parametrize("size", ["12Q", "abc", "", "-5", "1.5.2G"])
def test_bad_size(capsys: pytest.CaptureFixture[str], kernel: Path, size: str) -> None:
    assert_usage_error(call(capsys, "run", "--kernel", str(kernel), "-m", size), "memory size")


@pytest.mark.parametrize("size", ["0", "100K", "128T"])
def test_size_out_of_range(capsys: pytest.CaptureFixture[str], kernel: Path, size: str) -> None:
    assert_usage_error(call(capsys, "run", "--kernel", str(kernel), "-m", size), "out of range")


@pytest.mark.parametrize("text,size", [("128M", 128 << 20), ("1G", 1 << 30), ("256", 256 << 20),
                                       ("512MiB", 512 << 20), ("2g", 2 << 30), ("65536K", 64 << 20)])
def test_parse_size(text: str, size: int) -> None:
    assert cli.parse_size(text) == size


@pytest.mark.parametrize("n", ["0", "65", "-1"])
def test_bad_smp(capsys: pytest.CaptureFixture[str], kernel: Path, n: str) -> None:
    assert_usage_error(call(capsys, "run", "--kernel", str(kernel), "--smp", n), "--smp")


def test_smp_not_a_number(capsys: pytest.CaptureFixture[str], kernel: Path) -> None:
    assert_usage_error(call(capsys, "run", "--kernel", str(kernel), "--smp", "two"), "--smp")


def test_bad_clock(capsys: pytest.CaptureFixture[str], kernel: Path) -> None:
    assert_usage_error(call(capsys, "run", "--kernel", str(kernel), "--clock", "sundial"), "--clock")


@pytest.mark.parametrize("spec", ["tty", "file:", "file:/no/such/folder/out.txt"])
def test_bad_console(capsys: pytest.CaptureFixture[str], kernel: Path, spec: str) -> None:
    assert_usage_error(call(capsys, "run", "--kernel", str(kernel), "--console", spec), "--console")


@pytest.mark.parametrize("t", ["0", "-3", "soon"])
def test_bad_timeout(capsys: pytest.CaptureFixture[str], kernel: Path, t: str) -> None:
    assert_usage_error(call(capsys, "run", "--kernel", str(kernel), "--timeout", t), "--timeout")


def test_missing_initrd(capsys: pytest.CaptureFixture[str], kernel: Path, tmp_path: Path) -> None:
    assert_usage_error(call(capsys, "run", "--kernel", str(kernel), "--initrd", str(tmp_path / "rd.cpio")),
                       "--initrd", "no such file")


def test_missing_bios(capsys: pytest.CaptureFixture[str], kernel: Path, tmp_path: Path) -> None:
    assert_usage_error(call(capsys, "run", "--kernel", str(kernel), "--bios", str(tmp_path / "fw.bin")),
                       "--bios", "no such file")


def test_foreign_bios(capsys: pytest.CaptureFixture[str], kernel: Path) -> None:
    if not Path("/bin/ls").is_file():
        pytest.skip("/bin/ls is not there to serve as a foreign-architecture ELF")
    assert_usage_error(call(capsys, "run", "--kernel", str(kernel), "--bios", "/bin/ls"),
                       "--bios", "wrong architecture")


def test_missing_drive(capsys: pytest.CaptureFixture[str], kernel: Path, tmp_path: Path) -> None:
    assert_usage_error(call(capsys, "run", "--kernel", str(kernel), "--drive", str(tmp_path / "d.img")),
                       "--drive", "no such file")


def test_bad_drive_option(capsys: pytest.CaptureFixture[str], kernel: Path, tmp_path: Path) -> None:
    disk = tmp_path / "d.img"
    disk.write_bytes(bytes(4096))
    assert_usage_error(call(capsys, "run", "--kernel", str(kernel), "--drive", f"{disk},snapshot"),
                       "--drive", "snapshot")


def test_bad_dtb(capsys: pytest.CaptureFixture[str], kernel: Path, tmp_path: Path) -> None:
    dtb = tmp_path / "board.dtb"
    dtb.write_bytes(b"not a device tree")
    assert_usage_error(call(capsys, "run", "--kernel", str(kernel), "--dtb", str(dtb)),
                       "--dtb", "device tree")


def test_conflict_initrd_without_firmware(capsys: pytest.CaptureFixture[str], kernel: Path,
                                          tmp_path: Path) -> None:
    rd = tmp_path / "rd.cpio"
    rd.write_bytes(bytes(512))
    assert_usage_error(call(capsys, "run", "--kernel", str(kernel), "--bios", "none", "--initrd", str(rd)),
                       "conflicting options", "--initrd", "--bios none")


def test_conflict_same_drive_twice(capsys: pytest.CaptureFixture[str], kernel: Path, tmp_path: Path) -> None:
    disk = tmp_path / "d.img"
    disk.write_bytes(bytes(4096))
    assert_usage_error(call(capsys, "run", "--kernel", str(kernel), "--drive", str(disk), "--drive",
                            f"{disk},ro"), "conflicting options", "twice")


def test_conflict_console_and_stats_same_file(capsys: pytest.CaptureFixture[str], kernel: Path,
                                              tmp_path: Path) -> None:
    f = tmp_path / "out.txt"
    assert_usage_error(call(capsys, "run", "--kernel", str(kernel), "--console", f"file:{f}", "--stats-json",
                            str(f)), "conflicting options", "--stats-json")


def test_bench_boot_with_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert_usage_error(call(capsys, "bench", "--boot", "intloop"), "conflicting options", "--boot")


def test_bench_bad_compare(capsys: pytest.CaptureFixture[str]) -> None:
    assert_usage_error(call(capsys, "bench", "--compare", "spike"), "--compare")


class _FakeResult:
    """A RunResult as the runner returns it, for the CLI-only tests."""

    # runs when a CLI-only test makes a result
    def __init__(self, reason: str, exit_code: int, message: str = "") -> None:
        self.reason, self.exit_code, self.message = reason, exit_code, message
        self.output, self.instructions, self.seconds, self.mips = "", 1_000_000, 0.5, 2.0
        self.stats = {"traps": {"illegal_instruction": 1}, "interrupts": {"machine_timer": 2},
                      "exits": {"MMIO": 3}, "priv_switches": 4, "harts": [{}]}


# runs in the CLI-only tests: replaces the engine with a function that returns or raises what is given
def fake_runner(monkeypatch: pytest.MonkeyPatch, outcome: Any) -> list[dict[str, Any]]:
    from rvisor.boot.errors import BootError

    calls: list[dict[str, Any]] = []

    # runs instead of the engine: records the call, returns or raises the outcome
    def run_guest(**kw: Any) -> Any:
        calls.append(kw)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    monkeypatch.setattr(cli, "load_runner", lambda: (run_guest, BootError))
    return calls


def test_boot_error_is_one_line_exit_2(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                                       kernel: Path) -> None:
    from rvisor.boot.errors import BootError

    fake_runner(monkeypatch, BootError("kernel overlaps the firmware at 0x80000000\nuse --bios none"))
    assert_usage_error(call(capsys, "run", "--kernel", str(kernel)), "overlaps the firmware")


@pytest.mark.parametrize("reason,code,want", [("poweroff", 0, 0), ("fail", 5, 5), ("reset", 0, 0),
                                              ("timeout", 124, 124)])
def test_exit_code_is_the_guests(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                                 kernel: Path, reason: str, code: int, want: int) -> None:
    fake_runner(monkeypatch, _FakeResult(reason, code))
    got, _, err = call(capsys, "run", "--kernel", str(kernel), "--timeout", "3", "--console", "none")
    assert got == want
    if reason == "timeout":
        assert len(err.strip().splitlines()) == 1 and "timeout" in err


def test_run_passes_flags_to_the_runner(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                                        kernel: Path, tmp_path: Path) -> None:
    calls = fake_runner(monkeypatch, _FakeResult("poweroff", 0))
    disk = tmp_path / "d.img"
    disk.write_bytes(bytes(4096))
    stats = tmp_path / "stats.json"
    code, _, _ = call(capsys, "run", "--kernel", str(kernel), "--bios", "none", "--append", "quiet",
                      "--drive", f"{disk},ro", "-m", "1G", "--smp", "4", "--clock", "realtime",
                      "--console", "none", "--stats-json", str(stats))
    assert code == 0
    kw = calls[0]
    assert kw["kernel"] == str(kernel) and kw["bios"] == "none" and kw["append"] == "quiet"
    assert kw["drives"] == [(str(disk), True)] and kw["memory"] == 1 << 30 and kw["smp"] == 4
    assert kw["clock"] == "realtime" and kw["console"] == "none"
    data = json.loads(stats.read_text())
    for key in ("instructions", "seconds", "mips", "traps", "interrupts", "exits"):
        assert key in data
    assert data["traps"] == {"illegal_instruction": 1}


def test_images_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = call(capsys, "images")
    assert code == 0
    for word in ("name", "what it is", "size", "path", "present", "privilege", "os"):
        assert word in out


def test_images_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = call(capsys, "images", "--json")
    assert code == 0
    rows = {r["name"]: r for r in json.loads(out)}
    assert {"hello", "privilege", "os"} <= set(rows)
    for r in rows.values():
        assert set(r) >= {"name", "description", "path", "size", "present"}


def test_images_know_the_linux_guests(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                                      shared_guest: Callable[[str], Path]) -> None:
    d = shared_guest("linux")
    monkeypatch.setenv("RVISOR_GUESTS", str(d.parent))  # the external copy replaces the built guest
    code, out, _ = call(capsys, "images", "--json")
    rows = {r["name"]: r for r in json.loads(out)}
    assert rows["linux"]["present"] and rows["linux"]["path"] == str(d / "Image")
    assert rows["linux"]["initrd"] == str(d / "initramfs.cpio.gz")


# --- end to end: these boot the tiny programs on the real engine --------------------------------------


def test_run_poweroff_exit_0(rvisor_cli: Cli, tmp_path: Path) -> None:
    k = write_riscv_elf(tmp_path / "poweroff.elf", POWEROFF)
    stats = tmp_path / "s.json"
    p = rvisor_cli("run", "--kernel", str(k), "--bios", "none", "--console", "none", "--timeout", "300",
                   "--stats-json", str(stats))
    assert p.returncode == 0, p.stderr
    data = json.loads(stats.read_text())
    assert data["instructions"] >= 4
    assert data["exits"], "the poweroff store is an MMIO exit"


def test_run_fail_code(rvisor_cli: Cli, tmp_path: Path) -> None:
    k = write_riscv_elf(tmp_path / "fail5.elf", FAIL5)
    p = rvisor_cli("run", "--kernel", str(k), "--bios", "none", "--console", "none", "--timeout", "300")
    assert p.returncode == 5, p.stderr


def test_run_timeout_124(rvisor_cli: Cli, tmp_path: Path) -> None:
    k = write_riscv_elf(tmp_path / "loop.elf", LOOP)
    p = rvisor_cli("run", "--kernel", str(k), "--bios", "none", "--console", "none", "--timeout", "2")
    assert p.returncode == 124, p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and "timeout" in lines[0]


# proves: while one `rvisor run` has a disk open read-write, a second run of the same disk stops at
# once with exit code 2 and one line that names the image (QEMU's image locking); it runs again once
# the first machine is gone
def test_drive_in_use_by_another_run(rvisor_cli: Cli, tmp_path: Path) -> None:
    import sys

    loop = write_riscv_elf(tmp_path / "loop.elf", LOOP)
    off = write_riscv_elf(tmp_path / "off.elf", POWEROFF)
    disk = tmp_path / "disk.img"
    disk.write_bytes(bytes(1 << 20))
    first = subprocess.Popen([sys.executable, "-m", "rvisor", "run", "--bios", "none", "--kernel", str(loop),
                              "--drive", str(disk), "--console", "none", "--timeout", "60"],
                             stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        import time

        time.sleep(3)  # the first run starts (interpreter, engine load, disk opened and locked)
        deadline = time.monotonic() + 50
        while True:  # until the first machine is seen holding the lock
            p = rvisor_cli("run", "--bios", "none", "--kernel", str(off), "--drive", str(disk), timeout=60)
            if p.returncode == 2 or time.monotonic() > deadline or first.poll() is not None:
                break
            time.sleep(0.2)
        assert p.returncode == 2, (p.returncode, p.stderr)
        lines = p.stderr.strip().splitlines()
        assert len(lines) == 1 and str(disk) in lines[0] and "in use by another machine" in lines[0], lines
    finally:
        first.kill()
        first.wait()
    assert rvisor_cli("run", "--bios", "none", "--kernel", str(off), "--drive", str(disk)).returncode == 0
