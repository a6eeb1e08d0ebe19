/* Table of the user programs built into the kernel (see programs.S). */
#include "kernel.h"

extern const uint8_t prog_init_start[], prog_init_end[];
extern const uint8_t prog_ticker_start[], prog_ticker_end[];
extern const uint8_t prog_echo_start[], prog_echo_end[];

static const struct program programs[] = {
    { "init", prog_init_start, prog_init_end },
    { "ticker", prog_ticker_start, prog_ticker_end },
    { "echo", prog_echo_start, prog_echo_end },
};

/* Runs in spawn: look a program up by name; 0 if there is none. */
const struct program *program_find(const char *name)
{
    for (size_t i = 0; i < sizeof programs / sizeof programs[0]; i++)
        if (strcmp(programs[i].name, name) == 0)
            return &programs[i];
    return 0;
}
