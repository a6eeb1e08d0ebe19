"""The control API of `rvisor up`: a real `rvisor up` in a subprocess, driven by `rvisor ps`, `pause`,
`resume`, `stop` and `console` (and the Python client), while its VMs run real guests."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import httpx
import pytest

from rvisor.api.client import ApiClientError, Client
from tests.conftest import write_riscv_elf

ROOT = Path(__file__).resolve().parent.parent
SRST_SHUTDOWN = [0x535258B7, 0x35488893, 0x00000813, 0x00000513, 0x00000593, 0x00000073, 0x0000006F]
pytestmark = pytest.mark.needs_jit(reason="boots the teaching OS in VMs")


class Up:
    """One `rvisor up` subprocess, its files, and helpers to wait for it."""

    # runs when a test starts rvisor up on a file (stdout and stderr to files, never a full pipe)
    def __init__(self, tmp: Path, toml: str, *args: str, env: dict[str, str] | None = None,
                 sock: Path | None = None) -> None:
        self.tmp = tmp
        self.file = tmp / "up.toml"
        self.file.write_text(toml)
        self.sock = sock
        self.out_path, self.err_path = tmp / "up.out", tmp / "up.err"
        cmd = [sys.executable, "-m", "rvisor", "up", str(self.file), *args]
        if sock is not None:
            cmd += ["--api-sock", str(sock)]
        self.env = dict(os.environ, **(env or {}))
        self.env.pop("COLUMNS", None)
        with open(self.out_path, "w") as out, open(self.err_path, "w") as err:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=self.env,
                                         cwd=ROOT)
        # where the API listens: --api-sock, or the default in the runtime folder the test gave
        self.listen = sock or Path(self.env["XDG_RUNTIME_DIR"]) / "rvisor" / f"up-{self.proc.pid}.sock"

    # runs until the control API answers (rvisor up has created its VMs and listens)
    def wait_ready(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"rvisor up ended early: {self.err_path.read_text()}"
            if self.listen.exists():
                try:
                    with Client(self.listen) as c:
                        c.machine()
                    return
                except ApiClientError:
                    pass
            time.sleep(0.1)
        raise AssertionError(f"rvisor up did not listen in {timeout} s: {self.err_path.read_text()}")

    # runs for every client command of a test, with this up's environment
    def cli(self, *args: str, stdin: str = "", timeout: float = 120) -> subprocess.CompletedProcess[str]:
        extra = ["--api-sock", str(self.sock)] if self.sock is not None else []
        return subprocess.run([sys.executable, "-m", "rvisor", *args, *extra], input=stdin,
                              capture_output=True, text=True, timeout=timeout, env=self.env, cwd=ROOT)

    # runs when a test waits for a VM to reach a state (polling the API)
    def wait_state(self, name: str, state: str, timeout: float = 120) -> dict:
        deadline = time.monotonic() + timeout
        with Client(self.sock) as c:
            while time.monotonic() < deadline:
                info = c.vm(name)
                if info["state"] == state:
                    return info
                time.sleep(0.1)
        raise AssertionError(f"{name} never reached {state}: {info}")

    # runs when rvisor up should have ended: its exit code, stdout and stderr
    def finish(self, timeout: float = 120) -> tuple[int, str, str]:
        rc = self.proc.wait(timeout=timeout)
        return rc, self.out_path.read_text(), self.err_path.read_text()

    # runs after every test: never leave an rvisor up behind
    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def ups() -> Iterator[list[Up]]:
    started: list[Up] = []
    yield started
    for u in started:
        u.kill()


# runs for the tests' VMs: the teaching OS with its own blank 16 MiB disk, console to a file
def os_vm(tmp: Path, name: str, kernel: Path) -> str:
    disk = tmp / f"{name}.img"
    with open(disk, "wb") as f:
        f.truncate(16 << 20)
    return (f'[vm.{name}]\nkernel = "{kernel}"\nmemory = "32M"\ndrives = ["{disk.name}"]\n'
            f'console = "file:{name}.log"\n\n')


# runs for each row of `rvisor ps`: NAME STATE SHARE INSTRUCTIONS ...
def ps_rows(out: str) -> dict[str, list[str]]:
    rows = {}
    for line in out.splitlines()[1:]:
        cells = line.split()
        if cells:
            rows[cells[0]] = cells
    return rows


# proves: ps lists the VMs with state, share, instructions and exits; pause holds a VM (its instruction
# count stands still) and resume lets it go on; pausing a paused VM and naming an unknown VM are refused
# with the API's message; a VM created through the API (PUT) boots and powers off; the console attaches,
# a command typed there gets the teaching OS's answer, Ctrl-A x detaches; stop ends the VMs, rvisor up
# exits 0 and removes its socket
def test_api_lifecycle_console_create(tmp_path: Path, guest_elf: Callable[[str], Path],
                                      ups: list[Up]) -> None:
    kernel = guest_elf("os")
    write_riscv_elf(tmp_path / "off.elf", SRST_SHUTDOWN, addr=0x8020_0000)
    sock = tmp_path / "api.sock"
    u = Up(tmp_path, os_vm(tmp_path, "db", kernel) + os_vm(tmp_path, "web", kernel), sock=sock)
    ups.append(u)
    u.wait_ready()
    deadline = time.monotonic() + 120
    while "os$ " not in (tmp_path / "db.log").read_text() and time.monotonic() < deadline:
        time.sleep(0.1)

    p = u.cli("ps")
    assert p.returncode == 0, p.stderr
    head = p.stdout.splitlines()[0].split()
    assert head[:5] == ["NAME", "STATE", "SHARE", "INSTRUCTIONS", "EXITS"], p.stdout
    rows = ps_rows(p.stdout)
    assert set(rows) == {"db", "web"} and rows["db"][1] == "running", p.stdout
    assert rows["db"][2].endswith("%") and int(rows["db"][3].replace(",", "")) > 100_000

    p = u.cli("pause", "web")
    assert p.returncode == 0 and p.stdout.strip() == "web: paused", p.stdout + p.stderr
    with Client(sock) as c:
        time.sleep(0.5)  # a slice that was running when the pause came ends first
        before = c.vm("web")["instructions"]
        time.sleep(1.0)
        assert c.vm("web")["instructions"] == before
    p = u.cli("pause", "web")
    assert p.returncode == 1 and "cannot pause VM 'web': it is paused" in p.stderr, p.stderr
    p = u.cli("resume", "nosuch")
    assert p.returncode == 1 and "no VM named 'nosuch'" in p.stderr and len(p.stderr.splitlines()) == 1
    assert ps_rows(u.cli("ps").stdout)["web"][1] == "paused"
    p = u.cli("resume", "web")
    assert p.returncode == 0 and p.stdout.strip() == "web: running"
    p = u.cli("ps", "--json")
    assert p.returncode == 0 and [v["name"] for v in json.loads(p.stdout)] == ["db", "web"]
    assert all(v["exits"] and v["sbi"] and v["pages_mapped"] > 0 for v in json.loads(p.stdout)), p.stdout

    # the REST routes themselves, as curl would send them (no JSON content type), and their errors
    http = httpx.Client(transport=httpx.HTTPTransport(uds=str(sock)), base_url="http://rvisor")
    r = http.patch("/vms/web", content=b'{"state": "paused"}')
    assert r.status_code == 200 and r.json()["state"] == "paused"
    r = http.patch("/vms/web", content=b'{"state": "paused"}')
    assert r.status_code == 409 and "it is paused" in r.json()["fault_message"]
    r = http.patch("/vms/web", content=b'{"state": "asleep"}')
    assert r.status_code == 400 and "paused, running, stopped" in r.json()["fault_message"]
    r = http.post("/vms/web/actions", content=b'{"action": "resume"}')
    assert r.status_code == 200 and r.json()["state"] == "running"
    r = http.put("/vms/x", content=b'{"kernel": ')
    assert r.status_code == 400 and "not JSON" in r.json()["fault_message"]
    assert http.get("/vms/nosuch").status_code == 404
    assert http.get("/machine").json()["vms"] == ["db", "web"]
    http.close()

    # create through the API (the file's keys, checked the same way), and a refused one
    with Client(sock) as c:
        info = c.create("extra", kernel="off.elf", memory="16M")
        assert info["config"]["kernel"] == str(tmp_path / "off.elf") and info["config"]["memory"] == 16 << 20
        with pytest.raises(ApiClientError, match=r"vm\.bad\.memory: malformed memory size 'lots'") as err:
            c.create("bad", kernel="off.elf", memory="lots")
        assert err.value.status == 400
        with pytest.raises(ApiClientError, match="exists already") as err:
            c.create("db", kernel="off.elf")
        assert err.value.status == 409
    assert u.wait_state("extra", "stopped")["exit"] == "poweroff"
    with Client(sock) as c:
        c.destroy("extra")
        assert [v["name"] for v in c.vms()] == ["db", "web"]

    # the console: type a command at the OS's prompt, read its answer, detach with Ctrl-A x
    con = subprocess.Popen([sys.executable, "-m", "rvisor", "console", "db", "--api-sock", str(sock)],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=u.env,
                           cwd=ROOT)
    try:
        assert con.stdin is not None and con.stdout is not None
        con.stdin.write(b"kvdb set course operating-systems\n")
        con.stdin.flush()
        seen = read_until(con.stdout, rb"kvdb set course operating-systems\r?\nOK", 60)
        con.stdin.write(b"kvdb get course\n")
        con.stdin.flush()
        seen += read_until(con.stdout, rb"kvdb get course\r?\noperating-systems", 60)
        con.stdin.write(b"\x01x")
        con.stdin.flush()
        _, err = con.communicate(timeout=30)
    finally:
        if con.poll() is None:
            con.kill()
    assert con.returncode == 0, err
    assert b"Connected to VM 'db'" in err and b"rvisor console: detached" in err
    text = seen.decode(errors="replace")
    assert re.search(r"kvdb get course\r?\noperating-systems", text), text
    assert ps_rows(u.cli("ps").stdout)["db"][1] == "running", "detaching leaves the VM running"

    for name in ("db", "web"):
        p = u.cli("stop", name)
        assert p.returncode == 0 and p.stdout.strip() == f"{name}: stopped", p.stderr
    rc, out, err = u.finish()
    assert rc == 0, out + err
    assert "kvdb get course" in (tmp_path / "db.log").read_text()
    assert re.search(r"exit\s*│\s*stopped\s*│\s*stopped\s*│", out), out
    assert not sock.exists()
    p = u.cli("ps")
    assert p.returncode == 1 and f"no control socket at {sock}" in p.stderr


# runs while a test reads a console's output: bytes until the pattern `marker` matches (or the time is up)
def read_until(stream: IO[bytes], marker: bytes, timeout: float) -> bytes:
    import select

    got = b""
    deadline = time.monotonic() + timeout
    while not re.search(marker, got):
        left = deadline - time.monotonic()
        assert left > 0, f"{marker!r} not seen in {got[-2000:]!r}"
        ready, _, _ = select.select([stream], [], [], min(left, 0.5))
        if ready:
            chunk = os.read(stream.fileno(), 4096)
            assert chunk, f"console ended before {marker!r}: {got[-2000:]!r}"
            got += chunk
    return got


# proves: without --api-sock rvisor up puts its socket in $XDG_RUNTIME_DIR/rvisor/up-PID.sock and the
# commands find it; with two running they ask for --api-sock and list both; a stale socket is ignored
def test_api_socket_discovery(tmp_path: Path, guest_elf: Callable[[str], Path], ups: list[Up]) -> None:
    kernel = guest_elf("os")
    runtime = tmp_path / "run"
    runtime.mkdir()
    env = {"XDG_RUNTIME_DIR": str(runtime)}
    (runtime / "rvisor").mkdir()
    (runtime / "rvisor" / "up-999999.sock").write_text("")  # left behind by an rvisor up that died
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    a = Up(one, os_vm(one, "a", kernel), env=env)
    ups.append(a)
    a.wait_ready()
    p = a.cli("ps")
    assert p.returncode == 0 and "a" in ps_rows(p.stdout), p.stdout + p.stderr
    assert (runtime / "rvisor" / f"up-{a.proc.pid}.sock").exists()
    b = Up(two, os_vm(two, "b", kernel), env=env)
    ups.append(b)
    b.wait_ready()
    p = a.cli("pause", "a")
    assert p.returncode == 1 and "2 rvisor up processes are running; choose one with --api-sock" in p.stderr
    assert f"up-{a.proc.pid}.sock" in p.stderr and f"up-{b.proc.pid}.sock" in p.stderr
    assert "999999" not in p.stderr
    p = a.cli("stop", "b", "--api-sock", str(runtime / "rvisor" / f"up-{b.proc.pid}.sock"))
    assert p.returncode == 0, p.stderr
    assert b.finish()[0] == 0
    assert not (runtime / "rvisor" / f"up-{b.proc.pid}.sock").exists()
    p = a.cli("stop", "a")
    assert p.returncode == 0 and p.stdout.strip() == "a: stopped", p.stderr
    assert a.finish()[0] == 0
