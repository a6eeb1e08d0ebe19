/* ticker: a CPU-bound process that prints progress lines. It never blocks and
 * yields only once, so interleaved lines from two tickers show that the timer
 * preempts them. The work per line is measured in clock ticks, not loop
 * iterations, so the interleaving shows on fast and slow machines alike. */
#include "ulib.h"

#define LINES 6
#define TICKS_PER_LINE 5

/* Runs between lines: burn CPU until the clock advanced n ticks. */
static unsigned long spin_ticks(long n)
{
    volatile unsigned long work = 0;
    long start = uptime();
    while (uptime() - start < n)
        for (int i = 0; i < 2000; i++)
            work += i;
    return work;
}

/* Runs as a process spawned by init; name is its letter (A or B). */
int main(long name)
{
    printf("OS: proc %c started (pid %d)\n", (char)name, getpid());
    for (int i = 1; i <= LINES; i++) {
        spin_ticks(TICKS_PER_LINE);
        printf("OS: proc %c tick %d\n", (char)name, i);
        if (i == LINES / 2)
            yield();        /* exercise the yield system call once */
    }
    printf("OS: proc %c done\n", (char)name);
    return 0;
}
