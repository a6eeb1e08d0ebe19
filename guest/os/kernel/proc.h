/* Processes: one kernel thread per user process, uniprocessor. */
#ifndef PROC_H
#define PROC_H

#include "../arch/riscv/arch.h"

#define NPROC 8
#define KSTACK_SIZE 8192

enum procstate { UNUSED, RUNNABLE, RUNNING, SLEEPING, ZOMBIE };

struct proc {
    struct trapframe tf;        /* user registers while in the kernel */
    struct context ctx;         /* kernel registers while switched out */
    enum procstate state;
    int pid;
    char name[16];
    struct proc *parent;
    void *chan;                 /* what a SLEEPING process waits for */
    int killed;
    int xstatus;                /* exit status, for wait() */
    pagetable_t pagetable;
    uint8_t kstack[KSTACK_SIZE] __attribute__((aligned(16)));
};

extern struct proc proctab[NPROC];

#endif
