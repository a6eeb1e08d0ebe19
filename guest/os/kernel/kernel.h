/* Interfaces of the portable kernel layer. */
#ifndef KERNEL_H
#define KERNEL_H

#include <stdint.h>
#include <stddef.h>
#include "../arch/riscv/arch.h"
#include "../lib/lib.h"
#include "proc.h"

/* printf.c */
void printf(const char *fmt, ...);
void panic(const char *fmt, ...) __attribute__((noreturn));

/* kalloc.c: 4 KiB physical pages */
void kalloc_init(void);
void *kalloc(void);
void *kalloc_zeroed(void);
void kfree(void *pa);

/* console.c */
void console_intr(char c);
int console_read(char *dst, int n);
int console_write(const char *src, int n);

/* clock.c */
extern volatile uint64_t ticks;
void clock_tick(void);

/* proc.c */
struct proc *myproc(void);
void *proc_kstack_top(struct proc *p);
int proc_spawn(const char *prog, uint64_t arg, struct proc *parent);
void proc_exit(int status) __attribute__((noreturn));
int proc_wait(int *status);
int proc_kill(int pid);

/* sched.c */
void scheduler(void) __attribute__((noreturn));
void sched(void);
void yield(void);
void sleep(void *chan);
void wakeup(void *chan);
void sched_set_current(struct proc *p);

/* syscall.c */
void syscall(struct trapframe *tf);

/* bio.c: block I/O */
int bread(uint64_t sector, void *buf);
int bwrite(uint64_t sector, const void *buf);
int disk_selftest(void);        /* 1 passed, 0 no disk, -1 failed */

/* programs.c: user programs built into the kernel image */
struct program {
    const char *name;
    const uint8_t *start, *end;
};
const struct program *program_find(const char *name);

/* main.c */
void shutdown(int code) __attribute__((noreturn));

struct kstats {
    uint64_t syscalls, preemptions, switches, uart_irqs;
};
extern struct kstats stats;

#endif
