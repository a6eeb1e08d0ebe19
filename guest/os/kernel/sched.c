/* Scheduler: round-robin over the process table, plus sleep/wakeup.
 * The kernel runs with interrupts off (they are taken only in U-mode and in
 * the idle loop), so on one hart these need no locks. */
#include "kernel.h"

static struct context sched_ctx;    /* the scheduler loop's own registers */
static struct proc *current;

/* Runs anywhere in process context: the process this hart is running. */
struct proc *myproc(void)
{
    return current;
}

/* Runs forever on the boot stack after kmain: pick the next runnable process,
 * switch to its address space and kernel thread, and wait for it to give the
 * CPU back (yield, sleep or exit). */
void scheduler(void)
{
    for (;;) {
        int ran = 0;
        for (int i = 0; i < NPROC; i++) {
            struct proc *p = &proctab[i];
            if (p->state != RUNNABLE)
                continue;
            p->state = RUNNING;
            current = p;
            vm_switch(p->pagetable);
            stats.switches++;
            swtch(&sched_ctx, &p->ctx);
            vm_switch(0);           /* its page table may be freed next */
            current = 0;
            ran = 1;
        }
        if (!ran)
            intr_wait();            /* idle until a tick or a device */
    }
}

/* Runs in a process's kernel thread that has just left RUNNING: back to the
 * scheduler; returns when the scheduler picks this process again. */
void sched(void)
{
    if (current->state == RUNNING)
        panic("sched: %s still RUNNING", current->name);
    swtch(&current->ctx, &sched_ctx);
}

/* Runs on a timer tick from U-mode and in the yield() system call. */
void yield(void)
{
    current->state = RUNNABLE;
    sched();
}

/* Runs when a process must wait for chan (input, a tick, a child's exit). */
void sleep(void *chan)
{
    current->chan = chan;
    current->state = SLEEPING;
    sched();
    current->chan = 0;
}

/* Runs when the event chan stands for has happened: wake all its sleepers. */
void wakeup(void *chan)
{
    for (int i = 0; i < NPROC; i++)
        if (proctab[i].state == SLEEPING && proctab[i].chan == chan)
            proctab[i].state = RUNNABLE;
}
