/* cpuhog: CPU-bound work for scheduling experiments. Spins for the given
 * seconds (default 3), reporting its progress rate once a second. */
#include "ulib.h"

/* Runs as a command: cpuhog [seconds] */
int main(int argc, char **argv)
{
    long secs = argc > 1 ? atol(argv[1]) : 3, hz = tick_hz(), pid = getpid();
    volatile unsigned long work = 0;
    unsigned long total = 0;
    long start = uptime();
    for (long s = 1; s <= secs; s++) {
        unsigned long n = 0;
        while (uptime() - start < s * hz) {
            for (int i = 0; i < 1000; i++)
                work += (unsigned long)i;
            n++;
        }
        total += n;
        printf("cpuhog %ld: %ld s, %lu k-iterations/s\n", pid, s, n);
    }
    printf("cpuhog %ld: done, %lu k-iterations in %ld s\n", pid, total, secs);
    return 0;
}
