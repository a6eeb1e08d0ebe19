/*
 * Interrupt-driven UART output, the way xv6 does it.
 *
 * xv6's uartinit enables both UART interrupts (IER = RDA | THRE) and its interrupt
 * handler never reads IIR: it claims the source from the PLIC, sends the next byte
 * if LSR says the transmitter is empty, and completes. On QEMU's virt board that
 * gives one UART interrupt per transmitted byte (plus the one that enabling THRE
 * raises at once), because the PLIC pends a source only when the device raises
 * its line. A PLIC that pends the source again on completion, while the line is
 * still high, turns the last "transmitter empty" into an endless storm.
 *
 * This program sends one line of N bytes that way from M-mode, counts the UART
 * interrupts and prints
 *     UARTIRQ bytes=N interrupts=M idle=I spurious=S
 * then powers off. If the interrupts exceed 10*N it stops them, prints the counts
 * with "storm" and fails with code 7.
 */
#include "rt.h"

#define PLIC_BASE        0x0c000000UL
#define PLIC_PRIORITY(s) (PLIC_BASE + 4 * (s))
#define PLIC_ENABLE(c)   (PLIC_BASE + 0x2000 + 0x80 * (c))
#define PLIC_THRESHOLD(c) (PLIC_BASE + 0x200000 + 0x1000 * (c))
#define PLIC_CLAIM(c)    (PLIC_BASE + 0x200004 + 0x1000 * (c))
#define CTX_M_HART0      0          /* context 0: hart 0, M-mode */
#define UART_IRQ         10

#define UART_THR 0
#define UART_IER 1
#define UART_LSR 5
#define IER_RDA  0x01
#define IER_THRE 0x02
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

#define MIE_MEIE     (1UL << 11)
#define MSTATUS_MIE  (1UL << 3)
#define MCAUSE_MEI   ((1UL << 63) | 11)

#define STORM_FAIL 7

static const char line[] = "UART interrupt-driven line, 40 bytes...\n";
#define N (sizeof(line) - 1)

static volatile uint32_t sent;        /* bytes written to THR by the handler */
static volatile uint32_t interrupts;  /* UART interrupts claimed from the PLIC */
static volatile uint32_t idle;        /* of those, with nothing left to send */
static volatile uint32_t spurious;    /* claims that returned no source */
static volatile uint32_t storm;       /* set when interrupts exceeded 10*N */

void crt_unexpected_trap(uint64_t mcause, uint64_t mepc, uint64_t mtval);

/* Runs on every M-mode trap: a machine external interrupt is served as xv6's uartintr does. */
__attribute__((interrupt("machine"), aligned(4)))
static void m_trap(void)
{
    uint64_t cause = csr_read(mcause);
    if (cause != MCAUSE_MEI)
        crt_unexpected_trap(cause, csr_read(mepc), csr_read(mtval));

    uint32_t irq = MMIO32(PLIC_CLAIM(CTX_M_HART0));
    if (irq == 0) {
        spurious++;
        return;
    }
    if (irq == UART_IRQ) {
        interrupts++;
        /* IIR is never read, as in xv6: only LSR decides whether a byte can go. */
        if (sent < N && (MMIO8(UART0_BASE + UART_LSR) & LSR_THRE))
            MMIO8(UART0_BASE + UART_THR) = (uint8_t)line[sent++];
        else
            idle++;
        if (interrupts > 10 * N) {
            MMIO8(UART0_BASE + UART_IER) = 0;   /* stop the storm */
            storm = 1;
        }
    }
    MMIO32(PLIC_CLAIM(CTX_M_HART0)) = irq;
}

/* Runs once after reset: set up UART, PLIC and interrupts, send the line, report. */
int main(void)
{
    uart_init();
    uart_puts("uartirq: sending one line by THRE interrupts\n");
    while ((MMIO8(UART0_BASE + UART_LSR) & LSR_TEMT) == 0)
        ;

    MMIO32(PLIC_PRIORITY(UART_IRQ)) = 1;
    MMIO32(PLIC_ENABLE(CTX_M_HART0)) = 1u << UART_IRQ;
    MMIO32(PLIC_THRESHOLD(CTX_M_HART0)) = 0;

    csr_write(mtvec, (uint64_t)(uintptr_t)m_trap);
    csr_set(mie, MIE_MEIE);
    csr_set(mstatus, MSTATUS_MIE);

    /* As xv6's uartinit: enabling THRE with an empty transmitter interrupts at once. */
    MMIO8(UART0_BASE + UART_IER) = IER_RDA | IER_THRE;

    /* Spin, do not wfi: a wfi after the last interrupt would sleep for good. */
    while (sent < N && !storm)
        ;
    /* Let the interrupt for the last byte's "transmitter empty" arrive, or a storm show. */
    for (volatile uint32_t i = 0; i < 200000 && !storm; i++)
        ;

    csr_clear(mstatus, MSTATUS_MIE);
    MMIO8(UART0_BASE + UART_IER) = 0;
    while ((MMIO8(UART0_BASE + UART_LSR) & LSR_TEMT) == 0)
        ;
    printk("UARTIRQ bytes=%u interrupts=%u idle=%u spurious=%u%s\n", (unsigned)sent,
           (unsigned)interrupts, (unsigned)idle, (unsigned)spurious, storm ? " storm" : "");
    return storm ? STORM_FAIL : 0;
}
