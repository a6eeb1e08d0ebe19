#!/usr/bin/env bash
# Builds rvisor's Linux guests from Debian's packages into a cache outside the repository:
#
#   $CACHE/<key>/linux/{Image,initramfs.cpio.gz,kernel.config}        one hart
#   $CACHE/<key>/linux-smp/{Image,initramfs.cpio.gz,kernel.config}    SMP (up to 8 harts)
#
# CACHE is $RVISOR_GUESTS_CACHE, else ${XDG_CACHE_HOME:-~/.cache}/rvisor/guests. The key is a hash
# of every input: the files of guest/linux (fragments, userland sources, this script; not *.md) and
# the versions of the Debian packages linux-source-6.1, gcc-riscv64-linux-gnu and
# libc6-dev-riscv64-cross (rvisor/images.py computes the same key to find the images).
#
#   bash guest/linux/build.sh               build unless $CACHE/<key> is complete already
#   bash guest/linux/build.sh --print-key   print the key and exit
#   bash guest/linux/build.sh --print-dir   print $CACHE/<key> and exit
#   RVISOR_REBUILD_GUESTS=1 bash ...        build from scratch (fresh source tree and kernel objects)
#   JOBS=N bash ...                         parallel make jobs (default: the number of cores)
#
# Kernel: `make tinyconfig`, then kernel.fragment and up.fragment or smp.fragment, `make olddefconfig`;
# every fragment line must have survived. Object trees are kept in $CACHE/work/<variant> so that a
# changed input rebuilds only what it affects. Builds are reproducible: fixed timestamp, user, host.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
PACKAGES=(linux-source-6.1 gcc-riscv64-linux-gnu libc6-dev-riscv64-cross)
TARBALL=/usr/src/linux-source-6.1.tar.xz
CROSS=riscv64-linux-gnu-
CACHE=${RVISOR_GUESTS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rvisor/guests}
JOBS=${JOBS:-$(nproc)}
export SOURCE_DATE_EPOCH=1767225600   # 2026-01-01 00:00:00 UTC
export KBUILD_BUILD_TIMESTAMP="Thu Jan  1 00:00:00 UTC 2026"
export KBUILD_BUILD_USER=rvisor KBUILD_BUILD_HOST=rvisor KBUILD_BUILD_VERSION=1
export LC_ALL=C TZ=UTC

say() { printf '    %s\n' "$*"; }
die() { echo "guest/linux/build.sh: $*" >&2; exit 1; }

# runs for the key: one line per input file and per Debian package version
manifest() {
    (cd "$HERE" && find . -type f ! -name '*.md' ! -name '.*' ! -path '*/.*' | sed 's|^\./||' | sort |
        while read -r f; do printf '%s  %s\n' "$(sha256sum < "$f" | cut -d' ' -f1)" "$f"; done)
    for p in "${PACKAGES[@]}"; do
        printf '%s %s\n' "$p" "$(dpkg-query -W -f='${Version}' "$p" 2>/dev/null || echo missing)"
    done
}

KEY=$(manifest | sha256sum | cut -c1-16)
OUT=$CACHE/$KEY
case "${1:-}" in
    --print-key) echo "$KEY"; exit 0 ;;
    --print-dir) echo "$OUT"; exit 0 ;;
    "") ;;
    *) die "unknown argument ${1} (use --print-key or --print-dir)" ;;
esac

complete() {
    local v
    for v in linux linux-smp; do
        [ -s "$OUT/$v/Image" ] && [ -s "$OUT/$v/initramfs.cpio.gz" ] || return 1
    done
    [ -f "$OUT/manifest.txt" ]
}
# one build at a time per cache (a second setup waits, then finds the images built)
mkdir -p "$CACHE"
exec 9> "$CACHE/.lock"
if ! flock -n 9; then
    say "waiting for another build of the Linux guests to finish ($CACHE/.lock)"
    flock 9
fi
if [ "${RVISOR_REBUILD_GUESTS:-0}" != "1" ] && complete; then
    say "Linux guests already built: $OUT"
    exit 0
fi

for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        die "Debian package $p is missing (bash setup.sh installs it)"
done
for t in make gcc bc bison flex cpio gzip "${CROSS}gcc"; do
    command -v "$t" >/dev/null || die "$t is missing (bash setup.sh installs the build tools)"
done
[ -f "$TARBALL" ] || die "$TARBALL is missing (apt-get install linux-source-6.1)"

START=$SECONDS
SRCVER=$(dpkg-query -W -f='${Version}' linux-source-6.1)
SRC=$CACHE/src/linux-source-6.1_$SRCVER
WORK=$CACHE/work
mkdir -p "$CACHE/src" "$WORK"
if [ "${RVISOR_REBUILD_GUESTS:-0}" = "1" ]; then
    say "RVISOR_REBUILD_GUESTS=1: building from scratch"
    rm -rf "$SRC" "$WORK"
    mkdir -p "$WORK"
fi
if [ ! -f "$SRC/Makefile" ]; then
    say "unpacking $TARBALL ($SRCVER)"
    rm -rf "$SRC.tmp"
    mkdir -p "$SRC.tmp"
    tar -xf "$TARBALL" -C "$SRC.tmp" --strip-components=1
    mv "$SRC.tmp" "$SRC"
fi

# runs for every line of make's output: a live progress line (rewritten on a terminal, every 30 s otherwise)
progress() {
    local label=$1 total=$2 n=0 last=0 line pct msg
    while IFS= read -r line; do
        printf '%s\n' "$line" >> "$LOG"
        case "$line" in "  "[A-Z]*) n=$((n + 1)) ;; *) continue ;; esac
        pct=""
        [ "$total" -gt 0 ] && pct=" ~$((n * 100 / total > 99 ? 99 : n * 100 / total))%"
        msg=$(printf '%s: %d steps%s, %d s: %s' "$label" "$n" "$pct" $((SECONDS - START)) "${line#  }")
        if [ -t 1 ]; then
            printf '\r\033[K    %.100s' "$msg"
        elif [ $((SECONDS - last)) -ge 30 ]; then
            last=$SECONDS
            printf '    %.100s\n' "$msg"
        fi
    done
    [ -t 1 ] && printf '\r\033[K'
    echo "$n" > "$STEPS"
}

# runs once per variant: configure, check the fragment, build arch/riscv/boot/Image
build_kernel() {
    local variant=$1 o=$WORK/$1 frag line name
    mkdir -p "$o"
    kmake() { make -C "$SRC" O="$o" ARCH=riscv CROSS_COMPILE="$CROSS" "$@"; }
    kmake -s tinyconfig > "$o/config.log" 2>&1 || { cat "$o/config.log" >&2; die "make tinyconfig failed"; }
    grep -hE '^(CONFIG_|# CONFIG_)' "$HERE/kernel.fragment" "$HERE/$variant.fragment" >> "$o/.config"
    kmake -s olddefconfig >> "$o/config.log" 2>&1 || { cat "$o/config.log" >&2; die "make olddefconfig failed"; }
    for frag in "$HERE/kernel.fragment" "$HERE/$variant.fragment"; do
        while IFS= read -r line; do
            case "$line" in CONFIG_*|"# CONFIG_"*) ;; *) continue ;; esac
            if ! grep -qxF "$line" "$o/.config"; then
                name=${line#\# }; name=${name%% *}; name=${name%%=*}
                # "is not set" also holds when the option does not appear at all
                if [ "${line##* }" = "set" ] && ! grep -qE "^$name=" "$o/.config"; then continue; fi
                die "$variant: $(basename "$frag") asks for '$line' but olddefconfig gave" \
                    "'$(grep -E "^$name=|^# $name is not set" "$o/.config" || echo nothing)'"
            fi
        done < "$frag"
    done
    LOG=$o/build.log STEPS=$o/steps
    : > "$LOG"
    local total=0
    [ -f "$STEPS" ] && total=$(cat "$STEPS")
    [ -f "$o/arch/riscv/boot/Image" ] && total=0   # incremental: the step count is unknown
    set +e
    kmake -j"$JOBS" Image 2>&1 | progress "linux $variant kernel" "$total"
    local rc=${PIPESTATUS[0]}
    set -e
    if [ "$rc" -ne 0 ]; then
        tail -40 "$LOG" >&2
        die "$variant kernel build failed (make exit code $rc; full log: $LOG)"
    fi
}

# runs once: the static init (self-checks and shell) and the initramfs around it
build_userland() {
    local u=$WORK/userland list
    rm -rf "$u"
    mkdir -p "$u"
    "${CROSS}gcc" -static -O2 -Wall -Wextra -Werror -march=rv64gc -mabi=lp64d \
        -ffile-prefix-map="$HERE"=guest/linux -Wl,--build-id=none \
        -o "$u/init" "$HERE"/userland/*.c
    "${CROSS}strip" "$u/init"
    list=$u/initramfs.list
    cat > "$list" <<EOF
dir /dev 0755 0 0
nod /dev/console 0600 0 0 c 5 1
dir /proc 0755 0 0
dir /sys 0755 0 0
dir /tmp 01777 0 0
dir /run 0755 0 0
dir /root 0700 0 0
file /init $u/init 0755 0 0
EOF
    "$WORK/up/usr/gen_init_cpio" -t "$SOURCE_DATE_EPOCH" "$list" | gzip -n -9 > "$u/initramfs.cpio.gz"
}

build_kernel up
build_kernel smp
say "building the userland (init, self-checks, shell)"
build_userland

rm -rf "$OUT.tmp"
mkdir -p "$OUT.tmp"
for pair in up:linux smp:linux-smp; do
    variant=${pair%%:*} name=${pair#*:}
    mkdir -p "$OUT.tmp/$name"
    cp "$WORK/$variant/arch/riscv/boot/Image" "$OUT.tmp/$name/Image"
    cp "$WORK/$variant/.config" "$OUT.tmp/$name/kernel.config"
    cp "$WORK/userland/initramfs.cpio.gz" "$OUT.tmp/$name/initramfs.cpio.gz"
done
manifest > "$OUT.tmp/manifest.txt"
rm -rf "$OUT"
mv "$OUT.tmp" "$OUT"
say "Linux guests built in $((SECONDS - START)) s: $OUT"
