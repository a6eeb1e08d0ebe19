"""The bundled images: guest software that ``--kernel NAME`` and ``rvisor images`` know by name.

Sources, in order (a later entry with the same name replaces an earlier one):

* the guest software built from ``guest/`` (``hello``, ``privilege``, the teaching OS ``os``);
* the benchmark workloads listed in ``bench/workloads/workloads.txt``
  (one per line: name, ELF path, description, separated by tabs/spaces or commas; ``#`` starts a
  comment);
* an optional ``guest/images.txt`` with lines ``name, path, description[, bios]`` for more guests;
* firmware from Debian's packages (``u-boot``: OpenSBI fw_jump + U-Boot) when installed;
* rvisor's own Linux guests (``linux``, ``linux-smp``: ``Image`` + ``initramfs.cpio.gz``), which
  ``guest/linux/build.sh`` (run by setup.sh) builds into ``~/.cache/rvisor/guests/<key>/``; the key
  is a hash of every build input (see ``linux_cache_key``);
* when ``$RVISOR_GUESTS`` names a folder with ``linux/`` or ``linux-smp/``, those replace them.
  ``shared_guest_dir`` also looks in ``../shared/guests`` beside the repository and in
  ``/work/shared/guests``, for the tests that name an external guest.

An image carries the boot settings it needs (``bios``, ``initrd``, ``append``, memory, harts);
options given on the command line override them.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKLOADS_TXT = ROOT / "bench" / "workloads" / "workloads.txt"
GUEST_IMAGES_TXT = ROOT / "guest" / "images.txt"
OPENSBI_FW_JUMP = Path("/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin")
OPENSBI_FW_DYNAMIC = Path("/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin")
UBOOT_SMODE = Path("/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin")
LINUX_APPEND = "console=ttyS0 earlycon=sbi"
LINUX_SRC = ROOT / "guest" / "linux"
# the Debian packages whose versions are inputs of the Linux build (as in guest/linux/build.sh)
LINUX_PACKAGES = ("linux-source-6.1", "gcc-riscv64-linux-gnu", "libc6-dev-riscv64-cross")

# Where the guest software of guest/ may land, first match wins (the first is shown while unbuilt).
_GUEST_CANDIDATES: dict[str, tuple[str, list[str]]] = {
    "hello": (
        "bare-metal hello world: prints over the UART and powers off (M-mode, --bios none)",
        ["guest/build/demo/hello.elf", "guest/build/hello.elf", "guest/**/hello.elf"],
    ),
    "privilege": (
        "privilege demo: M -> S -> U and back, ecalls, traps and a timer interrupt (--bios none)",
        ["guest/build/demo/privilege.elf", "guest/build/privilege.elf", "guest/**/privilege.elf"],
    ),
    "os": (
        "the teaching OS: S-mode on SBI, shell, processes, a logged file system on its virtio disk",
        ["guest/build/os.elf", "guest/os/build/os.elf", "guest/os/os.elf", "guest/**/os.elf"],
    ),
}


@dataclass(frozen=True)
class Image:
    """One bootable image and the settings it boots with."""

    name: str
    description: str
    kind: str  # "guest", "workload", "firmware", "linux"
    path: Path
    bios: str = "none"
    initrd: Path | None = None
    append: str = ""
    memory: int | None = None
    smp: int | None = None
    build_hint: str = ""
    drives: tuple[tuple[Path, bool], ...] = ()  # (disk image, read-only) attached by default

    # runs when the table or --kernel NAME asks whether every file of the image exists
    @property
    def present(self) -> bool:
        files = [self.path] + ([self.initrd] if self.initrd else []) + [d for d, _ in self.drives]
        if self.bios not in ("none", "builtin"):
            files.append(Path(self.bios))
        return all(f.is_file() for f in files)

    # runs when the images table shows sizes: kernel plus initrd bytes
    @property
    def size(self) -> int:
        total = 0
        for f in (self.path, self.initrd):
            if f is not None and f.is_file():
                total += f.stat().st_size
        return total


@dataclass(frozen=True)
class Workload:
    """One line of bench/workloads/workloads.txt."""

    name: str
    path: Path
    description: str


# runs when a relative path from a list file is turned into a file: repository root, then the list's folder
def _resolve_listed(path: str, base: Path) -> Path:
    p = Path(path)
    if p.is_absolute():
        return p
    for cand in (ROOT / p, base / p):
        if cand.exists():
            return cand
    return ROOT / p


# runs when a list file (workloads.txt, images.txt) is read: "a, b, c" or whitespace/tab-separated
def _split_fields(line: str, n: int) -> list[str]:
    if re.match(r"^[^\s,]+\s*,", line):
        return [f.strip() for f in line.split(",", n - 1)]
    return line.split(None, n - 1)


# runs when a list file is read: the fields of every line with a name and a path ("#" starts a comment)
def _read_list(path: Path, n: int) -> Iterator[list[str]]:
    if not path.is_file():
        return
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        fields = _split_fields(line, n) if line else []
        if len(fields) >= 2:
            yield fields


# runs when the benchmark runner or the registry needs the workload list
def read_workloads(path: Path | None = None) -> list[Workload]:
    path = path or WORKLOADS_TXT
    return [
        Workload(f[0], _resolve_listed(f[1], path.parent), f[2] if len(f) > 2 else "")
        for f in _read_list(path, 3)
    ]


# runs when the registry looks for the external guests: $RVISOR_GUESTS, ../shared/guests, /work/shared/guests
def guests_dirs() -> list[Path]:
    dirs: list[Path] = []
    env = os.environ.get("RVISOR_GUESTS")
    if env:
        dirs.append(Path(env))
    dirs.append(ROOT.parent / "shared" / "guests")
    dirs.append(Path("/work/shared/guests"))
    return dirs


# runs when the Linux guests are looked up: $RVISOR_GUESTS_CACHE, else ~/.cache/rvisor/guests
def linux_cache_root() -> Path:
    env = os.environ.get("RVISOR_GUESTS_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "rvisor" / "guests"


# runs when the cache key is computed: "<version>" of each build package, "missing" when not installed
def _package_versions() -> dict[str, str]:
    versions = dict.fromkeys(LINUX_PACKAGES, "missing")
    try:
        proc = subprocess.run(["dpkg-query", "-W", "-f=${Package} ${Status} ${Version}\n", *LINUX_PACKAGES],
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return versions
    for line in proc.stdout.splitlines():
        fields = line.split()
        if len(fields) == 5 and fields[0] in versions and fields[1:4] == ["install", "ok", "installed"]:
            versions[fields[0]] = fields[4]
    return versions


# runs when the cache key is computed: the same manifest as guest/linux/build.sh writes
def linux_manifest() -> str:
    lines = []
    files = [p for p in LINUX_SRC.rglob("*") if p.is_file() and not p.name.endswith(".md")]
    rels = sorted(p.relative_to(LINUX_SRC).as_posix() for p in files)
    for rel in rels:
        if any(part.startswith(".") for part in rel.split("/")):
            continue
        lines.append(f"{hashlib.sha256((LINUX_SRC / rel).read_bytes()).hexdigest()}  {rel}\n")
    for name, version in _package_versions().items():
        lines.append(f"{name} {version}\n")
    return "".join(lines)


# runs when the Linux guests are looked up: the folder that guest/linux/build.sh fills for these inputs
def linux_cache_dir() -> Path:
    key = hashlib.sha256(linux_manifest().encode()).hexdigest()[:16]
    return linux_cache_root() / key


# runs when one external guest folder (e.g. "linux") is wanted; None when no guests folder has it
def shared_guest_dir(name: str) -> Path | None:
    for d in guests_dirs():
        if (d / name).is_dir():
            return d / name
    return None


# runs when a bundled guest of guest/ is looked up: the first candidate path that exists
def _find_guest(patterns: Iterable[str]) -> Path:
    patterns = list(patterns)
    for pat in patterns:
        if "*" in pat:
            hits = sorted(ROOT.glob(pat), key=lambda p: (len(p.parts), str(p)))
            if hits:
                return hits[0]
        elif (ROOT / pat).is_file():
            return ROOT / pat
    return ROOT / patterns[0]


# runs when the os image is looked up: its own disk beside the kernel (guest/build/os-disk.img),
# created blank (16 MiB, sparse) on first use once the kernel is built; the OS formats it at its first
# boot and finds its files there on the next ones
def os_default_disk(kernel: Path) -> Path:
    disk = kernel.parent / "os-disk.img"
    if kernel.is_file() and not disk.exists():
        try:
            with open(disk, "xb") as f:
                f.truncate(16 << 20)
        except OSError:
            pass  # a read-only checkout: the image then shows as not present
    return disk


# runs on every lookup: builds the name -> Image table from what is on disk now
def registry() -> dict[str, Image]:
    reg: dict[str, Image] = {}
    for name, (desc, pats) in _GUEST_CANDIDATES.items():
        path = _find_guest(pats)
        drives = ((os_default_disk(path), False),) if name == "os" else ()
        bios = "builtin" if name == "os" else "none"  # the OS is an S-mode kernel on SBI
        reg[name] = Image(name, desc, "guest", path, bios=bios, build_hint="make -C guest", drives=drives)
    for w in read_workloads():
        desc = f"benchmark workload: {w.description}" if w.description else "benchmark workload"
        reg[w.name] = Image(w.name, desc, "workload", w.path, build_hint="make -C guest (bench workloads)")
    for fields in _read_list(GUEST_IMAGES_TXT, 4):
        bios = fields[3] if len(fields) > 3 else "none"
        desc = fields[2] if len(fields) > 2 else ""
        path = _resolve_listed(fields[1], GUEST_IMAGES_TXT.parent)
        reg[fields[0]] = Image(fields[0], desc, "guest", path, bios=bios, build_hint="make -C guest")
    if UBOOT_SMODE.is_file() or OPENSBI_FW_JUMP.is_file():
        reg["u-boot"] = Image(
            "u-boot",
            "OpenSBI (fw_jump) + U-Boot in S-mode, from Debian's opensbi and u-boot-qemu",
            "firmware",
            UBOOT_SMODE,
            bios=str(OPENSBI_FW_JUMP),
            build_hint="apt-get install opensbi u-boot-qemu",
        )
    built = linux_cache_dir()
    external = os.environ.get("RVISOR_GUESTS")
    for name, smp, what in (("linux", None, "Linux 6.1 + rvisor's init: self-checks, then power-off"),
                            ("linux-smp", 2, "Linux 6.1 SMP + rvisor's init (default 2 harts)")):
        d, hint = built / name, "bash setup.sh builds it"
        if external and (Path(external) / name).is_dir():
            d, hint = Path(external) / name, "see its README"
            what = f"external guest from $RVISOR_GUESTS/{name}"
        reg[name] = Image(
            name,
            f"{what}, built-in SBI firmware",
            "linux",
            d / "Image",
            bios="builtin",
            initrd=d / "initramfs.cpio.gz",
            append=LINUX_APPEND,
            memory=256 << 20,
            smp=smp,
            build_hint=hint,
        )
    return reg


# runs when --kernel NAME is resolved; None when NAME is not a bundled image
def resolve(name: str) -> Image | None:
    return registry().get(name)
