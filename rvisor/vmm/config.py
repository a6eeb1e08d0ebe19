"""The ``rvisor up`` file: a TOML description of one machine and the VMs it hosts.

```toml
[machine]
harts = 2                 # physical harts, 1..64            (default 2)
memory = "1G"             # host RAM: "512M", "1G", a number is MiB   (default 1G)

[vm.web]                  # a VM name: a-z, 0-9, _ and -, at most 32 characters
kernel = "linux"          # a bundled image name (rvisor images) or a path
initrd = "initramfs.cpio.gz"
append = "console=ttyS0"
memory = "256M"
vcpus = 1
weight = 1                # share of hart time relative to the other VMs (default 1)
cap = 0.5                 # at most this much of one hart (0 < cap <= 1; default: no cap)
drives = ["web.img", "data.img,ro"]
console = "file:web.log"  # "stdio" (at most one VM), "none", "file:PATH"
```

Paths are relative to the file's folder.  A bundled image name brings its own initrd, command line,
memory size, vCPU count and drives; keys given override them.  Every key, type and value is checked
here, before anything runs: a mistake is a :class:`ConfigError` whose message names the file, the
line (where it can be found), the key path (``vm.web.memory``) and what is allowed.

The same checks serve the control API (``PUT /vms/NAME`` with the keys of one ``[vm.NAME]`` table, as
JSON): :func:`parse_vm_table`.  Nothing here needs the engine; :meth:`VMSpec.vm_config` turns a
checked table into the VMM's ``VMConfig``.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rvisor import images
from rvisor.interface import SizeError, parse_size_text

MAX_HARTS = 64
MAX_VCPUS = 8  # the SMP Linux guest's NR_CPUS; also the VM's device tree's cpu nodes
MAX_DRIVES = 8  # virtio-mmio slots of a VM
MAX_WEIGHT = 1000.0
DEFAULT_HARTS = 2
DEFAULT_HOST_MEMORY = 1 << 30
DEFAULT_VM_MEMORY = 128 << 20
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
CONSOLES = ("stdio", "none", "file:PATH")

MACHINE_KEYS = ("harts", "memory")
VM_KEYS = ("kernel", "initrd", "append", "memory", "vcpus", "weight", "cap", "drives", "console")
TOP_KEYS = ("machine", "vm")


class ConfigError(ValueError):
    """A mistake in an ``rvisor up`` file or an API request: the message says where and what is allowed."""


@dataclass
class DriveItem:
    """One entry of ``drives``: a raw disk image and whether the VM may write it."""

    path: Path
    readonly: bool = False


@dataclass
class VMSpec:
    """One checked ``[vm.NAME]`` table, image defaults filled in, paths absolute."""

    name: str
    kernel: Path
    initrd: Path | None = None
    append: str = ""
    memory: int = DEFAULT_VM_MEMORY
    vcpus: int = 1
    weight: float = 1.0
    cap: float | None = None
    drives: list[DriveItem] = field(default_factory=list)
    console: str = "none"
    image: str | None = None  # the bundled image's name when kernel named one

    # runs when `rvisor up` (or the API) creates the VM: the VMM's own configuration object
    def vm_config(self) -> Any:
        from rvisor.vmm import DriveSpec, VMConfig

        return VMConfig(name=self.name, kernel=self.kernel, initrd=self.initrd, append=self.append,
                        memory=self.memory, vcpus=self.vcpus, weight=self.weight, cap=self.cap,
                        drives=[DriveSpec(path=d.path, readonly=d.readonly) for d in self.drives],
                        console=self.console)

    # runs when a VM's settings are shown (the API's GET, --stats-json)
    def as_dict(self) -> dict[str, Any]:
        drives = [f"{d.path},ro" if d.readonly else str(d.path) for d in self.drives]
        return {"name": self.name, "kernel": str(self.kernel),
                "initrd": str(self.initrd) if self.initrd else None, "append": self.append,
                "memory": self.memory, "vcpus": self.vcpus, "weight": self.weight, "cap": self.cap,
                "drives": drives, "console": self.console, "image": self.image}


@dataclass
class UpConfig:
    """A checked ``rvisor up`` file: the machine and its VMs, in file order."""

    path: Path
    harts: int = DEFAULT_HARTS
    memory: int = DEFAULT_HOST_MEMORY
    vms: list[VMSpec] = field(default_factory=list)

    # runs when `rvisor up` wires the terminal: the VM whose console is up's own stdin/stdout, if any
    @property
    def stdio_vm(self) -> VMSpec | None:
        return next((v for v in self.vms if v.console == "stdio"), None)


class _Where:
    """Builds messages that name the source, the line of a key when it can be found, and the key path."""

    # runs once per file or API request being checked
    def __init__(self, source: str, text: str | None = None) -> None:
        self.source = source
        self.lines = _key_lines(text) if text is not None else {}

    # runs for every mistake found: "FILE:LINE: key.path: what is wrong"
    def error(self, key: str, message: str) -> ConfigError:
        line = self.lines.get(key)
        if line is None and key.endswith("]"):  # an array element: the array's line
            key_base = key[:key.rindex("[")]
            line = self.lines.get(key_base)
        if line is None and "." in key:  # a key of a table that is not there: the table's own line
            line = self.lines.get(key.rsplit(".", 1)[0])
        where = f"{self.source}:{line}" if line else self.source
        return ConfigError(f"{where}: {key}: {message}" if key else f"{where}: {message}")


_HEADER_RE = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")
_KEY_RE = re.compile(r"^\s*([A-Za-z0-9_\-.\"' ]+?)\s*=")


# runs when a file is checked: the line number of each table header and key, by its dotted path
def _key_lines(text: str) -> dict[str, int]:
    found: dict[str, int] = {}
    table = ""
    for no, raw in enumerate(text.splitlines(), start=1):
        m = _HEADER_RE.match(raw)
        if m:
            table = ".".join(p.strip().strip("\"'") for p in m.group(1).split("."))
            found.setdefault(table, no)
            continue
        m = _KEY_RE.match(raw)
        if m:
            key = ".".join(p.strip().strip("\"'") for p in m.group(1).split("."))
            path = f"{table}.{key}" if table else key
            found.setdefault(path, no)
            parts = path.split(".")  # dotted keys also define their tables
            for i in range(1, len(parts)):
                found.setdefault(".".join(parts[:i]), no)
    return found


# runs for an unknown key: the message lists what is allowed and suggests the nearest spelling
def _unknown(where: _Where, path: str, key: str, allowed: tuple[str, ...]) -> ConfigError:
    close = difflib.get_close_matches(key, allowed, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return where.error(path, f"unknown key (allowed: {', '.join(allowed)}){hint}")


# runs when a value's TOML type is named in a message
def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


# runs for harts and vcpus: an integer within limits
def _int(where: _Where, path: str, value: Any, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise where.error(path, f"must be an integer {lo}..{hi}, not {_type_name(value)} ({value!r})")
    if not lo <= value <= hi:
        raise where.error(path, f"must be {lo}..{hi}, not {value}")
    return value


# runs for weight and cap: a number (integer or float)
def _number(where: _Where, path: str, value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise where.error(path, f"must be {what}, not {_type_name(value)} ({value!r})")
    return float(value)


# runs for the memory keys: "256M", "1G", or an integer number of MiB
def _size(where: _Where, path: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise where.error(path, f"must be a size such as \"256M\" or \"1G\" (or an integer number of MiB), "
                                f"not {_type_name(value)} ({value!r})")
    try:
        return parse_size_text(str(value))
    except SizeError as e:
        raise where.error(path, str(e)) from None


# runs for append and the other string keys
def _str(where: _Where, path: str, value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise where.error(path, f"must be a string ({what}), not {_type_name(value)} ({value!r})")
    return value


# runs for every file a VM names: relative to the base folder; it must be a readable regular file
def _file(where: _Where, path: str, text: str, base: Path) -> Path:
    if not text:
        raise where.error(path, "empty path")
    p = Path(os.path.expanduser(text))
    p = p if p.is_absolute() else base / p
    if not p.exists():
        raise where.error(path, f"no such file: {p}")
    if not p.is_file():
        raise where.error(path, f"not a regular file: {p}")
    if not os.access(p, os.R_OK):
        raise where.error(path, f"file not readable: {p}")
    return p


# runs for kernel: an existing file (relative to the base folder) first, else a bundled image name
def _kernel(where: _Where, path: str, value: Any, base: Path) -> tuple[Path, images.Image | None]:
    text = _str(where, path, value, "a bundled image name or a path")
    if not text:
        raise where.error(path, "empty kernel (give a bundled image name such as \"linux\", or a path)")
    p = Path(os.path.expanduser(text))
    p = p if p.is_absolute() else base / p
    if p.exists() or "/" in text:
        return _file(where, path, text, base), None
    reg = images.registry()
    img = reg.get(text)
    if img is None:
        names = ", ".join(n for n, i in reg.items() if i.kind in ("guest", "linux"))
        close = difflib.get_close_matches(text, list(reg), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise where.error(path, f"no such file or bundled image: {text!r} (no file {p}; bundled images: "
                                f"{names}; see 'rvisor images'){hint}")
    if not img.present:
        missing = [f for f in [img.path, img.initrd] if f is not None and not f.is_file()]
        gone = missing[0] if missing else img.path
        raise where.error(path, f"bundled image {text!r} is not available: {gone} is missing "
                                f"({img.build_hint})")
    return img.path, img


# runs for each entry of drives: "FILE" or "FILE,ro"
def _drive(where: _Where, path: str, value: Any, base: Path) -> DriveItem:
    text = _str(where, path, value, "\"FILE\" or \"FILE,ro\"")
    parts = text.split(",")
    readonly = False
    for flag in (p.strip().lower() for p in parts[1:]):
        if flag in ("ro", "readonly", "readonly=on"):
            readonly = True
        elif flag in ("rw", "readonly=off"):
            readonly = False
        else:
            raise where.error(path, f"unknown drive option {flag!r} in {text!r} "
                                    "(allowed: FILE, FILE,ro, FILE,rw)")
    p = _file(where, path, parts[0].strip(), base)
    if not readonly and not os.access(p, os.W_OK):
        raise where.error(path, f"file not writable: {p} (add \",ro\" for a read-only disk)")
    return DriveItem(p, readonly)


# runs for console: stdio, none or file:PATH (the folder must exist)
def _console(where: _Where, path: str, value: Any, base: Path) -> str:
    text = _str(where, path, value, "stdio, none or file:PATH")
    if text in ("stdio", "none"):
        return text
    if text.startswith("file:") and len(text) > 5:
        p = Path(os.path.expanduser(text[5:]))
        p = p if p.is_absolute() else base / p
        if not p.parent.is_dir():
            raise where.error(path, f"folder does not exist: {p.parent}")
        if p.is_dir():
            raise where.error(path, f"is a folder: {p}")
        return f"file:{p}"
    raise where.error(path, f"unknown console {text!r} (allowed: {', '.join(CONSOLES)})")


# runs for every [vm.NAME] table of a file and for every API create: checks it, fills in image defaults
def parse_vm_table(name: Any, table: Any, base: Path, source: str = "request",
                   text: str | None = None, where: _Where | None = None) -> VMSpec:
    where = where or _Where(source, text)
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise where.error(f"vm.{name}", "bad VM name (allowed: 1 to 32 characters of a-z, 0-9, _ and -, "
                                        "starting with a letter or digit)")
    prefix = f"vm.{name}"
    if not isinstance(table, dict):
        raise where.error(prefix, f"must be a table of VM settings, not {_type_name(table)}")
    for key in table:
        if key not in VM_KEYS:
            raise _unknown(where, f"{prefix}.{key}", key, VM_KEYS)
    if "kernel" not in table:
        raise where.error(prefix, "no kernel (add kernel = \"linux\", another bundled image name, or a path)")
    kernel, img = _kernel(where, f"{prefix}.kernel", table["kernel"], base)
    spec = VMSpec(name=name, kernel=kernel, image=img.name if img else None)
    if img is not None:
        spec.initrd = img.initrd
        spec.append = img.append
        spec.memory = img.memory or DEFAULT_VM_MEMORY
        spec.vcpus = img.smp or 1
        spec.drives = [DriveItem(d, ro) for d, ro in img.drives]
    if "initrd" in table:
        initrd = _str(where, f"{prefix}.initrd", table["initrd"], "a path")
        spec.initrd = _file(where, f"{prefix}.initrd", initrd, base) if initrd else None
    if "append" in table:
        spec.append = _str(where, f"{prefix}.append", table["append"], "the kernel command line")
    if "memory" in table:
        spec.memory = _size(where, f"{prefix}.memory", table["memory"])
    if "vcpus" in table:
        spec.vcpus = _int(where, f"{prefix}.vcpus", table["vcpus"], 1, MAX_VCPUS)
    if "weight" in table:
        w = _number(where, f"{prefix}.weight", table["weight"], f"a number > 0 and <= {MAX_WEIGHT:g}")
        if not 0 < w <= MAX_WEIGHT:
            raise where.error(f"{prefix}.weight", f"must be > 0 and <= {MAX_WEIGHT:g}, not {w:g}")
        spec.weight = w
    if "cap" in table:
        c = _number(where, f"{prefix}.cap", table["cap"], "a share of one hart, 0 < cap <= 1")
        if not 0 < c <= 1:
            raise where.error(f"{prefix}.cap", f"must be a share of one hart, 0 < cap <= 1, not {c:g}")
        spec.cap = c
    if "drives" in table:
        drives = table["drives"]
        if not isinstance(drives, list):
            raise where.error(f"{prefix}.drives", f"must be an array of \"FILE\" or \"FILE,ro\" strings, not "
                                                  f"{_type_name(drives)} ({drives!r})")
        if len(drives) > MAX_DRIVES:
            raise where.error(f"{prefix}.drives", f"at most {MAX_DRIVES} drives (virtio-mmio slots), not "
                                                  f"{len(drives)}")
        spec.drives = [_drive(where, f"{prefix}.drives[{i}]", d, base) for i, d in enumerate(drives)]
        for i, d in enumerate(spec.drives):
            for other in spec.drives[:i]:
                if os.path.samefile(d.path, other.path):
                    raise where.error(f"{prefix}.drives[{i}]",
                                      f"{d.path} is given twice (one disk, one device)")
    if "console" in table:
        spec.console = _console(where, f"{prefix}.console", table["console"], base)
    if spec.initrd is not None and spec.initrd.stat().st_size >= spec.memory // 2:
        raise where.error(f"{prefix}.initrd", f"{spec.initrd} does not fit in the VM's "
                                              f"{spec.memory >> 20} MiB next to the kernel (raise memory)")
    return spec


# runs for `rvisor up FILE`: reads and checks the whole file before anything runs
def load(path: str | os.PathLike[str]) -> UpConfig:
    shown = os.fspath(path)
    p = Path(path)
    if not p.exists():
        raise ConfigError(f"{shown}: no such file")
    if not p.is_file():
        raise ConfigError(f"{shown}: not a regular file")
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise ConfigError(f"{shown}: cannot read: {e.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ConfigError(f"{shown}: not UTF-8 text (byte {e.start}); a TOML file is UTF-8") from None
    return loads(text, source=shown, base=p.resolve().parent)


# runs for load() and for tests: checks a TOML text; paths are relative to base
def loads(text: str, source: str = "<string>", base: Path | None = None) -> UpConfig:
    base = base or Path.cwd()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        msg = str(e)
        m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
        if m:
            detail = msg[:m.start()].strip()
            raise ConfigError(f"{source}:{m.group(1)}:{m.group(2)}: TOML syntax error: {detail}") from None
        raise ConfigError(f"{source}: TOML syntax error: {msg}") from None
    where = _Where(source, text)
    for key in data:
        if key not in TOP_KEYS:
            raise _unknown(where, key, key, TOP_KEYS)
    cfg = UpConfig(path=Path(source))
    machine = data.get("machine", {})
    if not isinstance(machine, dict):
        raise where.error("machine", f"must be a table ([machine]), not {_type_name(machine)}")
    for key in machine:
        if key not in MACHINE_KEYS:
            raise _unknown(where, f"machine.{key}", key, MACHINE_KEYS)
    if "harts" in machine:
        cfg.harts = _int(where, "machine.harts", machine["harts"], 1, MAX_HARTS)
    if "memory" in machine:
        cfg.memory = _size(where, "machine.memory", machine["memory"])
    vms = data.get("vm", {})
    if not isinstance(vms, dict):
        raise where.error("vm", f"must be tables [vm.NAME], not {_type_name(vms)}")
    if not vms:
        raise where.error("", "no VMs: add at least one [vm.NAME] table with a kernel")
    for name, table in vms.items():
        cfg.vms.append(parse_vm_table(name, table, base, where=where))
    stdio = [v.name for v in cfg.vms if v.console == "stdio"]
    if len(stdio) > 1:
        raise where.error(f"vm.{stdio[1]}.console",
                          f"console = \"stdio\" is given to {', '.join(stdio)}; at most one VM can have the "
                          "terminal (use \"file:PATH\" or \"none\" for the others; 'rvisor console NAME' "
                          "attaches to any VM)")
    check_shared(cfg.vms, where)
    return cfg


# runs after every VM of a file is parsed (and for an API create, against the running VMs): two VMs
# may share a disk image only read-only, and never one console file
def check_shared(vms: list[VMSpec], where: _Where | None = None, source: str = "request") -> None:
    where = where or _Where(source)
    seen: dict[tuple[int, int], tuple[str, bool]] = {}
    for vm in vms:
        for i, d in enumerate(vm.drives):
            st = d.path.stat()
            key = (st.st_dev, st.st_ino)
            if key in seen:
                other, other_ro = seen[key]
                if not (d.readonly and other_ro):
                    raise where.error(f"vm.{vm.name}.drives[{i}]",
                                      f"{d.path} is also a drive of VM {other!r}; two VMs can share a disk "
                                      "image only when both open it read-only (\",ro\")")
            seen[key] = (vm.name, d.readonly)
    consoles: dict[str, str] = {}
    for vm in vms:
        if vm.console.startswith("file:"):
            f = os.path.realpath(vm.console[5:])
            if f in consoles:
                raise where.error(f"vm.{vm.name}.console", f"{vm.console[5:]} is also the console file of VM "
                                                           f"{consoles[f]!r}")
            consoles[f] = vm.name
