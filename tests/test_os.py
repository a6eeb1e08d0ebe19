"""The teaching OS (guest/os, built by `make -C guest os`): an S-mode kernel on SBI with a shell.

Each test boots the same image (`guest/build/os.elf`, entered at 0x80200000) and types commands at
its shell prompt: on rvisor's built-in firmware, under OpenSBI's fw_jump, and under QEMU where it is
installed.  They check what the OS and its programs print, and what its file system leaves on the
disk image file (a host-side check walks the on-disk structures after a power cut).
guest/os/README.md lists the commands and the kernel's messages.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import struct
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rvisor.hw.console import CaptureConsole
from rvisor.images import OPENSBI_FW_JUMP
from rvisor.runner import RunResult, build_board

pytestmark = pytest.mark.needs_jit(reason="boots the teaching OS (millions of instructions per run)")

PROMPT = "os$ "
TIMEOUT = 120.0  # seconds; a session takes a few, this only bounds a hang
QEMU = shutil.which("qemu-system-riscv64")
DISK_BYTES = 16 << 20
BSIZE = 1024


# runs when a test needs the OS's binary (built on demand by the conftest fixture)
@pytest.fixture
def os_elf(guest_elf: Callable[[str], Path]) -> str:
    return str(guest_elf("os"))


# runs when a test needs a blank 16 MiB disk of its own (the OS formats it at boot)
@pytest.fixture
def blank_disk(tmp_path: Path) -> Path:
    disk = tmp_path / "disk.img"
    with open(disk, "wb") as f:
        f.truncate(DISK_BYTES)
    return disk


# runs after each session: console text with CRLF turned into LF
def clean(text: str) -> str:
    return text.replace("\r\n", "\n")


# runs when a test boots the OS and types commands: each command once the shell prompts for it
# (as a person would), then runs until poweroff; `stop` may end the run early (a power cut)
def session(kernel: str, commands: list[str], disk: Path | None = None, bios: str = "builtin",
            stop: Callable[[str], bool] | None = None, read_only: bool = False) -> RunResult:
    drives = [(str(disk), read_only)] if disk else []
    board = build_board(kernel, bios=bios, drives=drives, console="capture")
    assert isinstance(board.console, CaptureConsole)
    con = board.console
    sent = [0]

    # runs from the run loop: type the next command when a new prompt has appeared
    def progress(_info: dict[str, Any]) -> None:
        text = con.text
        if stop is not None and stop(text):
            board.halt("quit", 0, "power cut by the test")
            return
        if sent[0] < len(commands) and text.count(PROMPT) > sent[0]:
            con.inject(commands[sent[0]] + "\n")
            sent[0] += 1

    try:
        r = board.run(timeout=TIMEOUT, progress=progress, progress_interval=0.0)
    finally:
        board.close()
    return r


# runs after a session that should end by `poweroff`: the run's console text
def finished(r: RunResult) -> str:
    out = clean(r.output)
    assert r.reason == "poweroff" and r.exit_code == 0, f"{r.reason} {r.exit_code} {r.message}\n{out[-4000:]}"
    assert "OS: PANIC" not in out, out
    return out


# runs when a test looks at one command's output: the text after "os$ CMD" up to the next prompt
def output_of(out: str, cmd: str, nth: int = 0) -> str:
    parts = out.split(PROMPT + cmd + "\n")
    assert len(parts) > nth + 1, f"{cmd!r} was not run:\n{out[-3000:]}"
    return parts[nth + 1].split(PROMPT, 1)[0]


# proves: `printf 'echo hi\npoweroff\n' | rvisor run --kernel os` prints hi and exits 0 (input piped
# all at once, before the OS is up), on a disk of its own
def test_piped_input_through_the_cli(blank_disk: Path, os_elf: str) -> None:
    p = subprocess.run([sys.executable, "-m", "rvisor", "run", "--kernel", "os", "--drive", str(blank_disk),
                        "--timeout", "60"], input="echo hi\npoweroff\n", capture_output=True, text=True,
                       timeout=180)
    out = clean(p.stdout)
    assert p.returncode == 0, f"{p.returncode}\n{out}\n{p.stderr}"
    # input typed ahead is echoed when the shell reads it: each command stands next to its output
    assert "\nos$ echo hi\nhi\nos$ poweroff\nOS: poweroff (code 0)" in out, out
    assert "OS: fs: blank disk formatted" in out, out


# proves: the shell's commands, arguments, redirection, pipes, directories, background jobs, kill,
# an unknown command, a faulting program that does not take the shell down, and a killed shell
# replaced by init
def test_shell_commands(os_elf: str, blank_disk: Path) -> None:
    r = session(os_elf, [
        "echo hello   world", "mkdir /docs", "echo first line > /docs/a.txt", "echo second >> /docs/a.txt",
        "cat /docs/a.txt", "wc /docs/a.txt", "cat /docs/a.txt | wc", "wc < /docs/a.txt", "ls /docs", "ls",
        "rm /docs", "rm /docs/a.txt", "rm /docs", "ls /", "ls /bin", "cat /nothing", "frobnicate",
        "trapdemo load",
        "cpuhog 100 &", "ps", "kill 99", "uptime", "echo a b c | cat | cat | wc", "kill 2", "echo new shell",
        "poweroff",
    ], blank_disk)
    out = finished(r)
    assert output_of(out, "echo hello   world") == "hello world\n"
    assert output_of(out, "cat /docs/a.txt") == "first line\nsecond\n"
    assert output_of(out, "wc /docs/a.txt") == "2 3 18 /docs/a.txt\n"
    assert output_of(out, "cat /docs/a.txt | wc") == "2 3 18\n"
    assert output_of(out, "wc < /docs/a.txt") == "2 3 18\n"
    assert re.search(r"^a\.txt\s+file\s+\d+\s+18$", output_of(out, "ls /docs"), re.M), out
    assert re.search(r"^docs/\s+dir ", output_of(out, "ls"), re.M), out
    assert output_of(out, "rm /docs") == "rm: /docs: directory not empty\n"
    assert output_of(out, "rm /docs", 1) == ""
    assert "docs" not in output_of(out, "ls /")
    for prog in ("sh", "ls", "kvdb", "trapdemo", "selftest", "cpuhog", "iohog"):
        assert re.search(rf"^{prog}\s+file ", output_of(out, "ls /bin"), re.M), prog
    assert output_of(out, "cat /nothing") == "cat: /nothing: no such file\n"
    assert output_of(out, "frobnicate") == "sh: frobnicate: command not found\n"
    assert re.search(r"OS: pid \d+ \(trapdemo\) killed: load page fault at pc 0x4\w+, address 0x8\n",
                     output_of(out, "trapdemo load")), out
    m = re.match(r"\[(\d+)\]\n", output_of(out, "cpuhog 100 &"))
    assert m, out
    hog = m.group(1)
    ps = output_of(out, "ps")
    assert re.search(rf"^\s+{hog}\s+\d+\s+{hog}\s+(runnable|running)\s.*cpuhog$", ps, re.M), ps
    assert re.search(r"^\s+2\s+1\s+1\s+\w+\s.*sh$", ps, re.M), ps
    assert output_of(out, "kill 99") == "kill: 99: no such process\n"
    assert re.match(r"up \d+\.\d\d s \(\d+ ticks of 10 ms\)", output_of(out, "uptime")), out
    assert output_of(out, "echo a b c | cat | cat | wc") == "1 3 6\n"
    assert output_of(out, "kill 2") == "OS: shell killed, starting a new one\n"  # init starts another
    assert output_of(out, "echo new shell") == "new shell\n"
    assert "OS: poweroff (code 0)" in out


# proves: a background job is killed from the shell, and Ctrl-C interrupts the foreground job while
# the shell lives on; backspace edits the line being typed
def test_jobs_kill_ctrl_c_and_line_editing(os_elf: str) -> None:
    board = build_board(os_elf, bios="builtin", console="capture")
    con = board.console
    assert isinstance(con, CaptureConsole)
    # (what must appear after the previous step's input, what to type next); "@KILL" kills the job
    steps: list[tuple[str, str]] = [
        (PROMPT, "cpuhog 100 &\n"),
        ("]\n" + PROMPT, "@KILL"),  # once the job has started
        (PROMPT, "ps\n"),
        ("NAME", "cpuhog 100\n"),
        (": 1 s,", "\x03"),
        ("^C\n" + PROMPT, "echo hx\x7fi\n"),
        ("\nhi\n" + PROMPT, "poweroff\n"),
    ]
    done: list[str] = []
    marks = [0]

    # runs from the run loop: each step's input once its trigger has been printed since the last step
    def progress(_info: dict[str, Any]) -> None:
        if len(done) >= len(steps):
            return
        trigger, data = steps[len(done)]
        text = clean(con.text)
        if trigger not in text[marks[-1]:]:
            return
        if data == "@KILL":
            data = "kill " + re.findall(r"\[(\d+)\]\n", text)[-1] + "\n"
        con.inject(data)
        done.append(data)
        marks.append(len(text))

    try:
        r = board.run(timeout=TIMEOUT, progress=progress, progress_interval=0.0)
    finally:
        board.close()
    out = clean(r.output)
    assert r.exit_code == 0 and len(done) == len(steps), f"{r.reason} {done}\n{out}"
    bg = re.findall(r"\[(\d+)\]\n", out)[0]
    assert f"[{bg}] done (status -1)" in out, out
    after_kill = out.split("ps\n")[1]
    assert not re.search(rf"^\s+{bg}\s", after_kill.split(PROMPT)[0], re.M), after_kill
    assert re.search(r"cpuhog \d+: 1 s, \d+ k-iterations/s\n\^C\n" + re.escape(PROMPT), out), out
    assert "cpuhog" not in out.split("^C\n")[1].split("\nhi\n")[0].replace("echo hx", ""), out
    assert "\nhi\n" in out


# proves: the former boot self-test, now the `selftest` command, passes (clock, fork/exec/wait with
# arguments, preemption, pipe, a contained fault, kill, file system, raw disk)
def test_selftest(os_elf: str, blank_disk: Path) -> None:
    out = finished(session(os_elf, ["selftest", "poweroff"], blank_disk))
    text = output_of(out, "selftest")
    for check in ("clock", "fork/exec/wait", "preemption", "pipe", "fault contained", "kill", "file system",
                  "disk"):
        assert f"selftest: {check} ok" in text, text
    assert "selftest: all 8 checks passed" in text, text
    assert "sector 1 written and verified twice" in text


TRAP_CASES = {
    "illegal": ("illegal instruction", 2),
    "privileged": ("illegal instruction", 2),
    "load": ("load page fault", 13),
    "store": (re.escape("store/AMO page fault"), 15),
    "fetch": ("instruction page fault", 12),
    "misaligned": ("(store/AMO|load) address misaligned", 6),  # QEMU reports a misaligned AMO as a load
    "breakpoint": ("breakpoint", 3),
}


# runs when trapdemo's output is checked: every case explained in six steps, the kernel's kill lines
def check_trapdemo(text: str) -> None:
    assert "trapdemo: 9 cases, 0 failed" in text, text
    for case in ["syscall", *TRAP_CASES, "timer"]:
        assert f"trapdemo: {case} ok" in text, case
        block = text.split(f"trapdemo: {case}:")[1].split(f"trapdemo: {case} ok")[0]
        steps = re.findall(r"^  (\d) \w+", block, re.M)
        assert steps == ["1", "2", "3", "4", "5", "6"], (case, block)
    for case, (what, cause) in TRAP_CASES.items():
        block = text.split(f"trapdemo: {case}:")[1].split(f"trapdemo: {case} ok")[0]
        assert re.search(rf"^OS: pid \d+ \(trapdemo\) killed: {what} at pc 0x[0-9a-f]+, "
                         r"address 0x[0-9a-f]+$", block, re.M), block
        assert re.search(rf"cause in scause \(\d+ = {what}\)", block), block
    assert "scause = 8 (environment call from U-mode)" in text
    assert re.search(r"(\d+) preemptions during the loop", text)


# proves: every trapdemo case, with the kernel's messages; the shell runs on after seven kills
def test_trapdemo(os_elf: str) -> None:
    out = finished(session(os_elf, ["trapdemo", "echo still here", "poweroff"]))
    check_trapdemo(output_of(out, "trapdemo"))
    assert output_of(out, "echo still here") == "still here\n"


# proves: files and directories written in one boot are there after a reboot, and kvdb's data too
def test_files_and_kvdb_survive_reboot(os_elf: str, blank_disk: Path) -> None:
    out1 = finished(session(os_elf, [
        "mkdir /notes", "echo persistent data > /notes/p.txt", "kvdb set city Paris",
        "kvdb set country France", "kvdb set cat Tom", "kvdb del cat", "kvdb scan c", "poweroff",
    ], blank_disk))
    assert "OS: fs: blank disk formatted" in out1
    assert output_of(out1, "kvdb set city Paris") == "OK\n"
    assert output_of(out1, "kvdb scan c") == "city=Paris\ncountry=France\n(2 keys)\n"
    out2 = finished(session(os_elf, ["cat /notes/p.txt", "kvdb get city", "kvdb get cat",
                                     "echo get country > /q", "kvdb < /q", "poweroff"], blank_disk))
    assert "blank disk formatted" not in out2 and "OS: fs: mounted" in out2, out2
    assert output_of(out2, "cat /notes/p.txt") == "persistent data\n"
    assert output_of(out2, "kvdb get city") == "Paris\n"
    assert output_of(out2, "kvdb get cat") == "(not found)\n"
    assert "kvdb> France\nkvdb> " in output_of(out2, "kvdb < /q")  # the interactive protocol, from a file


# runs after a power cut: replays a committed log as the OS's boot would (kernel/log.c), then walks
# the file system on the image as the OS lays it out (kernel/fs.h); returns the problems found (blocks
# shared or out of range, used but free in the bitmap, dangling directory entries, wrong sizes), the
# files by path, and how many logged blocks were replayed
def fsck(image: Path) -> tuple[list[str], dict[str, bytes], int]:
    data = bytearray(image.read_bytes())

    def block(n: int) -> bytes:
        return bytes(data[n * BSIZE:(n + 1) * BSIZE])

    magic, size, nblocks, ninodes, nlog, logstart, inodestart, bmapstart, datastart = struct.unpack_from(
        "<9I", block(1))
    assert magic == 0x53465652, "no file system"
    problems: list[str] = []
    lh_n = struct.unpack_from("<I", block(logstart))[0]
    assert lh_n < nlog, f"log header holds {lh_n} blocks"
    for i, home in enumerate(struct.unpack_from(f"<{lh_n}I", block(logstart), 4)):
        data[home * BSIZE:(home + 1) * BSIZE] = block(logstart + 1 + i)
    bitmap = b"".join(block(bmapstart + i) for i in range(size // (BSIZE * 8) + 1))

    def used(b: int) -> bool:
        return bool(bitmap[b // 8] >> (b % 8) & 1)

    def inode(inum: int) -> tuple[int, int, int, list[int]]:
        raw = block(inodestart + inum // (BSIZE // 64))
        off = (inum % (BSIZE // 64)) * 64
        typ, _maj, _min, nlink, isize = struct.unpack_from("<hhhhI", raw, off)
        addrs = list(struct.unpack_from("<13I", raw, off + 12))
        return typ, nlink, isize, addrs

    owner: dict[int, int] = {}
    files: dict[str, bytes] = {}

    def content(inum: int) -> bytes:
        _typ, _nlink, isize, addrs = inode(inum)
        blocks = [b for b in addrs[:12] if b]
        if addrs[12]:
            blocks.append(addrs[12])
            blocks += [b for b in struct.unpack("<256I", block(addrs[12])) if b]
        for b in blocks:
            if not (datastart <= b < size):
                problems.append(f"inode {inum}: block {b} out of range")
                continue
            if b in owner and owner[b] != inum:
                problems.append(f"block {b} in inodes {owner[b]} and {inum}")
            owner[b] = inum
            if not used(b):
                problems.append(f"inode {inum}: block {b} is free in the bitmap")
        direct = [b for b in addrs[:12] if b]
        ind = [b for b in struct.unpack("<256I", block(addrs[12])) if b] if addrs[12] else []
        body = b"".join(block(b) for b in direct + ind)
        if isize > len(body):
            problems.append(f"inode {inum}: size {isize} beyond its blocks")
        return body[:isize]

    def walk(inum: int, path: str) -> None:
        body = content(inum)
        for off in range(0, len(body), 16):
            de_inum = struct.unpack_from("<H", body, off)[0]
            name = body[off + 2:off + 16].split(b"\0")[0].decode()
            if not de_inum or name in (".", ".."):
                continue
            typ = inode(de_inum)[0]
            if typ == 0:
                problems.append(f"{path}/{name}: entry for free inode {de_inum}")
            elif typ == 1:
                walk(de_inum, f"{path}/{name}")
            else:
                files[f"{path}/{name}"] = content(de_inum)

    walk(1, "")
    return problems, files, lh_n


# proves: the machine powered off in the middle of disk writes (iohog rewriting a file) leaves the
# file system consistent, with everything committed before intact; the next boot mounts it and works
def test_power_cut_during_writes(os_elf: str, blank_disk: Path) -> None:
    keep = "kept-" * 40  # committed before the cut
    rounds = [0]

    # runs from the run loop: cut the power some 60 engine slices (~30M instructions) into iohog's writes
    def stop(text: str) -> bool:
        if PROMPT + "iohog" in text:
            rounds[0] += 1
        return rounds[0] > 60

    cut = session(os_elf, [f"echo {keep} > /keep.txt", "kvdb set safe yes", "mkdir /d", "iohog 20 64"],
                  blank_disk, stop=stop)
    out = clean(cut.output)
    assert cut.reason == "quit", f"{cut.reason}\n{out}"
    problems, files, _replayed = fsck(blank_disk)
    assert problems == [], problems
    assert files["/keep.txt"] == (keep + "\n").encode()
    assert any(name.startswith("/iohog.") for name in files), files  # the cut came during iohog's writes
    assert files["/kvdb.log"] == b"S safe yes\n"
    out2 = finished(session(os_elf, ["cat /keep.txt", "kvdb get safe", "ls /", "selftest", "poweroff"],
                            blank_disk))
    assert output_of(out2, "kvdb get safe") == "yes\n"
    assert output_of(out2, "cat /keep.txt") == keep + "\n"
    assert "selftest: all 8 checks passed" in out2
    problems, _files, replayed = fsck(blank_disk)
    assert problems == [] and replayed == 0, problems


# proves: a disk holding something else is reported and never written; the shell still runs
def test_foreign_disk_left_untouched(os_elf: str, tmp_path: Path) -> None:
    disk = tmp_path / "foreign.img"
    rnd = random.Random(7)
    payload = bytes(rnd.getrandbits(8) for _ in range(4096))
    with open(disk, "wb") as f:
        f.truncate(DISK_BYTES)
        f.seek(DISK_BYTES - 8192)  # only near the end: the whole disk is checked, not its start
        f.write(payload)
    before = disk.read_bytes()
    out = finished(session(os_elf, ["echo ok", "ls /", "selftest", "poweroff"], disk))
    assert "OS: fs: the disk holds no rvisor file system and is not blank: left untouched" in out, out
    assert output_of(out, "echo ok") == "ok\n"
    assert "ls: /: no such file or directory" in output_of(out, "ls /")
    assert "selftest: disk ok: skipped" in out
    assert disk.read_bytes() == before


# proves: without a disk the OS says so and the shell works; Ctrl-D at the prompt ends the shell and
# init powers the machine off
def test_no_disk_and_ctrl_d(os_elf: str) -> None:
    out = finished(session(os_elf, ["echo no disk here", "ls", "\x04"]))
    assert "OS: disk none (no virtio-blk device found)" in out
    assert output_of(out, "echo no disk here") == "no disk here\n"
    assert "ls: .: no such file or directory" in output_of(out, "ls")
    assert "OS: shell exited (status 0), powering off" in out


# proves: a read-only drive holding a file system is mounted and read, and never written
def test_read_only_disk(os_elf: str, blank_disk: Path) -> None:
    finished(session(os_elf, ["echo kept > /f", "poweroff"], blank_disk))
    before = blank_disk.read_bytes()
    r = session(os_elf, ["cat /f", "echo x > /g", "mkdir /d", "poweroff"], blank_disk, read_only=True)
    out = finished(r)
    assert "read-only" in out and output_of(out, "cat /f") == "kept\n", out
    assert output_of(out, "echo x > /g") == "sh: cannot create /g\n"
    assert output_of(out, "mkdir /d") == "mkdir: cannot create /d\n"
    assert blank_disk.read_bytes() == before


# proves: boot to the shell prompt takes under 20 million instructions, on a formatted disk and while
# formatting a blank one; the OS reads RAM size and devices from the device tree (-m 256M shows)
def test_boot_instructions_and_device_tree(os_elf: str, blank_disk: Path) -> None:
    counts = []
    for _ in range(2):
        board = build_board(os_elf, bios="builtin", drives=[(str(blank_disk), False)], console="capture",
                            memory=256 << 20)
        con = board.console
        assert isinstance(con, CaptureConsole)
        seen: list[int] = []

        # runs from the run loop: note the instruction count when the prompt shows, then stop
        def progress(info: dict[str, Any]) -> None:
            if PROMPT in con.text and not seen:
                seen.append(info["instructions"])
                board.halt("quit", 0, "prompt reached")

        try:
            board.run(timeout=TIMEOUT, progress=progress, progress_interval=0.0)
        finally:
            board.close()
        assert seen, con.text
        counts.append(seen[0])
        assert "256 MiB RAM at 0x80000000, uart 0x10000000 irq 10, plic 0xc000000, 8 virtio slots" in con.text
    assert max(counts) < 20_000_000, counts


# proves: the same image boots under OpenSBI (fw_jump) and its shell passes the self-test
def test_under_opensbi(os_elf: str, blank_disk: Path) -> None:
    if not OPENSBI_FW_JUMP.is_file():
        pytest.skip(f"OpenSBI is not installed ({OPENSBI_FW_JUMP}): apt-get install opensbi")
    out = finished(session(os_elf, ["selftest", "trapdemo misaligned", "poweroff"], blank_disk,
                           bios=str(OPENSBI_FW_JUMP)))
    assert "OpenSBI" in out
    assert "selftest: all 8 checks passed" in out, out
    assert "trapdemo: misaligned ok" in out, out


# runs when a test drives QEMU: one command per prompt on its stdin, until QEMU exits
def qemu_session(kernel: str, disk: Path, commands: list[str]) -> tuple[int, str]:
    assert QEMU is not None
    cmd = [QEMU, "-M", "virt", "-m", "128M", "-nographic", "-kernel", kernel,
           "-global", "virtio-mmio.force-legacy=false",
           "-drive", f"file={disk},if=none,format=raw,id=hd0",
           "-device", "virtio-blk-device,drive=hd0,bus=virtio-mmio-bus.0"]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert proc.stdin is not None and proc.stdout is not None
    os.set_blocking(proc.stdout.fileno(), False)
    out, sent = b"", 0
    deadline = time.monotonic() + 90
    try:
        while proc.poll() is None and time.monotonic() < deadline:
            chunk = proc.stdout.read() or b""
            out += chunk
            if sent < len(commands) and out.count(PROMPT.encode()) > sent:
                proc.stdin.write((commands[sent] + "\n").encode())
                proc.stdin.flush()
                sent += 1
            if not chunk:
                time.sleep(0.02)
        out += proc.stdout.read() or b""
        code = proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return code, clean(out.decode("utf-8", "replace"))


# proves: under qemu-system-riscv64 (OpenSBI, QEMU's PLIC and UART) the same image passes the
# self-test and every trapdemo case, and the files it writes are read back by rvisor
def test_under_qemu(os_elf: str, blank_disk: Path) -> None:
    if QEMU is None:
        pytest.skip("qemu-system-riscv64 is not installed: apt-get install qemu-system-misc")
    code, out = qemu_session(os_elf, blank_disk, ["selftest", "trapdemo", "echo from qemu > /q.txt",
                                                  "poweroff"])
    assert code == 0, out[-4000:]
    assert "selftest: all 8 checks passed" in out, out
    check_trapdemo(output_of(out, "trapdemo"))
    out2 = finished(session(os_elf, ["cat /q.txt", "poweroff"], blank_disk))
    assert output_of(out2, "cat /q.txt") == "from qemu\n"


# proves: the layer rule holds, no file of the portable kernel (guest/os/kernel) names a RISC-V register
def test_kernel_layer_names_no_riscv_register(repo_root: Path) -> None:
    names = r"\b(x([12]?[0-9]|3[01])|ra|sp|gp|tp|t[0-6]|s([0-9]|1[01])|a[0-7]|" \
            r"[sm](status|epc|cause|tval|tvec|scratch|ie|ip|atp))\b"
    hits = [f"{f.name}:{i}: {ln.strip()}" for f in sorted((repo_root / "guest/os/kernel").iterdir())
            for i, ln in enumerate(f.read_text().splitlines(), 1) if re.search(names, ln)]
    assert hits == [], hits


# proves: `rvisor demo os` types its scripted session at the shell and ends by itself, exit 0
def test_demo_os_session(os_elf: str) -> None:
    p = subprocess.run([sys.executable, "-m", "rvisor", "demo", "os", "--no-live"], capture_output=True,
                       text=True, timeout=300, stdin=subprocess.DEVNULL)
    out = clean(p.stdout)
    assert p.returncode == 0, f"{p.returncode}\n{out[-3000:]}\n{p.stderr}"
    assert "trapdemo: 9 cases, 0 failed" in out, out
    assert "course=operating-systems" in out and "lab=rvisor" in out, out
    assert "OS: poweroff (code 0)" in out and "powered off (exit 0)" in out, out


# proves: the os image's own disk is created blank (16 MiB) beside a built kernel on first use, and an
# existing one is kept as it is
def test_os_default_disk_created_on_first_use(tmp_path: Path) -> None:
    from rvisor.images import os_default_disk

    kernel = tmp_path / "os.elf"
    assert os_default_disk(kernel) == tmp_path / "os-disk.img"
    assert not (tmp_path / "os-disk.img").exists()  # no kernel yet: nothing created
    kernel.write_bytes(b"\x7fELF")
    disk = os_default_disk(kernel)
    assert disk.stat().st_size == DISK_BYTES
    with open(disk, "rb") as f:
        assert f.read(1 << 20) == bytes(1 << 20)
    with open(disk, "r+b") as f:
        f.write(b"RVFS")
    os_default_disk(kernel)
    assert disk.read_bytes()[:4] == b"RVFS"


# proves: a file system filled up (nested directories, files up to the largest size, then the disk
# full) reads back the same after a reboot, checked inside the OS and by the host-side walk
def test_filled_file_system_across_reboot(os_elf: str, tmp_path: Path) -> None:
    disk = tmp_path / "small.img"
    with open(disk, "wb") as f:
        f.truncate(512 << 10)  # a small disk, so that filling it is quick
    line = "0123456789abcdef" * 3
    cmds = [f"echo {line} > /a", "mkdir /x", "mkdir /x/y", "mkdir /x/y/z",
            "cat /a /a /a /a /a /a /a /a > /x/b", "cat /x/b /x/b /x/b /x/b /x/b /x/b /x/b /x/b > /x/y/c",
            "cat /x/y/c /x/y/c /x/y/c /x/y/c /x/y/c /x/y/c /x/y/c /x/y/c > /x/y/z/d"]
    cmds += [f"cat /x/y/z/d /x/y/z/d /x/y/z/d /x/y/z/d /x/y/z/d /x/y/z/d /x/y/z/d /x/y/z/d > /big{i}"
             for i in range(3)]
    out1 = finished(session(os_elf, [*cmds, "ls /", "poweroff"], disk))
    assert "OS: fs: out of blocks (disk full)" in out1 and "cat: write error (disk full?)" in out1, out1
    problems, files, _ = fsck(disk)
    assert problems == [], problems
    a = (line + "\n").encode()
    assert files["/a"] == a and files["/x/b"] == a * 8 and files["/x/y/c"] == a * 64
    assert files["/x/y/z/d"] == a * 512
    assert files["/big0"] == a * 4096  # 196 KiB of the disk's 440
    out2 = finished(session(os_elf, ["wc /x/y/z/d", "wc /big0", "rm /big0", "rm /big1", "rm /big2",
                                     "echo room again > /r", "cat /r", "poweroff"], disk))
    assert output_of(out2, "wc /x/y/z/d") == f"512 512 {512 * len(a)} /x/y/z/d\n"
    assert output_of(out2, "wc /big0") == f"4096 4096 {4096 * len(a)} /big0\n"
    assert output_of(out2, "cat /r") == "room again\n"
    assert fsck(disk)[0] == []
