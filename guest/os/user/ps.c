/* ps: the process table. */
#include "ulib.h"

/* Runs as a command: ps */
int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    static const char *states[] = { "free", "runnable", "running", "sleeping", "zombie" };
    int hz = tick_hz();
    printf("  PID  PPID  PGID STATE       TIME   PREEMPT  SYSCALLS  MEM(KiB) NAME\n");
    struct procinfo pi;
    for (int i = 0; procinfo(i, &pi) == 0; i++) {
        if (pi.state == 0)
            continue;
        printf("%5d %5d %5d %-8s %4lu.%02lu %9lu %9lu %9lu %s\n", pi.pid, pi.ppid, pi.pgid,
               states[pi.state], pi.ticks / hz, pi.ticks % hz * 100 / hz, pi.preempted, pi.syscalls,
               pi.memory / 1024, pi.name);
    }
    return 0;
}
