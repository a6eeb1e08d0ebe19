/* kill: end processes by pid. */
#include "ulib.h"

/* Runs as a command: kill pid... */
int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(2, "usage: kill pid...\n");
        return 1;
    }
    int status = 0;
    for (int i = 1; i < argc; i++)
        if (kill((int)atol(argv[i])) < 0) {
            fprintf(2, "kill: %s: no such process\n", argv[i]);
            status = 1;
        }
    return status;
}
