/* Number formatting and a small printf for bare-metal programs. */
#include <stdarg.h>
#include "rt.h"

/* Called by the printers below: emit v in the given base, at least width digits. */
static void put_num(uint64_t v, unsigned base, int width, char pad)
{
    char buf[24];
    int n = 0;
    do {
        unsigned d = v % base;
        buf[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v);
    while (n < width--)
        uart_putc(pad);
    while (n)
        uart_putc(buf[--n]);
}

/* Called to print a value as 0x-prefixed hex. */
void print_hex(uint64_t v) { uart_puts("0x"); put_num(v, 16, 0, '0'); }

/* Called to print an unsigned decimal value. */
void print_dec(uint64_t v) { put_num(v, 10, 0, '0'); }

/* Called like printf; supports the few conversions guest programs need. */
void printk(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            uart_putc(*fmt);
            continue;
        }
        fmt++;
        char pad = ' ';
        int width = 0, is_long = 0;
        if (*fmt == '0') { pad = '0'; fmt++; }
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l') { is_long = 1; fmt++; }
        switch (*fmt) {
        case 'd': {
            int64_t v = is_long ? va_arg(ap, int64_t) : va_arg(ap, int);
            if (v < 0) { uart_putc('-'); v = -v; }
            put_num((uint64_t)v, 10, width, pad);
            break;
        }
        case 'u':
            put_num(is_long ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10, width, pad);
            break;
        case 'x':
            put_num(is_long ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16, width, pad);
            break;
        case 'p':
            uart_puts("0x");
            put_num((uint64_t)va_arg(ap, void *), 16, 16, '0');
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            uart_puts(s ? s : "(null)");
            break;
        }
        case 'c':
            uart_putc((char)va_arg(ap, int));
            break;
        case '%':
            uart_putc('%');
            break;
        default:     /* unknown conversion: show it literally */
            uart_putc('%');
            uart_putc(*fmt);
            break;
        }
        if (!*fmt)
            break;
    }
    va_end(ap);
}
