"""virtio-blk over virtio-mmio, backed by a raw image file (virtio spec §5.2).

Requests (section 5.2.6 "Device Operation") are ``struct virtio_blk_req``:
a 16-byte device-readable header (``type``, ``reserved``, ``sector``), the
data, and a one-byte device-writable status at the very end.  Supported
types: VIRTIO_BLK_T_IN (0), VIRTIO_BLK_T_OUT (1), VIRTIO_BLK_T_FLUSH (4)
and VIRTIO_BLK_T_GET_ID (8); anything else completes with
VIRTIO_BLK_S_UNSUPP.  Reads and writes go straight to the image with
``pread``/``pwrite``, so data survives closing and re-opening the file;
FLUSH calls ``fsync``.  With ``readonly=True`` the device offers
VIRTIO_BLK_F_RO and fails writes with VIRTIO_BLK_S_IOERR (section
5.2.6.1/5.2.6.2 requirements).

Configuration space (section 5.2.4 ``struct virtio_blk_config``):
capacity in 512-byte sectors, ``size_max`` (VIRTIO_BLK_F_SIZE_MAX),
``seg_max`` (VIRTIO_BLK_F_SEG_MAX, queue size - 2 as QEMU), ``blk_size``
512 (VIRTIO_BLK_F_BLK_SIZE).  A request without a full header or without
a status byte is a framing error: the device needs a reset.
"""

from __future__ import annotations

import fcntl
import os
import struct
from typing import Any

from rvisor.hw import layout as L
from rvisor.hw.bus import IrqSetter
from rvisor.hw.devices.virtio_mmio import Chain, GuestMemory, VirtioMMIO, Virtqueue, VirtqueueError

SECTOR = 512

# feature bits (section 5.2.3)
BLK_F_SIZE_MAX = 1
BLK_F_SEG_MAX = 2
BLK_F_GEOMETRY = 4
BLK_F_RO = 5
BLK_F_BLK_SIZE = 6
BLK_F_FLUSH = 9

# request types and status values (section 5.2.6)
T_IN = 0
T_OUT = 1
T_FLUSH = 4
T_GET_ID = 8
S_OK = 0
S_IOERR = 1
S_UNSUPP = 2

ID_BYTES = 20  # VIRTIO_BLK_ID_BYTES
DEFAULT_SIZE_MAX = 1 << 20  # largest single segment, bytes


class VirtioBlk(VirtioMMIO):
    """A disk backed by the raw image ``path``."""

    DEVICE_ID = 2
    NUM_QUEUES = 1

    # runs once while the board is assembled: opens the image
    def __init__(
        self,
        machine: GuestMemory | None,
        irq: IrqSetter | None,
        path: str | os.PathLike[str],
        base: int = L.VIRTIO_BASE,
        name: str = "virtio-blk",
        readonly: bool = False,
        serial: str = "rvisor-blk",
        version: int = 2,
        queue_size: int = 256,
        event_idx: bool = True,
        size_max: int = DEFAULT_SIZE_MAX,
    ) -> None:
        super().__init__(machine, irq, base, name, version, queue_size, event_idx)
        self.path = os.fspath(path)
        self.readonly = readonly
        self.serial = serial
        self.size_max = size_max
        self.seg_max = max(1, queue_size - 2)
        self.fd = os.open(self.path, os.O_RDONLY if readonly else os.O_RDWR)
        self._lock()
        self.capacity = os.fstat(self.fd).st_size // SECTOR

    # runs once when the image is opened: a writer holds the image alone, readers may share it (as
    # QEMU's image locking), so that two machines never write one disk under each other
    def _lock(self) -> None:
        try:
            fcntl.flock(self.fd, (fcntl.LOCK_SH if self.readonly else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self.fd)
            self.fd = -1
            how = "read-only" if self.readonly else "read-write"
            raise OSError(f"drive image {self.path} is in use by another machine, so it cannot be opened "
                          f"{how}; stop that machine, or give both ',ro' to share the image "
                          "read-only") from None

    # ---- device-type hooks ----------------------------------------------------------------
    # runs when the driver reads DeviceFeatures
    def device_features(self) -> int:
        f = (1 << BLK_F_SIZE_MAX) | (1 << BLK_F_SEG_MAX) | (1 << BLK_F_BLK_SIZE) | (1 << BLK_F_FLUSH)
        if self.readonly:
            f |= 1 << BLK_F_RO
        return f

    # runs when the driver reads the configuration space (section 5.2.4)
    def config_space(self) -> bytes:
        return struct.pack(
            "<QIIHBBIBBHIBBH",
            self.capacity,  # capacity
            self.size_max,  # size_max
            self.seg_max,  # seg_max
            0,  # geometry.cylinders
            0,  # geometry.heads
            0,  # geometry.sectors
            SECTOR,  # blk_size
            0,  # topology.physical_block_exp
            0,  # topology.alignment_offset
            0,  # topology.min_io_size
            0,  # topology.opt_io_size
            0,  # writeback
            0,  # unused0
            1,  # num_queues
        ).ljust(0x40, b"\0")

    # runs on QueueNotify: serve every available request
    def handle_queue(self, q: Virtqueue) -> None:
        assert self.mem is not None
        while (chain := q.pop(self.mem)) is not None:
            written = self._request(chain)
            q.push(self.mem, chain.head, written)

    # ---- requests ---------------------------------------------------------------------------
    # runs for each request chain; returns the used length
    def _request(self, chain: Chain) -> int:
        mem = self.mem
        assert mem is not None
        if chain.readable_len < 16 or chain.writable_len < 1:
            raise VirtqueueError(f"{self.name}: request without header or status byte")
        rtype, _reserved, sector = struct.unpack("<IIQ", chain.read(mem, 16))
        status_at = chain.writable_len - 1
        self.count("requests")
        written = 0
        if rtype == T_IN:
            status, written = self._read(chain, sector, status_at)
        elif rtype == T_OUT:
            status = self._write(chain, sector)
        elif rtype == T_FLUSH:
            status = self._flush()
        elif rtype == T_GET_ID:
            ident = self.serial.encode()[:ID_BYTES].ljust(ID_BYTES, b"\0")
            written = chain.write(mem, ident[: min(ID_BYTES, status_at)])
            status = S_OK
            self.count("get_id")
        else:
            status = S_UNSUPP
            self.count("unsupported")
        if status == S_IOERR:
            self.count("io_errors")
        chain.write(mem, bytes((status,)), skip=status_at)
        return written + 1

    # runs for VIRTIO_BLK_T_IN: sectors into the driver's buffers
    def _read(self, chain: Chain, sector: int, n: int) -> tuple[int, int]:
        if not self._range_ok(sector, n):
            return S_IOERR, 0
        data = os.pread(self.fd, n, sector * SECTOR)
        data = data.ljust(n, b"\0")
        assert self.mem is not None
        chain.write(self.mem, data)
        self.count("blk_reads")
        self.count("read_bytes", n)
        return S_OK, n

    # runs for VIRTIO_BLK_T_OUT: the driver's data onto the image
    def _write(self, chain: Chain, sector: int) -> int:
        if self.readonly:
            self.count("ro_writes")
            return S_IOERR
        n = chain.readable_len - 16
        if not self._range_ok(sector, n):
            return S_IOERR
        assert self.mem is not None
        data = chain.read(self.mem)[16:]
        off = sector * SECTOR
        view = memoryview(data)
        while view:
            k = os.pwrite(self.fd, view, off)
            view, off = view[k:], off + k
        self.count("blk_writes")
        self.count("write_bytes", n)
        return S_OK

    # runs for VIRTIO_BLK_T_FLUSH
    def _flush(self) -> int:
        try:
            os.fsync(self.fd)
        except OSError:
            return S_IOERR
        self.count("flushes")
        return S_OK

    # runs before every data transfer: whole sectors inside the disk and size limits
    def _range_ok(self, sector: int, n: int) -> bool:
        if n < 0 or n % SECTOR:
            return False
        if n > self.size_max * self.seg_max:
            return False
        return sector + n // SECTOR <= self.capacity

    # runs when the board is torn down
    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    # runs when a snapshot is taken
    def snapshot(self) -> dict[str, Any]:
        s = super().snapshot()
        s.update(path=self.path, readonly=self.readonly, capacity=self.capacity, serial=self.serial)
        return s
