"""Loaders, the MROM reset vector and the three boot modes (rvisor.boot)."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from rvisor.boot import BootConfig, boot, fdt_address, kernel_start_address
from rvisor.boot import loaders
from rvisor.boot import rom as R
from rvisor.boot.errors import BootError
from rvisor.boot.loaders import (
    check_dtb,
    initrd_address,
    load_dtb,
    load_elf,
    load_initrd,
    load_kernel,
    load_linux_image,
    load_raw,
    parse_image_header,
)
from rvisor.boot.sbi import MEDELEG_BUILTIN, MEDELEG_HEXT, MIDELEG_BUILTIN, BuiltinFirmware
from rvisor.hw import layout as L
from rvisor.hw.machine import Machine

MiB = 1 << 20
GUESTS = Path(os.environ.get("RVISOR_GUESTS", Path(__file__).resolve().parents[2] / "shared" / "guests"))
LINUX_IMAGE = GUESTS / "linux" / "Image"
LINUX_INITRD = GUESTS / "linux" / "initramfs.cpio.gz"
OPENSBI = Path("/usr/lib/riscv64-linux-gnu/opensbi/generic")
FW_JUMP_BIN = OPENSBI / "fw_jump.bin"
FW_JUMP_ELF = OPENSBI / "fw_jump.elf"
FW_DYNAMIC_BIN = OPENSBI / "fw_dynamic.bin"
UBOOT_ELF = Path("/usr/lib/u-boot/qemu-riscv64_smode/uboot.elf")
GCC = shutil.which("riscv64-unknown-elf-gcc")
OBJDUMP = shutil.which("riscv64-unknown-elf-objdump")


# runs at the start of a test that needs an installed file: skip with how to get it
def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is not installed here; install it (or set RVISOR_GUESTS) to run this test")
    return path


class FakeBoard:
    """The board surface boot() and the firmware use, around a real Machine."""

    # runs at the start of each test that boots
    def __init__(self, nharts: int = 1, ram_size: int = 128 * MiB) -> None:
        self.machine = Machine(nharts, ram_size)
        self.firmware: object | None = None
        self.out = bytearray()
        self.halted: tuple[str, int] | None = None

    # runs when the firmware prints
    def console_write(self, data: bytes) -> None:
        self.out += data

    # runs when the firmware reads a key: never one here
    def console_read(self) -> int:
        return -1

    # runs when the firmware or the test device stops the machine
    def halt(self, reason: str, code: int) -> None:
        self.halted = (reason, code)


# ---- tiny ELFs built with the riscv64 toolchain -------------------------------------------------
PROGRAM = r"""
    .section .text.start, "ax"
    .globl _start
_start:
    la t0, tohost
    li t1, 1
    sd t1, 0(t0)
1:  j 1b
    .section .data
    .align 3
    .globl tohost
tohost: .dword 0
    .globl fromhost
fromhost: .dword 0
message: .asciz "rvisor"
    .section .bss
    .align 3
zeroed: .space 4096
"""

LINKER = """
OUTPUT_ARCH(riscv)
ENTRY(_start)
SECTIONS {{
  . = {base:#x};
  .text : {{ *(.text.start) *(.text*) }}
  . = ALIGN(0x1000);
  .data : {{ *(.data*) }}
  .bss : {{ *(.bss*) }}
}}
"""


# runs once per test ELF: assemble and link `program` with the riscv64 toolchain
def build_elf(
    tmp: Path, name: str, base: int = 0x80000000, march: str = "rv64gc", mabi: str = "lp64d",
    program: str = PROGRAM,
) -> Path:
    if GCC is None:
        pytest.skip("riscv64-unknown-elf-gcc is not installed; install gcc-riscv64-unknown-elf")
    src = tmp / f"{name}.S"
    lds = tmp / f"{name}.ld"
    out = tmp / f"{name}.elf"
    src.write_text(program)
    lds.write_text(LINKER.format(base=base))
    subprocess.run(
        [GCC, f"-march={march}", f"-mabi={mabi}", "-nostdlib", "-nostartfiles", "-static",
         "-mcmodel=medany", "-T", str(lds), "-o", str(out), str(src)],
        check=True,
        capture_output=True,
    )
    return out


# runs once per module: the default RV64 test program
@pytest.fixture(scope="module")
def elf64(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_elf(tmp_path_factory.mktemp("elf"), "prog")


# ---- ELF -------------------------------------------------------------------------------------
def test_elf_loads_segments_by_paddr_and_finds_htif_symbols(elf64: Path) -> None:
    m = Machine(1, 16 * MiB)
    m.ram[:] = 0xAA  # the bss must come out zeroed
    img = load_elf(m, elf64)
    assert img.kind == "elf"
    assert img.entry == 0x80000000
    assert img.low == 0x80000000
    assert img.tohost is not None and img.fromhost == img.tohost + 8
    assert img.tohost % 0x1000 == 0 and img.tohost >= 0x80001000
    # first instruction of _start is auipc t0, ... (opcode 0x17, rd = t0)
    word = int.from_bytes(m.read_phys(0x80000000, 4), "little")
    assert word & 0x7F == 0x17 and (word >> 7) & 0x1F == 5
    assert m.read_phys(img.tohost + 16, 7) == b"rvisor\0"
    assert m.read_phys(img.high - 4096, 4096) == bytes(4096)  # bss zero-filled
    assert img.high - img.low >= 0x1000 + 16 + 4096


def test_elf_for_x86_64_is_rejected_by_name() -> None:
    ls = Path("/bin/ls")
    if not ls.exists():
        pytest.skip("/bin/ls not present")
    with pytest.raises(BootError, match=r"/bin/ls is an ELF for x86-64, not RISC-V 64-bit"):
        load_elf(Machine(1, 4 * MiB), ls)


def test_elf_riscv32_is_rejected(tmp_path: Path) -> None:
    program = '.section .text.start, "ax"\n.globl _start\n_start: j _start\n'
    elf32 = build_elf(tmp_path, "prog32", march="rv32i", mabi="ilp32", program=program)
    with pytest.raises(BootError, match="RISC-V 32-bit"):
        load_elf(Machine(1, 4 * MiB), elf32)


def test_truncated_elf(elf64: Path, tmp_path: Path) -> None:
    data = elf64.read_bytes()
    for n in (8, 40, 200, 0x1010):
        bad = tmp_path / f"trunc{n}.elf"
        bad.write_bytes(data[:n])
        with pytest.raises(BootError, match="truncated|corrupt") as e:
            load_elf(Machine(1, 4 * MiB), bad)
        assert "\n" not in str(e.value)


def test_corrupt_elf_header(elf64: Path, tmp_path: Path) -> None:
    data = bytearray(elf64.read_bytes())
    data[4] = 7  # EI_CLASS neither 32 nor 64
    bad = tmp_path / "class.elf"
    bad.write_bytes(bytes(data))
    with pytest.raises(BootError, match="corrupt"):
        load_elf(Machine(1, 4 * MiB), bad)
    data = bytearray(elf64.read_bytes())
    struct.pack_into("<Q", data, 0x20, len(data) + 0x1000)  # e_phoff past the end of the file
    bad.write_bytes(bytes(data))
    with pytest.raises(BootError, match="corrupt|truncated"):
        load_elf(Machine(1, 4 * MiB), bad)


def test_elf_segment_outside_ram(tmp_path: Path) -> None:
    elf = build_elf(tmp_path, "low", base=0x10000)
    with pytest.raises(BootError, match=r"segment at 0x10000.*outside RAM"):
        load_elf(Machine(1, 4 * MiB), elf)
    m = Machine(1, 4 * MiB)
    big = build_elf(tmp_path, "high", base=0x80000000 + 4 * MiB - 0x800)
    with pytest.raises(BootError, match="outside RAM"):
        load_elf(m, big)


def test_opensbi_and_uboot_elfs_load() -> None:
    m = Machine(1, 64 * MiB)
    fw = load_elf(m, need(FW_JUMP_ELF))
    assert fw.entry == 0x80000000 and fw.low == 0x80000000
    assert m.read_phys(0x80000000, 64) == need(FW_JUMP_BIN).read_bytes()[:64]
    if UBOOT_ELF.exists():
        ub = load_elf(Machine(1, 64 * MiB), UBOOT_ELF)
        assert ub.entry == 0x80200000


# ---- files -----------------------------------------------------------------------------------
def test_missing_empty_and_directory(tmp_path: Path) -> None:
    m = Machine(1, 4 * MiB)
    with pytest.raises(BootError, match="does not exist"):
        load_kernel(m, tmp_path / "nope.elf", m.ram_base)
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    with pytest.raises(BootError, match="is empty"):
        load_kernel(m, empty, m.ram_base)
    with pytest.raises(BootError, match="is a directory"):
        load_kernel(m, tmp_path, m.ram_base)


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "secret.bin"
    f.write_bytes(b"x" * 16)

    # runs in place of open(): every read is refused
    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(loaders, "open", denied, raising=False)  # works when running as root too
    with pytest.raises(BootError, match=r"cannot be read \(Permission denied\); check its permissions"):
        load_kernel(Machine(1, 4 * MiB), f, 0x80000000)


def test_raw_binary(tmp_path: Path) -> None:
    m = Machine(1, 4 * MiB)
    f = tmp_path / "raw.bin"
    f.write_bytes(bytes(range(256)) * 4)
    img = load_raw(m, f, 0x80100000)
    assert (img.entry, img.low, img.high, img.kind) == (0x80100000, 0x80100000, 0x80100400, "raw")
    assert m.read_phys(0x80100000, 1024) == f.read_bytes()
    with pytest.raises(BootError, match="does not fit in RAM"):
        load_raw(m, f, 0x80000000 + 4 * MiB - 16)
    img = load_kernel(m, f, 0x80000000)  # neither ELF nor Image: raw at the address given
    assert img.kind == "raw" and img.entry == 0x80000000


# ---- Linux Image -----------------------------------------------------------------------------
# runs in the Linux Image tests: a header with the given fields and a zero body
def fake_image(
    text_offset: int = 0x200000, image_size: int = 0x10000, body: int = 0x1000, flags: int = 0
) -> bytes:
    hdr = struct.pack("<IIQQQIIQ8s4sI", 0x13, 0x6F, text_offset, image_size, flags, 2, 0, 0,
                      b"RISCV\0\0\0", b"RSC\x05", 0)
    assert len(hdr) == 64
    return hdr + bytes(body - 64)


def test_image_header_of_shared_linux() -> None:
    data = need(LINUX_IMAGE).read_bytes()
    hdr = parse_image_header(data)
    assert hdr is not None
    assert hdr.text_offset == 0x200000
    assert hdr.image_size >= len(data)  # effective size includes bss
    assert hdr.version_str == "0.2"
    assert not hdr.big_endian
    m = Machine(1, 64 * MiB)
    img = load_linux_image(m, LINUX_IMAGE)
    assert img.entry == 0x80200000 and img.high == 0x80200000 + hdr.image_size
    assert m.read_phys(0x80200000, 64) == data[:64]
    too_small = Machine(1, 4 * MiB)
    with pytest.raises(BootError, match=r"needs .* give at least -m \d+M"):
        load_linux_image(too_small, LINUX_IMAGE)


def test_image_header_fields_and_placement(tmp_path: Path) -> None:
    f = tmp_path / "Image"
    f.write_bytes(fake_image(text_offset=0x400000, image_size=0x20000))
    m = Machine(1, 16 * MiB)
    m.ram[:] = 0x55
    img = load_kernel(m, f, m.ram_base + 0x200000)
    assert img.kind == "linux-image" and img.entry == 0x80400000 and img.high == 0x80420000
    assert m.read_phys(0x80401000, 16) == bytes(16)  # the image_size tail is zeroed
    assert parse_image_header(b"MZ" + bytes(100)) is None
    f.write_bytes(fake_image(flags=1))
    with pytest.raises(BootError, match="big-endian"):
        load_linux_image(m, f)
    f.write_bytes(fake_image(image_size=32 * MiB))
    with pytest.raises(BootError, match="give at least -m 34M"):
        load_linux_image(m, f)


# ---- initrd and device tree placement --------------------------------------------------------
@pytest.mark.parametrize(
    "ram, expected", [(64 * MiB, 0x82200000), (128 * MiB, 0x84200000), (256 * MiB, 0x88200000),
                      (1024 * MiB, 0x88200000)]
)
def test_initrd_address_as_qemu(ram: int, expected: int) -> None:
    assert initrd_address(ram, 0x80200000) == expected


@pytest.mark.parametrize(
    "ram, expected", [(64 * MiB, 0x83E00000), (128 * MiB, 0x87E00000), (256 * MiB, 0x8FE00000),
                      (2048 * MiB, 0xBFE00000), (4096 * MiB, 0xBFE00000)]
)
def test_fdt_address_as_qemu(ram: int, expected: int) -> None:
    assert fdt_address(0x80000000, ram, 0x2000) == expected
    assert fdt_address(0x80000000, ram, 1 * MiB) == expected  # QEMU's unpacked 1 MiB tree


def test_kernel_start_address() -> None:
    assert kernel_start_address(0x80000000, None) == 0x80000000
    assert kernel_start_address(0x80000000, 0x80045000) == 0x80200000
    assert kernel_start_address(0x80000000, 0x80200000) == 0x80200000
    assert kernel_start_address(0x80000000, 0x80200001) == 0x80400000


def test_initrd_load_overlap_and_fit(tmp_path: Path) -> None:
    rd = tmp_path / "initrd"
    rd.write_bytes(b"\x1f\x8b" + bytes(4094))
    kimg = tmp_path / "Image"
    kimg.write_bytes(fake_image(image_size=0x100000))
    m = Machine(1, 64 * MiB)
    k = load_kernel(m, kimg, 0x80200000)
    start, end = load_initrd(m, rd, k, k.entry)
    assert (start, end) == (0x82200000, 0x82201000)
    assert m.read_phys(start, 2) == b"\x1f\x8b"
    kimg.write_bytes(fake_image(image_size=40 * MiB))  # bss reaches past the initrd address
    k = load_kernel(m, kimg, 0x80200000)
    with pytest.raises(BootError, match="overlaps the kernel"):
        load_initrd(m, rd, k, k.entry)
    rd.write_bytes(bytes(40 * MiB))
    with pytest.raises(BootError, match="runs past the end of RAM"):
        load_initrd(Machine(1, 64 * MiB), rd, None, 0x80200000)


def test_dtb_checks(tmp_path: Path) -> None:
    good = struct.pack(">II", 0xD00DFEED, 48) + bytes(40)
    f = tmp_path / "virt.dtb"
    f.write_bytes(good + b"trailing")
    assert load_dtb(f) == good
    f.write_bytes(b"/dts-v1/; / { };" + bytes(40))
    with pytest.raises(BootError, match="not a flattened device tree"):
        load_dtb(f)
    with pytest.raises(BootError, match="truncated"):
        check_dtb(struct.pack(">II", 0xD00DFEED, 4096) + bytes(40))
    with pytest.raises(BootError, match="too short"):
        check_dtb(b"\xd0\x0d\xfe\xed")


# ---- the MROM reset vector ---------------------------------------------------------------------
# runs while run_rom decodes an immediate: sign-extend a bits-wide field
def sext(v: int, bits: int) -> int:
    return v - (1 << bits) if v >> (bits - 1) & 1 else v


# runs in the reset-vector tests: interpret the MROM words in Python
def run_rom(rom: bytes, hartid: int) -> tuple[int, dict[int, int]]:
    """Decode and execute the reset vector; returns (jump target, registers)."""
    regs: dict[int, int] = {0: 0}
    pc = 0x1000
    for _ in range(16):
        w = int.from_bytes(rom[pc - 0x1000 : pc - 0x1000 + 4], "little")
        op, rd, f3, rs1 = w & 0x7F, (w >> 7) & 0x1F, (w >> 12) & 7, (w >> 15) & 0x1F
        imm_i = sext(w >> 20, 12)
        if op == 0x17:  # auipc
            regs[rd] = pc + sext(w & 0xFFFFF000, 32)
        elif op == 0x13 and f3 == 0:  # addi
            regs[rd] = regs[rs1] + imm_i
        elif op == 0x73 and f3 == 2:  # csrrs
            assert (w >> 20) == 0xF14 and rs1 == 0  # csrr rd, mhartid
            regs[rd] = hartid
        elif op == 0x03 and f3 == 3:  # ld
            a = regs[rs1] + imm_i - 0x1000
            regs[rd] = int.from_bytes(rom[a : a + 8], "little")
        elif op == 0x67 and f3 == 0:  # jalr
            assert rd == 0
            return regs[rs1] + imm_i, regs
        else:
            raise AssertionError(f"unexpected instruction {w:#010x} at {pc:#x}")
        pc += 4
    raise AssertionError("reset vector does not jump")


def test_rom_words_decode_back() -> None:
    assert R.auipc(5, 0) == 0x00000297
    assert R.addi(12, 5, 0x28) == 0x02828613
    assert R.csrrs(10, 0xF14, 0) == 0xF1402573
    assert R.ld(11, 5, 0x20) == 0x0202B583
    assert R.ld(5, 5, 0x18) == 0x0182B283
    assert R.jalr(0, 5, 0) == 0x00028067
    with pytest.raises(ValueError):
        R.addi(1, 1, 4096)
    blob = R.build_rom(0x80000000, 0x87E00000, 0x80200000)
    for hartid in (0, 3):
        target, regs = run_rom(blob, hartid)
        assert target == 0x80000000
        assert regs[10] == hartid
        assert regs[11] == 0x87E00000
        assert regs[12] == 0x1028
    info = struct.unpack_from("<6Q", blob, 0x28)
    assert info == (0x4942534F, 2, 0x80200000, 1, 0, 0)


def test_rom_disassembles_with_objdump(tmp_path: Path) -> None:
    if OBJDUMP is None:
        pytest.skip("riscv64-unknown-elf-objdump not installed")
    f = tmp_path / "rom.bin"
    f.write_bytes(R.build_rom(0x80000000, 0x87E00000, 0x80200000)[:24])
    out = subprocess.run([OBJDUMP, "-D", "-b", "binary", "-m", "riscv:rv64", "-M", "no-aliases", str(f)],
                         check=True, capture_output=True, text=True).stdout
    for text in ("auipc\tt0,0x0", "addi\ta2,t0,40", "csrrs\ta0,mhartid,zero", "ld\ta1,32(t0)",
                 "ld\tt0,24(t0)", "jalr\tzero,0(t0)"):
        assert text in out, out


# ---- boot modes ------------------------------------------------------------------------------
def test_boot_bios_none_elf(elf64: Path) -> None:
    b = FakeBoard(nharts=2, ram_size=64 * MiB)
    info = boot(b, BootConfig(kernel=str(elf64), bios="none"))
    m = b.machine
    assert b.firmware is None and info.mode == "none"
    for h in range(2):
        assert m.hs[h, L.HS_PC] == 0x1000 and m.hs[h, L.HS_PRIV] == L.PRV_M
        assert m.hs[h, L.HS_FIRMWARE] == 0 and m.hs[h, L.HS_STATE] == L.HART_RUNNING
    target, regs = run_rom(m.rom.tobytes(), 1)
    assert target == 0x80000000 and regs[11] == info.fdt_addr == 0x83E00000
    assert m.read_phys(info.fdt_addr, 4) == b"\xd0\x0d\xfe\xed"
    assert m.mach[L.M_TOHOST] == info.tohost and info.tohost is not None


def test_boot_firmware_file_with_linux_image() -> None:
    fw = need(FW_JUMP_BIN)
    need(LINUX_IMAGE)
    b = FakeBoard(nharts=1, ram_size=128 * MiB)
    info = boot(b, BootConfig(kernel=str(LINUX_IMAGE), bios=str(fw), initrd=str(need(LINUX_INITRD)),
                              append="console=ttyS0"))
    m = b.machine
    data = fw.read_bytes()
    assert m.read_phys(0x80000000, len(data)) == data
    assert m.read_phys(0x80200000, 64) == LINUX_IMAGE.read_bytes()[:64]
    assert info.kernel_entry == 0x80200000 and info.initrd_start == 0x84200000
    assert info.fdt_addr == 0x87E00000
    target, regs = run_rom(m.rom.tobytes(), 0)
    assert target == 0x80000000 and regs[11] == 0x87E00000
    assert struct.unpack_from("<Q", m.rom.tobytes(), 0x28 + 16)[0] == 0x80200000  # next_addr
    assert m.hs[0, L.HS_PRIV] == L.PRV_M and m.hs[0, L.HS_PC] == 0x1000
    from rvisor.hw.fdt import parse_dtb

    tree = parse_dtb(m.read_phys(info.fdt_addr, info.fdt_size))
    chosen = tree.find("/chosen")
    assert chosen is not None and chosen.get_str("bootargs") == "console=ttyS0"
    start = int.from_bytes(chosen.props["linux,initrd-start"], "big")
    end = int.from_bytes(chosen.props["linux,initrd-end"], "big")
    assert (start, end) == (0x84200000, 0x84200000 + LINUX_INITRD.stat().st_size)


def test_boot_fw_dynamic_without_kernel() -> None:
    fw = need(FW_DYNAMIC_BIN)
    b = FakeBoard()
    info = boot(b, BootConfig(bios=str(fw)))
    assert info.kernel is None and info.kernel_entry == 0
    assert struct.unpack_from("<Q", b.machine.rom.tobytes(), 0x28 + 16)[0] == 0


def test_boot_builtin_linux() -> None:
    need(LINUX_IMAGE)
    b = FakeBoard(nharts=4, ram_size=256 * MiB)
    info = boot(b, BootConfig(kernel=str(LINUX_IMAGE), initrd=str(need(LINUX_INITRD))))
    m = b.machine
    assert isinstance(b.firmware, BuiltinFirmware)
    assert info.mode == "builtin" and info.start_priv == L.PRV_S and info.start_pc == 0x80200000
    assert info.fdt_addr == 0x8FE00000 and info.initrd_start == 0x88200000
    assert m.hs[0, L.HS_PC] == 0x80200000 and m.hs[0, L.HS_PRIV] == L.PRV_S
    assert m.reg(0, 10) == 0 and m.reg(0, 11) == 0x8FE00000
    assert m.hs[0, L.HS_STATE] == L.HART_RUNNING
    for h in range(1, 4):
        assert m.hs[h, L.HS_STATE] == L.HART_STOPPED
    for h in range(4):
        assert m.hs[h, L.HS_FIRMWARE] == 1
        # the board has the hypervisor extension: the H causes are delegated too, as by OpenSBI
        assert m.csr[h, L.CSR_MEDELEG] == MEDELEG_BUILTIN | MEDELEG_HEXT
        assert m.csr[h, L.CSR_MIDELEG] == MIDELEG_BUILTIN
        assert m.csr[h, L.CSR_MCOUNTEREN] == 7
        assert int(m.csr[h, L.CSR_MENVCFG]) & ((1 << 64) - 1) == 1 << 63  # STCE only
        st = int(m.csr[h, L.CSR_MSTATUS])
        if h == 0:
            assert st & (L.MSTATUS_MPP | L.MSTATUS_SIE | L.MSTATUS_SPP | L.MSTATUS_MIE) == 0
            assert st & L.MSTATUS_MPIE
    assert m.read_phys(info.fdt_addr, 4) == b"\xd0\x0d\xfe\xed"
    assert b.fdt_addr == info.fdt_addr


def test_boot_builtin_raw_kernel_goes_to_2mib(tmp_path: Path) -> None:
    f = tmp_path / "kernel.bin"
    f.write_bytes(b"\x73\x00\x10\x00" * 4)
    b = FakeBoard()
    info = boot(b, BootConfig(kernel=str(f)))
    assert info.kernel_entry == 0x80200000 and b.machine.hs[0, L.HS_PC] == 0x80200000


def test_boot_errors(tmp_path: Path, elf64: Path) -> None:
    b = FakeBoard()
    with pytest.raises(BootError, match="needs a --kernel"):
        boot(b, BootConfig())
    with pytest.raises(BootError, match="needs a --kernel"):
        boot(b, BootConfig(bios="none"))
    with pytest.raises(BootError, match="firmware .* does not exist"):
        boot(b, BootConfig(bios=str(tmp_path / "fw.bin"), kernel=str(elf64)))
    fw = tmp_path / "fw.bin"
    fw.write_bytes(bytes(0x1000))
    with pytest.raises(BootError, match="overlaps the firmware"):
        boot(b, BootConfig(bios=str(fw), kernel=str(elf64)))  # ELF linked at 0x80000000
    dtb = tmp_path / "bad.dtb"
    dtb.write_bytes(bytes(64))
    with pytest.raises(BootError, match="not a flattened device tree"):
        boot(b, BootConfig(kernel=str(elf64), bios="none", dtb=str(dtb)))
    with pytest.raises(BootError, match="boot hart 3 does not exist"):
        boot(b, BootConfig(kernel=str(elf64), bios="none", boot_hart=3))


def test_boot_explicit_dtb(tmp_path: Path, elf64: Path) -> None:
    blob = struct.pack(">II", 0xD00DFEED, 64) + bytes(56)
    f = tmp_path / "my.dtb"
    f.write_bytes(blob)
    b = FakeBoard()
    info = boot(b, BootConfig(kernel=str(elf64), bios="none", dtb=str(f)))
    assert b.machine.read_phys(info.fdt_addr, 64) == blob and info.fdt_size == 64


# ---- end to end: an S-mode program on the engine under the built-in firmware -------------------
SMODE_PROGRAM = r"""
    .section .text.start, "ax"
    .globl _start
_start:
    bnez a0, fail                      # the boot hart is hart 0
    la t0, trap
    csrw stvec, t0
    li a7, 0x4442434E                  # DBCN write "boot\n"
    li a6, 0
    li a0, 5
    la a1, msg
    li a2, 0
    ecall
    beqz a0, 3f
    la s0, msg                         # firmware without DBCN (OpenSBI < 1.3): legacy putchar
    addi s1, s0, 5
2:  lbu a0, 0(s0)
    li a7, 1
    ecall
    addi s0, s0, 1
    bne s0, s1, 2b
3:
    li a7, 0x48534D                    # HSM hart_start(1, secondary, 0x42)
    li a6, 0
    li a0, 1
    la a1, secondary
    li a2, 0x42
    ecall
    bnez a0, fail
1:  la t0, flag
    ld t1, 0(t0)
    beqz t1, 1b
    addi t0, t0, 1                     # misaligned AMO: store/AMO misaligned (6) is not delegated,
    amoadd.d t1, t1, (t0)              # so the firmware redirects it to stvec
    li a7, 1                           # legacy putchar '!'
    li a0, '!'
    ecall
    li a7, 0x53525354                  # SRST shutdown
    li a6, 0
    li a0, 0
    li a1, 0
    ecall
fail:
    li a7, 1
    li a0, 'X'
    ecall
    j fail
secondary:
    li t0, 1
    bne a0, t0, fail
    li t0, 0x42
    bne a1, t0, fail
    li a7, 1
    li a0, 'S'
    ecall
    la t0, flag
    li t1, 1
    sd t1, 0(t0)
    li a7, 0x48534D                    # HSM hart_stop
    li a6, 1
    ecall
    j fail
    .align 4
trap:
    csrr t0, scause
    li t1, 6
    bne t0, t1, fail
    li a7, 1
    li a0, 'T'
    ecall
    csrr t0, sepc
    addi t0, t0, 4
    csrw sepc, t0
    sret
    .section .data
msg: .ascii "boot\n"
    .align 3
flag: .dword 0
"""


# runs in the end-to-end boot tests instead of the real board
def run_board(b: FakeBoard, limit: int = 50_000_000) -> bytes:
    """A minimal board loop: round-robin over runnable harts; SBI and M-trap exits go to the
    built-in firmware; the UART's THR/LSR and the test device are emulated just enough for
    OpenSBI.  Returns what was written to the UART."""
    m = b.machine
    fw = b.firmware
    uart = bytearray()
    done = 0
    while b.halted is None and done < limit:
        ran = False
        for h in range(m.nharts):
            if m.hs[h, L.HS_STATE] == L.HART_WFI and m.interrupt_pending(h):
                m.hs[h, L.HS_STATE] = L.HART_RUNNING
            if m.hs[h, L.HS_STATE] != L.HART_RUNNING:
                continue
            ran = True
            before = int(m.cnt[h, L.CNT_INSTRET])
            reason = m.run(h, 10_000)
            done += int(m.cnt[h, L.CNT_INSTRET]) - before + 1
            if reason == L.EXIT_SBI and isinstance(fw, BuiltinFirmware):
                fw.on_sbi(b, h)
            elif reason == L.EXIT_TRAP and isinstance(fw, BuiltinFirmware):
                fw.on_m_trap(b, h)
            elif reason == L.EXIT_WFI:
                m.hs[h, L.HS_STATE] = L.HART_WFI
            elif reason == L.EXIT_MMIO:
                addr = int(m.hs[h, L.HS_EXIT_ADDR])
                if int(m.hs[h, L.HS_EXIT_FLAGS]) & L.MMIO_WRITE:
                    value = int(m.hs[h, L.HS_EXIT_VALUE])
                    if addr == L.UART0_BASE:
                        uart.append(value & 0xFF)
                    elif addr == L.TEST_BASE:
                        b.halt({0x5555: "poweroff", 0x7777: "reset"}.get(value & 0xFFFF, "fail"), value >> 16)
                else:  # LSR reads "transmitter empty"; everything else reads 0
                    m.set_reg(h, int(m.hs[h, L.HS_EXIT_RD]), 0x60 if addr == L.UART0_BASE + 5 else 0)
            elif reason not in (L.EXIT_BUDGET, L.EXIT_YIELD):
                raise AssertionError(f"unexpected exit {L.EXIT_NAMES.get(reason, reason)} on hart {h}")
            if b.halted is not None:
                break
        if not ran:  # every hart waits: let time pass
            m.mach[L.M_MTIME] += 1000
    return bytes(uart)


@pytest.mark.slow
def test_builtin_firmware_runs_smode_program(tmp_path: Path) -> None:
    pytest.importorskip("rvisor.hw.engine", reason="the execute engine is not available")
    elf = build_elf(tmp_path, "smode", base=0x80200000, program=SMODE_PROGRAM)
    b = FakeBoard(nharts=2, ram_size=64 * MiB)
    boot(b, BootConfig(kernel=str(elf)))
    run_board(b)
    assert bytes(b.out) == b"boot\nST!"
    assert b.halted == ("poweroff", 0)
    assert b.machine.hs[1, L.HS_STATE] == L.HART_STOPPED
    fw = b.firmware
    assert isinstance(fw, BuiltinFirmware) and fw.stats.redirected == 1


@pytest.mark.slow
@pytest.mark.parametrize("firmware", [FW_DYNAMIC_BIN, FW_JUMP_BIN], ids=["fw_dynamic", "fw_jump"])
def test_opensbi_boots_through_reset_vector(tmp_path: Path, firmware: Path) -> None:
    pytest.importorskip("rvisor.hw.engine", reason="the execute engine is not available")
    need(firmware)
    elf = build_elf(tmp_path, "smode", base=0x80200000, program=SMODE_PROGRAM)
    b = FakeBoard(nharts=2, ram_size=128 * MiB)
    boot(b, BootConfig(kernel=str(elf), bios=str(firmware)))
    uart = run_board(b).decode(errors="replace").replace("\r\n", "\n")  # OpenSBI adds CRs
    assert "OpenSBI" in uart
    if firmware == FW_DYNAMIC_BIN:  # what it read from fw_dynamic_info and a1
        assert re.search(r"Next Address\s*: 0x0*80200000", uart), uart
        assert re.search(r"Next Arg1\s*: 0x0*87e00000", uart), uart
        assert re.search(r"Next Mode\s*: S-mode", uart), uart
    assert uart.endswith("boot\nST!"), uart[-200:]
    assert b.halted == ("poweroff", 0)
