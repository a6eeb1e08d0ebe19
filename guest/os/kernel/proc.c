/* Process lifecycle: spawn from a built-in program, exit, wait, kill. */
#include "kernel.h"

struct proc proctab[NPROC];
static int nextpid = 1;
static struct proc *initproc;

/* Runs on every return to U-mode: the top of p's kernel stack. */
void *proc_kstack_top(struct proc *p)
{
    return p->kstack + KSTACK_SIZE;
}

/* Runs first in a new process's kernel thread (swtch "returns" here). */
static void first_run(void)
{
    usertrapret();
}

/* Runs in kmain (init) and in the spawn() system call: a new process running
 * program prog with a0 = arg. Its image is copied into fresh pages at
 * USER_BASE; the stack sits below USER_STACK_TOP. Returns the pid or -1. */
int proc_spawn(const char *prog, uint64_t arg, struct proc *parent)
{
    const struct program *pg = program_find(prog);
    if (!pg)
        return -1;
    struct proc *p = 0;
    for (int i = 0; i < NPROC && !p; i++)
        if (proctab[i].state == UNUSED)
            p = &proctab[i];
    if (!p)
        return -1;
    memset(p, 0, offsetof(struct proc, kstack));

    if (!(p->pagetable = uvm_create()))
        return -1;
    uint64_t size = (uint64_t)(pg->end - pg->start);
    for (uint64_t off = 0; off < size; off += 4096) {
        uint8_t *page = kalloc_zeroed();
        if (!page || uvm_map(p->pagetable, USER_BASE + off, (uint64_t)page, 1) < 0)
            goto fail;
        memcpy(page, pg->start + off, size - off < 4096 ? size - off : 4096);
    }
    for (int i = 1; i <= USER_STACK_PAGES; i++) {
        void *page = kalloc_zeroed();
        if (!page || uvm_map(p->pagetable, USER_STACK_TOP - i * 4096, (uint64_t)page, 0) < 0)
            goto fail;
    }

    p->tf.epc = USER_BASE;              /* the program's _start */
    p->tf.x[TF_SP] = USER_STACK_TOP;
    p->tf.x[TF_A0] = arg;
    p->ctx.ra = (uint64_t)first_run;
    p->ctx.sp = (uint64_t)proc_kstack_top(p);
    strncpy(p->name, prog, sizeof p->name - 1);
    p->pid = nextpid++;
    p->parent = parent;
    if (!parent)
        initproc = p;
    p->state = RUNNABLE;
    return p->pid;

fail:
    uvm_free(p->pagetable);
    p->pagetable = 0;
    return -1;
}

/* Runs in exit() and when a killed process next enters the kernel. The
 * process becomes a zombie until its parent collects the status. */
void proc_exit(int status)
{
    struct proc *p = myproc();
    if (p == initproc) {
        printf("OS: init exited with status %d\n", status);
        shutdown(status ? status : 5);
    }
    for (int i = 0; i < NPROC; i++)      /* orphans go to init */
        if (proctab[i].parent == p)
            proctab[i].parent = initproc;
    p->xstatus = status;
    p->state = ZOMBIE;
    wakeup(p->parent);
    wakeup(initproc);
    sched();
    panic("zombie %d ran", p->pid);
}

/* Runs in wait(): reap one exited child, sleeping until there is one.
 * Returns its pid (status in *status), or -1 with no children. */
int proc_wait(int *status)
{
    struct proc *p = myproc();
    for (;;) {
        int children = 0;
        for (int i = 0; i < NPROC; i++) {
            struct proc *c = &proctab[i];
            if (c->parent != p || c->state == UNUSED)
                continue;
            children = 1;
            if (c->state == ZOMBIE) {
                int pid = c->pid;
                *status = c->xstatus;
                uvm_free(c->pagetable);
                c->pagetable = 0;
                c->parent = 0;
                c->state = UNUSED;
                return pid;
            }
        }
        if (!children || p->killed)
            return -1;
        sleep(p);
    }
}

/* Runs in kill(): mark the process; it exits the next time it is in the kernel
 * (a sleeping process is woken so that happens promptly). */
int proc_kill(int pid)
{
    for (int i = 0; i < NPROC; i++) {
        struct proc *p = &proctab[i];
        if (p->pid == pid && p->state != UNUSED && p->state != ZOMBIE) {
            p->killed = 1;
            if (p->state == SLEEPING)
                p->state = RUNNABLE;
            return 0;
        }
    }
    return -1;
}
