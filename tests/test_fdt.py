"""Device tree blobs: well-formed for dtc, and the same tree QEMU 7.2 builds for -M virt."""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path
from typing import Any

import pytest

from rvisor.hw import fdt as F

DTC = shutil.which("dtc")
QEMU = shutil.which("qemu-system-riscv64")

# nodes QEMU has and rvisor's board does not (see rvisor.hw.fdt's docstring)
LEFT_OUT = {"/pmu", "/fw-cfg@10100000", "/flash@20000000", "/platform-bus@4000000", "/soc/pci@30000000"}
# properties holding phandles, with the number of specifier cells after each phandle
PHANDLE_PROPS = {"interrupt-parent": 0, "regmap": 0, "cpu": 0, "interrupts-extended": 1}
# properties allowed to differ (values chosen per run or per implementation)
DIFFERENT = {"phandle", "riscv,isa", "rng-seed"}
# properties rvisor adds on purpose
EXTRA = {("/cpus/cpu@{}/interrupt-controller", "#address-cells")}

needs_dtc = pytest.mark.skipif(
    DTC is None, reason="dtc is not installed (apt-get install device-tree-compiler)"
)
needs_qemu = pytest.mark.skipif(
    QEMU is None, reason="qemu-system-riscv64 is not installed: cannot compare with QEMU's dumpdtb"
)


# runs in the dtc checks: decompile the blob, warnings and all
def run_dtc(blob: bytes, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "t.dtb"
    path.write_bytes(blob)
    assert DTC is not None
    return subprocess.run(
        [DTC, "-I", "dtb", "-O", "dts", "-o", "-", str(path)], capture_output=True, text=True, timeout=60
    )


def test_writer_layout_and_roundtrip() -> None:
    root = F.FdtNode("")
    root.set("#address-cells", 2).set("compatible", ["a,b", "c"]).set("flag")
    child = root.child("dev@1000")
    child.set("reg", F.u64(0x1000, 0x100)).set("compatible", "x,y").set("cells", [1, 2, 3])
    blob = F.to_dtb(root, reserve=[(0x80000000, 0x1000)])
    magic, total, off_struct, off_strings, off_rsv, version, last = struct.unpack_from(">7I", blob)
    assert magic == 0xD00DFEED and total == len(blob)
    assert version == 17 and last == 16
    assert off_rsv == 40 and off_rsv % 8 == 0 and off_struct % 4 == 0
    assert blob[off_strings:].count(b"compatible\0") == 1  # names shared in the strings block
    assert F.parse_reservations(blob) == [(0x80000000, 0x1000)]
    back = F.parse_dtb(blob)
    assert back.get_u32("#address-cells") == 2
    assert back.get_strs("compatible") == ["a,b", "c"]
    assert back.props["flag"] == b""
    dev = back.find("/dev@1000")
    assert dev is not None
    assert dev.get_u32s("reg") == [0, 0x1000, 0, 0x100]
    assert dev.get_str("compatible") == "x,y"
    assert dev.get_u32s("cells") == [1, 2, 3]
    assert [p for p, _ in back.walk()] == ["/", "/dev@1000"]


def test_reader_rejects_garbage() -> None:
    with pytest.raises(F.FdtError):
        F.parse_dtb(b"\0" * 64)
    with pytest.raises(F.FdtError):
        F.parse_dtb(b"\xd0\x0d")


def test_virt_tree_contents() -> None:
    cfg = F.FdtConfig(
        nharts=4,
        ram_size=512 << 20,
        bootargs="console=ttyS0 root=/dev/vda",
        initrd_start=0x84000000,
        initrd_end=0x84200000,
    )
    t = F.parse_dtb(F.build_virt_fdt(cfg))
    chosen = t.find("/chosen")
    assert chosen is not None
    assert chosen.get_str("bootargs") == "console=ttyS0 root=/dev/vda"
    assert chosen.get_str("stdout-path") == "/soc/serial@10000000"
    assert chosen.get_u32s("linux,initrd-start") == [0, 0x84000000]
    assert chosen.get_u32s("linux,initrd-end") == [0, 0x84200000]
    mem = t.find("/memory@80000000")
    assert mem is not None and mem.get_u32s("reg") == [0, 0x80000000, 0, 512 << 20]
    cpus = t.find("/cpus")
    assert cpus is not None and cpus.get_u32("timebase-frequency") == 10_000_000
    for h in range(4):
        cpu = t.find(f"/cpus/cpu@{h}")
        assert cpu is not None
        isa = cpu.get_str("riscv,isa")
        assert isa is not None and isa.startswith("rv64imafdc") and "_zicsr_zifencei" in isa
        assert "sstc" in isa
        assert cpu.get_str("mmu-type") == "riscv,sv48"
        assert t.find(f"/cpus/cpu-map/cluster0/core{h}") is not None
    slots = [p for p, _ in t.walk() if p.startswith("/soc/virtio_mmio@")]
    assert len(slots) == 8
    plic = t.find("/soc/plic@c000000")
    assert plic is not None
    assert len(plic.get_u32s("interrupts-extended")) == 4 * 4
    hyp = F.parse_dtb(F.build_virt_fdt(F.FdtConfig(hypervisor=True)))
    node = hyp.find("/cpus/cpu@0")
    assert node is not None and (node.get_str("riscv,isa") or "").startswith("rv64imafdch_")


def test_config_object_duck_typed() -> None:
    class BoardConfig:
        nharts = 2
        ram_size = 64 << 20
        bootargs = "quiet"

    t = F.parse_dtb(F.build_virt_fdt(BoardConfig()))
    assert t.find("/cpus/cpu@1") is not None
    chosen = t.find("/chosen")
    assert chosen is not None and chosen.get_str("bootargs") == "quiet"


@needs_dtc
@pytest.mark.parametrize(
    "cfg",
    [
        F.FdtConfig(),
        F.FdtConfig(nharts=2, ram_size=256 << 20, bootargs="console=ttyS0"),
        F.FdtConfig(
            nharts=8,
            ram_size=1 << 30,
            initrd_start=0x88000000,
            initrd_end=0x88100000,
            rng_seed=bytes(range(32)),
            reserve=[(0x80000000, 0x80000)],
        ),
    ],
    ids=["default", "smp2", "smp8-initrd"],
)
def test_dtc_decodes_without_warnings(cfg: F.FdtConfig, tmp_path: Path) -> None:
    res = run_dtc(F.build_virt_fdt(cfg), tmp_path)
    assert res.returncode == 0, res.stderr
    assert res.stderr == "", res.stderr
    assert 'compatible = "riscv-virtio";' in res.stdout


@needs_dtc
def test_dtc_strict_checks(tmp_path: Path) -> None:
    """The optional strict checks too; QEMU's own "virtio_mmio" node name is the one exception."""
    path = tmp_path / "s.dtb"
    path.write_bytes(F.build_virt_fdt(F.FdtConfig(nharts=2, bootargs="console=ttyS0")))
    assert DTC is not None
    res = subprocess.run(
        [DTC, "-I", "dtb", "-O", "dts", "-o", "-", "-W", "node_name_chars_strict"]
        + ["-W", "property_name_chars_strict", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 0
    lines = [ln for ln in res.stderr.splitlines() if ln]
    assert all("virtio_mmio@" in ln and "node_name_chars_strict" in ln for ln in lines), lines
    assert len(lines) == 8


# runs while trees are compared: phandle -> path of the node that carries it
def _phandles(tree: F.FdtNode) -> dict[int, str]:
    out = {}
    for path, node in tree.walk():
        ph = node.get_u32("phandle")
        if ph is not None:
            out[ph] = path
    return out


# runs while the generated tree is compared with QEMU's
def _normalised(tree: F.FdtNode) -> dict[str, dict[str, Any]]:
    """path -> {property: value}, phandles replaced by the target node's path."""
    ph = _phandles(tree)
    result: dict[str, dict[str, Any]] = {}
    for path, node in tree.walk():
        props: dict[str, Any] = {}
        for name, raw in node.props.items():
            if name in DIFFERENT:
                continue
            if name in PHANDLE_PROPS:
                cells = node.get_u32s(name)
                step = PHANDLE_PROPS[name] + 1
                props[name] = [
                    (ph.get(cells[i], "?"), *cells[i + 1 : i + step]) for i in range(0, len(cells), step)
                ]
            else:
                props[name] = raw
        result[path] = props
    return result


# runs in the QEMU parity tests: the tree QEMU dumps for -M virt with these options
def qemu_dtb(tmp_path: Path, smp: int, mem: str) -> bytes:
    out = tmp_path / f"qemu-{smp}-{mem}.dtb"
    assert QEMU is not None
    subprocess.run(
        [QEMU, "-M", f"virt,dumpdtb={out}", "-smp", str(smp), "-m", mem, "-nographic"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return out.read_bytes()


@needs_qemu
@pytest.mark.parametrize("smp", [1, 2])
@pytest.mark.parametrize("mem", ["128M", "256M"])
def test_same_tree_as_qemu_dumpdtb(smp: int, mem: str, tmp_path: Path) -> None:
    ref = F.parse_dtb(qemu_dtb(tmp_path, smp, mem))
    size = int(mem[:-1]) << 20
    ours = F.parse_dtb(F.build_virt_fdt(F.FdtConfig(nharts=smp, ram_size=size)))
    want, got = _normalised(ref), _normalised(ours)
    expected_paths = {p for p in want if not any(p == n or p.startswith(n + "/") for n in LEFT_OUT)}
    assert set(got) == expected_paths
    for path in sorted(expected_paths):
        for name in sorted(set(want[path]) | set(got[path])):
            extra = any(path == pat.format(h) and name == pn for pat, pn in EXTRA for h in range(smp))
            if extra:
                continue
            assert name in got[path], f"{path}: property {name} missing"
            assert name in want[path], f"{path}: property {name} not in QEMU's tree"
            assert got[path][name] == want[path][name], f"{path}:{name} differs"
    isa = ours.find("/cpus/cpu@0")
    assert isa is not None and ref.find("/cpus/cpu@0") is not None
    ref_isa = ref.find("/cpus/cpu@0").get_str("riscv,isa")  # type: ignore[union-attr]
    assert (ref_isa or "").startswith("rv64imafdc")
    assert (isa.get_str("riscv,isa") or "").startswith("rv64imafdc")
