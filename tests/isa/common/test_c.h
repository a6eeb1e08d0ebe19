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
void *memcpy(void *d, const void *s, unsigned long n);
void *memset(void *d, int c, unsigned long n);
void uart_puts(const char *s);
void uart_puthex(u64 v);
void uart_putdec(u64 v);

/* probe(mode, kind, addr, val): one access in mode 0 (U), 1 (S), 3 (M) or
   4 + p (M with MPRV and MPP = p); see common/probe.S */
#define PROBE_LD      0
#define PROBE_SD      1
#define PROBE_FETCH   2
#define PROBE_LW      3
#define PROBE_SB      4
#define PROBE_AMOADD  5
#define PROBE_LR      6
#define PROBE_SFENCE  7
#define PROBE_HLVD    8             /* hypervisor loads/stores (as though V = 1, hstatus.SPVP) */
#define PROBE_HSVD    9
#define PROBE_HLVXWU  10
#define PROBE_HLVW    11
#define PROBE_V       0x10          /* or-ed into the mode: V = 1 (VU, VS, MPRV with MPV) */
#define PROBE_NOFLUSH 0x100
#define U_ALIAS_OFF   0x40000000UL
u64 probe(u64 mode, u64 kind, u64 addr, u64 val);
extern const char probe_snippet[], probe_snippet_end[];

/* field of this hart's block (defs.h HB_*) */
static inline u64 hb_get(long off)
{
    u64 *p;
    __asm__ volatile("mv %0, tp" : "=r"(p));
    return p[off / 8];
}

#define CSR_READ(name) ({ u64 __v; __asm__ volatile("csrr %0, " #name : "=r"(__v)); __v; })
#define CSR_WRITE(name, v) __asm__ volatile("csrw " #name ", %0" :: "r"((u64)(v)) : "memory")
#define CSR_SET(name, v) __asm__ volatile("csrs " #name ", %0" :: "r"((u64)(v)) : "memory")
#define CSR_CLEAR(name, v) __asm__ volatile("csrc " #name ", %0" :: "r"((u64)(v)) : "memory")

#endif
