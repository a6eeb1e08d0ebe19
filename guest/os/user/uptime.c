/* uptime: time since boot, and what the kernel has counted. */
#include "ulib.h"

/* Runs as a command: uptime */
int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    struct sysinfo si;
    sysinfo(&si);
    uint64_t hz = si.tick_hz;
    printf("up %lu.%02lu s (%lu ticks of %lu ms), %lu system calls, %lu preemptions, %lu faults\n",
           si.ticks / hz, si.ticks % hz * 100 / hz, si.ticks, 1000 / hz, si.syscalls,
           si.preemptions, si.faults);
    return 0;
}
