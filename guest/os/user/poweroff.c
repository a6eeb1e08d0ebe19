/* poweroff: turn the machine off (an optional exit code for the host). */
#include "ulib.h"

/* Runs as a command: poweroff [code] */
int main(int argc, char **argv)
{
    poweroff(argc > 1 ? (int)atol(argv[1]) : 0);
}
