/* Kernel console output: printf and panic, straight to the UART. */
#include <stdarg.h>
#include "kernel.h"

/* Runs per output character of kernel messages. */
static void kputc(char c, void *unused)
{
    (void)unused;
    if (c == '\n')
        uart_putc('\r');
    uart_putc(c);
}

/* Runs anywhere in the kernel. Output is polled, so it works before and
 * after interrupts are set up, and a message is never torn. */
void printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vformat(kputc, 0, fmt, ap);
    va_end(ap);
}

/* Runs when the kernel finds itself in an impossible state: report and stop. */
void panic(const char *fmt, ...)
{
    va_list ap;
    printf("OS: PANIC ");
    va_start(ap, fmt);
    vformat(kputc, 0, fmt, ap);
    va_end(ap);
    printf("\n");
    board_poweroff(2);
}
