/* The integer/branch kernel shared by intloop (M-mode) and intloop_vm (U-mode).
 * Always inlined, so in intloop_vm it lands in the user-mode text section and
 * touches no kernel pages. */
#ifndef INTLOOP_KERNEL_H
#define INTLOOP_KERNEL_H

#include <stdint.h>

struct il_state {
    uint64_t x;     /* xorshift generator state */
    uint64_t acc;   /* accumulated result */
};

/* Runs n iterations of shifts, xors and data-dependent branches. */
static inline __attribute__((always_inline))
void il_run(struct il_state *s, uint32_t n)
{
    uint64_t x = s->x, acc = s->acc;
    for (uint32_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if (x & 1)
            acc += x >> 3;
        else
            acc -= x;
        if ((x & 6) == 6)      /* taken ~1/4 of the time: hard to predict */
            acc ^= i;
        acc = (acc << 1) | (acc >> 63);
    }
    s->x = x;
    s->acc = acc;
}

#define IL_SEED 0x9E3779B97F4A7C15ULL
#define IL_CHUNK 256            /* iterations between syscalls in intloop_vm */
#define IL_CHUNKS 60000         /* total work: IL_CHUNK * IL_CHUNKS iterations */

#endif
