"""Console backends: where a UART's output goes and its input comes from.

Every backend offers the same small interface:

``write(data)``        output from the guest
``read(n) -> bytes``   up to n bytes of input, never blocking (b"" if none)
``quit_requested``     True once the user asked to stop the machine
``close()``            release the host resources (also via ``with``)

Backends, by the ``--console`` spelling ``open_console`` accepts:

``stdio``      the terminal.  When stdin is a tty it is put in raw mode
               (restored on close, at interpreter exit and on exceptions
               through the context manager), so Ctrl-C reaches the guest.
               A reader thread feeds typed or piped input to a queue as it
               arrives.  Escape sequences, as QEMU's ``-nographic`` mux:

               * ``Ctrl-A x``       quit (the board sees ``quit_requested``)
               * ``Ctrl-A h``       print this help
               * ``Ctrl-A Ctrl-A``  send one Ctrl-A to the guest

``file:PATH``  output appended to PATH; no input.
``none``       output discarded; no input.
``capture``    output kept in memory (``output``, ``text``), input injected
               by the caller (``inject``); ``wait_for(marker)`` waits for
               output to contain a string.  For tests and programs.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any, BinaryIO

ESCAPE = 0x01  # Ctrl-A

HELP_TEXT = (
    "\r\nrvisor console escapes:\r\n"
    "  Ctrl-A x       quit the machine\r\n"
    "  Ctrl-A h       show this help\r\n"
    "  Ctrl-A Ctrl-A  send Ctrl-A to the guest\r\n"
)


class Console:
    """Base backend: discards output, has no input."""

    kind = "none"

    # runs when a backend is opened (every subclass calls it first)
    def __init__(self) -> None:
        self._quit = threading.Event()
        self.bytes_out = 0
        self.bytes_in = 0

    # runs for every byte string the guest transmits
    def write(self, data: bytes) -> None:
        self.bytes_out += len(data)

    # runs when the UART polls for input; never blocks
    def read(self, n: int) -> bytes:
        return b""

    # runs between engine slices: has the user asked the machine to stop?
    @property
    def quit_requested(self) -> bool:
        return self._quit.is_set()

    # runs when the user (or a caller) asks the machine to stop
    def request_quit(self) -> None:
        self._quit.set()

    # runs when the board is torn down
    def close(self) -> None:
        return None

    # runs on entering a with block
    def __enter__(self) -> Console:
        return self

    # runs on leaving a with block, also on an exception: the terminal is given back
    def __exit__(self, *exc: object) -> None:
        self.close()

    # runs when a snapshot of the board is taken
    def snapshot(self) -> dict[str, Any]:
        return {"kind": self.kind, "bytes_out": self.bytes_out, "bytes_in": self.bytes_in}


class NullConsole(Console):
    """``none``: output discarded, no input."""


class _InputQueue:
    """Thread-safe byte queue between an input producer and the UART."""

    # runs when a backend with input is opened
    def __init__(self) -> None:
        self._buf: deque[int] = deque()
        self._lock = threading.Lock()

    # runs on the producer side (reader thread or ``inject``)
    def put(self, data: bytes) -> None:
        with self._lock:
            self._buf.extend(data)

    # runs on the UART side
    def get(self, n: int) -> bytes:
        with self._lock:
            k = min(n, len(self._buf))
            return bytes(self._buf.popleft() for _ in range(k))

    # runs when a caller asks how much input is waiting
    def __len__(self) -> int:
        return len(self._buf)


class EscapeFilter:
    """The Ctrl-A escape state machine applied to raw terminal input.

    ``feed(data)`` returns the bytes meant for the guest and performs
    commands (quit, help) through the callbacks.
    """

    # runs when the stdio backend is opened
    def __init__(self, on_quit: Callable[[], None], on_help: Callable[[], None]) -> None:
        self.on_quit = on_quit
        self.on_help = on_help
        self.armed = False

    # runs for each chunk read from the terminal
    def feed(self, data: bytes) -> bytes:
        out = bytearray()
        for b in data:
            if self.armed:
                self.armed = False
                if b == ESCAPE:
                    out.append(ESCAPE)
                elif b in (ord("x"), ord("X")):
                    self.on_quit()
                elif b in (ord("h"), ord("H"), ord("?")):
                    self.on_help()
                # any other key after Ctrl-A is swallowed, like QEMU's mux
            elif b == ESCAPE:
                self.armed = True
            else:
                out.append(b)
        return bytes(out)


class StdioConsole(Console):
    """``stdio``: the host terminal, raw when it is a tty."""

    kind = "stdio"

    # runs once per run with --console stdio: raw mode and the reader thread start here
    def __init__(self, stdin_fd: int | None = None, stdout_fd: int | None = None) -> None:
        super().__init__()
        self.in_fd = sys.stdin.fileno() if stdin_fd is None else stdin_fd
        self.out_fd = sys.stdout.fileno() if stdout_fd is None else stdout_fd
        self._queue = _InputQueue()
        self._filter = EscapeFilter(self._quit_from_key, self._help)
        self._saved_tty: list[Any] | None = None
        self._closed = False
        self.eof = False
        self._enter_raw()
        atexit.register(self.close)
        self._thread = threading.Thread(target=self._reader, name="rvisor-stdin", daemon=True)
        self._thread.start()

    # runs at construction: raw mode when stdin is a terminal
    def _enter_raw(self) -> None:
        if not os.isatty(self.in_fd):
            return
        import termios
        import tty

        self._saved_tty = termios.tcgetattr(self.in_fd)
        tty.setraw(self.in_fd, termios.TCSANOW)
        # keep output post-processing (LF -> CRLF) as QEMU's stdio does
        attrs = termios.tcgetattr(self.in_fd)
        attrs[1] |= termios.OPOST | termios.ONLCR
        termios.tcsetattr(self.in_fd, termios.TCSANOW, attrs)

    # runs on close, at exit, and on exceptions: give the terminal back
    def _leave_raw(self) -> None:
        if self._saved_tty is None:
            return
        import termios

        try:
            termios.tcsetattr(self.in_fd, termios.TCSADRAIN, self._saved_tty)
        except (termios.error, OSError):
            pass
        self._saved_tty = None

    # runs in the reader thread for the lifetime of the console
    def _reader(self) -> None:
        while not self._closed:
            try:
                chunk = os.read(self.in_fd, 4096)
            except InterruptedError:
                continue
            except OSError:
                break
            if not chunk:
                self.eof = True  # piped input ended; the guest keeps running
                break
            data = self._filter.feed(chunk)
            if data:
                self._queue.put(data)

    # runs in the reader thread on Ctrl-A x
    def _quit_from_key(self) -> None:
        self._out(b"\r\nrvisor: terminated by Ctrl-A x\r\n")
        self.request_quit()

    # runs in the reader thread on Ctrl-A h
    def _help(self) -> None:
        self._out(HELP_TEXT.encode())

    # runs for every write to the terminal
    def _out(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            try:
                n = os.write(self.out_fd, view)
            except InterruptedError:
                continue
            except BlockingIOError:
                time.sleep(0.001)
                continue
            view = view[n:]

    # runs for every byte string the guest transmits
    def write(self, data: bytes) -> None:
        self.bytes_out += len(data)
        self._out(data)

    # runs when the UART polls for input
    def read(self, n: int) -> bytes:
        data = self._queue.get(n)
        self.bytes_in += len(data)
        return data

    # runs when the board is torn down (and at interpreter exit)
    def close(self) -> None:
        self._closed = True
        self._leave_raw()


class FileConsole(Console):
    """``file:PATH``: output appended to a file, no input."""

    kind = "file"

    # runs once per run with --console file:PATH: opens PATH for appending, unbuffered
    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__()
        self.path = os.fspath(path)
        # written through, as QEMU's -serial file: a prompt without a newline (`=> `, `$ `) is in
        # the file as soon as the guest sent it, for anyone following the file
        self._fh: BinaryIO | None = open(self.path, "ab", buffering=0)  # noqa: SIM115 - closed in close()

    # runs for every byte string the guest transmits (the UART hands over what a slice sent)
    def write(self, data: bytes) -> None:
        self.bytes_out += len(data)
        if self._fh is not None:
            self._fh.write(data)

    # runs when the board is torn down
    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


class CaptureConsole(Console):
    """``capture``: output collected in memory, input injected by the caller."""

    kind = "capture"

    # runs once per captured run (tests, benchmarks, programs)
    def __init__(self, echo: BinaryIO | None = None) -> None:
        super().__init__()
        self._out = bytearray()
        self._cond = threading.Condition()
        self._queue = _InputQueue()
        self.echo = echo

    # runs for every byte string the guest transmits
    def write(self, data: bytes) -> None:
        self.bytes_out += len(data)
        with self._cond:
            self._out.extend(data)
            self._cond.notify_all()
        if self.echo is not None:
            self.echo.write(data)

    # runs when the UART polls for input
    def read(self, n: int) -> bytes:
        data = self._queue.get(n)
        self.bytes_in += len(data)
        return data

    # runs when a test or program types into the guest
    def inject(self, data: bytes | str) -> None:
        self._queue.put(data.encode() if isinstance(data, str) else bytes(data))

    # runs when a caller checks whether the guest has read what was injected
    @property
    def pending_input(self) -> int:
        return len(self._queue)

    # runs when a caller reads what the guest printed so far
    @property
    def output(self) -> bytes:
        with self._cond:
            return bytes(self._out)

    # runs when a caller reads the output as text (invalid UTF-8 replaced)
    @property
    def text(self) -> str:
        return self.output.decode("utf-8", errors="replace")

    # runs when a caller discards what has been seen so far
    def clear(self) -> None:
        with self._cond:
            self._out.clear()

    # runs when a caller waits for the guest to print something
    def wait_for(
        self,
        marker: bytes | str,
        timeout: float = 10.0,
        step: Callable[[], object] | None = None,
        start: int = 0,
    ) -> bool:
        """Wait until output (from byte ``start`` on) contains ``marker``.

        With ``step`` (e.g. a function running one slice of the board) the
        machine is advanced from this thread; without it another thread is
        expected to run the board.  Returns False on timeout or quit.
        """
        needle = marker.encode() if isinstance(marker, str) else bytes(marker)
        deadline = time.monotonic() + timeout
        while True:
            with self._cond:
                if self._out.find(needle, start) >= 0:
                    return True
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.quit_requested:
                    return False
                if step is None:
                    self._cond.wait(min(remaining, 0.05))
            if step is not None:
                step()


# runs when the board parses its --console option
def open_console(spec: str) -> Console:
    """Build a backend from ``stdio``, ``file:PATH``, ``none`` or ``capture``."""
    if spec == "stdio":
        return StdioConsole()
    if spec == "none":
        return NullConsole()
    if spec == "capture":
        return CaptureConsole()
    if spec.startswith("file:") and len(spec) > 5:
        return FileConsole(spec[5:])
    raise ValueError(f"unknown console {spec!r}: use stdio, file:PATH, none or capture")
