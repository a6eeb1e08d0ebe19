/* rvisor's Linux guest userland: what init.c and shell.c share. */
#ifndef RVISOR_H
#define RVISOR_H

#include <stddef.h>

/* The value of rvisor.NAME=VALUE on the kernel command line, or def when it is absent. */
long cmdline_long(const char *name, long def);

/* Writes the whole file at path to standard output; returns 0, or -1 with errno set. */
int cat_file(const char *path);

/* Syncs and powers the machine off (reboot(RB_POWER_OFF)); returns only if that failed. */
void power_off(void);

/* Reads commands from standard input and runs the built-ins until poweroff or end of input. */
void run_shell(void);

#endif
