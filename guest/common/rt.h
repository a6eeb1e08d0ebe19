/* Tiny bare-metal runtime for QEMU virt: polled UART output and poweroff. */
#ifndef RT_H
#define RT_H

#include <stdint.h>
#include <stddef.h>

#define UART0_BASE   0x10000000UL
#define TEST_BASE    0x100000UL    /* SiFive test device: poweroff / fail */
#define CLINT_BASE   0x2000000UL
#define CLINT_MTIMECMP(h) (CLINT_BASE + 0x4000 + 8 * (h))
#define CLINT_MTIME  (CLINT_BASE + 0xBFF8)

#define MMIO32(a) (*(volatile uint32_t *)(uintptr_t)(a))
#define MMIO64(a) (*(volatile uint64_t *)(uintptr_t)(a))
#define MMIO8(a)  (*(volatile uint8_t *)(uintptr_t)(a))

#define csr_read(csr) ({ uint64_t __v; \
    __asm__ volatile("csrr %0, " #csr : "=r"(__v)); __v; })
#define csr_write(csr, val) \
    __asm__ volatile("csrw " #csr ", %0" :: "rK"((uint64_t)(val)))
#define csr_set(csr, val) \
    __asm__ volatile("csrs " #csr ", %0" :: "rK"((uint64_t)(val)))
#define csr_clear(csr, val) \
    __asm__ volatile("csrc " #csr ", %0" :: "rK"((uint64_t)(val)))

void uart_init(void);
void uart_putc(char c);
void uart_puts(const char *s);
void print_hex(uint64_t v);          /* 0x-prefixed, no leading zeros */
void print_dec(uint64_t v);
void printk(const char *fmt, ...);   /* %s %c %d %u %x %lx %ld %lu %p %% */

/* exit(0) powers off with success; exit(n) reports failure code n. */
void exit(int code) __attribute__((noreturn));

/* Instructions retired; exact under QEMU -icount and on rvisor. */
static inline uint64_t rdinstret(void) { return csr_read(minstret); }

#endif
