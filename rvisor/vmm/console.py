"""A VM's console: the backend of its UART, with a history, listeners and thread-safe input.

``VMConsole`` is the ``ConsoleIO`` of the VM's ``Uart16550`` (``write(bytes)`` for what the guest
transmits, a non-blocking ``read(n)`` for input).  Output goes to the configured sink —
``"stdio"`` (each line prefixed with ``"[name] "``), ``"file:PATH"`` (appended) or ``"none"`` —
the last 1 MiB is kept (``output()``), and every listener registered with ``subscribe`` gets each
batch of bytes.  ``send(data)`` queues input from any thread and wakes the VM.
"""

from __future__ import annotations

import sys
import threading
from collections import deque
from collections.abc import Callable
from typing import BinaryIO

HISTORY = 1 << 20  # bytes of output kept

Listener = Callable[[bytes], None]


class VMConsole:
    """UART backend of one VM; ``sink`` is "stdio", "none" or "file:PATH"."""

    kind = "vm"

    # runs once per VM when it is created; raises ValueError/OSError for a bad sink
    def __init__(self, name: str, sink: str = "none", wake: Callable[[], None] | None = None) -> None:
        self.name = name
        self.sink = sink
        self._wake = wake
        self._lock = threading.Lock()
        self._history = bytearray()
        self._input: deque[int] = deque()
        self._listeners: list[Listener] = []
        self._file: BinaryIO | None = None
        self._line_start = True
        self.bytes_out = 0
        self.bytes_in = 0
        self.quit_requested = False
        if sink.startswith("file:"):
            path = sink[5:]
            if not path:
                raise ValueError("console file: needs a path (file:PATH)")
            self._file = open(path, "ab")  # noqa: SIM115 (closed in close())
        elif sink not in ("stdio", "none"):
            raise ValueError(f"unknown console {sink!r}: use stdio, none or file:PATH")

    # ---- output (the UART's side) -------------------------------------------------------------
    # runs for every batch of bytes the guest transmits (on the VM's thread)
    def write(self, data: bytes) -> None:
        if not data:
            return
        with self._lock:
            self.bytes_out += len(data)
            self._history += data
            if len(self._history) > HISTORY:
                del self._history[: len(self._history) - HISTORY]
            listeners = list(self._listeners)
        if self.sink == "stdio":
            self._to_stdio(data)
        elif self._file is not None:
            self._file.write(data)
            self._file.flush()
        for cb in listeners:
            try:
                cb(data)
            except Exception:  # a listener's failure must not reach the guest's exit handling
                self.unsubscribe(cb)

    # runs for stdio output: each line prefixed with the VM's name
    def _to_stdio(self, data: bytes) -> None:
        prefix = f"[{self.name}] ".encode()
        out = bytearray()
        for line in data.splitlines(keepends=True):
            if self._line_start:
                out += prefix
            out += line
            self._line_start = line.endswith(b"\n")
        out_stream = getattr(sys.stdout, "buffer", None)
        try:
            if out_stream is not None:
                out_stream.write(bytes(out))
                out_stream.flush()
            else:
                sys.stdout.write(out.decode(errors="replace"))
                sys.stdout.flush()
        except (OSError, ValueError):
            pass  # a closed terminal must not stop the VM

    # runs when a caller wants what the guest printed (the last 1 MiB)
    def output(self) -> bytes:
        with self._lock:
            return bytes(self._history)

    # runs for tests and reports: the output as text
    @property
    def text(self) -> str:
        return self.output().decode(errors="replace")

    # runs when a listener (an API client, a test) wants every later batch of output
    def subscribe(self, callback: Listener) -> None:
        with self._lock:
            self._listeners.append(callback)

    # runs when a listener is done
    def unsubscribe(self, callback: Listener) -> None:
        with self._lock:
            if callback in self._listeners:
                self._listeners.remove(callback)

    # ---- input -----------------------------------------------------------------------------------
    # runs from any thread: bytes for the guest's UART
    def send(self, data: bytes) -> None:
        with self._lock:
            self._input.extend(data)
            self.bytes_in += len(data)
        if self._wake is not None:
            self._wake()

    # runs when the UART polls for input (on the VM's thread); never blocks
    def read(self, n: int) -> bytes:
        with self._lock:
            k = min(n, len(self._input))
            return bytes(self._input.popleft() for _ in range(k))

    # runs for the scheduler: is input waiting?
    @property
    def pending_input(self) -> int:
        return len(self._input)

    # runs when the VM is destroyed
    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
