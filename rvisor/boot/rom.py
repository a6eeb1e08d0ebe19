"""The MROM reset vector of the QEMU ``virt`` board.

Every hart leaves reset at 0x1000 (MROM) in M-mode.  The few instructions
there set up the registers that RISC-V boot firmware expects and jump on:

====== =========================== ===================================
0x1000 ``auipc t0, 0``             t0 = 0x1000
0x1004 ``addi  a2, t0, 0x28``      a2 = &fw_dynamic_info
0x1008 ``csrrs a0, mhartid, x0``   a0 = hart id
0x100c ``ld    a1, 0x20(t0)``      a1 = FDT address
0x1010 ``ld    t0, 0x18(t0)``      t0 = start address
0x1014 ``jalr  x0, 0(t0)``         jump to the firmware or kernel
0x1018 ``.dword start``
0x1020 ``.dword fdt``
0x1028 ``struct fw_dynamic_info``  magic, version, next_addr, next_mode,
                                   options, boot_hart (6 x u64)
====== =========================== ===================================

The ``fw_dynamic_info`` layout is OpenSBI's (include/sbi/fw_dynamic.h,
version 2): OpenSBI ``fw_dynamic`` reads it through a2 and enters
``next_addr`` in ``next_mode``; ``fw_jump`` ignores it and uses its built-in
jump address; a kernel started with ``-bios none`` ignores it too.

The instruction words are produced by the small encoders below
(unprivileged spec, chapter "RV32/64G Instruction Set Listings").
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np

from rvisor.hw import layout as L

# integer register numbers (psABI names)
ZERO, T0, A0, A1, A2 = 0, 5, 10, 11, 12

FW_DYNAMIC_INFO_MAGIC = 0x4942534F  # "OSBI"
FW_DYNAMIC_INFO_VERSION = 2
NEXT_MODE_U, NEXT_MODE_S, NEXT_MODE_M = 0, 1, 3

OFF_START = 0x18
OFF_FDT = 0x20
OFF_DINFO = 0x28
DINFO_SIZE = 6 * 8
ROM_CODE_SIZE = OFF_DINFO + DINFO_SIZE


# ---- instruction encoders (unprivileged spec, 2.2 "Base Instruction Formats") --------
# runs inside every encoder: the immediate must fit its field
def _check_imm(imm: int, bits: int) -> None:
    if not -(1 << (bits - 1)) <= imm < (1 << (bits - 1)):
        raise ValueError(f"immediate {imm} does not fit in {bits} signed bits")


# runs at boot for each I-type word of the reset vector
def enc_i(opcode: int, rd: int, funct3: int, rs1: int, imm: int) -> int:
    """I-type: imm[11:0] rs1 funct3 rd opcode."""
    _check_imm(imm, 12)
    return ((imm & 0xFFF) << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | opcode


# runs at boot for each U-type word of the reset vector
def enc_u(opcode: int, rd: int, imm20: int) -> int:
    """U-type: imm[31:12] rd opcode (imm20 is the upper 20 bits)."""
    return ((imm20 & 0xFFFFF) << 12) | (rd << 7) | opcode


# runs at boot: auipc rd, imm20
def auipc(rd: int, imm20: int) -> int:
    return enc_u(0b0010111, rd, imm20)


# runs at boot: addi rd, rs1, imm
def addi(rd: int, rs1: int, imm: int) -> int:
    return enc_i(0b0010011, rd, 0b000, rs1, imm)


# runs at boot: ld rd, imm(rs1)
def ld(rd: int, rs1: int, imm: int) -> int:
    return enc_i(0b0000011, rd, 0b011, rs1, imm)


# runs at boot: jalr rd, imm(rs1)
def jalr(rd: int, rs1: int, imm: int) -> int:
    return enc_i(0b1100111, rd, 0b000, rs1, imm)


# runs at boot: csrrs rd, csr, rs1
def csrrs(rd: int, csr: int, rs1: int) -> int:
    """Zicsr CSRRS: csr[11:0] rs1 010 rd 1110011 (``csrr rd, csr`` when rs1 = x0)."""
    return ((csr & 0xFFF) << 20) | (rs1 << 15) | (0b010 << 12) | (rd << 7) | 0b1110011


@dataclass
class FwDynamicInfo:
    """OpenSBI's ``struct fw_dynamic_info`` (version 2), all fields XLEN wide."""

    next_addr: int
    next_mode: int = NEXT_MODE_S
    options: int = 0
    boot_hart: int = 0
    magic: int = FW_DYNAMIC_INFO_MAGIC
    version: int = FW_DYNAMIC_INFO_VERSION

    # runs at boot when the struct is copied behind the reset vector
    def pack(self) -> bytes:
        m = (1 << 64) - 1
        return struct.pack(
            "<6Q",
            self.magic & m,
            self.version & m,
            self.next_addr & m,
            self.next_mode & m,
            self.options & m,
            self.boot_hart & m,
        )


# runs at boot to produce the six instruction words of the reset vector
def reset_vector_words() -> list[int]:
    return [
        auipc(T0, 0),
        addi(A2, T0, OFF_DINFO),
        csrrs(A0, L.CSR_MHARTID, ZERO),
        ld(A1, T0, OFF_FDT),
        ld(T0, T0, OFF_START),
        jalr(ZERO, T0, 0),
    ]


# runs at boot: the bytes placed at 0x1000 (code, start/fdt words, fw_dynamic_info)
def build_rom(
    start_addr: int, fdt_addr: int, next_addr: int, next_mode: int = NEXT_MODE_S, boot_hart: int = 0
) -> bytes:
    """Reset vector jumping to ``start_addr`` with a1 = ``fdt_addr``; a2 points at the info."""
    m = (1 << 64) - 1
    code = struct.pack("<6I", *reset_vector_words())
    words = struct.pack("<QQ", start_addr & m, fdt_addr & m)
    info = FwDynamicInfo(next_addr=next_addr, next_mode=next_mode, boot_hart=boot_hart).pack()
    blob = code + words + info
    assert len(blob) == ROM_CODE_SIZE
    return blob


# runs at boot: writes the reset vector into the machine's MROM array
def install_rom(rom: np.ndarray, blob: bytes) -> None:
    """Copy ``blob`` to the start of MROM (``Machine.rom``, uint8, mapped at 0x1000)."""
    if len(blob) > len(rom):
        raise ValueError("reset vector does not fit in MROM")
    rom[: len(blob)] = np.frombuffer(blob, dtype=np.uint8)
