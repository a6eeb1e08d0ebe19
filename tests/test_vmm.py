"""The VMM (rvisor.vmm): guests in their own VMs in VS mode, on one host, side by side.

Boot tests run real guests — rvisor's Linux test guests from ../shared/guests (skipped, saying so,
when absent) and the teaching OS (built on demand) — on the deterministic clock and check what
each VM's own console holds, how it ended and its counters.  Tiny guests written as instruction
words (tests/conftest.py make_elf, entered at 0x80200000 in VS mode) check SBI answers, crash
containment, lifecycle errors and guest memory without a toolchain.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from rvisor.vmm import VM, DriveSpec, Host, VMConfig, VMError, VMState
from rvisor.vmm.memory import PAGE

SLOW = pytest.mark.slow
TIMEOUT = 240.0  # seconds; bounds a hang, a Linux VM takes a few
KERNEL_BASE = 0x8020_0000
APPEND = "console=ttyS0 rvisor.memsum_mib=1"

# ---- instruction words for tiny guests (RV64I base encodings) ------------------------------------
A0, A1, A6, A7, T0, T1 = 10, 11, 16, 17, 5, 6


# runs while a tiny guest is written: lui rd, imm20
def lui(rd: int, imm20: int) -> int:
    return ((imm20 & 0xFFFFF) << 12) | (rd << 7) | 0x37


# runs while a tiny guest is written: addi rd, rs1, imm12
def addi(rd: int, rs1: int, imm: int) -> int:
    return ((imm & 0xFFF) << 20) | (rs1 << 15) | (rd << 7) | 0x13


# runs while a tiny guest is written: lw rd, imm(rs1)
def lw(rd: int, rs1: int, imm: int = 0) -> int:
    return ((imm & 0xFFF) << 20) | (rs1 << 15) | (2 << 12) | (rd << 7) | 0x03


# runs while a tiny guest is written: slli rd, rs1, shamt
def slli(rd: int, rs1: int, sh: int) -> int:
    return (sh << 20) | (rs1 << 15) | (1 << 12) | (rd << 7) | 0x13


# runs while a tiny guest is written: sd rs2, 0(rs1)
def sd(rs2: int, rs1: int) -> int:
    return (rs2 << 20) | (rs1 << 15) | (3 << 12) | 0x23


# runs while a tiny guest is written: add rd, rs1, rs2
def add(rd: int, rs1: int, rs2: int) -> int:
    return (rs2 << 20) | (rs1 << 15) | (rd << 7) | 0x33


# runs while a tiny guest is written: bne rs1, rs2, off (bytes from this instruction)
def bne(rs1: int, rs2: int, off: int) -> int:
    i = off & 0x1FFF
    return ((((i >> 12) & 1) << 31) | (((i >> 5) & 0x3F) << 25) | (rs2 << 20) | (rs1 << 15) | (1 << 12)
            | (((i >> 1) & 0xF) << 8) | (((i >> 11) & 1) << 7) | 0x63)


# runs while a tiny guest is written: jal x0, off (bytes from this instruction)
def j(off: int) -> int:
    i = off & 0x1FFFFF
    return ((((i >> 20) & 1) << 31) | (((i >> 1) & 0x3FF) << 21) | (((i >> 11) & 1) << 20)
            | (((i >> 12) & 0xFF) << 12) | 0x6F)


# runs while a tiny guest is written: auipc rd, 0
def auipc(rd: int) -> int:
    return (rd << 7) | 0x17


ECALL = 0x00000073
LOOP = 0x0000006F  # j .
WFI = 0x10500073


# runs while a tiny guest is written: a7 = 32-bit value (lui + addi, the addi immediate signed)
def li32(rd: int, value: int) -> list[int]:
    lo = value & 0xFFF
    hi = (value + 0x800) >> 12
    return [lui(rd, hi), addi(rd, rd, lo - 0x1000 if lo >= 0x800 else lo)]


# SBI SRST system_reset(shutdown, no reason): a VM that ends through it powers off
SRST_SHUTDOWN = [*li32(A7, 0x53525354), addi(A6, 0, 0), addi(A0, 0, 0), addi(A1, 0, 0), ECALL, LOOP]
# a load from guest-physical 0x40000000: neither RAM nor a device in a VM
UNMAPPED_LOAD = [lui(T0, 0x40000), lw(T1, T0), LOOP]


# ---- helpers -----------------------------------------------------------------------------------
# runs when a test needs the Linux test guest's kernel and initrd
def _linux(shared_guest: Callable[[str], Path], name: str = "linux") -> tuple[Path, Path]:
    d = shared_guest(name)
    kernel, initrd = d / "Image", d / "initramfs.cpio.gz"
    for f in (kernel, initrd):
        if not f.is_file():
            pytest.skip(f"external guest {name!r} is incomplete: {f} is missing")
    return kernel, initrd


# runs when a test gives a VM a disk: 1 MiB raw image whose first 16 bytes are `head`
def _disk(path: Path, head: bytes) -> Path:
    assert len(head) == 16
    path.write_bytes(head + bytes((1 << 20) - 16))
    return path


# runs after a Linux VM's run: its console text, checked for the self-test's clean end
def _linux_ok(vm: VM) -> str:
    out = vm.console.output().decode(errors="replace").replace("\r\n", "\n")
    assert vm.state == VMState.STOPPED and vm.exit_status == "poweroff", \
        f"{vm.exit_status} {vm.report}\n{out[-3000:]}"
    lines = out.splitlines()
    assert "RVISOR-LINUX-BOOT-OK" in lines, out[-3000:]
    assert "RVISOR-LINUX-SELFTEST-DONE" in lines, out[-3000:]
    m = re.search(r"^RVISOR-LINUX-SELFTEST-RESULT pass=(\d+) fail=(\d+)$", out, re.M)
    assert m and int(m.group(2)) == 0 and int(m.group(1)) >= 4, out[-3000:]
    assert "Kernel panic" not in out
    return out


# runs when a test writes a tiny guest: an ELF entered at 0x80200000
def _tiny(make_elf: Callable[..., Path], tmp_path: Path, name: str, words: list[int],
          addr: int = KERNEL_BASE) -> Path:
    return make_elf(tmp_path / f"{name}.elf", words, addr=addr)


# ---- proof 1: a Linux VM ---------------------------------------------------------------------------
# proves: the Linux guest boots in a VM (VS mode, SBI from the VMM, devices emulated on guest-page
# faults), passes its self-test and powers the VM off; the counters say what the VMM did
@SLOW
def test_linux_vm_selftest_and_poweroff(shared_guest: Callable[[str], Path]) -> None:
    kernel, initrd = _linux(shared_guest)
    host = Host(harts=2, memory=1 << 30, clock="deterministic")
    vm = host.create(VMConfig(name="web", kernel=kernel, initrd=initrd, append=APPEND, memory=256 << 20))
    assert vm.state == VMState.CREATED
    vm.start()
    assert host.run(timeout=TIMEOUT), vm.console.output()[-2000:]
    out = _linux_ok(vm)
    assert "reboot: Power down" in out
    s = vm.stats()
    assert s["state"] == "stopped" and s["exit"] == "poweroff"
    assert s["instructions"] > 10_000_000
    assert s["exits"]["mmio"] > 0 and s["exits"]["sbi"] > 0 and s["sbi"]["srst"] == 1
    assert 0 < s["pages_mapped"] < (256 << 20) // PAGE // 2  # far from all of its 256 MiB
    assert s["guest_page_faults"] > 0
    assert s["host_memory_bytes"] >= s["pages_mapped"] * PAGE
    frames_before = host.memory.free_frames
    host.destroy("web")
    assert host.memory.free_frames == host.memory.total_frames > frames_before
    assert vm.state == VMState.DESTROYED


# ---- proof 2: two Linux VMs with their own disks -----------------------------------------------------
# proves: two Linux VMs and the teaching OS on one 2-hart host: each Linux VM reads its own disk's first
# sector, the OS answers at its prompt, and each console holds only its own VM's output
@SLOW
def test_two_linux_vms_own_disks_and_consoles(shared_guest: Callable[[str], Path], tmp_path: Path,
                                              guest_elf: Callable[[str], Path]) -> None:
    kernel, initrd = _linux(shared_guest)
    os_kernel = guest_elf("os")
    heads = {"a": b"rvisor-vm-disk-A", "b": b"rvisor-vm-disk-B"}
    host = Host(harts=2, memory=1 << 30, clock="deterministic")
    vms = {}
    for name, head in heads.items():
        disk = _disk(tmp_path / f"{name}.img", head)
        vms[name] = host.create(VMConfig(name=name, kernel=kernel, initrd=initrd, append=APPEND,
                                         memory=128 << 20, drives=[DriveSpec(disk, False)]))
    os_vm = host.create(VMConfig(name="os", kernel=os_kernel, memory=64 << 20))
    _typist(os_vm, ["echo only-in-os", "poweroff"])
    for vm in [*vms.values(), os_vm]:
        vm.start()
    assert host.run(timeout=TIMEOUT)
    os_out = os_vm.console.output()
    assert os_vm.exit_status == "poweroff" and b"os$ echo only-in-os\r\nonly-in-os" in os_out, os_out[-2000:]
    assert b"RVISOR" not in os_out
    for name, vm in vms.items():
        out = _linux_ok(vm)
        other = "b" if name == "a" else "a"
        assert f"RVISOR-VDA-SECTOR0 {heads[name].hex()}" in out, out[-3000:]
        assert heads[other].hex() not in out
        assert out.count("RVISOR-LINUX-BOOT-OK") == 1  # no line of the other VM's boot
        assert "only-in-os" not in out
    # a drive opened read-write by a VM is locked: a third VM cannot open it while the first exists
    with pytest.raises(VMError, match="in use"):
        host.create(VMConfig(name="c", kernel=kernel, initrd=initrd, memory=64 << 20,
                             drives=[DriveSpec(tmp_path / "a.img", False)]))
    for name in ("a", "b", "os"):
        host.destroy(name)
    assert host.memory.free_frames == host.memory.total_frames


# ---- proof 3 and 6: the teaching OS in a VM ---------------------------------------------------------------
# runs when a test types at the teaching OS: send each command when a new prompt appears
def _typist(vm: VM, commands: list[str]) -> None:
    sent = [0]
    seen = bytearray()

    # runs for every batch of console output, on the VM's thread
    def on_output(data: bytes) -> None:
        seen.extend(data)
        if sent[0] < len(commands) and seen.count(b"os$ ") > sent[0]:
            vm.console.send(commands[sent[0]].encode() + b"\n")
            sent[0] += 1

    vm.console.subscribe(on_output)


# proves: the teaching OS boots to its prompt in a 1 GiB VM, runs a command sent to its console and
# powers off; the VM maps only the pages the OS touched, and destroying it returns every frame
@SLOW
def test_teaching_os_in_a_1g_vm(guest_elf: Callable[[str], Path], tmp_path: Path) -> None:
    kernel = guest_elf("os")
    disk = tmp_path / "os.img"
    with open(disk, "wb") as f:
        f.truncate(16 << 20)
    host = Host(harts=2, memory=1 << 30, clock="deterministic")
    vm = host.create(VMConfig(name="db", kernel=kernel, memory=1 << 30, drives=[DriveSpec(disk, False)]))
    _typist(vm, ["echo hello from a vm", "poweroff"])
    vm.start()
    assert host.run(timeout=120)
    out = vm.console.output().decode(errors="replace").replace("\r\n", "\n")
    assert vm.exit_status == "poweroff", f"{vm.exit_status} {vm.report}\n{out[-3000:]}"
    assert "os$ echo hello from a vm\nhello from a vm\n" in out, out[-3000:]
    s = vm.stats()
    assert 0 < s["pages_mapped"] < 4096, s  # under 16 MiB of the 1 GiB were touched
    assert s["host_memory_bytes"] < s["pages_mapped"] * PAGE + (16 << 20), s
    used = host.memory.total_frames - host.memory.free_frames
    assert used >= s["pages_mapped"]
    host.destroy("db")
    assert host.memory.free_frames == host.memory.total_frames


# ---- proof 4: SMP Linux in a VM beside another -----------------------------------------------------
# proves: the SMP Linux guest with two vCPUs boots (HSM starts vCPU 1, IPIs and remote fences through
# the VMM's SBI), sees two processors and passes its SMP check, beside a second VM
@SLOW
def test_smp_linux_vm_beside_another(shared_guest: Callable[[str], Path]) -> None:
    kernel, initrd = _linux(shared_guest, "linux-smp")
    host = Host(harts=2, memory=1 << 30, clock="deterministic")
    smp = host.create(VMConfig(name="smp", kernel=kernel, initrd=initrd, memory=256 << 20, vcpus=2,
                               append=APPEND + " rvisor.smp_iters=2000"))
    up_kernel, up_initrd = _linux(shared_guest)
    other = host.create(VMConfig(name="other", kernel=up_kernel, initrd=up_initrd, append=APPEND,
                                 memory=128 << 20))
    smp.start()
    other.start()
    assert host.run(timeout=TIMEOUT)
    out = _linux_ok(smp)
    assert "processor\t: 1" in out and "RVISOR-LINUX-CPUS online=2" in out, out[-3000:]
    assert "RVISOR-LINUX-SMP-OK" in out
    s = smp.stats()
    assert s["sbi"].get("hsm", 0) >= 1 and s["sbi"].get("ipi", 0) > 0, s
    _linux_ok(other)


# ---- proof 5: crash containment ----------------------------------------------------------------------
# proves: a guest that loads from unmapped guest-physical memory is stopped alone, with a report naming
# the address and pc, while a Linux VM beside it finishes correctly
@SLOW
def test_unmapped_access_stops_only_that_vm(shared_guest: Callable[[str], Path],
                                            make_elf: Callable[..., Path], tmp_path: Path) -> None:
    kernel, initrd = _linux(shared_guest)
    host = Host(harts=2, memory=512 << 20, clock="deterministic")
    good = host.create(VMConfig(name="good", kernel=kernel, initrd=initrd, append=APPEND, memory=128 << 20))
    bad = host.create(VMConfig(name="bad", kernel=_tiny(make_elf, tmp_path, "crash", UNMAPPED_LOAD),
                               memory=16 << 20))
    good.start()
    bad.start()
    assert host.run(timeout=TIMEOUT)
    assert bad.state == VMState.STOPPED and bad.exit_status == "fault"
    assert "unmapped guest-physical address 0x40000000 at pc 0x80200004" in bad.report, bad.report
    _linux_ok(good)


# ---- small guests: SBI, lifecycle, memory ------------------------------------------------------------
# proves: a guest that calls SBI SRST shutdown powers its VM off; an unknown SBI extension returns
# SBI_ERR_NOT_SUPPORTED (-2) in a0 (the guest turns a0 + 2 into SRST's reset type: 0 = shutdown)
def test_sbi_shutdown_and_unknown_extension(make_elf: Callable[..., Path], tmp_path: Path) -> None:
    words = [*li32(A7, 0x0ABCDE), ECALL, addi(A0, A0, 2), addi(T0, A0, 0),
             *li32(A7, 0x53525354), addi(A6, 0, 0), addi(A0, T0, 0), addi(A1, 0, 0), ECALL, *UNMAPPED_LOAD]
    host = Host(harts=1, memory=64 << 20, clock="deterministic")
    vm = host.create(VMConfig(name="t", kernel=_tiny(make_elf, tmp_path, "sbi", words), memory=8 << 20))
    vm.start()
    assert host.run(timeout=60)
    assert vm.exit_status == "poweroff", vm.report
    assert vm.stats()["sbi"] == {"unsupported": 1, "srst": 1}


# proves: legacy SBI putchar reaches the VM's console (and a "stdio" console prefixes each line with the
# VM's name), and listeners see the bytes
def test_console_putchar_and_listeners(make_elf: Callable[..., Path], tmp_path: Path,
                                       capfd: pytest.CaptureFixture[str]) -> None:
    words = []
    for ch in b"hi\nyo\n":
        words += [addi(A7, 0, 1), addi(A0, 0, ch), ECALL]
    words += SRST_SHUTDOWN
    host = Host(harts=1, memory=64 << 20, clock="deterministic")
    vm = host.create(VMConfig(name="pc", kernel=_tiny(make_elf, tmp_path, "put", words), memory=8 << 20,
                              console="stdio"))
    got = bytearray()
    vm.console.subscribe(got.extend)
    vm.start()
    assert host.run(timeout=60)
    assert vm.console.output() == b"hi\nyo\n" == bytes(got)
    assert "[pc] hi\n[pc] yo\n" in capfd.readouterr().out


# proves: M-mode software is rejected with a clear reason (an ELF linked at 0x80000000, as xv6), and
# lifecycle calls out of order raise VMError naming the state and the operation
def test_mmode_image_rejected_and_lifecycle_errors(make_elf: Callable[..., Path], tmp_path: Path) -> None:
    host = Host(harts=1, memory=64 << 20, clock="deterministic")
    mmode = _tiny(make_elf, tmp_path, "xv6like", SRST_SHUTDOWN, addr=0x8000_0000)
    with pytest.raises(VMError, match="M-mode software .* cannot run in a VM.*trap-and-emulate"):
        host.create(VMConfig(name="x", kernel=mmode, memory=8 << 20))
    assert host.memory.free_frames == host.memory.total_frames  # nothing kept of the rejected VM
    fw_jump = Path("/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin")
    if fw_jump.is_file():  # a raw OpenSBI image, which cannot be told by its link address
        with pytest.raises(VMError, match="is OpenSBI firmware, which runs in M-mode"):
            host.create(VMConfig(name="x", kernel=fw_jump, memory=8 << 20))
    with pytest.raises(VMError, match="does not exist"):
        host.create(VMConfig(name="y", kernel=tmp_path / "missing", memory=8 << 20))
    loop = _tiny(make_elf, tmp_path, "loop", [WFI, LOOP])
    vm = host.create(VMConfig(name="ok", kernel=loop, memory=8 << 20))
    with pytest.raises(VMError, match="cannot pause VM 'ok': it is created"):
        vm.pause()
    with pytest.raises(VMError, match="cannot resume VM 'ok': it is created"):
        vm.resume()
    with pytest.raises(VMError, match="exists already"):
        host.create(VMConfig(name="ok", kernel=mmode, memory=8 << 20))
    vm.start()
    with pytest.raises(VMError, match="cannot start VM 'ok': it is running"):
        vm.start()
    vm.pause()
    assert vm.state == VMState.PAUSED
    vm.resume()
    vm.stop()
    assert vm.state == VMState.STOPPED and vm.exit_status == "stopped"
    with pytest.raises(VMError, match="cannot resume VM 'ok': it is stopped"):
        vm.resume()
    assert host.run(timeout=5)  # nothing left running
    host.destroy("ok")
    assert vm.state == VMState.DESTROYED
    with pytest.raises(VMError, match="no VM named 'ok'"):
        host.destroy("ok")


# proves: guest memory reads and writes cross page boundaries, are bounds-checked, map pages only for
# non-zero data, and a destroyed VM's frames come back zeroed to the next VM (no data crosses VMs)
def test_guest_memory_pages_isolation_and_reuse(make_elf: Callable[..., Path], tmp_path: Path) -> None:
    from rvisor.hw.machine import MemoryError_

    host = Host(harts=1, memory=16 << 20, clock="deterministic")
    kernel = _tiny(make_elf, tmp_path, "k", [LOOP])
    a = host.create(VMConfig(name="a", kernel=kernel, memory=8 << 20))
    mem = a.memory
    base = mem.ram_base + (4 << 20) - 3
    mem.write_phys(base, b"secret-pattern")  # crosses a page boundary
    assert mem.read_phys(base, 14) == b"secret-pattern"
    assert mem.read_phys(mem.ram_base + (5 << 20), 8) == bytes(8)  # untouched: zeroes, nothing mapped
    before = len(mem.pages)
    mem.write_phys(mem.ram_base + (7 << 20), bytes(PAGE * 2))  # zeroes map nothing
    assert len(mem.pages) == before
    with pytest.raises(MemoryError_):
        mem.read_phys(mem.ram_base + (8 << 20) - 4, 8)
    assert not mem.in_ram(mem.ram_base - 1, 2) and mem.in_ram(mem.ram_base, 8 << 20)
    frames = {mem.pages[(base >> 12)], mem.pages[(base >> 12) + 1]}
    host.destroy("a")
    assert host.memory.free_frames == host.memory.total_frames
    b = host.create(VMConfig(name="b", kernel=kernel, memory=8 << 20))
    for gpn in range(b.memory.ram_base >> 12, (b.memory.ram_base + (8 << 20)) >> 12):
        if gpn not in b.memory.pages:
            b.memory.map_page(gpn << 12)
    assert frames <= set(b.memory.pages.values()) | set(b.memory._tables)  # A's frames went to B ...
    assert b"secret" not in b.memory.read_phys(b.memory.ram_base, 8 << 20)  # ... zeroed first
    assert b"secret" not in host.machine.ram.tobytes()


# proves: when host RAM runs out, the VM whose fault needs a frame is paused with a report, and frees
# taken by destroying another VM let it go on after resume
def test_host_memory_exhausted_pauses_that_vm(make_elf: Callable[..., Path], tmp_path: Path) -> None:
    # a guest that stores to every page of its RAM from 0x80400000: sd zero, 0(t0); t0 += 4096; loop
    words = [lui(T0, 0x40200), slli(T0, T0, 1), sd(0, T0), lui(T1, 1), add(T0, T0, T1),
             0xFF5FF06F]  # j -12
    host = Host(harts=1, memory=16 << 20, clock="deterministic")
    fill = _tiny(make_elf, tmp_path, "fill", words)
    filler = host.create(VMConfig(name="fill", kernel=fill, memory=64 << 20))
    filler.start()
    done = threading.Event()

    # runs on a second thread: bound the run (the paused VM keeps host.run going)
    def watchdog() -> None:
        if not done.wait(30):
            filler.stop()

    threading.Thread(target=watchdog, daemon=True).start()
    while filler.state == VMState.RUNNING:
        host.run(timeout=0.5)
    done.set()
    assert filler.state == VMState.PAUSED and filler.exit_status == "out of host memory", filler.report
    assert "host RAM exhausted" in filler.report
    assert host.memory.free_frames < 3
    with pytest.raises(VMError, match="cannot be created: host RAM exhausted"):  # no room for its image
        host.create(VMConfig(name="late", kernel=fill, memory=8 << 20))
    filler.stop()
    host.destroy("fill")
    assert host.memory.free_frames == host.memory.total_frames


# ---- exits: injection, reboot, internal errors, pause -------------------------------------------------
# runs while a tiny guest is written: a CSR instruction (csrrw/csrrs) rd, csr, rs1
def csr(f3: int, rd: int, num: int, rs1: int = 0) -> int:
    return (num << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | 0x73


# proves: a virtual instruction (csrr hstatus from VS-mode) comes back to the guest as an illegal-
# instruction trap at its vstvec (vscause 2), which the guest handles by powering off
def test_virtual_instruction_injected_as_illegal(make_elf: Callable[..., Path], tmp_path: Path) -> None:
    words = [(T0 << 7) | 0x17, addi(T0, T0, 16), csr(1, 0, 0x105, T0), csr(2, T1, 0x600),  # handler at +16
             csr(2, A0, 0x142), addi(A0, A0, -2), *li32(A7, 0x53525354), addi(A6, 0, 0), addi(A1, 0, 0),
             ECALL, *UNMAPPED_LOAD]
    host = Host(harts=1, memory=64 << 20, clock="deterministic")
    vm = host.create(VMConfig(name="vi", kernel=_tiny(make_elf, tmp_path, "vi", words), memory=8 << 20))
    vm.start()
    assert host.run(timeout=60)
    assert vm.exit_status == "poweroff", vm.report
    assert vm.stats()["exits"]["virtual_instruction"] == 1


# proves: a guest reset through the syscon restarts that VM (fresh memory, the kernel again), a
# poweroff stops it, and an exception raised inside a device model stops only that VM with an
# "internal error" report
def test_reboot_and_internal_error(make_elf: Callable[..., Path], tmp_path: Path) -> None:
    reset = [addi(A7, 0, 1), addi(A0, 0, ord("B")), ECALL, lui(T0, 0x100), *li32(T1, 0x7777),
             (T1 << 20) | (T0 << 15) | (2 << 12) | 0x23, LOOP]
    rtc = [lui(T0, 0x101), lw(T1, T0), *SRST_SHUTDOWN]
    host = Host(harts=1, memory=64 << 20, clock="deterministic")
    rb = host.create(VMConfig(name="rb", kernel=_tiny(make_elf, tmp_path, "rb", reset), memory=8 << 20))
    bug = host.create(VMConfig(name="bug", kernel=_tiny(make_elf, tmp_path, "bug", rtc), memory=8 << 20))

    # runs when the device model is broken on purpose
    def broken(offset: int, size: int) -> int:
        raise RuntimeError("device model bug")

    bug.devices.rtc.read = broken  # type: ignore[method-assign]
    rb.console.subscribe(lambda data: rb.stop() if rb.console.output().count(b"B") >= 3 else None)
    rb.start()
    bug.start()
    assert host.run(timeout=60)
    assert rb.stats()["reboots"] >= 2 and rb.exit_status == "stopped"
    assert bug.exit_status == "internal error" and "device model bug" in bug.report, bug.report


# proves: pausing a Linux VM in the middle of its boot and resuming it later lets it finish correctly,
# and its guest time does not count the paused span (htimedelta takes it out)
@SLOW
def test_pause_resume_during_linux_boot(shared_guest: Callable[[str], Path],
                                        make_elf: Callable[..., Path], tmp_path: Path) -> None:
    kernel, initrd = _linux(shared_guest)
    host = Host(harts=2, memory=512 << 20, clock="deterministic")
    vm = host.create(VMConfig(name="lx", kernel=kernel, initrd=initrd, append=APPEND, memory=128 << 20))
    spinner = _tiny(make_elf, tmp_path, "spin", [LOOP])  # keeps host time moving while lx is paused
    spin = host.create(VMConfig(name="spin", kernel=spinner, memory=8 << 20))
    seen: dict[str, int] = {}

    # runs on a timer thread: resume, noting the guest's time on both sides of the pause
    def resume() -> None:
        seen["resumed"] = host.mtime_now()
        vm.resume()
        seen["guest_after"] = host.mtime_now() + vm.htimedelta

    # runs on the VM's output: pause at /init, resume on a timer; stop the spinner at the end
    def on_output(data: bytes) -> None:
        out = vm.console.output()
        if b"Run /init" in out and "paused" not in seen:
            vm.pause()
            seen["paused"] = host.mtime_now()
            seen["guest_before"] = seen["paused"] + vm.htimedelta
            threading.Timer(0.3, resume).start()
        if b"RVISOR-LINUX-SELFTEST-DONE" in out and spin.state == VMState.RUNNING:
            spin.stop()

    vm.console.subscribe(on_output)
    vm.start()
    spin.start()
    assert host.run(timeout=TIMEOUT)
    _linux_ok(vm)
    # host time went on while lx was paused, its guest time did not (within a slice of the spinner)
    assert seen["resumed"] - seen["paused"] > 500_000, seen
    assert abs(seen["guest_after"] - seen["guest_before"]) < 50_000, seen


# proves: with the deterministic clock (and a fixed RTC start) two runs of the same VMs repeat
# exactly: the same instructions retired, the same console output, the same exits
@SLOW
def test_deterministic_runs_repeat(shared_guest: Callable[[str], Path], guest_elf: Callable[[str], Path],
                                   tmp_path: Path) -> None:
    kernel, initrd = _linux(shared_guest)
    os_kernel = guest_elf("os")
    runs = []
    for _ in range(2):
        host = Host(harts=2, memory=512 << 20, clock="deterministic", rtc_epoch_ns=1_700_000_000 * 10**9)
        lx = host.create(VMConfig(name="lx", kernel=kernel, initrd=initrd, append=APPEND, memory=128 << 20))
        os_vm = host.create(VMConfig(name="os", kernel=os_kernel, memory=64 << 20))
        _typist(os_vm, ["uptime", "poweroff"])
        lx.start()
        os_vm.start()
        assert host.run(timeout=TIMEOUT)
        runs.append([(vm.stats()["instructions"], vm.console.output(), vm.stats()["exits"])
                     for vm in (lx, os_vm)])
        assert os_vm.exit_status == "poweroff", os_vm.report
        _linux_ok(lx)
    assert runs[0] == runs[1]


# ---- the guest/vm test guests: memory isolation, crashers beside a Linux VM ------------------------------
# proves: VM A fills its RAM with a secret pattern; VM B scanning all of its RAM never finds it; once A
# is destroyed a new VM C gets A's frames and reads zeroes there, not A's data
@SLOW
def test_memory_isolation_secret_scan(guest_elf: Callable[[str], Path]) -> None:
    secret, scan = guest_elf("guest/build/vm/secret.elf"), guest_elf("guest/build/vm/scan.elf")
    host = Host(harts=2, memory=144 << 20, clock="deterministic")  # room for two 64 MiB VMs, not three
    a = host.create(VMConfig(name="a", kernel=secret, memory=64 << 20))
    a.start()
    while b"SECRET filled" not in a.console.output():
        assert not host.run(timeout=1) and a.state == VMState.RUNNING, a.report  # A waits in WFI for ever
    frames_a = set(a.memory.pages.values())
    assert len(frames_a) > 16000
    scans = {}
    for name in ("b", "c"):
        if name == "c":
            host.destroy("a")
        vm = host.create(VMConfig(name=name, kernel=scan, memory=64 << 20))
        vm.start()
        while vm.state == VMState.RUNNING:
            host.run(timeout=1)
        out = vm.console.output().decode()
        m = re.search(r"SCAN pages=(\d+) secret=(\d+) nonzero=(\d+)", out)
        assert m and vm.exit_status == "poweroff", f"{vm.exit_status} {vm.report} {out}"
        scans[name] = (int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if name == "c":
            assert len(frames_a & set(vm.memory.pages.values())) > 8000  # C runs on A's old frames
    assert scans["b"] == scans["c"] == (16384, 0, 0)


# proves: guests that jump to garbage or load from unmapped guest-physical memory are stopped alone,
# each with its report, while a Linux VM beside them boots and powers off cleanly
@SLOW
def test_crashers_stopped_alone_beside_linux(shared_guest: Callable[[str], Path],
                                             guest_elf: Callable[[str], Path]) -> None:
    kernel, initrd = _linux(shared_guest)
    host = Host(harts=2, memory=512 << 20, clock="deterministic")
    good = host.create(VMConfig(name="good", kernel=kernel, initrd=initrd, append=APPEND, memory=128 << 20))
    jump = host.create(VMConfig(name="jump", kernel=guest_elf("guest/build/vm/crash_jump.elf"),
                                memory=16 << 20))
    load = host.create(VMConfig(name="load", kernel=guest_elf("guest/build/vm/crash_unmapped.elf"),
                                memory=16 << 20))
    for vm in (good, jump, load):
        vm.start()
    assert host.run(timeout=TIMEOUT)
    assert jump.exit_status == "fault"
    assert "fetched from unmapped guest-physical address 0x4deadbee0" in jump.report
    assert load.exit_status == "fault"
    assert "loaded from unmapped guest-physical address 0x40000000" in load.report
    assert b"CRASH jump" in jump.console.output() and b"CRASH unmapped" in load.console.output()
    _linux_ok(good)


# proves: a guest spinning with interrupts off (a timer pending, vsstatus.SIE clear) is stopped
# alone by the watchdog with its report, and one storming the VMM with SBI calls and device reads is
# held to its share and named in a warning, while a Linux VM beside them powers off cleanly
@SLOW
def test_spin_and_exit_storm_contained_beside_linux(shared_guest: Callable[[str], Path],
                                                    guest_elf: Callable[[str], Path]) -> None:
    kernel, initrd = _linux(shared_guest)
    host = Host(harts=2, memory=512 << 20, clock="realtime")
    good = host.create(VMConfig(name="good", kernel=kernel, initrd=initrd, append=APPEND, memory=128 << 20))
    spin = host.create(VMConfig(name="spin", kernel=guest_elf("guest/build/vm/crash_spin.elf"),
                                memory=16 << 20))
    storm = host.create(VMConfig(name="storm", kernel=guest_elf("guest/build/vm/crash_storm.elf"),
                                 memory=16 << 20))
    spin.watchdog.spin_limit = 50_000_000
    storm.watchdog.storm_window = 0.5
    for vm in (good, spin, storm):
        vm.start()
    runner = threading.Thread(target=host.run, kwargs={"timeout": TIMEOUT})
    runner.start()
    deadline = time.monotonic() + TIMEOUT
    while good.state == VMState.RUNNING and time.monotonic() < deadline:
        time.sleep(0.2)
    stats = storm.stats()
    storm.stop()
    runner.join(TIMEOUT)
    assert not runner.is_alive()
    _linux_ok(good)
    assert spin.exit_status == "stuck", spin.report
    assert "with interrupts disabled (vsstatus.SIE = 0)" in spin.report
    assert b"CRASH spin" in spin.console.output()
    assert stats["state"] == "running" and stats["exits"].get("sbi", 0) > 1000
    assert stats["exit_storms"] >= 1 and "exit storm" in stats["warnings"][0], stats["warnings"]
    assert storm.exit_status == "stopped"


UBOOT_SMODE = Path("/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin")


# proves: U-Boot's S-mode build (Debian's u-boot-qemu) boots in a VM on the VMM's SBI, as it does
# behind OpenSBI: a key stops its autoboot, and at its prompt it answers `version` and powers off
@SLOW
def test_uboot_smode_in_a_vm() -> None:
    if not UBOOT_SMODE.is_file():
        pytest.skip(f"U-Boot for QEMU is not installed ({UBOOT_SMODE} missing): apt-get install u-boot-qemu")
    host = Host(harts=1, memory=512 << 20, clock="deterministic")
    vm = host.create(VMConfig(name="uboot", kernel=UBOOT_SMODE, memory=256 << 20))
    stopped, sent = threading.Event(), threading.Event()

    # runs on each batch of U-Boot's output: a key stops autoboot, then two commands at the prompt
    def at_prompt(_data: bytes) -> None:
        out = vm.console.output()
        if not stopped.is_set() and b"Hit any key to stop autoboot" in out:
            stopped.set()
            vm.console.send(b" ")
        elif stopped.is_set() and not sent.is_set() and b"=> " in out:
            sent.set()
            vm.console.send(b"version\npoweroff\n")

    vm.console.subscribe(at_prompt)
    vm.start()
    assert host.run(timeout=TIMEOUT)
    out = vm.console.output().decode(errors="replace")
    assert "Model: riscv-virtio,qemu" in out and "DRAM:  256 MiB" in out
    assert re.search(r"=> version\s+U-Boot 20\d\d\.", out), out[-1500:]
    assert vm.exit_status == "poweroff", vm.report


# proves: one image may back read-only drives of several VMs at once, but a VM cannot open it
# read-write while another has it (QEMU's image locking), and destroying the holders frees it
def test_drive_sharing_read_only_and_locking(make_elf: Callable[..., Path], tmp_path: Path) -> None:
    kernel = _tiny(make_elf, tmp_path, "k", [LOOP])
    image = _disk(tmp_path / "shared.img", b"rvisor-shared-ro")
    host = Host(harts=1, memory=64 << 20, clock="deterministic")
    for name in ("r1", "r2"):
        host.create(VMConfig(name=name, kernel=kernel, memory=8 << 20, drives=[DriveSpec(image, True)]))
    with pytest.raises(VMError, match="in use by another machine"):
        host.create(VMConfig(name="w", kernel=kernel, memory=8 << 20, drives=[DriveSpec(image, False)]))
    assert "w" not in host.vms and host.memory.free_frames == host.memory.total_frames - sum(
        vm.memory.host_bytes // PAGE for vm in host.vms.values())
    host.destroy("r1")
    host.destroy("r2")
    w = host.create(VMConfig(name="w", kernel=kernel, memory=8 << 20, drives=[DriveSpec(image, False)]))
    assert w.devices.virtio[0].capacity == 2048


# proves: SBI HSM in a two-vCPU VM: hart_get_status says vCPU 1 is stopped, hart_start starts it at the
# given address with a0 = its hart id and a1 = the opaque value, and it can power the VM off
def test_hsm_start_second_vcpu(make_elf: Callable[..., Path], tmp_path: Path) -> None:
    sec, crash = 16, 24
    words = [*li32(A7, 0x48534D), addi(A6, 0, 2), addi(A0, 0, 1), ECALL, addi(T1, A1, -1),  # status(1)
             addi(A6, 0, 0), addi(A0, 0, 1), auipc(A1), addi(A1, A1, (sec - 8) * 4), addi(12, 0, 0x55),
             ECALL, add(T1, T1, A0), bne(T1, 0, (crash - 13) * 4), WFI, j(-4),
             # vCPU 1: a0 - 1 + a1 - 0x55 = 0 is SRST's shutdown
             addi(A0, A0, -1), addi(A1, A1, -0x55), add(A0, A0, A1), *li32(A7, 0x53525354), addi(A6, 0, 0),
             addi(A1, 0, 0), ECALL, *UNMAPPED_LOAD]
    assert len(words) == crash + 3
    host = Host(harts=2, memory=64 << 20, clock="deterministic")
    vm = host.create(VMConfig(name="hsm", kernel=_tiny(make_elf, tmp_path, "hsm", words), memory=8 << 20,
                              vcpus=2))
    vm.start()
    assert host.run(timeout=60)
    assert vm.exit_status == "poweroff", vm.report
    assert vm.stats()["sbi"] == {"hsm": 2, "srst": 1}
    assert vm.vcpus[0].state.value == "wfi"  # vCPU 0 is parked, it never woke


# proves: SBI calls with arbitrary arguments (hart masks, addresses, sizes, function IDs, legacy
# pointers) never raise out of the VMM: each answers with an SBI error or does its job
def test_sbi_garbage_arguments_never_raise(make_elf: Callable[..., Path], tmp_path: Path) -> None:
    import random

    from rvisor.boot.sbi import EXT_BASE, EXT_DBCN, EXT_HSM, EXT_IPI, EXT_RFENCE, EXT_SRST, EXT_TIME
    from rvisor.hw import layout as L

    host = Host(harts=1, memory=64 << 20, clock="deterministic")
    vm = host.create(VMConfig(name="fz", kernel=_tiny(make_elf, tmp_path, "fz", [LOOP]), memory=8 << 20,
                              vcpus=2))
    vm.start()
    v = vm.vcpus[0]
    m = host.machine
    rnd = random.Random(9)
    nasty = [0, 1, 2, 3, 7, 0x1000, 0x8020_0000, 0x807F_FFF8, 0x8080_0000, (1 << 63), (1 << 64) - 1,
             (1 << 64) - 2, 0xFFFF_FFFF, 0x8000_0000]
    eids = [EXT_BASE, EXT_TIME, EXT_IPI, EXT_RFENCE, EXT_HSM, EXT_SRST, EXT_DBCN, 0x0ABCDE, *range(0, 8)]
    host.load_vcpu(vm, v, 0)
    m.csr[0, L.CSR_VSTVEC] = 0x8020_0100  # a legacy call's unreadable hart mask is the guest's fault
    try:
        for _ in range(3000):
            eid = rnd.choice(eids)
            fid = rnd.choice([0, 1, 2, 3, 4, 5, 6, 7, 1 << 40])
            if (eid, fid) in ((EXT_HSM, 1), (EXT_HSM, 3)) or eid == EXT_SRST:
                fid = 9  # stop/suspend/reset would end this vCPU's turn: probed with bad function IDs
            m.set_reg(0, 17, eid)
            m.set_reg(0, 16, fid)
            for r in range(10, 16):
                m.set_reg(0, r, rnd.choice(nasty) if rnd.random() < 0.7 else rnd.getrandbits(64))
            m.hs[0, L.HS_PC] = 0x8020_0000
            vm.sbi.handle(v, 0)
            assert int(m.hs[0, L.HS_PC]) in (0x8020_0004, 0x8020_0100)
            assert vm.state == VMState.RUNNING, vm.report
    finally:
        v.save(m, 0)
    assert vm.sbi.calls["unsupported"] > 0 and sum(vm.sbi.calls.values()) == 3000
    assert int(m.cnt[0, L.CNT_EXC + L.EXC_LOAD_PAGE]) + int(m.cnt[0, L.CNT_EXC + L.EXC_LOAD_ACCESS]) > 0


# proves: loads and stores of every width with arbitrary values at arbitrary offsets of every device
# window of a VM (UART, PLIC, RTC, virtio-blk, virtio-rng, empty slots) are emulated without an
# exception out of the VMM; the VM keeps running and each access retires
def test_mmio_garbage_never_raises(make_elf: Callable[..., Path], tmp_path: Path) -> None:
    import random

    from rvisor.hw import layout as L
    from rvisor.hw.devices import SifiveTest
    from rvisor.vmm.exits import handle_exit

    host = Host(harts=1, memory=64 << 20, clock="deterministic")
    disk = _disk(tmp_path / "fz.img", b"rvisor-fuzz-disk")
    vm = host.create(VMConfig(name="mm", kernel=_tiny(make_elf, tmp_path, "mm", [LOOP]), memory=8 << 20,
                              drives=[DriveSpec(disk, False)]))
    vm.start()
    v = vm.vcpus[0]
    m = host.machine
    rnd = random.Random(5)
    devices = [d for d in vm.devices.bus.devices if not isinstance(d, SifiveTest)]
    host.load_vcpu(vm, v, 0)
    try:
        for i in range(20000):
            dev = rnd.choice(devices)
            f3 = rnd.choice([0, 1, 2, 3, 4, 5, 6])
            size = 1 << (f3 & 3)
            store = rnd.random() < 0.6 and f3 < 4
            # virtio: favour the registers that drive the queues (status, queue setup, notify)
            if dev.name.startswith("virtio") and rnd.random() < 0.5:
                off = rnd.choice([0x30, 0x38, 0x44, 0x50, 0x64, 0x70, 0x80, 0x90, 0xA0]) & ~(size - 1)
            else:
                off = rnd.randrange(0, dev.size - 8) & ~(size - 1)
            gpa = dev.base + off
            m.set_reg(0, 6, rnd.choice([0, 1, 0xFF, 0x8020_0000, 0x807F_F000, rnd.getrandbits(64)]))
            tinst = ((6 << 20) | (f3 << 12) | 0x23) if store else ((f3 << 12) | (7 << 7) | 0x03)
            m.hs[0, L.HS_EXIT_CAUSE] = L.EXC_STORE_GUEST_PAGE if store else L.EXC_LOAD_GUEST_PAGE
            m.hs[0, L.HS_EXIT_TVAL] = gpa
            m.hs[0, L.HS_GPA] = gpa >> 2
            m.hs[0, L.HS_TINST] = tinst
            m.hs[0, L.HS_PC] = 0x8020_0000
            assert handle_exit(vm, v, 0, L.EXIT_HS_TRAP), (i, dev.name, hex(off), vm.report)
            assert int(m.hs[0, L.HS_PC]) == 0x8020_0004
    finally:
        v.save(m, 0)
    assert vm.state == VMState.RUNNING
    assert vm.stats()["exits"]["mmio"] == 20000


# proves: the teaching OS's own self-test passes inside a VM (timer preemption by vstimecmp, user faults
# delegated to the guest kernel, fork/exec, pipes, its file system on the VM's virtio disk) and trapdemo's
# user traps — illegal instruction, page faults, misaligned AMO, breakpoint — reach the guest kernel
@SLOW
def test_teaching_os_selftest_and_trapdemo_in_a_vm(guest_elf: Callable[[str], Path], tmp_path: Path) -> None:
    disk = tmp_path / "os.img"
    with open(disk, "wb") as f:
        f.truncate(16 << 20)
    host = Host(harts=2, memory=256 << 20, clock="deterministic")
    vm = host.create(VMConfig(name="os", kernel=guest_elf("os"), memory=128 << 20,
                              drives=[DriveSpec(disk, False)]))
    cases = ["illegal", "load", "store", "fetch", "misaligned", "breakpoint"]
    _typist(vm, ["selftest", *(f"trapdemo {c}" for c in cases), "poweroff"])
    vm.start()
    assert host.run(timeout=TIMEOUT)
    out = vm.console.output().decode(errors="replace").replace("\r\n", "\n")
    assert vm.exit_status == "poweroff", f"{vm.exit_status} {vm.report}\n{out[-3000:]}"
    assert "selftest: all 8 checks passed" in out, out[-3000:]
    assert "OS: PANIC" not in out
    for cause in ("illegal instruction", "load page fault", "store/AMO page fault", "instruction page fault",
                  "breakpoint"):
        assert cause in out, (cause, out[-3000:])
    assert re.search("(store/AMO|load) address misaligned", out), out[-3000:]
    assert vm.stats()["exits"]["misaligned"] >= 1  # the misaligned AMO is the VMM's to hand to the guest
    assert vm.stats()["exits"].get("other_trap", 0) == 0


# proves: with the realtime clock (a host thread per hart, the VMs' exits handled on both at once) two
# Linux VMs and an SMP one boot side by side, each reading its own disk, and all power off cleanly
@SLOW
def test_linux_vms_in_parallel_on_the_realtime_clock(shared_guest: Callable[[str], Path],
                                                     tmp_path: Path) -> None:
    kernel, initrd = _linux(shared_guest)
    smp_kernel, smp_initrd = _linux(shared_guest, "linux-smp")
    host = Host(harts=2, memory=1 << 30, clock="realtime")
    heads = {"a": b"rvisor-rt-disk-A", "b": b"rvisor-rt-disk-B"}
    vms = [host.create(VMConfig(name=n, kernel=kernel, initrd=initrd, append=APPEND, memory=128 << 20,
                                drives=[DriveSpec(_disk(tmp_path / f"{n}.img", head), False)]))
           for n, head in heads.items()]
    vms.append(host.create(VMConfig(name="smp", kernel=smp_kernel, initrd=smp_initrd, vcpus=2,
                                    append=APPEND + " rvisor.smp_iters=2000", memory=128 << 20)))
    for vm in vms:
        vm.start()
    assert host.run(timeout=TIMEOUT)
    for vm in vms:
        out = _linux_ok(vm)
        if vm.name in heads:
            assert f"RVISOR-VDA-SECTOR0 {heads[vm.name].hex()}" in out
    assert "RVISOR-LINUX-SMP-OK" in vms[2].console.output().decode()
