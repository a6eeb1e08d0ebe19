/* sleep: wait the given seconds (default 1), without using the CPU. */
#include "ulib.h"

/* Runs as a command: sleep [seconds] */
int main(int argc, char **argv)
{
    long secs = argc > 1 ? atol(argv[1]) : 1;
    return sleep(secs * tick_hz()) < 0;
}
