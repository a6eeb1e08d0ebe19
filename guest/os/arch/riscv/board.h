/* The QEMU virt board: device addresses and interrupt numbers. */
#ifndef BOARD_H
#define BOARD_H

#define TEST_DEV     0x100000UL       /* SiFive test: poweroff */
#define CLINT        0x2000000UL
#define CLINT_MTIMECMP(hart) (CLINT + 0x4000 + 8 * (hart))
#define CLINT_MTIME  (CLINT + 0xBFF8)
#define PLIC         0x0c000000UL
#define PLIC_SIZE    0x400000UL
#define UART0        0x10000000UL
#define UART0_IRQ    10
#define VIRTIO_MMIO  0x10001000UL     /* slot i at + i * 0x1000, irq 1 + i */
#define VIRTIO_SLOTS 8

#define DRAM_BASE    0x80000000UL
#define PHYSTOP      (DRAM_BASE + 64UL * 1024 * 1024)    /* the kernel uses 64 MiB: run with -m 64M or more */

#define TIMEBASE_HZ  10000000UL
#define TICK_HZ      1000UL                              /* 1 ms scheduler tick */

#define MMIO32(a) (*(volatile uint32_t *)(uintptr_t)(a))
#define MMIO8(a)  (*(volatile uint8_t *)(uintptr_t)(a))
#define MMIO64(a) (*(volatile uint64_t *)(uintptr_t)(a))

#endif
