"""Flattened device tree: a DTB writer and reader, and QEMU virt's tree.

The blob format is the Devicetree Specification v0.4, chapter 5 "Flattened
Devicetree (DTB) Format": a 40-byte header (5.2), the memory reservation
block (5.3: pairs of big-endian u64 address/size ending with 0/0), the
structure block (5.4: FDT_BEGIN_NODE, FDT_PROP, FDT_END_NODE, FDT_END
tokens, 4-byte aligned) and the strings block (5.5: NUL-terminated
property names).  Property values follow chapter 2.2.4: ``<u32>`` cells
are big-endian, strings are NUL-terminated, string lists are strings in a
row, an empty value is a boolean property.

``build_virt_fdt(config)`` produces the tree QEMU 7.2 generates for
``-M virt`` (hw/riscv/virt.c) with the same node names, compatible strings
and properties, for the harts, RAM, command line and initrd of ``config``.
Left out, because the board has no such device: ``/pmu`` (SBI PMU event
map), ``/fw-cfg@10100000``, ``/flash@20000000``,
``/platform-bus@4000000`` and ``/soc/pci@30000000``.  Each CPU's
``interrupt-controller`` node also carries ``#address-cells = <0>``,
which QEMU omits and ``dtc`` warns about (``interrupt_provider``).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from rvisor.hw import layout as L
from rvisor.hw.devices.uart16550 import UART_CLOCK_HZ

FDT_MAGIC = 0xD00DFEED
FDT_BEGIN_NODE = 1
FDT_END_NODE = 2
FDT_PROP = 3
FDT_NOP = 4
FDT_END = 9
FDT_VERSION = 17
FDT_LAST_COMP_VERSION = 16
HEADER_SIZE = 40

PropValue = bytes | str | int | Sequence[int] | Sequence[str] | bool | None


# ---- property value encodings (DT spec 2.2.4) ---------------------------------------
# runs while a tree is built: big-endian 32-bit cells
def u32(*cells: int) -> bytes:
    return b"".join(struct.pack(">I", c & 0xFFFFFFFF) for c in cells)


# runs while a tree is built: big-endian 64-bit values (two cells each)
def u64(*values: int) -> bytes:
    return b"".join(struct.pack(">Q", v & (2**64 - 1)) for v in values)


# runs while a tree is built: a <stringlist>
def strings(*items: str) -> bytes:
    return b"".join(s.encode() + b"\0" for s in items)


# runs for every property set through FdtNode.set: pick the encoding of a Python value
def encode(value: PropValue) -> bytes:
    if value is None or value is True:
        return b""
    if value is False:
        raise ValueError("a false boolean property is expressed by leaving it out")
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return strings(value)
    if isinstance(value, int):
        return u32(value)
    items = list(value)
    if all(isinstance(v, str) for v in items):
        return strings(*items)  # type: ignore[arg-type]
    return u32(*items)  # type: ignore[arg-type]


@dataclass
class FdtNode:
    """A node: name (with unit address), properties in order, children."""

    name: str
    props: dict[str, bytes] = field(default_factory=dict)
    children: list[FdtNode] = field(default_factory=list)

    # runs while a tree is built
    def set(self, name: str, value: PropValue = None) -> FdtNode:
        self.props[name] = encode(value)
        return self

    # runs while a tree is built: add (or fetch) a child node
    def child(self, name: str) -> FdtNode:
        for c in self.children:
            if c.name == name:
                return c
        node = FdtNode(name)
        self.children.append(node)
        return node

    # runs when tests or tools look a node up by path ("/soc/serial@10000000")
    def find(self, path: str) -> FdtNode | None:
        node: FdtNode | None = self
        for part in [p for p in path.split("/") if p]:
            assert node is not None
            node = next((c for c in node.children if c.name == part), None)
            if node is None:
                return None
        return node

    # runs when tests enumerate a tree: (path, node) depth first
    def walk(self, path: str = "/") -> Iterator[tuple[str, FdtNode]]:
        yield path, self
        for c in self.children:
            yield from c.walk(path.rstrip("/") + "/" + c.name)

    # runs when a property is decoded as one string
    def get_str(self, name: str) -> str | None:
        v = self.props.get(name)
        return None if v is None else v.rstrip(b"\0").decode()

    # runs when a property is decoded as a string list
    def get_strs(self, name: str) -> list[str]:
        v = self.props.get(name)
        return [] if v is None else [s.decode() for s in v.split(b"\0")[:-1]]

    # runs when a property is decoded as cells
    def get_u32s(self, name: str) -> list[int]:
        v = self.props.get(name, b"")
        return list(struct.unpack(f">{len(v) // 4}I", v[: len(v) // 4 * 4]))

    # runs when a property is decoded as one cell
    def get_u32(self, name: str) -> int | None:
        cells = self.get_u32s(name)
        return cells[0] if cells else None


# ---- writer (DT spec chapter 5) -------------------------------------------------------
# runs once per generated tree: serialize to a DTB blob
def to_dtb(root: FdtNode, reserve: Sequence[tuple[int, int]] = (), boot_cpuid: int = 0) -> bytes:
    strtab = bytearray()
    offsets: dict[str, int] = {}
    body = bytearray()

    # runs for every property: its name's offset in the strings block (each name stored once)
    def name_off(name: str) -> int:
        if name not in offsets:
            offsets[name] = len(strtab)
            strtab.extend(name.encode() + b"\0")
        return offsets[name]

    # runs after every name and value: pad the structure block to 4 bytes (DT spec 5.4.2)
    def pad4() -> None:
        body.extend(b"\0" * (-len(body) % 4))

    # runs once per node, depth first: its tokens, properties and children
    def emit(node: FdtNode) -> None:
        body.extend(struct.pack(">I", FDT_BEGIN_NODE))
        body.extend(node.name.encode() + b"\0")
        pad4()
        for pname, value in node.props.items():
            body.extend(struct.pack(">III", FDT_PROP, len(value), name_off(pname)))
            body.extend(value)
            pad4()
        for c in node.children:
            emit(c)
        body.extend(struct.pack(">I", FDT_END_NODE))

    emit(root)
    body.extend(struct.pack(">I", FDT_END))
    rsv = b"".join(struct.pack(">QQ", a, s) for a, s in reserve) + struct.pack(">QQ", 0, 0)
    off_rsv = HEADER_SIZE  # already 8-byte aligned
    off_struct = off_rsv + len(rsv)
    off_strings = off_struct + len(body)
    total = off_strings + len(strtab)
    header = struct.pack(
        ">10I",
        FDT_MAGIC,
        total,
        off_struct,
        off_strings,
        off_rsv,
        FDT_VERSION,
        FDT_LAST_COMP_VERSION,
        boot_cpuid,
        len(strtab),
        len(body),
    )
    return header + rsv + bytes(body) + bytes(strtab)


# ---- reader ----------------------------------------------------------------------------
class FdtError(ValueError):
    """The blob is not a well-formed DTB."""


# runs in tests and tools: parse a DTB blob into nodes (raw property bytes)
def parse_dtb(blob: bytes) -> FdtNode:
    if len(blob) < HEADER_SIZE:
        raise FdtError("blob shorter than an FDT header")
    (magic, total, off_struct, off_strings, _off_rsv, version, _last, _cpu, size_str, size_struct) = (
        struct.unpack_from(">10I", blob)
    )
    if magic != FDT_MAGIC:
        raise FdtError(f"bad magic {magic:#x}")
    if total > len(blob) or version < 16:
        raise FdtError("truncated blob or unsupported version")
    strtab = blob[off_strings : off_strings + size_str]
    pos = off_struct
    end = off_struct + size_struct if version >= 17 else total
    stack: list[FdtNode] = []
    root: FdtNode | None = None

    # runs for every node name and property name: the NUL-terminated string at `at`, and what follows
    def cstr(buf: bytes, at: int) -> tuple[str, int]:
        z = buf.index(b"\0", at)
        return buf[at:z].decode(), z + 1

    while pos < end:
        (tok,) = struct.unpack_from(">I", blob, pos)
        pos += 4
        if tok == FDT_BEGIN_NODE:
            name, pos = cstr(blob, pos)
            pos += -pos % 4
            node = FdtNode(name)
            if stack:
                stack[-1].children.append(node)
            elif root is None:
                root = node
            else:
                raise FdtError("second root node")
            stack.append(node)
        elif tok == FDT_PROP:
            length, nameoff = struct.unpack_from(">II", blob, pos)
            pos += 8
            if not stack:
                raise FdtError("property outside a node")
            pname, _ = cstr(strtab, nameoff)
            stack[-1].props[pname] = bytes(blob[pos : pos + length])
            pos += length + (-length % 4)
        elif tok == FDT_END_NODE:
            if not stack:
                raise FdtError("unbalanced FDT_END_NODE")
            stack.pop()
        elif tok == FDT_NOP:
            continue
        elif tok == FDT_END:
            break
        else:
            raise FdtError(f"bad token {tok:#x} at {pos - 4:#x}")
    if root is None or stack:
        raise FdtError("no root node or unterminated node")
    return root


# runs in tests and tools: the memory reservation block of a blob
def parse_reservations(blob: bytes) -> list[tuple[int, int]]:
    off = struct.unpack_from(">I", blob, 16)[0]
    out = []
    while True:
        a, s = struct.unpack_from(">QQ", blob, off)
        if a == 0 and s == 0:
            return out
        out.append((a, s))
        off += 16


# ---- the QEMU virt tree ---------------------------------------------------------------
#: ISA string of rvisor's harts (base, then multi-letter extensions, DT "riscv,isa")
DEFAULT_ISA = "rv64imafdc_zicsr_zifencei_sstc"


@dataclass
class FdtConfig:
    """What ``build_virt_fdt`` needs; any object with these attributes will do."""

    nharts: int = 1
    ram_base: int = L.DRAM_BASE
    ram_size: int = 128 << 20
    bootargs: str | None = None
    initrd_start: int | None = None
    initrd_end: int | None = None
    stdout_path: str = "/soc/serial@10000000"
    virtio_slots: int = L.VIRTIO_SLOTS
    isa: str = DEFAULT_ISA
    hypervisor: bool = False  # add "h" to the ISA string (the hart's H extension)
    mmu_type: str = "riscv,sv48"
    timebase: int = L.TIMEBASE_HZ
    rng_seed: bytes | None = None  # /chosen/rng-seed (QEMU puts 32 random bytes)
    reserve: Sequence[tuple[int, int]] = ()  # memory reservation block entries
    clint: bool = True  # a CLINT node (a VM's tree has none: timers by Sstc, IPIs by SBI)


# runs for every config attribute build_virt_fdt reads
def _cfg(config: Any, name: str) -> Any:
    return getattr(config, name, getattr(FdtConfig, name, None))


# runs while the tree is built: "reg" for #address-cells = #size-cells = 2
def _reg(*pairs: int) -> bytes:
    return u64(*pairs)


# runs when the ISA string is produced: insert "h" after the single-letter part
def _isa(config: Any) -> str:
    isa: str = _cfg(config, "isa")
    if _cfg(config, "hypervisor"):
        base, _, rest = isa.partition("_")
        if "h" not in base[4:]:
            base += "h"
        isa = base + ("_" + rest if rest else "")
    return isa


# runs when the board prepares the boot: the device tree QEMU 7.2 makes for -M virt
def build_virt_tree(config: Any) -> FdtNode:
    """The tree as nodes (see ``build_virt_fdt`` for the blob)."""
    nharts = int(_cfg(config, "nharts"))
    ram_base = int(_cfg(config, "ram_base"))
    ram_size = int(_cfg(config, "ram_size"))
    nslots = int(_cfg(config, "virtio_slots"))

    next_ph = [1]

    # runs for each node that others refer to: the next free phandle, from 1 up
    def phandle() -> int:
        next_ph[0] += 1
        return next_ph[0] - 1

    cpu_ph = [phandle() for _ in range(nharts)]
    intc_ph = [phandle() for _ in range(nharts)]
    plic_ph = phandle()
    test_ph = phandle()

    root = FdtNode("")
    root.set("#address-cells", 2).set("#size-cells", 2)
    root.set("compatible", "riscv-virtio").set("model", "riscv-virtio,qemu")

    chosen = root.child("chosen")
    if _cfg(config, "bootargs"):
        chosen.set("bootargs", str(_cfg(config, "bootargs")))
    initrd_start, initrd_end = _cfg(config, "initrd_start"), _cfg(config, "initrd_end")
    if initrd_start is not None and initrd_end is not None:
        chosen.set("linux,initrd-start", u64(int(initrd_start)))
        chosen.set("linux,initrd-end", u64(int(initrd_end)))
    seed = _cfg(config, "rng_seed")
    if seed:
        chosen.set("rng-seed", bytes(seed))
    chosen.set("stdout-path", str(_cfg(config, "stdout_path")))

    for node_name, value, compat in (
        ("poweroff", 0x5555, "syscon-poweroff"),
        ("reboot", 0x7777, "syscon-reboot"),
    ):
        n = root.child(node_name)
        n.set("value", value).set("offset", 0).set("regmap", test_ph).set("compatible", compat)

    mem = root.child(f"memory@{ram_base:x}")
    mem.set("device_type", "memory").set("reg", _reg(ram_base, ram_size))

    cpus = root.child("cpus")
    cpus.set("#address-cells", 1).set("#size-cells", 0)
    cpus.set("timebase-frequency", int(_cfg(config, "timebase")))
    isa = _isa(config)
    for h in range(nharts):
        cpu = cpus.child(f"cpu@{h:x}")
        cpu.set("phandle", cpu_ph[h]).set("device_type", "cpu").set("reg", h)
        cpu.set("status", "okay").set("compatible", "riscv").set("riscv,isa", isa)
        cpu.set("mmu-type", str(_cfg(config, "mmu_type")))
        intc = cpu.child("interrupt-controller")
        intc.set("#address-cells", 0)
        intc.set("#interrupt-cells", 1).set("interrupt-controller")
        intc.set("compatible", "riscv,cpu-intc").set("phandle", intc_ph[h])
    cluster = cpus.child("cpu-map").child("cluster0")
    for h in range(nharts):
        cluster.child(f"core{h}").set("cpu", cpu_ph[h])

    soc = root.child("soc")
    soc.set("#address-cells", 2).set("#size-cells", 2)
    soc.set("compatible", "simple-bus").set("ranges")

    rtc = soc.child(f"rtc@{L.RTC_BASE:x}")
    rtc.set("interrupts", L.RTC_IRQ).set("interrupt-parent", plic_ph)
    rtc.set("reg", _reg(L.RTC_BASE, 0x1000)).set("compatible", "google,goldfish-rtc")

    uart = soc.child(f"serial@{L.UART0_BASE:x}")
    uart.set("interrupts", L.UART0_IRQ).set("interrupt-parent", plic_ph)
    uart.set("clock-frequency", UART_CLOCK_HZ)
    uart.set("reg", _reg(L.UART0_BASE, 0x100)).set("compatible", "ns16550a")

    test = soc.child(f"test@{L.TEST_BASE:x}")
    test.set("phandle", test_ph).set("reg", _reg(L.TEST_BASE, 0x1000))
    test.set("compatible", ["sifive,test1", "sifive,test0", "syscon"])

    for i in reversed(range(nslots)):
        addr = L.VIRTIO_BASE + i * L.VIRTIO_STRIDE
        v = soc.child(f"virtio_mmio@{addr:x}")
        v.set("interrupts", L.VIRTIO_IRQ0 + i).set("interrupt-parent", plic_ph)
        v.set("reg", _reg(addr, L.VIRTIO_STRIDE)).set("compatible", "virtio,mmio")

    plic = soc.child(f"plic@{L.PLIC_BASE:x}")
    plic.set("phandle", plic_ph).set("riscv,ndev", 0x60)
    plic.set("reg", _reg(L.PLIC_BASE, L.PLIC_SIZE))
    ext: list[int] = []
    for h in range(nharts):
        ext += [intc_ph[h], L.IRQ_MEI, intc_ph[h], L.IRQ_SEI]
    plic.set("interrupts-extended", ext).set("interrupt-controller")
    plic.set("compatible", ["sifive,plic-1.0.0", "riscv,plic0"])
    plic.set("#address-cells", 0).set("#interrupt-cells", 1)

    if not _cfg(config, "clint"):
        return root
    clint = soc.child(f"clint@{L.CLINT_BASE:x}")
    cext: list[int] = []
    for h in range(nharts):
        cext += [intc_ph[h], L.IRQ_MSI, intc_ph[h], L.IRQ_MTI]
    clint.set("interrupts-extended", cext).set("reg", _reg(L.CLINT_BASE, L.CLINT_SIZE))
    clint.set("compatible", ["sifive,clint0", "riscv,clint0"])
    return root


# runs when the board prepares the boot: the blob handed to the kernel in a1
def build_virt_fdt(config: Any) -> bytes:
    """QEMU 7.2 ``virt`` device tree for ``config`` (an ``FdtConfig`` or alike)."""
    return to_dtb(build_virt_tree(config), reserve=tuple(_cfg(config, "reserve") or ()))
