"""The VMM's control API: REST/JSON on a local UNIX socket, one per ``rvisor up``.

``rvisor up`` serves it (``rvisor.api.server``, FastAPI on uvicorn, in a background thread) at
``$XDG_RUNTIME_DIR/rvisor/up-<pid>.sock`` (without a runtime folder: ``/tmp/rvisor-<uid>/``), or at
``--api-sock PATH``, and removes the socket when it exits.  ``rvisor ps``, ``pause``, ``resume``,
``stop``, ``console`` and ``rvisor.api.client.Client`` talk to it; without ``--api-sock`` they look for
the sockets of the ``rvisor up`` processes that still run (:func:`find_sockets`) and use the only one.

Routes, in the style of Firecracker's API socket:

```
GET    /machine                      harts, memory, clock, pid of rvisor up
GET    /vms                          every VM: its counters (VM.stats())
GET    /vms/{name}                   one VM: counters and settings
PUT    /vms/{name}                   create and start a VM from the keys of a [vm.NAME] table (JSON)
PATCH  /vms/{name}  {"state": ...}   "paused", "running" (resume) or "stopped"
POST   /vms/{name}/actions  {"action": "pause" | "resume" | "stop"}
DELETE /vms/{name}                   destroy (stops it first when it runs)
WS     /vms/{name}/console           the VM's UART: output as binary messages, input sent back the same way
```

Errors are ``{"fault_message": "..."}`` with 400 (bad settings), 404 (no such VM), 409 (the VM's state
does not allow it, or the name is taken).
"""

from __future__ import annotations

import os
import re
import socket
from dataclasses import dataclass
from pathlib import Path

SOCKET_RE = re.compile(r"^up-(\d+)\.sock$")


@dataclass
class FoundSocket:
    """An ``rvisor up`` control socket found in a runtime folder."""

    path: Path
    pid: int


# runs when rvisor up picks its socket and when the commands look for one: $XDG_RUNTIME_DIR/rvisor
# when the user has a runtime folder, else /tmp/rvisor-<uid>
def socket_dirs() -> list[Path]:
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and Path(runtime).is_dir():
        return [Path(runtime) / "rvisor"]
    return [Path(f"/tmp/rvisor-{os.getuid()}")]


# runs when rvisor up starts without --api-sock: its own socket's path (the folder is created, mode 0700)
def default_socket_path(pid: int | None = None) -> Path:
    pid = os.getpid() if pid is None else pid
    for d in socket_dirs():
        try:
            d.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(d, os.W_OK):
            return d / f"up-{pid}.sock"
    raise OSError("no writable runtime folder for the control socket (tried "
                  + ", ".join(str(d) for d in socket_dirs()) + "); give --api-sock PATH")


# runs when a found socket is checked: is its rvisor up still alive and answering?
def socket_alive(path: Path, pid: int | None = None) -> bool:
    if pid is not None:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            pass
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(1.0)
    try:
        s.connect(str(path))
    except OSError:
        return False
    finally:
        s.close()
    return True


# runs when a command is given no --api-sock: the live sockets of running `rvisor up`s (stale ones skipped)
def find_sockets() -> list[FoundSocket]:
    found: list[FoundSocket] = []
    seen: set[Path] = set()
    for d in socket_dirs():
        try:
            entries = sorted(d.iterdir())
        except OSError:
            continue
        for p in entries:
            m = SOCKET_RE.match(p.name)
            if not m or p.resolve() in seen:
                continue
            seen.add(p.resolve())
            pid = int(m.group(1))
            if socket_alive(p, pid):
                found.append(FoundSocket(p, pid))
    return found
