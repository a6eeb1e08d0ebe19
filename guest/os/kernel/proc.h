/* Processes: one kernel thread per user process, uniprocessor. */
#ifndef PROC_H
#define PROC_H

#include "../arch/riscv/arch.h"

#define NPROC 16
#define NOFILE 16
#define KSTACK_SIZE 8192

enum procstate { UNUSED, RUNNABLE, RUNNING, SLEEPING, ZOMBIE };

struct proc {
    struct trapframe tf;        /* user registers while in the kernel */
    struct context ctx;         /* kernel registers while switched out */
    enum procstate state;
    int pid;
    int pgid;                   /* job (process group): Ctrl-C kills the foreground one */
    char name[16];
    struct proc *parent;
    void *chan;                 /* what a SLEEPING process waits for */
    int killed;
    int xstatus;                /* exit status, for wait() */
    pagetable_t pagetable;
    uint64_t sz;                /* end of the program image and heap (from USER_BASE) */
    struct file *ofile[NOFILE];
    struct inode *cwd;
    uint64_t preempted;         /* timer preemptions, for ps and trapdemo */
    uint64_t syscalls;
    uint64_t start_ticks;
    uint8_t kstack[KSTACK_SIZE] __attribute__((aligned(16)));
};

extern struct proc proctab[NPROC];

#endif
