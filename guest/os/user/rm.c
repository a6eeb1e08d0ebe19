/* rm: remove files and empty directories. */
#include "ulib.h"

/* Runs as a command: rm path... */
int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(2, "usage: rm path...\n");
        return 1;
    }
    int status = 0;
    for (int i = 1; i < argc; i++) {
        int r = unlink(argv[i]);
        if (r < 0) {
            fprintf(2, "rm: %s: %s\n", argv[i], r == -2 ? "directory not empty" : "cannot remove");
            status = 1;
        }
    }
    return status;
}
