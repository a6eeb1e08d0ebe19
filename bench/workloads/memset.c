/* memset: byte-wise stores over 64 MiB, the way a simple OS clears pages.
 * Stresses the store path (address translation and RAM writes), not the ALU. */
#include "bench.h"

#define EXPECTED 0xd15b0040beac0000ULL

#define BUF_SIZE (4UL << 20)    /* 4 MiB buffer ... */
#define PASSES   16             /* ... filled 16 times = 64 MiB of byte stores */

/* Called once per pass: one sb per byte; volatile keeps the compiler from
 * turning it into wider stores or a library call. */
static void byte_fill(volatile uint8_t *p, uint8_t v, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        p[i] = v;
}

/* Runs at reset (from crt0): fill, sample, report. */
int main(void)
{
    volatile uint8_t *buf = (volatile uint8_t *)__heap_start;
    uint64_t sum = 0;
    uart_init();
    for (unsigned pass = 0; pass < PASSES; pass++) {
        byte_fill(buf, (uint8_t)(pass * 37 + 1), BUF_SIZE);
        /* sample one byte per page so every pass is checked, cheaply */
        for (uint64_t off = pass; off < BUF_SIZE; off += 4096)
            sum = mix(sum, buf[off] + off);
    }
    bench_report("memset", sum, EXPECTED);
}
