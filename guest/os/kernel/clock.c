/* The clock: counts timer ticks and wakes sleepers. */
#include "kernel.h"

volatile uint64_t ticks;

/* Runs in the trap handler on every tick (TICK_HZ per second). */
void clock_tick(void)
{
    ticks++;
    wakeup((void *)&ticks);
}
