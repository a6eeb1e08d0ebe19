/* The machine as the device tree describes it: filled in by fdt.c at boot. */
#ifndef BOARD_H
#define BOARD_H

#include <stdint.h>

#define MAX_VIRTIO 8

struct board {
    uint64_t ram_base, ram_size;
    uint64_t timebase;              /* ticks of the time CSR per second */
    uint64_t uart, uart_irq;        /* ns16550a */
    uint64_t plic, plic_size;
    uint64_t test;                  /* sifive,test0 (poweroff with a code), 0 = none */
    int nvirtio;
    uint64_t virtio[MAX_VIRTIO], virtio_irq[MAX_VIRTIO];   /* by address */
    int hart;
};
extern struct board board;

int fdt_parse(uint64_t dtb);        /* 0 ok, -1 not a device tree */

#define TICK_HZ TICKS_PER_SECOND

#define MMIO32(a) (*(volatile uint32_t *)(uintptr_t)(a))
#define MMIO8(a)  (*(volatile uint8_t *)(uintptr_t)(a))
#define MMIO64(a) (*(volatile uint64_t *)(uintptr_t)(a))

#endif
