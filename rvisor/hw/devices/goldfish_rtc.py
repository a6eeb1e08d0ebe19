"""Goldfish RTC as on QEMU ``virt`` (``compatible = "google,goldfish-rtc"``).

Registers (Android emulator "goldfish" virtual hardware, RTC section; the
layout Linux's ``drivers/rtc/rtc-goldfish.c`` drives):

=====  ================  ===================================================
0x00   TIME_LOW          read: current time in ns, low 32 bits; latches high
0x04   TIME_HIGH         read: high 32 bits latched by the last TIME_LOW read
0x08   ALARM_LOW         write: low 32 bits of the alarm, and arm it
0x0c   ALARM_HIGH        write: high 32 bits of the next alarm
0x10   IRQ_ENABLED       1 = the alarm raises the interrupt line
0x14   CLEAR_ALARM       write: disarm the alarm
0x18   ALARM_STATUS      read: 1 while an alarm is armed
0x1c   CLEAR_INTERRUPT   write: lower the interrupt
=====  ================  ===================================================

Time is host wall-clock time in nanoseconds since the Unix epoch plus an
offset the guest may set by writing TIME_LOW/TIME_HIGH (as QEMU allows).
Alarms are checked when registers are touched and in ``poll()``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from rvisor.hw import layout as L
from rvisor.hw.bus import Device, IrqSetter

TIME_LOW = 0x00
TIME_HIGH = 0x04
ALARM_LOW = 0x08
ALARM_HIGH = 0x0C
IRQ_ENABLED = 0x10
CLEAR_ALARM = 0x14
ALARM_STATUS = 0x18
CLEAR_INTERRUPT = 0x1C


class GoldfishRtc(Device):
    """Wall-clock RTC; ``clock()`` returns host time in ns (default ``time.time_ns``)."""

    # runs once while the board is assembled
    def __init__(
        self,
        irq: IrqSetter | None = None,
        base: int = L.RTC_BASE,
        name: str = "rtc",
        clock: Callable[[], int] = time.time_ns,
    ) -> None:
        super().__init__(name, base, 0x1000)
        self.irq = irq
        self.clock = clock
        self.offset = 0  # guest time - host time, ns
        self.time_high = 0
        self.alarm_high = 0
        self.alarm = 0
        self.alarm_armed = False
        self.irq_enabled = False
        self.irq_pending = False
        self._irq_level = False

    # runs whenever the guest's idea of now is needed
    def now(self) -> int:
        return (self.clock() + self.offset) & (2**64 - 1)

    # runs after register accesses and in poll(): fire a due alarm, drive the line
    def _update(self) -> None:
        if self.alarm_armed and self.now() >= self.alarm:
            self.alarm_armed = False
            self.irq_pending = True
            self.count("alarms")
        level = self.irq_pending and self.irq_enabled
        if level != self._irq_level:
            self._irq_level = level
            if self.irq is not None:
                self.irq(level)

    # runs on a guest load from the RTC window
    def read(self, offset: int, size: int) -> int:
        if size == 8 and offset == TIME_LOW:
            return self.now()
        if offset == TIME_LOW:
            t = self.now()
            self.time_high = t >> 32
            return t & 0xFFFFFFFF
        if offset == TIME_HIGH:
            return self.time_high
        if offset == ALARM_LOW:
            return self.alarm & 0xFFFFFFFF
        if offset == ALARM_HIGH:
            return self.alarm >> 32
        if offset == IRQ_ENABLED:
            return int(self.irq_enabled)
        if offset == ALARM_STATUS:
            self._update()
            return int(self.alarm_armed)
        return 0

    # runs on a guest store to the RTC window
    def write(self, offset: int, size: int, value: int) -> None:
        value &= 0xFFFFFFFF if size <= 4 else 2**64 - 1
        if offset == TIME_LOW:
            if size == 8:
                now = value
            else:
                now = (self.now() & ~0xFFFFFFFF) | value
            self.offset = now - self.clock()
        elif offset == TIME_HIGH:
            now = (value << 32) | (self.now() & 0xFFFFFFFF)
            self.offset = now - self.clock()
        elif offset == ALARM_LOW:
            if size == 8:
                self.alarm = value
            else:
                self.alarm = (self.alarm_high << 32) | value
            self.alarm_armed = True
        elif offset == ALARM_HIGH:
            self.alarm_high = value
        elif offset == IRQ_ENABLED:
            self.irq_enabled = bool(value & 1)
        elif offset == CLEAR_ALARM:
            self.alarm_armed = False
        elif offset == CLEAR_INTERRUPT:
            self.irq_pending = False
        self._update()

    # runs between engine slices
    def poll(self) -> None:
        if self.alarm_armed:
            self._update()

    # runs when a snapshot is taken
    def snapshot(self) -> dict[str, Any]:
        return {
            "offset": self.offset,
            "time_high": self.time_high,
            "alarm_high": self.alarm_high,
            "alarm": self.alarm,
            "alarm_armed": self.alarm_armed,
            "irq_enabled": self.irq_enabled,
            "irq_pending": self.irq_pending,
        }
