"""Console backends: escapes, stdio on pipes and on a pseudo-terminal, file, capture."""

from __future__ import annotations

import os
import termios
import time
from typing import Any

import pytest

from rvisor.hw import console as C
from rvisor.hw.devices.uart16550 import Uart16550


# runs while a test waits for the reader thread: poll cond until it holds or time runs out
def wait_until(cond: Any, timeout: float = 5.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.01)
    return False


def test_escape_filter() -> None:
    events: list[str] = []
    f = C.EscapeFilter(lambda: events.append("quit"), lambda: events.append("help"))
    assert f.feed(b"ls\r") == b"ls\r"
    assert f.feed(b"\x01\x01") == b"\x01"  # Ctrl-A Ctrl-A: a literal Ctrl-A
    assert f.feed(b"a\x01") == b"a"  # escape split across reads
    assert f.feed(b"hb") == b"b"
    assert events == ["help"]
    assert f.feed(b"\x01x") == b""
    assert events == ["help", "quit"]
    assert f.feed(b"\x01zq") == b"q"  # unknown escape swallowed


def test_stdio_console_on_pipes() -> None:
    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    con = C.StdioConsole(stdin_fd=in_r, stdout_fd=out_w)
    try:
        con.write(b"hello\n")
        assert os.read(out_r, 100) == b"hello\n"
        os.write(in_w, b"typed\x01\x01")
        got = bytearray()
        assert wait_until(lambda: got.extend(con.read(100)) or bytes(got) == b"typed\x01")
        assert not con.quit_requested
        os.write(in_w, b"\x01h")
        assert wait_until(lambda: b"Ctrl-A x" in os.read(out_r, 4096))
        os.write(in_w, b"\x01x")
        assert wait_until(lambda: con.quit_requested)
    finally:
        con.close()
        for fd in (in_r, in_w, out_r, out_w):
            os.close(fd)


def test_stdio_console_piped_input_reaches_uart() -> None:
    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    con = C.StdioConsole(stdin_fd=in_r, stdout_fd=out_w)
    uart = Uart16550(con)
    try:
        uart.write(2, 1, 0x07)  # FIFO on
        os.write(in_w, b"echo 1\n")
        os.close(in_w)
        in_w = -1
        got = bytearray()

        # runs on every wait_until poll: move what the UART received into got; true once all of it is there
        def drain() -> bool:
            uart.poll()
            while uart.read(5, 1) & 1:
                got.append(uart.read(0, 1))
            return bytes(got) == b"echo 1\n"

        assert wait_until(drain)
        assert wait_until(lambda: con.eof)
        uart.write(0, 1, ord("$"))
        assert os.read(out_r, 10) == b"$"
    finally:
        con.close()
        for fd in (in_r, in_w, out_r, out_w):
            if fd >= 0:
                os.close(fd)


def test_stdio_console_raw_mode_on_tty_is_restored() -> None:
    master, slave = os.openpty()
    before = termios.tcgetattr(slave)
    try:
        with C.StdioConsole(stdin_fd=slave, stdout_fd=slave) as con:
            raw = termios.tcgetattr(slave)
            assert not raw[3] & termios.ICANON and not raw[3] & termios.ECHO
            assert not raw[3] & termios.ISIG  # Ctrl-C goes to the guest
            assert raw[1] & termios.OPOST  # LF -> CRLF kept, as QEMU
            os.write(master, b"\x03")
            assert wait_until(lambda: con.read(10) == b"\x03")
        assert termios.tcgetattr(slave) == before
        with pytest.raises(RuntimeError):
            with C.StdioConsole(stdin_fd=slave, stdout_fd=slave):
                raise RuntimeError("boom")
        assert termios.tcgetattr(slave) == before  # restored on an exception too
    finally:
        os.close(master)
        os.close(slave)


def test_file_console(tmp_path: Any) -> None:
    path = tmp_path / "serial.log"
    con = C.open_console(f"file:{path}")
    assert isinstance(con, C.FileConsole)
    con.write(b"line 1\n")
    con.write(b"partial")
    assert con.read(10) == b""
    con.close()
    assert path.read_bytes() == b"line 1\npartial"


def test_null_and_capture_and_spec_errors() -> None:
    n = C.open_console("none")
    n.write(b"gone")
    assert n.read(5) == b"" and n.bytes_out == 4
    cap = C.open_console("capture")
    assert isinstance(cap, C.CaptureConsole)
    cap.inject("abc")
    assert cap.read(2) == b"ab" and cap.read(5) == b"c"
    cap.write(b"out")
    assert cap.text == "out"
    cap.request_quit()
    assert cap.quit_requested
    assert not cap.wait_for("never", timeout=1)  # quit ends a wait at once
    with pytest.raises(ValueError):
        C.open_console("tcp:1234")
