/* Processes: the first process, fork, exec, exit, wait, kill, faults, sbrk. */
#include "kernel.h"
#include "abi.h"

struct proc proctab[NPROC];
struct faultinfo lastfault;
static int nextpid = 1;
static struct proc *initproc;

#define MAXARG 16
#define ARGLEN 256
static char args[MAXARG][ARGLEN];   /* exec arguments on their way to the new stack */
static int load_program(struct proc *p, const struct program *pg, int argc);
#define PAGE_UP(a) (((a) + PGSIZE - 1) & ~(PGSIZE - 1))

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

/* Runs in fork and at boot: a free slot, with a pid and a kernel thread. */
static struct proc *proc_alloc(void)
{
    struct proc *p = 0;
    for (int i = 0; i < NPROC && !p; i++)
        if (proctab[i].state == UNUSED)
            p = &proctab[i];
    if (!p)
        return 0;
    memset(p, 0, offsetof(struct proc, kstack));
    if (!(p->pagetable = uvm_create()))
        return 0;
    p->pid = nextpid++;
    p->start_ticks = ticks;
    context_init(&p->ctx, first_run, proc_kstack_top(p));
    return p;
}

/* Runs when a process slot is released (reaped zombie, failed fork). */
static void proc_free(struct proc *p)
{
    if (p->pagetable)
        uvm_free(p->pagetable);
    p->pagetable = 0;
    p->parent = 0;
    p->state = UNUSED;
}

/* Runs once at boot: process 1 runs /bin/init with the console as fds 0-2. */
void proc_init_first(void)
{
    struct proc *p = proc_alloc();
    if (!p)
        panic("no slot for init");
    initproc = p;
    p->pgid = p->pid;
    p->ofile[0] = file_console();
    p->ofile[1] = file_dup(p->ofile[0]);
    p->ofile[2] = file_dup(p->ofile[0]);
    p->cwd = namei("/");
    strncpy(args[0], "init", ARGLEN);
    const struct program *pg = program_find("init");
    if (!pg || load_program(p, pg, 1) < 0)
        panic("cannot load /bin/init");
    p->state = RUNNABLE;
}

/* Runs in fork(): a copy of the caller, returning 0 in the child. */
int proc_fork(void)
{
    struct proc *parent = myproc(), *p = proc_alloc();
    if (!p)
        return -1;
    if (uvm_copy(parent->pagetable, p->pagetable) < 0) {
        proc_free(p);
        return -1;
    }
    p->sz = parent->sz;
    p->tf = parent->tf;
    tf_set_return(&p->tf, 0);
    for (int i = 0; i < NOFILE; i++)
        if (parent->ofile[i])
            p->ofile[i] = file_dup(parent->ofile[i]);
    p->cwd = parent->cwd ? idup(parent->cwd) : 0;
    memcpy(p->name, parent->name, sizeof p->name);
    p->parent = parent;
    p->pgid = parent->pgid;
    p->state = RUNNABLE;
    return p->pid;
}


/* Runs in exec() and at boot: give p a fresh address space holding program pg,
 * with argc strings of args copied onto the new stack as the C
 * main(argc, argv) expects. */
static int load_program(struct proc *p, const struct program *pg, int argc)
{
    pagetable_t pt = uvm_create();
    if (!pt)
        return -1;
    uint64_t size = (uint64_t)(pg->end - pg->start);
    uint8_t *stack_page = 0;
    for (uint64_t off = 0; off < size; off += PGSIZE) {
        uint8_t *page = kalloc_zeroed();
        if (!page || uvm_map(pt, USER_BASE + off, (uint64_t)page, 1) < 0)
            goto fail;
        memcpy(page, pg->start + off, size - off < PGSIZE ? size - off : PGSIZE);
    }
    for (uint64_t i = 1; i <= USER_STACK_PAGES; i++) {
        uint8_t *page = kalloc_zeroed();
        if (!page || uvm_map(pt, USER_STACK_TOP - i * PGSIZE, (uint64_t)page, 0) < 0)
            goto fail;
        if (i == 1)
            stack_page = page;
    }

    /* The top stack page, written through its physical address: strings, then argv[]. */
    uint64_t top = USER_STACK_TOP, uargv[MAXARG + 1], total = 0;
    for (int i = 0; i < argc; i++)
        total += strlen(args[i]) + 1;
    if (total + (MAXARG + 1) * 8 + 16 > PGSIZE)
        goto fail;
    for (int i = 0; i < argc; i++) {
        int len = (int)strlen(args[i]) + 1;
        top -= (uint64_t)len;
        memcpy(stack_page + (top - (USER_STACK_TOP - PGSIZE)), args[i], (size_t)len);
        uargv[i] = top;
    }
    uargv[argc] = 0;
    top = (top - (uint64_t)(argc + 1) * 8) & ~15UL;
    memcpy(stack_page + (top - (USER_STACK_TOP - PGSIZE)), uargv, (size_t)(argc + 1) * 8);

    pagetable_t old = p->pagetable;
    p->pagetable = pt;
    p->sz = PAGE_UP(size);
    if (p == myproc())
        vm_switch(pt);
    if (old)
        uvm_free(old);
    tf_set_entry(&p->tf, USER_BASE, top, (uint64_t)argc, top);
    memset(p->name, 0, sizeof p->name);
    strncpy(p->name, pg->name, sizeof p->name - 1);
    return argc;

fail:
    uvm_free(pt);
    return -1;
}

/* Runs in exec(): replace the caller's program; argv is a user array. */
int proc_exec(const char *path, char **argv)
{
    const struct program *pg = program_find(path);
    if (!pg)
        return -1;
    int argc = 0;
    for (;; argc++) {
        if (!user_ok((uint64_t)&argv[argc], sizeof(char *), 0))
            return -1;
        if (!argv[argc])
            break;
        if (argc >= MAXARG || fetch_str((uint64_t)argv[argc], args[argc], ARGLEN) < 0)
            return -1;
    }
    return load_program(myproc(), pg, argc);
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
    for (int i = 0; i < NOFILE; i++)
        if (p->ofile[i]) {
            file_close(p->ofile[i]);
            p->ofile[i] = 0;
        }
    if (p->cwd) {
        begin_op();
        iput(p->cwd);
        end_op();
        p->cwd = 0;
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

/* Runs in wait(): reap one exited child, sleeping until there is one unless
 * nohang. Returns its pid (status in *status), 0 (nohang, none yet), or -1
 * with no children. */
int proc_wait(int *status, int nohang)
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
                proc_free(c);
                return pid;
            }
        }
        if (!children || p->killed)
            return -1;
        if (nohang)
            return 0;
        sleep(p);
    }
}

/* Runs in kill() and for Ctrl-C: mark the process; it exits the next time it
 * is in the kernel (a sleeping process is woken so that happens promptly). */
int proc_kill(int pid)
{
    for (int i = 0; i < NPROC; i++) {
        struct proc *p = &proctab[i];
        if (p->pid == pid && p->state != UNUSED && p->state != ZOMBIE) {
            if (p == initproc)
                return -1;
            p->killed = 1;
            if (p->state == SLEEPING)
                p->state = RUNNABLE;
            return 0;
        }
    }
    return -1;
}

/* Runs on Ctrl-C: kill every process of the foreground job. */
int proc_kill_group(int pgid)
{
    int n = 0;
    for (int i = 0; i < NPROC; i++)
        if (proctab[i].pgid == pgid && proc_kill(proctab[i].pid) == 0)
            n++;
    return n;
}

/* Runs when a user program causes an exception the kernel cannot fix: one
 * line naming it, and the process is killed; everything else runs on. */
void proc_fault(const char *what, uint64_t cause, uint64_t pc, uint64_t addr)
{
    struct proc *p = myproc();
    stats.faults++;
    printf("OS: pid %d (%s) killed: %s at pc 0x%lx, address 0x%lx\n", p->pid, p->name, what, pc, addr);
    lastfault.pid = p->pid;
    lastfault.cause = (int)cause;
    lastfault.pc = pc;
    lastfault.addr = addr;
    memset(lastfault.what, 0, sizeof lastfault.what);
    strncpy(lastfault.what, what, sizeof lastfault.what - 1);
    memcpy(lastfault.name, p->name, sizeof lastfault.name);
    p->killed = 1;
}

/* Runs in sbrk(): grow the heap by n bytes (whole pages); returns the old end. */
int64_t proc_sbrk(int64_t n)
{
    struct proc *p = myproc();
    uint64_t old = p->sz;
    if (n < 0)
        return (int64_t)old;                /* the heap never shrinks */
    uint64_t want = PAGE_UP(old + (uint64_t)n);
    if (USER_BASE + want > USER_STACK_TOP - USER_STACK_PAGES * PGSIZE - PGSIZE)
        return -1;
    for (uint64_t a = old; a < want; a += PGSIZE) {
        void *page = kalloc_zeroed();
        if (!page || uvm_map(p->pagetable, USER_BASE + a, (uint64_t)page, 0) < 0) {
            if (page)
                kfree(page);
            p->sz = a;
            return -1;
        }
    }
    p->sz = want;
    return (int64_t)(USER_BASE + old);
}
