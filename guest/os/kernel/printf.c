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

struct sbuf { char *buf; int size, n; };

/* Runs per character of ksnprintf output: keep what fits, always terminated. */
static void sput(char c, void *ctx)
{
    struct sbuf *s = ctx;
    if (s->n + 1 < s->size)
        s->buf[s->n++] = c;
    s->buf[s->n] = 0;
}

/* Runs where the kernel formats into a buffer (banner, names). */
int ksnprintf(char *buf, int size, const char *fmt, ...)
{
    struct sbuf s = { buf, size, 0 };
    va_list ap;
    buf[0] = 0;
    va_start(ap, fmt);
    vformat(sput, &s, fmt, ap);
    va_end(ap);
    return s.n;
}
