/* Helpers for test programs written in C. */
#ifndef ISA_TEST_C_H
#define ISA_TEST_C_H
#include "defs.h"

typedef unsigned long u64;
typedef long i64;
typedef unsigned int u32;
typedef int i32;

/* check number n: got == expected; reports and returns 0 on mismatch */
int check(long n, u64 got, u64 expected);
void uart_putc(int c);
void uart_puts(const char *s);
void uart_puthex(u64 v);
void uart_putdec(u64 v);

#define CSR_READ(name) ({ u64 __v; __asm__ volatile("csrr %0, " #name : "=r"(__v)); __v; })
#define CSR_WRITE(name, v) __asm__ volatile("csrw " #name ", %0" :: "r"((u64)(v)) : "memory")
#define CSR_SET(name, v) __asm__ volatile("csrs " #name ", %0" :: "r"((u64)(v)) : "memory")
#define CSR_CLEAR(name, v) __asm__ volatile("csrc " #name ", %0" :: "r"((u64)(v)) : "memory")

#endif
