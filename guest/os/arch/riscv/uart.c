/* ns16550a UART: polled output, interrupt-driven input with flow control.
 * The interrupt handler drains the receiver completely (a PLIC source pends
 * when the line rises, so leaving bytes behind could leave them unseen). */
#include "board.h"
#include "arch.h"
#include "../../kernel/kernel.h"

#define RBR 0
#define THR 0
#define IER 1
#define IIR 2
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define LSR_DR   0x01   /* a received byte is waiting */
#define LSR_THRE 0x20   /* transmitter can take a byte */
#define IER_RDA  0x01
#define REG(r) MMIO8(board.uart + (r))

static int rx_paused;

/* Runs once at boot: 8N1, FIFOs on, receive interrupt on. Input that came in
 * before (typed ahead, or piped) is kept: the FIFO is enabled without a reset,
 * and a byte held without FIFOs is handed to the console first. */
void uart_init(void)
{
    REG(IER) = 0x00;
    REG(LCR) = 0x03;
    if ((REG(IIR) & 0xc0) != 0xc0) {    /* FIFOs off: enabling them would clear RBR */
        while (REG(LSR) & LSR_DR)
            console_intr((char)REG(RBR));
        REG(FCR) = 0x01;
    }
    REG(MCR) = 0x08;    /* OUT2: routes the interrupt line on PC-style parts */
    REG(IER) = IER_RDA;
}

/* Runs for every byte of console output; spins while the transmitter is busy. */
void uart_putc(char c)
{
    if (!board.uart) {
        sbi_putchar(c);
        return;
    }
    while ((REG(LSR) & LSR_THRE) == 0)
        ;
    REG(THR) = (uint8_t)c;
}

/* Runs on a UART interrupt: hand every waiting byte to the console; when the
 * console is full, stop receive interrupts (the bytes wait in the UART). */
void uart_intr(void)
{
    while (REG(LSR) & LSR_DR) {
        if (!console_room()) {
            rx_paused = 1;
            REG(IER) = 0;
            return;
        }
        console_intr((char)REG(RBR));
    }
}

/* Runs when the console has made room again: take the waiting input. */
void uart_rx_resume(void)
{
    if (rx_paused) {
        rx_paused = 0;
        REG(IER) = IER_RDA;
        uart_intr();
    }
}
