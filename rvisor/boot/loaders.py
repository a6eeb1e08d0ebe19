"""Loaders for the images a machine boots from.

Formats understood, each written into guest RAM by physical address:

- ELF (RISC-V, 64-bit, little-endian): every ``PT_LOAD`` segment is copied
  to its ``p_paddr`` and the part of ``p_memsz`` beyond ``p_filesz`` (bss) is
  zeroed, as QEMU's ``load_elf`` does; the entry point and the HTIF
  ``tohost``/``fromhost`` symbols are reported.
- Linux RISC-V ``Image`` (Documentation/riscv/boot-image-header.rst): a
  64-byte header with magic ``"RISCV\\0\\0\\0"`` at 0x30 and ``"RSC\\x05"`` at
  0x38, ``text_offset`` at 0x08 and ``image_size`` at 0x10.  The image is
  placed at RAM base + ``text_offset`` and must fit with its ``image_size``.
- Raw binaries, at an address the caller picks.
- Initial RAM disks, placed where QEMU's ``riscv_load_initrd`` places them.
- Flattened device trees given by the user (``--dtb``), checked for the
  FDT header magic 0xd00dfeed (Devicetree Specification, section 5.2).

Any failure raises ``BootError`` with a one-line message.
"""

from __future__ import annotations

import io
import os
import struct
from dataclasses import dataclass, field
from typing import Protocol

from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile
from elftools.elf.sections import SymbolTableSection

from rvisor.boot.errors import BootError
from rvisor.hw.fdt import FDT_MAGIC
from rvisor.hw.fdt import HEADER_SIZE as FDT_HEADER_SIZE

MiB = 1 << 20

ELF_MAGIC = b"\x7fELF"

# Linux RISC-V Image header (boot-image-header.rst)
IMAGE_HEADER_SIZE = 64
IMAGE_MAGIC = b"RISCV\x00\x00\x00"  # offset 0x30, u64 0x5643534952
IMAGE_MAGIC2 = b"RSC\x05"  # offset 0x38, u32 0x05435352
IMAGE_DEFAULT_TEXT_OFFSET = 0x200000  # PMD_SIZE on RV64, used when text_offset is 0

# e_machine values pyelftools names, described for people
_ARCH_NAMES = {
    "EM_X86_64": "x86-64",
    "EM_386": "x86 (32-bit)",
    "EM_AARCH64": "AArch64 (64-bit ARM)",
    "EM_ARM": "32-bit ARM",
    "EM_PPC64": "64-bit PowerPC",
    "EM_PPC": "32-bit PowerPC",
    "EM_MIPS": "MIPS",
    "EM_S390": "IBM S/390",
    "EM_SPARCV9": "SPARC v9",
    "EM_LOONGARCH": "LoongArch",
    "EM_RISCV": "RISC-V",
}


class PhysMemory(Protocol):
    """What loaders and the firmware (DBCN, the legacy calls' hart masks) need from a machine,
    the board's or a VM's guest-physical memory: its RAM window, physical reads and writes."""

    ram_base: int
    ram_size: int

    # runs before each write: is the whole range in RAM?
    def in_ram(self, addr: int, n: int) -> bool: ...

    # runs for each piece of an image copied into RAM
    def write_phys(self, addr: int, data: bytes | bytearray | memoryview) -> None: ...

    # runs for DBCN console writes from memory
    def read_phys(self, addr: int, n: int) -> bytes: ...

    # runs for each step of the firmware's page walk (rvisor.boot.sbi.read_u64_virt)
    def read_u64(self, addr: int) -> int: ...


@dataclass
class LoadedImage:
    """Where an image went in physical memory and how to enter it."""

    path: str
    kind: str  # "elf", "linux-image" or "raw"
    entry: int
    low: int  # lowest physical address written
    high: int  # one past the highest physical address written (bss included)
    tohost: int | None = None
    fromhost: int | None = None
    symbols: dict[str, int] = field(default_factory=dict)

    # runs when a caller reports how much RAM an image takes
    @property
    def size(self) -> int:
        return self.high - self.low


@dataclass
class ImageHeader:
    """The fields of a Linux RISC-V Image header (boot-image-header.rst)."""

    code0: int
    code1: int
    text_offset: int
    image_size: int
    flags: int
    version: int

    # runs when the header version is shown (major.minor)
    @property
    def version_str(self) -> str:
        return f"{self.version >> 16}.{self.version & 0xFFFF}"

    # runs when an Image is checked: flags bit 0 is the kernel endianness
    @property
    def big_endian(self) -> bool:
        return bool(self.flags & 1)


# runs when any loader opens a file named on the command line
def read_file(path: str | os.PathLike[str], what: str) -> bytes:
    """Read a whole file, turning every OS error into a one-line ``BootError``."""
    p = os.fspath(path)
    if not os.path.exists(p):
        raise BootError(f"{what} {p} does not exist; check the path")
    if os.path.isdir(p):
        raise BootError(f"{what} {p} is a directory, not a file; give the image file inside it")
    try:
        with open(p, "rb") as fh:
            data = fh.read()
    except OSError as e:
        raise BootError(f"{what} {p} cannot be read ({e.strerror}); check its permissions") from None
    if not data:
        raise BootError(f"{what} {p} is empty; rebuild or re-download it")
    return data


# runs while an error message is composed
def _ram_range(mem: PhysMemory) -> str:
    return f"{mem.ram_base:#x}-{mem.ram_base + mem.ram_size:#x}"


# runs for each piece of an image before it is written to RAM
def _check_fits(mem: PhysMemory, path: str, what: str, addr: int, size: int) -> None:
    if not mem.in_ram(addr, size):
        mib = mem.ram_size // MiB
        raise BootError(
            f"{path}: {what} at {addr:#x}-{addr + size:#x} lies outside RAM ({_ram_range(mem)},"
            f" {mib} MiB); link it for RAM at {mem.ram_base:#x} or give more memory with -m"
        )


# runs on every image read: picks the ELF loader by its magic
def is_elf(data: bytes) -> bool:
    return data[:4] == ELF_MAGIC


# runs when boot() meets an ELF kernel or firmware: checks it, writes its PT_LOAD segments
def load_elf(mem: PhysMemory, path: str | os.PathLike[str], data: bytes | None = None) -> LoadedImage:
    """Load a RISC-V 64-bit little-endian ELF by physical address.

    Segments go to ``p_paddr`` (ELF gABI "Program Header"); bytes from
    ``p_filesz`` up to ``p_memsz`` are zero-filled.
    """
    p = os.fspath(path)
    if data is None:
        data = read_file(p, "ELF file")
    if not is_elf(data):
        raise BootError(f"{p} is not an ELF file (no \\x7fELF magic); give an ELF or a raw image")
    if len(data) < 16:
        raise BootError(f"{p} is a truncated ELF file ({len(data)} bytes); rebuild it")
    ei_class, ei_data = data[4], data[5]
    if ei_class not in (1, 2) or ei_data not in (1, 2):
        raise BootError(f"{p} is a corrupt ELF file (bad class/data bytes in e_ident); rebuild it")
    try:
        elf = ELFFile(io.BytesIO(data))
        machine = elf["e_machine"]
        arch = _ARCH_NAMES.get(str(machine), str(machine).removeprefix("EM_"))
        bits = elf.elfclass
        endian = "little-endian" if elf.little_endian else "big-endian"
        if machine != "EM_RISCV" or bits != 64 or not elf.little_endian:
            what = arch if machine != "EM_RISCV" else f"RISC-V {bits}-bit {endian}"
            raise BootError(
                f"{p} is an ELF for {what}, not RISC-V 64-bit little-endian;"
                " build it with a riscv64 toolchain"
            )
        entry = int(elf["e_entry"])
        low, high = None, None
        segments = []
        for seg in elf.iter_segments():
            if seg["p_type"] != "PT_LOAD" or seg["p_memsz"] == 0:
                continue
            off, filesz, memsz = int(seg["p_offset"]), int(seg["p_filesz"]), int(seg["p_memsz"])
            paddr = int(seg["p_paddr"])
            if filesz > memsz:
                raise BootError(
                    f"{p} is a corrupt ELF file (segment at {paddr:#x} has p_filesz > p_memsz); rebuild it"
                )
            if off + filesz > len(data):
                raise BootError(
                    f"{p} is a truncated ELF file (segment at {paddr:#x} needs bytes up to {off + filesz:#x},"
                    f" file has {len(data):#x}); copy or rebuild it"
                )
            _check_fits(mem, p, "segment", paddr, memsz)
            segments.append((paddr, data[off : off + filesz], memsz))
            low = paddr if low is None else min(low, paddr)
            high = paddr + memsz if high is None else max(high, paddr + memsz)
        if low is None or high is None:
            raise BootError(f"{p} has no loadable (PT_LOAD) segments; link it as an executable")
        symbols = _elf_symbols(elf, ("tohost", "fromhost"))
    except BootError:
        raise
    except (ELFError, struct.error, ValueError, KeyError, IndexError, OverflowError) as e:
        raise BootError(f"{p} is a corrupt or truncated ELF file ({e}); rebuild it") from None
    for paddr, body, memsz in segments:
        mem.write_phys(paddr, body)
        if memsz > len(body):
            mem.write_phys(paddr + len(body), bytes(memsz - len(body)))
    return LoadedImage(
        path=p,
        kind="elf",
        entry=entry,
        low=low,
        high=high,
        tohost=symbols.get("tohost"),
        fromhost=symbols.get("fromhost"),
        symbols=symbols,
    )


# runs while an ELF is loaded: looks up a few named symbols in .symtab
def _elf_symbols(elf: ELFFile, names: tuple[str, ...]) -> dict[str, int]:
    found: dict[str, int] = {}
    for sec in elf.iter_sections():
        if not isinstance(sec, SymbolTableSection):
            continue
        for name in names:
            if name in found:
                continue
            syms = sec.get_symbol_by_name(name)
            if syms:
                found[name] = int(syms[0]["st_value"])
    return found


# runs when the kernel or firmware is not an ELF and has no Image header
def load_raw(
    mem: PhysMemory, path: str | os.PathLike[str], addr: int, data: bytes | None = None
) -> LoadedImage:
    """Copy a flat binary to ``addr``; its entry point is its first byte."""
    p = os.fspath(path)
    if data is None:
        data = read_file(p, "image")
    if not mem.in_ram(addr, len(data)):
        raise BootError(
            f"{p} ({len(data)} bytes) does not fit in RAM at {addr:#x} (RAM is {_ram_range(mem)});"
            " give more memory with -m"
        )
    mem.write_phys(addr, data)
    return LoadedImage(path=p, kind="raw", entry=addr, low=addr, high=addr + len(data))


# runs on every kernel that is not an ELF: is it a Linux RISC-V Image?
def parse_image_header(data: bytes) -> ImageHeader | None:
    """Decode the 64-byte Linux RISC-V Image header, or None if the magics are absent."""
    if len(data) < IMAGE_HEADER_SIZE:
        return None
    if data[0x30:0x38] != IMAGE_MAGIC or data[0x38:0x3C] != IMAGE_MAGIC2:
        return None
    code0, code1, text_offset, image_size, flags, version = struct.unpack_from("<IIQQQI", data, 0)
    return ImageHeader(code0, code1, text_offset, image_size, flags, version)


# runs when boot() meets a Linux Image: places it per its header
def load_linux_image(
    mem: PhysMemory, path: str | os.PathLike[str], data: bytes | None = None, addr: int | None = None
) -> LoadedImage:
    """Load a Linux ``Image`` at RAM base + text_offset (or ``addr``) and check it fits.

    boot-image-header.rst: the image must be placed at ``text_offset`` from a
    2 MiB aligned base near the start of RAM; ``image_size`` is the memory
    the kernel occupies once running (bss included).
    """
    p = os.fspath(path)
    if data is None:
        data = read_file(p, "kernel Image")
    hdr = parse_image_header(data)
    if hdr is None:
        raise BootError(
            f"{p} has no Linux RISC-V Image header (magic RISCV/RSC\\x05); give an Image, ELF or raw file"
        )
    if hdr.big_endian:
        raise BootError(f"{p} is a big-endian Linux Image; this board is little-endian, rebuild the kernel")
    if addr is None:
        addr = mem.ram_base + (hdr.text_offset or IMAGE_DEFAULT_TEXT_OFFSET)
    size = max(hdr.image_size, len(data))
    if not mem.in_ram(addr, size):
        need = (addr + size - mem.ram_base + MiB - 1) // MiB
        raise BootError(
            f"kernel {p} needs {size:#x} bytes at {addr:#x} but RAM is {_ram_range(mem)}"
            f" ({mem.ram_size // MiB} MiB); give at least -m {need}M"
        )
    mem.write_phys(addr, data)
    if size > len(data):
        mem.write_phys(addr + len(data), bytes(size - len(data)))
    return LoadedImage(path=p, kind="linux-image", entry=addr, low=addr, high=addr + size)


# runs for the kernel in every boot mode: picks ELF, Image or raw by content
def load_kernel(
    mem: PhysMemory, path: str | os.PathLike[str], raw_addr: int, what: str = "kernel"
) -> LoadedImage:
    """Load an ELF by paddr, a Linux Image at ``raw_addr``, or a raw binary at ``raw_addr``.

    ``raw_addr`` is where QEMU's ``riscv_load_kernel`` would put a flat image
    (RAM base with ``-bios none``, the 2 MiB boundary past the firmware
    otherwise).  A Linux Image goes no lower than RAM base + text_offset.
    """
    data = read_file(path, what)
    if is_elf(data):
        return load_elf(mem, path, data)
    hdr = parse_image_header(data)
    if hdr is not None:
        addr = max(raw_addr, mem.ram_base + hdr.text_offset)
        return load_linux_image(mem, path, data, addr)
    return load_raw(mem, path, raw_addr, data)


# runs at boot before the initrd is loaded
def initrd_address(ram_size: int, kernel_entry: int) -> int:
    """Where QEMU 7.2 puts an initrd: ``kernel_entry + min(ram_size / 2, 128 MiB)``.

    (hw/riscv/boot.c ``riscv_load_initrd``: half-way into small RAMs, at
    128 MiB past the kernel for 256 MiB and more.)
    """
    return kernel_entry + min(ram_size // 2, 128 * MiB)


# runs when an initrd is given: places it as QEMU does and checks it collides with nothing
def load_initrd(
    mem: PhysMemory,
    path: str | os.PathLike[str],
    kernel: LoadedImage | None,
    kernel_entry: int,
    avoid: list[tuple[int, int, str]] | None = None,
) -> tuple[int, int]:
    """Load an initrd at the QEMU address; return its (start, end) physical range.

    ``avoid`` lists other (start, end, name) ranges it must not overlap.
    """
    p = os.fspath(path)
    data = read_file(p, "initrd")
    start = initrd_address(mem.ram_size, kernel_entry)
    end = start + len(data)
    if not mem.in_ram(start, len(data)):
        need = (end - mem.ram_base + MiB - 1) // MiB
        raise BootError(
            f"initrd {p} ({len(data)} bytes) at {start:#x} runs past the end of RAM"
            f" ({_ram_range(mem)}); give at least -m {need}M"
        )
    others = list(avoid or [])
    if kernel is not None:
        others.insert(0, (kernel.low, kernel.high, f"the kernel {kernel.path}"))
    for lo, hi, name in others:
        if start < hi and lo < end:
            raise BootError(
                f"initrd {p} at {start:#x}-{end:#x} overlaps {name} at {lo:#x}-{hi:#x};"
                " give more memory with -m or a smaller initrd"
            )
    mem.write_phys(start, data)
    return start, end


# runs when the user gives --dtb: checks the blob before it replaces the generated tree
def load_dtb(path: str | os.PathLike[str]) -> bytes:
    """Read a flattened device tree and check its header (Devicetree Spec 5.2)."""
    p = os.fspath(path)
    data = read_file(p, "device tree")
    return check_dtb(data, p)


# runs on --dtb files and on generated trees before they are placed
def check_dtb(data: bytes, name: str = "device tree") -> bytes:
    if len(data) < FDT_HEADER_SIZE:
        raise BootError(
            f"{name} is too short to be a device tree blob ({len(data)} bytes); compile it with dtc"
        )
    magic, totalsize = struct.unpack_from(">II", data, 0)
    if magic != FDT_MAGIC:
        raise BootError(
            f"{name} is not a flattened device tree (magic {magic:#010x}, expected 0xd00dfeed);"
            " give a .dtb compiled with dtc, not a .dts"
        )
    if totalsize > len(data) or totalsize < FDT_HEADER_SIZE:
        raise BootError(
            f"{name} is a truncated device tree (header says {totalsize} bytes,"
            f" file has {len(data)}); recompile it"
        )
    return data[:totalsize]
