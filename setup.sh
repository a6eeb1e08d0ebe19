#!/usr/bin/env bash
# rvisor setup-and-run, for a Debian 12 machine as root (idempotent: a second run is quick).
#
#   bash setup.sh                       install, build, warm the compile cache, then run `rvisor demo`
#   RVISOR_SETUP_ONLY=1 bash setup.sh   the same without the demo (also when CI=true)
#   PYTHON=python3.12 bash setup.sh     use another interpreter (>= 3.11; default python3)
#
# Steps: Debian packages (only when one is missing), `pip install -e .[dev]` (only when pyproject.toml
# changed), the guest software (make -C guest, bench/workloads, tests/isa where a Makefile exists),
# the Linux guests (guest/linux/build.sh, cached outside the clone),
# `rvisor warmup` (compiles the Numba engine into its on-disk cache), `rvisor demo`.
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
APT_PACKAGES=(make gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf device-tree-compiler opensbi
              u-boot-qemu qemu-system-misc
              linux-source-6.1 gcc-riscv64-linux-gnu libc6-dev-riscv64-cross bc bison flex libssl-dev
              libelf-dev cpio)

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# run as root, or through sudo when there is one
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        echo "setup.sh: need root for: $*" >&2; exit 1; fi
}

missing=()
if ! command -v "$PYTHON" >/dev/null; then missing+=(python3 python3-pip); fi
if command -v "$PYTHON" >/dev/null && ! "$PYTHON" -m pip --version >/dev/null 2>&1; then missing+=(python3-pip); fi
for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    as_root apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
else
    say "Debian packages already installed"
fi

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "setup.sh: rvisor needs Python >= 3.11, $PYTHON is $("$PYTHON" -V 2>&1)" >&2
    exit 1
fi
PYTHON=$(command -v "$PYTHON")
# Debian's own python3 refuses pip installs outside a venv (PEP 668); this machine is rvisor's.
if "$PYTHON" -c 'import os, sys, sysconfig
sys.exit(not os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")))'; then
    export PIP_BREAK_SYSTEM_PACKAGES=1
fi

mkdir -p build
stamp=build/setup-pip.stamp
want="$(sha256sum pyproject.toml | cut -d' ' -f1) $("$PYTHON" -c 'import sys; print(sys.executable)')"
# installed already: same pyproject.toml and interpreter, every dependency imports, and `import rvisor`
# from elsewhere finds this checkout (not another clone's editable install)
installed() {
    local here=$PWD
    [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] || return 1
    (cd / && "$PYTHON" -c 'import sys, os, numpy, numba, elftools, click, rich, pytest, hypothesis, ruff, rvisor
sys.exit(os.path.dirname(os.path.realpath(rvisor.__file__)) != os.path.realpath(sys.argv[1]))' "$here/rvisor") \
        2>/dev/null
}
if installed; then
    say "Python package already installed"
else
    say "installing rvisor and its Python dependencies (pip install -e .[dev])"
    "$PYTHON" -m pip install -e ".[dev]"
    echo "$want" > "$stamp"
fi

for dir in guest bench/workloads bench tests/isa; do
    if [ -f "$dir/Makefile" ]; then
        say "building $dir"
        make -C "$dir" -j"$(nproc)"
    fi
done

# rvisor's Linux guests (linux, linux-smp): built once into ~/.cache/rvisor/guests/<key>, reused while
# no input changes; RVISOR_REBUILD_GUESTS=1 builds them from scratch
say "rvisor's Linux guests (guest/linux/build.sh)"
bash guest/linux/build.sh

say "warming the engine's compile cache (rvisor warmup)"
"$PYTHON" -m rvisor warmup

if [ "${RVISOR_SETUP_ONLY:-0}" = "1" ] || [ "${CI:-}" = "true" ]; then
    say "setup done (demo skipped: RVISOR_SETUP_ONLY=1 or CI=true); run it with: rvisor demo"
    exit 0
fi
say "rvisor demo"
exec "$PYTHON" -m rvisor demo
