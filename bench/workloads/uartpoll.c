/* uartpoll: transmit 1 MiB through the 16550 UART the way every polled console does it —
 * read LSR until the transmit holding register is empty, then write THR — so the cost of a
 * device access that a guest polls is what this measures. Run it with the console off
 * (rvisor --console none, QEMU -serial null): the terminal's speed is not the subject. */
#include "bench.h"

#define EXPECTED 0x13d9a6af58aba802ULL

#define PAYLOAD (1UL << 20)          /* bytes transmitted */
#define UART_THR MMIO8(UART0_BASE + 0)
#define UART_LSR MMIO8(UART0_BASE + 5)
#define LSR_THRE 0x20

/* Called once per byte: wait for THR empty, send; returns how many LSR reads it took. */
static uint64_t put_polled(uint8_t c)
{
    uint64_t polls = 1;
    while (!(UART_LSR & LSR_THRE))
        polls++;
    UART_THR = c;
    return polls;
}

/* Runs at reset (from crt0): send the payload, then report. */
int main(void)
{
    uint64_t sum = 0, polls = 0;
    uart_init();
    for (uint64_t i = 0; i < PAYLOAD; i++) {
        uint8_t c = (i % 64 == 63) ? '\n' : (uint8_t)('!' + (i * 7) % 90);
        polls += put_polled(c);
        sum = mix(sum, c + i);
    }
    /* every byte needs at least one LSR read; a UART that never says "empty" would hang above */
    if (polls < PAYLOAD)
        sum = 0;
    bench_report("uartpoll", sum, EXPECTED);
}
