#!/bin/sh
# Boot the teaching OS under QEMU, the reference for rvisor's `os` guest.
# QEMU's default firmware (OpenSBI) enters the kernel at 0x80200000 in S-mode.
#
#   guest/os/run-qemu.sh                 its shell, on guest/build/os-qemu-disk.img (made blank on first use)
#   guest/os/run-qemu.sh --no-disk       no disk: no file system, the shell still runs
#   guest/os/run-qemu.sh --icount ...    deterministic instruction-count clock
#   printf 'selftest\npoweroff\n' | guest/os/run-qemu.sh    a scripted session
#
# The exact command (paths relative to the repository root):
#   qemu-system-riscv64 -M virt -m 128M -nographic \
#     -kernel guest/build/os.elf \
#     -global virtio-mmio.force-legacy=false \
#     -drive file=guest/build/os-qemu-disk.img,if=none,format=raw,id=hd0 \
#     -device virtio-blk-device,drive=hd0,bus=virtio-mmio-bus.0
#
# bus=virtio-mmio-bus.0 puts the disk in slot 0 (0x10001000, irq 1); without it
# QEMU picks the last free slot (7), which the OS finds too: it reads the slots
# from the device tree. `poweroff` ends QEMU with exit status 0; Ctrl-A x quits.
set -e
here=$(cd "$(dirname "$0")" && pwd)
guest=$(dirname "$here")
make -s -C "$guest" os

disk="$guest/build/os-qemu-disk.img"
[ -f "$disk" ] || truncate -s 16M "$disk"
disk_args="-global virtio-mmio.force-legacy=false
  -drive file=$disk,if=none,format=raw,id=hd0
  -device virtio-blk-device,drive=hd0,bus=virtio-mmio-bus.0"
extra=""
while [ $# -gt 0 ]; do
    case "$1" in
    --no-disk) disk_args="" ;;
    --icount)  extra="$extra -icount shift=0" ;;
    *)         extra="$extra $1" ;;
    esac
    shift
done

# shellcheck disable=SC2086  # word splitting of the argument lists is intended
exec qemu-system-riscv64 -M virt -m 128M -nographic \
    -kernel "$guest/build/os.elf" $disk_args $extra
