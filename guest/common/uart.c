/* Polled ns16550a output on UART0 (QEMU virt 0x10000000). */
#include "rt.h"

#define RBR 0   /* receive buffer (read) */
#define THR 0   /* transmit holding (write) */
#define IER 1
#define FCR 2
#define LCR 3
#define LSR 5
#define LSR_THRE 0x20   /* transmitter can take another byte */

/* Called once at startup: 8N1, FIFOs on, no interrupts (output is polled). */
void uart_init(void)
{
    MMIO8(UART0_BASE + IER) = 0x00;
    MMIO8(UART0_BASE + LCR) = 0x03;
    MMIO8(UART0_BASE + FCR) = 0x07;
}

/* Called for every output byte; waits until the transmitter is free. */
void uart_putc(char c)
{
    if (c == '\n')
        uart_putc('\r');
    while ((MMIO8(UART0_BASE + LSR) & LSR_THRE) == 0)
        ;
    MMIO8(UART0_BASE + THR) = (uint8_t)c;
}

/* Called to print a NUL-terminated string. */
void uart_puts(const char *s)
{
    while (*s)
        uart_putc(*s++);
}
