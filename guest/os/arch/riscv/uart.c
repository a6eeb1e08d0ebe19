/* ns16550a UART0: polled output, interrupt-driven input. */
#include "board.h"
#include "arch.h"
#include "../../kernel/kernel.h"

#define RBR 0
#define THR 0
#define IER 1
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define LSR_DR   0x01   /* a received byte is waiting */
#define LSR_THRE 0x20   /* transmitter can take a byte */
#define REG(r) MMIO8(UART0 + (r))

/* Runs once at boot: 8N1, FIFOs, receive interrupt on. */
void uart_init(void)
{
    REG(IER) = 0x00;
    REG(LCR) = 0x03;
    REG(FCR) = 0x07;
    REG(MCR) = 0x08;    /* OUT2: routes the interrupt line on PC-style parts */
    REG(IER) = 0x01;    /* "received data available" interrupt */
}

/* Runs for every byte of console output; spins while the transmitter is busy. */
void uart_putc(char c)
{
    while ((REG(LSR) & LSR_THRE) == 0)
        ;
    REG(THR) = (uint8_t)c;
}

/* Runs on a UART interrupt (PLIC source 10): hand every waiting byte to the console. */
void uart_intr(void)
{
    while (REG(LSR) & LSR_DR)
        console_intr((char)REG(RBR));
}
