/* intloop: integer ALU and branch throughput, no memory traffic. */
#include "bench.h"
#include "intloop_kernel.h"

#define EXPECTED 0xdfed8f13c348bd26ULL

/* Runs at reset (from crt0): the whole workload in M-mode. */
int main(void)
{
    struct il_state s = { IL_SEED, 0 };
    uart_init();
    for (uint32_t c = 0; c < IL_CHUNKS; c++)
        il_run(&s, IL_CHUNK);
    bench_report("intloop", s.acc ^ s.x, EXPECTED);
}
