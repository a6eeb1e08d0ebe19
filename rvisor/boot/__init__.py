"""Booting a board: images into RAM, the MROM reset vector, the device tree, the first hart.

Three boot modes, as QEMU's ``virt`` machine offers them:

``bios="none"``
    The kernel (ELF by physical address, or raw at 0x80000000) is entered in
    M-mode through the reset vector at 0x1000 (xv6, bare-metal programs).
``bios=<file>``
    Firmware (ELF, or raw at 0x80000000, e.g. OpenSBI ``fw_jump.bin`` or
    ``fw_dynamic.bin``) is entered in M-mode through the reset vector; the
    kernel goes to the next 2 MiB boundary past the firmware (0x80200000)
    and its entry is ``fw_dynamic_info.next_addr``.
``bios="builtin"`` (default)
    No firmware image: ``rvisor.boot.sbi.BuiltinFirmware`` answers SBI calls
    in Python, and the boot hart starts directly in S-mode at the kernel
    entry (0x80200000 for a Linux Image) with a0 = hartid, a1 = FDT.  The
    other harts wait in ``HART_STOPPED`` for HSM ``hart_start``.

Placement follows QEMU 7.2 (hw/riscv/boot.c): the initrd at
``kernel_entry + min(ram_size / 2, 128 MiB)``, the FDT at the highest 2 MiB
aligned address that leaves room for it below ``min(RAM end, 3 GiB)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rvisor.boot.errors import BootError
from rvisor.boot.loaders import (
    LoadedImage,
    check_dtb,
    load_dtb,
    load_initrd,
    load_kernel,
    load_linux_image,
    read_file,
    is_elf,
    load_elf,
    load_raw,
    parse_image_header,
)
from rvisor.boot.rom import NEXT_MODE_S, build_rom, install_rom
from rvisor.boot.sbi import BuiltinFirmware
from rvisor.hw import layout as L
from rvisor.hw.fdt import FdtConfig, build_virt_fdt

__all__ = [
    "BootConfig",
    "BootInfo",
    "BootError",
    "BuiltinFirmware",
    "boot",
    "fdt_address",
    "kernel_start_address",
    "LoadedImage",
    "load_elf",
    "load_raw",
    "load_kernel",
    "load_linux_image",
    "load_initrd",
    "load_dtb",
    "parse_image_header",
]

MiB = 1 << 20
KERNEL_ALIGN = 2 * MiB  # QEMU riscv_calc_kernel_start_addr on RV64
FDT_ALIGN = 2 * MiB
FDT_LIMIT = 3072 * MiB  # keep the FDT addressable by 32-bit software (QEMU's 3 GiB cap)


@dataclass
class BootConfig:
    """What to boot: the equivalent of QEMU's -kernel/-bios/-initrd/-dtb/-append."""

    kernel: str | None = None
    bios: str = "builtin"  # "builtin", "none" or a firmware file
    initrd: str | None = None
    dtb: str | None = None  # a device tree file replacing the generated one
    append: str = ""  # kernel command line (/chosen/bootargs)
    boot_hart: int = 0


@dataclass
class BootInfo:
    """Where everything went; returned by ``boot()`` and kept as ``board.boot_info``."""

    mode: str  # "builtin", "none" or "firmware"
    start_pc: int  # where the boot hart begins (0x1000 unless builtin)
    start_priv: int  # PRV_M or PRV_S
    kernel_entry: int  # 0 when no kernel was given with firmware
    fdt_addr: int
    fdt_size: int
    kernel: LoadedImage | None = None
    firmware: LoadedImage | None = None
    initrd_start: int | None = None
    initrd_end: int | None = None
    tohost: int | None = None
    fromhost: int | None = None


# runs while kernel and FDT addresses are computed
def align_up(v: int, a: int) -> int:
    return (v + a - 1) // a * a


# runs while kernel and FDT addresses are computed
def align_down(v: int, a: int) -> int:
    return v // a * a


# runs at boot before the kernel is loaded
def kernel_start_address(ram_base: int, firmware_end: int | None) -> int:
    """Where a flat kernel goes: RAM base without firmware, else the next 2 MiB boundary
    past it (QEMU ``riscv_calc_kernel_start_addr``)."""
    if firmware_end is None:
        return ram_base
    return align_up(firmware_end, KERNEL_ALIGN)


# runs at boot once the size of the device tree is known
def fdt_address(ram_base: int, ram_size: int, fdt_size: int) -> int:
    """QEMU 7.2 ``riscv_load_fdt``: 2 MiB aligned, ending below min(RAM end, 3 GiB)."""
    end = ram_base + ram_size
    top = min(end, FDT_LIMIT) if ram_base < FDT_LIMIT else end
    return align_down(top - fdt_size, FDT_ALIGN)


# runs when the board powers on or resets: loads every image and sets up the harts
def boot(board: Any, cfg: BootConfig) -> BootInfo:
    """Prepare ``board.machine`` to run ``cfg`` and set ``board.firmware``.

    Raises ``BootError`` for anything that cannot boot; the machine is then
    in an unspecified state and should not be run.
    """
    m = board.machine
    bios = cfg.bios or "builtin"
    mode = bios if bios in ("builtin", "none") else "firmware"
    if mode != "firmware" and not cfg.kernel:
        raise BootError(f"nothing to boot: --bios {bios} needs a --kernel image")
    if cfg.initrd and not cfg.kernel:
        raise BootError("--initrd needs a --kernel to hand it to")
    if not 0 <= cfg.boot_hart < m.nharts:
        raise BootError(f"boot hart {cfg.boot_hart} does not exist (the board has {m.nharts} harts)")
    m.mach[L.M_TOHOST] = -1

    firmware: LoadedImage | None = None
    if mode == "firmware":
        data = read_file(bios, "firmware")
        firmware = load_elf(m, bios, data) if is_elf(data) else load_raw(m, bios, m.ram_base, data)

    kernel: LoadedImage | None = None
    if cfg.kernel:
        if mode == "builtin":
            raw_addr = m.ram_base + KERNEL_ALIGN
        else:
            raw_addr = kernel_start_address(m.ram_base, firmware.high if firmware else None)
        kernel = load_kernel(m, cfg.kernel, raw_addr)
        if firmware is not None and kernel.low < firmware.high and firmware.low < kernel.high:
            raise BootError(
                f"kernel {kernel.path} at {kernel.low:#x}-{kernel.high:#x} overlaps the firmware"
                f" {firmware.path} at {firmware.low:#x}-{firmware.high:#x}; link the kernel higher"
            )
    kernel_entry = kernel.entry if kernel else 0

    taken: list[tuple[int, int, str]] = []
    if firmware is not None:
        taken.append((firmware.low, firmware.high, f"the firmware {firmware.path}"))
    initrd: tuple[int, int] | None = None
    if cfg.initrd:
        initrd = load_initrd(m, cfg.initrd, kernel, kernel_entry, taken)
        taken.append((initrd[0], initrd[1], f"the initrd {cfg.initrd}"))
    if kernel is not None:
        taken.append((kernel.low, kernel.high, f"the kernel {kernel.path}"))

    fdt = _device_tree(board, cfg, initrd)
    fdt_addr = fdt_address(m.ram_base, m.ram_size, len(fdt))
    if fdt_addr < m.ram_base:
        raise BootError(f"the device tree ({len(fdt)} bytes) does not fit in RAM; give more memory with -m")
    for lo, hi, name in taken:
        if fdt_addr < hi and lo < fdt_addr + len(fdt):
            raise BootError(
                f"the device tree at {fdt_addr:#x} would overlap {name} at {lo:#x}-{hi:#x};"
                " give more memory with -m"
            )
    m.write_phys(fdt_addr, fdt)
    board.fdt_bytes = fdt
    board.fdt_addr = fdt_addr

    image_with_htif = next((i for i in (kernel, firmware) if i is not None and i.tohost is not None), None)
    if image_with_htif is not None and image_with_htif.tohost is not None:
        m.mach[L.M_TOHOST] = image_with_htif.tohost

    start = firmware.entry if firmware is not None else kernel_entry
    install_rom(m.rom, build_rom(start, fdt_addr, kernel_entry, NEXT_MODE_S, cfg.boot_hart))
    for h in range(m.nharts):
        m.reset_hart(h, L.ROM_BASE)

    info = BootInfo(
        mode=mode,
        start_pc=L.ROM_BASE,
        start_priv=L.PRV_M,
        kernel_entry=kernel_entry,
        fdt_addr=fdt_addr,
        fdt_size=len(fdt),
        kernel=kernel,
        firmware=firmware,
        initrd_start=initrd[0] if initrd else None,
        initrd_end=initrd[1] if initrd else None,
        tohost=image_with_htif.tohost if image_with_htif else None,
        fromhost=image_with_htif.fromhost if image_with_htif else None,
    )
    if mode == "builtin":
        fw = BuiltinFirmware(entry=kernel_entry, fdt_addr=fdt_addr, boot_hart=cfg.boot_hart)
        fw.setup(board)
        board.firmware = fw
        info.start_pc = kernel_entry
        info.start_priv = L.PRV_S
    else:
        board.firmware = None
    board.boot_info = info
    return info


# runs at boot: the device tree blob, from --dtb or generated for this board
def _device_tree(board: Any, cfg: BootConfig, initrd: tuple[int, int] | None) -> bytes:
    if cfg.dtb:
        return load_dtb(cfg.dtb)
    m = board.machine
    blob = build_virt_fdt(
        FdtConfig(
            nharts=m.nharts,
            ram_base=m.ram_base,
            ram_size=m.ram_size,
            bootargs=cfg.append or None,
            initrd_start=initrd[0] if initrd else None,
            initrd_end=initrd[1] if initrd else None,
            hypervisor=bool(getattr(m, "hext", False)),
        )
    )
    return check_dtb(blob, "the generated device tree")
