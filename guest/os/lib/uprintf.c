/* User printf: format into a buffer, then one write() to the console. */
#include <stdarg.h>
#include "ulib.h"

struct out {
    char buf[256];
    int n;
};

/* Runs per formatted character; flushes when the buffer fills up. */
static void put(char c, void *ctx)
{
    struct out *o = ctx;
    if (o->n == sizeof o->buf) {
        write(1, o->buf, o->n);
        o->n = 0;
    }
    o->buf[o->n++] = c;
}

/* Runs wherever a user program prints. */
void printf(const char *fmt, ...)
{
    struct out o;
    o.n = 0;
    va_list ap;
    va_start(ap, fmt);
    vformat(put, &o, fmt, ap);
    va_end(ap);
    if (o.n)
        write(1, o.buf, o.n);
}
