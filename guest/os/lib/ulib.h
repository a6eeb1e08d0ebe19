/* The user-side C library: system call wrappers and printf. */
#ifndef ULIB_H
#define ULIB_H

#include "lib.h"

/* usys.S: one stub per system call (numbers in kernel/syscall_nr.h) */
long write(int fd, const void *buf, long n);
long read(int fd, void *buf, long n);
int getpid(void);
int yield(void);
void exit(int status) __attribute__((noreturn));
int spawn(const char *name, long arg);
int wait(int *status);
int kill(int pid);
int sleep(long ticks);
long uptime(void);
void poweroff(int code) __attribute__((noreturn));

/* uprintf.c: formats a whole message, then writes it with one system call,
 * so lines from different processes never mix mid-line. */
void printf(const char *fmt, ...);

/* The program's entry point: arg is spawn()'s second argument. */
int main(long arg);

#endif
