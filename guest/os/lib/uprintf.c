/* User printf: format into a buffer, then one write() per message. */
#include <stdarg.h>
#include "ulib.h"

struct out {
    char buf[256];
    int n, fd;
};

/* Runs per formatted character; flushes when the buffer fills up. */
static void put(char c, void *ctx)
{
    struct out *o = ctx;
    if (o->n == sizeof o->buf) {
        write(o->fd, o->buf, o->n);
        o->n = 0;
    }
    o->buf[o->n++] = c;
}

/* Runs wherever a user program prints to a descriptor. */
static void vfprintf(int fd, const char *fmt, va_list ap)
{
    struct out o;
    o.n = 0;
    o.fd = fd;
    vformat(put, &o, fmt, ap);
    if (o.n)
        write(fd, o.buf, o.n);
}

/* Runs wherever a user program prints to its standard output. */
void printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(1, fmt, ap);
    va_end(ap);
}

/* Runs for messages to another descriptor (errors go to 2). */
void fprintf(int fd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(fd, fmt, ap);
    va_end(ap);
}

struct sbuf { char *buf; int size, n; };

/* Runs per character of snprintf output: keep what fits, always terminated. */
static void sput(char c, void *ctx)
{
    struct sbuf *s = ctx;
    if (s->n + 1 < s->size)
        s->buf[s->n++] = c;
    s->buf[s->n] = 0;
}

/* Runs where a program formats into memory. */
int snprintf(char *buf, int size, const char *fmt, ...)
{
    struct sbuf s = { buf, size, 0 };
    va_list ap;
    buf[0] = 0;
    va_start(ap, fmt);
    vformat(sput, &s, fmt, ap);
    va_end(ap);
    return s.n;
}
