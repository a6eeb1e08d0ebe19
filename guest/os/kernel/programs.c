/* Table of the user programs built into the kernel (programs.S): the /bin
 * directory, read-only, found by exec by name or as /bin/name. */
#include "kernel.h"
#include "programs.h"

/* Runs in exec: look a program up by path; 0 if there is none. */
const struct program *program_find(const char *path)
{
    if (memcmp(path, "/bin/", 5) == 0)
        path += 5;
    for (int i = 0; programs[i].name; i++)
        if (strcmp(programs[i].name, path) == 0)
            return &programs[i];
    return 0;
}

/* Runs when /bin is listed: the i-th program, 0 past the end. */
const struct program *program_at(int i)
{
    for (int j = 0; j <= i; j++)
        if (!programs[j].name)
            return 0;
    return &programs[i];
}
