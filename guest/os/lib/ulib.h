/* The user-side C library: system call wrappers, printf, small helpers. */
#ifndef ULIB_H
#define ULIB_H

#include "lib.h"
#include "../kernel/abi.h"

/* usys.S: one stub per system call (numbers in kernel/syscall_nr.h) */
int fork(void);
void exit(int status) __attribute__((noreturn));
int wait(int *status);                      /* blocks */
int waitpid_any(int *status, int nohang);   /* the raw call: 0 = none exited yet */
int pipe(int fds[2]);
long read(int fd, void *buf, long n);
long write(int fd, const void *buf, long n);
int kill(int pid);
int exec(const char *path, char **argv);
int fstat(int fd, struct stat *st);
int chdir(const char *path);
int dup(int fd);
int getpid(void);
void *sbrk(long n);
int sleep(long ticks);
long uptime(void);
int open(const char *path, int flags);
int unlink(const char *path);
int mkdir(const char *path);
int close(int fd);
void poweroff(int code) __attribute__((noreturn));
int yield(void);
int procinfo(int slot, struct procinfo *pi);
int setfg(int pid);
int lastfault(struct ufaultinfo *fi);
int sysinfo(struct sysinfo *si);
int disktest(void);
long progname(int i, char *buf, long n);

/* uprintf.c: formats a whole message, then writes it with one system call,
 * so lines from different processes never mix mid-line. */
void printf(const char *fmt, ...);
void fprintf(int fd, const char *fmt, ...);
int snprintf(char *buf, int size, const char *fmt, ...);

/* ulib.c */
int stat(const char *path, struct stat *st);
char *gets(char *buf, int max);             /* one line from fd 0; 0 at end of input */
void *malloc(size_t n);                     /* from sbrk, never freed */
int tick_hz(void);

/* The program's entry point; its return value becomes the exit status. */
int main(int argc, char **argv);

#endif
