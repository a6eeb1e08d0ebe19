#!/bin/sh
# Boot the teaching OS under QEMU, the reference for rvisor's `os` guest.
#
#   guest/os/run-qemu.sh                 boot with the modern (v2) virtio disk
#   guest/os/run-qemu.sh --no-disk       no disk: the OS reports it and skips the disk test
#   guest/os/run-qemu.sh --legacy        legacy v1 virtio-mmio: reported as unsupported
#   guest/os/run-qemu.sh --icount ...    deterministic instruction-count clock
#   printf 'hi' | guest/os/run-qemu.sh   UART input is echoed as "OS: echo <char>"
#
# The exact command (paths relative to the repository root):
#   qemu-system-riscv64 -M virt -bios none -m 128M -nographic \
#     -kernel guest/build/os.elf \
#     -global virtio-mmio.force-legacy=false \
#     -drive file=guest/build/os-disk.img,if=none,format=raw,id=hd0 \
#     -device virtio-blk-device,drive=hd0,bus=virtio-mmio-bus.0
#
# bus=virtio-mmio-bus.0 puts the disk in slot 0 (0x10001000, irq 1); without it
# QEMU picks the last free slot (7), which the OS finds too, since it scans all.
# QEMU's exit status is the OS's: 0 after "OS: all tests passed".
set -e
here=$(cd "$(dirname "$0")" && pwd)
guest=$(dirname "$here")
make -s -C "$guest" os

disk="$guest/build/os-disk.img"
disk_args="-global virtio-mmio.force-legacy=false
  -drive file=$disk,if=none,format=raw,id=hd0
  -device virtio-blk-device,drive=hd0,bus=virtio-mmio-bus.0"
extra=""
while [ $# -gt 0 ]; do
    case "$1" in
    --no-disk) disk_args="" ;;
    --legacy)  disk_args="-drive file=$disk,if=none,format=raw,id=hd0
                 -device virtio-blk-device,drive=hd0,bus=virtio-mmio-bus.0" ;;
    --icount)  extra="$extra -icount shift=0" ;;
    *)         extra="$extra $1" ;;
    esac
    shift
done

# shellcheck disable=SC2086  # word splitting of the argument lists is intended
exec qemu-system-riscv64 -M virt -bios none -m 128M -nographic \
    -kernel "$guest/build/os.elf" $disk_args $extra
