"""The control API's client: :class:`Client` (httpx over the UNIX socket) and :func:`attach_console`
(the terminal to a VM's UART over the console WebSocket, Ctrl-A x detaches)."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path
from typing import Any, BinaryIO

import httpx

from rvisor.api import find_sockets


class ApiClientError(Exception):
    """The API refused a request (its message), or no rvisor up could be reached."""

    # runs when a request fails: the server's message and the HTTP status (0 when nothing answered)
    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


# runs when a command is given no --api-sock: the one running rvisor up, or an error listing them
def locate(sock: str | os.PathLike[str] | None = None) -> Path:
    if sock is not None:
        p = Path(sock)
        if not p.exists():
            raise ApiClientError(f"no control socket at {p} (is rvisor up running with --api-sock {p}?)")
        return p
    found = find_sockets()
    if not found:
        raise ApiClientError("no running rvisor up found (start one with 'rvisor up FILE.toml', or give "
                             "--api-sock PATH)")
    if len(found) > 1:
        listed = ", ".join(f"{f.path} (pid {f.pid})" for f in found)
        raise ApiClientError(f"{len(found)} rvisor up processes are running; choose one with --api-sock: "
                             f"{listed}")
    return found[0].path


class Client:
    """The VMs of one ``rvisor up``, from Python: ``Client().vms()``, ``Client().pause("web")``, ..."""

    # runs when a command or program connects (to --api-sock PATH, or the only running rvisor up)
    def __init__(self, sock: str | os.PathLike[str] | None = None, timeout: float = 30.0) -> None:
        self.sock = locate(sock)
        self.http = httpx.Client(transport=httpx.HTTPTransport(uds=str(self.sock)),
                                 base_url="http://rvisor", timeout=timeout)

    # runs for every request: the JSON answer, or ApiClientError with the server's fault_message
    def _call(self, method: str, url: str, body: Any = None) -> Any:
        try:
            r = self.http.request(method, url, json=body)
        except httpx.HTTPError as e:
            raise ApiClientError(f"the control API at {self.sock} did not answer: {e}") from None
        if r.status_code >= 400:
            try:
                msg = r.json().get("fault_message") or r.text
            except ValueError:
                msg = r.text
            raise ApiClientError(str(msg), r.status_code)
        if r.status_code == 204 or not r.content:
            return None
        return r.json()

    # runs for `rvisor ps`: every VM's counters
    def vms(self) -> list[dict[str, Any]]:
        return self._call("GET", "/vms")

    # runs when one VM is looked at
    def vm(self, name: str) -> dict[str, Any]:
        return self._call("GET", f"/vms/{name}")

    # runs when a program asks about the machine
    def machine(self) -> dict[str, Any]:
        return self._call("GET", "/machine")

    # runs when a VM is created from the keys of a [vm.NAME] table; it starts at once
    def create(self, name: str, **keys: Any) -> dict[str, Any]:
        return self._call("PUT", f"/vms/{name}", keys)

    # runs for `rvisor pause NAME`
    def pause(self, name: str) -> dict[str, Any]:
        return self._call("POST", f"/vms/{name}/actions", {"action": "pause"})

    # runs for `rvisor resume NAME`
    def resume(self, name: str) -> dict[str, Any]:
        return self._call("POST", f"/vms/{name}/actions", {"action": "resume"})

    # runs for `rvisor stop NAME`
    def stop(self, name: str) -> dict[str, Any]:
        return self._call("POST", f"/vms/{name}/actions", {"action": "stop"})

    # runs when a VM is destroyed
    def destroy(self, name: str) -> None:
        self._call("DELETE", f"/vms/{name}")

    # runs when the client is done
    def close(self) -> None:
        self.http.close()

    # runs on entering a with block
    def __enter__(self) -> Client:
        return self

    # runs on leaving a with block
    def __exit__(self, *exc: object) -> None:
        self.close()


# runs for `rvisor console NAME`: the terminal is the VM's UART until Ctrl-A x, the VM stops, or (piped
# input) the input ends and the output has been quiet for `quiet` seconds; returns why it ended
def attach_console(sock: Path, name: str, stdin_fd: int | None = None, stdout: BinaryIO | None = None,
                   quiet: float = 1.0, notice: Any = None) -> str:
    from websockets.exceptions import ConnectionClosed, InvalidStatus
    from websockets.sync.client import unix_connect

    from rvisor.hw.console import EscapeFilter

    in_fd = sys.stdin.fileno() if stdin_fd is None else stdin_fd
    out = stdout or sys.stdout.buffer
    say = notice or (lambda text: print(text, file=sys.stderr, flush=True))
    try:
        ws = unix_connect(str(sock), uri=f"ws://rvisor/vms/{name}/console", max_size=None, open_timeout=10)
    except InvalidStatus as e:
        raise ApiClientError(f"cannot attach to {name!r}: HTTP {e.response.status_code}") from None
    except OSError as e:
        raise ApiClientError(f"the control API at {sock} did not answer: {e}") from None
    ended = threading.Event()
    why = ["detached"]
    last_output = [time.monotonic()]

    # runs in its own thread: the VM's output to the terminal until the server closes the stream
    def pump_output() -> None:
        try:
            for msg in ws:
                data = msg if isinstance(msg, bytes) else msg.encode()
                out.write(data)
                out.flush()
                last_output[0] = time.monotonic()
        except ConnectionClosed:
            pass
        code, reason = ws.close_code, ws.close_reason
        if not ended.is_set():
            why[0] = reason or "the console closed"
            if code is not None and code >= 4000:
                why[0] = f"error: {reason}"
        ended.set()

    # runs on Ctrl-A x
    def detach() -> None:
        why[0] = "detached"
        ended.set()

    filt = EscapeFilter(detach, lambda: say("rvisor console: Ctrl-A x detaches, Ctrl-A Ctrl-A sends Ctrl-A"))
    saved = _raw(in_fd)
    reader = threading.Thread(target=pump_output, name="rvisor-console-out", daemon=True)
    reader.start()
    say(f"Connected to VM {name!r} (Ctrl-A x detaches)")
    eof = False
    try:
        import select

        while not ended.is_set():
            if eof:
                if time.monotonic() - last_output[0] >= quiet:
                    why[0] = "input ended"
                    break
                ended.wait(0.05)
                continue
            ready, _, _ = select.select([in_fd], [], [], 0.1)
            if not ready:
                continue
            chunk = os.read(in_fd, 4096)
            if not chunk:
                eof = True
                last_output[0] = max(last_output[0], time.monotonic())
                continue
            data = filt.feed(chunk)
            if data:
                try:
                    ws.send(data)
                except ConnectionClosed:
                    break
    finally:
        _restore(in_fd, saved)
        ws.close()
        reader.join(timeout=2.0)
    return why[0]


# runs when a console attaches to a terminal: raw mode (so Ctrl-C reaches the guest); None for pipes
def _raw(fd: int) -> Any:
    if not os.isatty(fd):
        return None
    import termios
    import tty

    saved = termios.tcgetattr(fd)
    tty.setraw(fd, termios.TCSANOW)
    attrs = termios.tcgetattr(fd)
    attrs[1] |= termios.OPOST | termios.ONLCR
    termios.tcsetattr(fd, termios.TCSANOW, attrs)
    return saved


# runs when a console detaches: the terminal as it was
def _restore(fd: int, saved: Any) -> None:
    if saved is None:
        return
    import termios

    try:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
    except (termios.error, OSError):
        pass
