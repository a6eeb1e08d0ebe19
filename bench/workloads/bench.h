/* Shared reporting for the benchmark workloads: one result line, then poweroff. */
#ifndef BENCH_H
#define BENCH_H

#include "rt.h"

/* Heap: free RAM after the program image (see guest/common/link.ld). */
extern char __heap_start[];

/* instret is the unprivileged alias of minstret: readable in M-mode, and in
 * S/U-mode once mcounteren allows it. */
static inline uint64_t bench_instret(void)
{
    uint64_t v;
    __asm__ volatile("csrr %0, instret" : "=r"(v));
    return v;
}

/* Called once at the end of a workload: print the result line and power off.
 * A checksum different from the one recorded under QEMU means the machine
 * computed something wrong, so the run fails with exit code 1. */
static inline void __attribute__((noreturn))
bench_report(const char *name, uint64_t checksum, uint64_t expected)
{
    uint64_t n = bench_instret();
    printk("BENCH %s checksum=0x%016lx instret=%lu %s\n", name, checksum, n,
           checksum == expected ? "ok" : "MISMATCH");
    exit(checksum == expected ? 0 : 1);
}

/* 64-bit LCG (Knuth's MMIX constants): deterministic input data. */
static inline uint64_t lcg_next(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s;
}

/* Mix a value into a running checksum (FNV-1a style over 64-bit words). */
static inline uint64_t mix(uint64_t h, uint64_t v)
{
    return (h ^ v) * 0x100000001b3ULL;
}

#endif
