/* System calls: decode a7, check user pointers, dispatch. */
#include "kernel.h"
#include "syscall_nr.h"

typedef int64_t (*sysfn)(struct trapframe *tf);

/* Runs in every handler: the n-th argument register. */
static uint64_t arg(struct trapframe *tf, int n)
{
    return tf->x[TF_A0 + n];
}

/* Runs in spawn(): copy a NUL-terminated user string; -1 if it is not all
 * user memory or does not fit. */
static int fetch_str(uint64_t uva, char *dst, int max)
{
    for (int i = 0; i < max; i++) {
        if (!uvm_check(myproc()->pagetable, uva + i, 1, 0))
            return -1;
        if ((dst[i] = *(const char *)(uva + i)) == 0)
            return i;
    }
    return -1;
}

/* write(fd, buf, n): only the console (fd 1 and 2). */
static int64_t sys_write(struct trapframe *tf)
{
    uint64_t buf = arg(tf, 1), n = arg(tf, 2);
    if ((arg(tf, 0) != 1 && arg(tf, 0) != 2) || n > 4096 ||
        !uvm_check(myproc()->pagetable, buf, n, 0))
        return -1;
    return console_write((const char *)buf, (int)n);   /* SUM lets us read it */
}

/* read(fd, buf, n): only the console (fd 0); blocks until input arrives. */
static int64_t sys_read(struct trapframe *tf)
{
    uint64_t buf = arg(tf, 1), n = arg(tf, 2);
    if (arg(tf, 0) != 0 || n > 4096 || !uvm_check(myproc()->pagetable, buf, n, 1))
        return -1;
    return console_read((char *)buf, (int)n);
}

/* getpid(): the caller's process id. */
static int64_t sys_getpid(struct trapframe *tf) { (void)tf; return myproc()->pid; }

/* yield(): let another runnable process have the CPU. */
static int64_t sys_yield(struct trapframe *tf) { (void)tf; yield(); return 0; }

/* exit(status): never returns to the caller. */
static int64_t sys_exit(struct trapframe *tf) { proc_exit((int)arg(tf, 0)); }

/* spawn(name, arg): start a built-in program as a child of the caller. */
static int64_t sys_spawn(struct trapframe *tf)
{
    char name[16];
    if (fetch_str(arg(tf, 0), name, sizeof name) < 0)
        return -1;
    return proc_spawn(name, arg(tf, 1), myproc());
}

/* wait(&status): status pointer may be 0. */
static int64_t sys_wait(struct trapframe *tf)
{
    int status;
    uint64_t ustatus = arg(tf, 0);
    if (ustatus && !uvm_check(myproc()->pagetable, ustatus, sizeof status, 1))
        return -1;
    int pid = proc_wait(&status);
    if (pid >= 0 && ustatus)
        *(int *)ustatus = status;
    return pid;
}

/* kill(pid): the target exits the next time it enters the kernel. */
static int64_t sys_kill(struct trapframe *tf) { return proc_kill((int)arg(tf, 0)); }

/* sleep(n): wait n clock ticks. */
static int64_t sys_sleep(struct trapframe *tf)
{
    uint64_t t0 = ticks;
    while (ticks - t0 < arg(tf, 0)) {
        if (myproc()->killed)
            return -1;
        sleep((void *)&ticks);
    }
    return 0;
}

/* uptime(): clock ticks since boot. */
static int64_t sys_uptime(struct trapframe *tf) { (void)tf; return (int64_t)ticks; }

/* poweroff(code): print the verdict and turn the machine off. */
static int64_t sys_poweroff(struct trapframe *tf)
{
    printf("OS: poweroff requested by %s (pid %d), code %d\n",
           myproc()->name, myproc()->pid, (int)arg(tf, 0));
    shutdown((int)arg(tf, 0));
}

static const sysfn systab[] = {
    [SYS_write] = sys_write,   [SYS_read] = sys_read,     [SYS_getpid] = sys_getpid,
    [SYS_yield] = sys_yield,   [SYS_exit] = sys_exit,     [SYS_spawn] = sys_spawn,
    [SYS_wait] = sys_wait,     [SYS_kill] = sys_kill,     [SYS_sleep] = sys_sleep,
    [SYS_uptime] = sys_uptime, [SYS_poweroff] = sys_poweroff,
};

/* Runs on every ecall from U-mode: the result goes back in a0. */
void syscall(struct trapframe *tf)
{
    uint64_t n = tf->x[TF_A7];
    stats.syscalls++;
    if (n < sizeof systab / sizeof systab[0] && systab[n]) {
        tf->x[TF_A0] = (uint64_t)systab[n](tf);
    } else {
        printf("OS: %s (pid %d) unknown syscall %lu\n", myproc()->name, myproc()->pid, n);
        tf->x[TF_A0] = (uint64_t)-1;
    }
}
