/* Console: UART input arrives by interrupt into a ring buffer; read() takes
 * from it, sleeping while it is empty. Output goes straight to the UART. */
#include "kernel.h"

#define CONS_BUF 128
static struct {
    char buf[CONS_BUF];
    uint32_t r, w;              /* read/write positions, free-running */
} cons;

/* Runs in the UART interrupt handler for every received byte. */
void console_intr(char c)
{
    if (stats.uart_irqs++ == 0)
        printf("OS: uart rx interrupt\n");
    if (cons.w - cons.r < CONS_BUF)     /* drop input when nobody reads */
        cons.buf[cons.w++ % CONS_BUF] = c;
    wakeup(&cons);
}

/* Runs in read(0, ...): at least one byte, at most n; -1 if killed meanwhile. */
int console_read(char *dst, int n)
{
    while (cons.r == cons.w) {
        if (myproc()->killed)
            return -1;
        sleep(&cons);
    }
    int got = 0;
    while (got < n && cons.r != cons.w)
        dst[got++] = cons.buf[cons.r++ % CONS_BUF];
    return got;
}

/* Runs in write(1 or 2, ...): polled output, \n becomes \r\n for terminals. */
int console_write(const char *src, int n)
{
    for (int i = 0; i < n; i++) {
        if (src[i] == '\n')
            uart_putc('\r');
        uart_putc(src[i]);
    }
    return n;
}
