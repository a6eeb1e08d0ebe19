/* printf-style formatting, independent of where the characters go. */
#include "lib.h"

/* Runs per number: digits of v in base, left-padded to width with pad. */
static void put_num(void (*put)(char, void *), void *ctx, uint64_t v, unsigned base,
                    int width, char pad)
{
    char digits[24];
    int n = 0;
    do {
        digits[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    while (width-- > n)
        put(pad, ctx);
    while (n)
        put(digits[--n], ctx);
}

/* Runs in every printf: walk the format, pulling arguments from ap. */
void vformat(void (*put)(char, void *), void *ctx, const char *fmt, va_list ap)
{
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(*fmt, ctx);
            continue;
        }
        char pad = ' ';
        int width = 0, is_long = 0, left = 0;
        if (*++fmt == '-')
            left = 1, fmt++;
        if (*fmt == '0')
            pad = '0', fmt++;
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l')
            is_long = 1, fmt++;
        switch (*fmt) {
        case 'd': {
            int64_t v = is_long ? va_arg(ap, int64_t) : va_arg(ap, int);
            if (v < 0) {
                put('-', ctx);
                v = -v;
            }
            put_num(put, ctx, (uint64_t)v, 10, width, pad);
            break;
        }
        case 'u':
            put_num(put, ctx, is_long ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10, width, pad);
            break;
        case 'x':
            put_num(put, ctx, is_long ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16, width, pad);
            break;
        case 'p':
            put('0', ctx);
            put('x', ctx);
            put_num(put, ctx, (uint64_t)va_arg(ap, void *), 16, 16, '0');
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            int n = 0;
            while (s && s[n])
                n++;
            for (int i = n; !left && i < width; i++)
                put(' ', ctx);
            for (int i = 0; i < n; i++)
                put(s[i], ctx);
            for (int i = n; left && i < width; i++)
                put(' ', ctx);
            break;
        }
        case 'c':
            put((char)va_arg(ap, int), ctx);
            break;
        case '\0':
            return;
        default:            /* %% and unknown conversions print literally */
            put(*fmt, ctx);
            break;
        }
    }
}
