/* Freestanding C library pieces shared by the kernel and user programs. */
#ifndef LIB_H
#define LIB_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* fmt.c: printf-style formatting through a per-character callback.
 * Conversions: %d %u %x (with l for 64-bit, 0 and width for padding), %s (width,
 * - to left-justify) %c %p %%. */
void vformat(void (*put)(char c, void *ctx), void *ctx, const char *fmt, va_list ap);

/* string.c (the compiler may also call memset/memcpy on its own) */
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
char *strncpy(char *dst, const char *src, size_t n);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
long atol(const char *s);
char *strcat(char *dst, const char *src);
char *strcpy(char *dst, const char *src);

#endif
