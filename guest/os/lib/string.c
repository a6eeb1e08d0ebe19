/* Byte and string helpers: plain loops, eight bytes at a time when aligned. */
#include "lib.h"

/* Runs wherever memory is cleared, including compiler-generated calls. */
void *memset(void *dst, int c, size_t n)
{
    uint8_t *d = dst;
    if (((uintptr_t)d & 7) == 0 && n >= 8) {
        uint64_t v = (uint8_t)c * 0x0101010101010101UL, *w = (uint64_t *)d;
        for (; n >= 8; n -= 8)
            *w++ = v;
        d = (uint8_t *)w;
    }
    while (n--)
        *d++ = (uint8_t)c;
    return dst;
}

/* Runs wherever memory is copied, including struct assignment. */
void *memcpy(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    if ((((uintptr_t)d | (uintptr_t)s) & 7) == 0) {
        uint64_t *wd = (uint64_t *)d;
        const uint64_t *ws = (const uint64_t *)s;
        for (; n >= 8; n -= 8)
            *wd++ = *ws++;
        d = (uint8_t *)wd;
        s = (const uint8_t *)ws;
    }
    while (n--)
        *d++ = *s++;
    return dst;
}

/* Runs to compare buffers: <0, 0 or >0 like the standard one. */
int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x - *y;
    return 0;
}

/* Runs to measure a NUL-terminated string. */
size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

/* Runs to compare NUL-terminated strings. */
int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return (uint8_t)*a - (uint8_t)*b;
}

/* Runs to copy a bounded string; pads with NULs like the standard one. */
char *strncpy(char *dst, const char *src, size_t n)
{
    size_t i = 0;
    for (; i < n && src[i]; i++)
        dst[i] = src[i];
    for (; i < n; i++)
        dst[i] = 0;
    return dst;
}

/* Runs in directory lookups: compare at most n characters. */
int strncmp(const char *a, const char *b, size_t n)
{
    for (; n && *a && *a == *b; n--, a++, b++)
        ;
    return n ? (uint8_t)*a - (uint8_t)*b : 0;
}

/* Runs in parsers: the first c in s, or 0. */
char *strchr(const char *s, int c)
{
    for (; *s; s++)
        if (*s == (char)c)
            return (char *)s;
    return 0;
}

/* Runs in command-line parsing: a decimal number (leading '-' allowed). */
long atol(const char *s)
{
    long v = 0, sign = 1;
    if (*s == '-') {
        sign = -1;
        s++;
    }
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (*s++ - '0');
    return v * sign;
}

/* Runs in string building: copy src after dst's end. */
char *strcat(char *dst, const char *src)
{
    char *d = dst + strlen(dst);
    while ((*d++ = *src++) != 0)
        ;
    return dst;
}

/* Runs in string building: copy src with its terminator. */
char *strcpy(char *dst, const char *src)
{
    char *d = dst;
    while ((*d++ = *src++) != 0)
        ;
    return dst;
}
