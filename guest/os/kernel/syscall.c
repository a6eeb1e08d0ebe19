/* System calls: decode the number, check user pointers, dispatch. User
 * memory is read and written in place (the kernel shares each process's
 * address space), after checking that it really is the caller's. */
#include "kernel.h"
#include "abi.h"
#include "syscall_nr.h"

typedef int64_t (*sysfn)(struct trapframe *tf);

#define ARG(n) tf_arg(tf, (n))
#define PATHMAX 128

/* Runs in every handler that takes a pointer: is [uva, uva+len) the caller's? */
int user_ok(uint64_t uva, uint64_t len, int write)
{
    return uvm_check(myproc()->pagetable, uva, len ? len : 1, write);
}

/* Runs for path and argument strings: copy a NUL-terminated user string;
 * -1 if it is not all user memory or does not fit. */
int fetch_str(uint64_t uva, char *dst, int max)
{
    for (int i = 0; i < max; i++) {
        if ((i == 0 || ((uva + i) & (PGSIZE - 1)) == 0) && !user_ok(uva + i, 1, 0))
            return -1;
        if ((dst[i] = *(const char *)(uva + i)) == 0)
            return i;
    }
    return -1;
}

/* Runs in calls taking a descriptor: the open file, or 0. */
static struct file *fd_file(uint64_t fd)
{
    return fd < NOFILE ? myproc()->ofile[fd] : 0;
}

/* Runs in open, dup, pipe: the lowest free descriptor for f, or -1. */
static int fd_alloc(struct file *f)
{
    struct proc *p = myproc();
    for (int fd = 0; fd < NOFILE; fd++)
        if (!p->ofile[fd]) {
            p->ofile[fd] = f;
            return fd;
        }
    return -1;
}

/* fork(): a copy of the caller; 0 in the child. */
static int64_t sys_fork(struct trapframe *tf) { (void)tf; return proc_fork(); }

/* exit(status): never returns to the caller. */
static int64_t sys_exit(struct trapframe *tf) { proc_exit((int)ARG(0)); }

/* wait(&status, nohang): status pointer may be 0. */
static int64_t sys_wait(struct trapframe *tf)
{
    int status = 0;
    uint64_t ustatus = ARG(0);
    if (ustatus && !user_ok(ustatus, sizeof status, 1))
        return -1;
    int pid = proc_wait(&status, (int)ARG(1));
    if (pid > 0 && ustatus)
        *(int *)ustatus = status;
    return pid;
}

/* pipe(fds): fds[0] reads, fds[1] writes. */
static int64_t sys_pipe(struct trapframe *tf)
{
    uint64_t ufds = ARG(0);
    struct file *rf, *wf;
    if (!user_ok(ufds, 2 * sizeof(int), 1) || pipe_alloc(&rf, &wf) < 0)
        return -1;
    int r = fd_alloc(rf), w = r >= 0 ? fd_alloc(wf) : -1;
    if (w < 0) {
        if (r >= 0)
            myproc()->ofile[r] = 0;
        file_close(rf);
        file_close(wf);
        return -1;
    }
    ((int *)ufds)[0] = r;
    ((int *)ufds)[1] = w;
    return 0;
}

/* read(fd, buf, n) */
static int64_t sys_read(struct trapframe *tf)
{
    struct file *f = fd_file(ARG(0));
    uint64_t buf = ARG(1), n = ARG(2);
    if (!f || n > (1 << 20) || !user_ok(buf, n, 1))
        return -1;
    return file_read(f, (char *)buf, (int)n);
}

/* write(fd, buf, n) */
static int64_t sys_write(struct trapframe *tf)
{
    struct file *f = fd_file(ARG(0));
    uint64_t buf = ARG(1), n = ARG(2);
    if (!f || n > (1 << 20) || !user_ok(buf, n, 0))
        return -1;
    return file_write(f, (const char *)buf, (int)n);
}

/* close(fd) */
static int64_t sys_close(struct trapframe *tf)
{
    struct file *f = fd_file(ARG(0));
    if (!f)
        return -1;
    myproc()->ofile[ARG(0)] = 0;
    file_close(f);
    return 0;
}

/* dup(fd) */
static int64_t sys_dup(struct trapframe *tf)
{
    struct file *f = fd_file(ARG(0));
    int fd;
    if (!f || (fd = fd_alloc(f)) < 0)
        return -1;
    file_dup(f);
    return fd;
}

/* kill(pid): the target exits the next time it enters the kernel. */
static int64_t sys_kill(struct trapframe *tf) { return proc_kill((int)ARG(0)); }

/* exec(path, argv) */
static int64_t sys_exec(struct trapframe *tf)
{
    char path[PATHMAX];
    if (fetch_str(ARG(0), path, sizeof path) < 0)
        return -1;
    return proc_exec(path, (char **)ARG(1));
}

/* fstat(fd, &st) */
static int64_t sys_fstat(struct trapframe *tf)
{
    struct file *f = fd_file(ARG(0));
    uint64_t st = ARG(1);
    if (!f || !user_ok(st, sizeof(struct stat), 1))
        return -1;
    return file_stat(f, (struct stat *)st);
}

/* chdir(path) */
static int64_t sys_chdir(struct trapframe *tf)
{
    char path[PATHMAX];
    struct proc *p = myproc();
    if (fetch_str(ARG(0), path, sizeof path) < 0)
        return -1;
    begin_op();
    struct inode *ip = namei(path);
    if (!ip || inode_type(ip) != T_DIR) {
        if (ip)
            iput(ip);
        end_op();
        return -1;
    }
    if (p->cwd)
        iput(p->cwd);
    p->cwd = ip;
    end_op();
    return 0;
}

/* getpid() */
static int64_t sys_getpid(struct trapframe *tf) { (void)tf; return myproc()->pid; }

/* sbrk(n): grow the heap; the old end. */
static int64_t sys_sbrk(struct trapframe *tf) { return proc_sbrk((int64_t)ARG(0)); }

/* sleep(n): wait n clock ticks. */
static int64_t sys_sleep(struct trapframe *tf)
{
    uint64_t start = ticks;
    while (ticks - start < ARG(0)) {
        if (myproc()->killed)
            return -1;
        sleep((void *)&ticks);
    }
    return 0;
}

/* uptime(): clock ticks since boot. */
static int64_t sys_uptime(struct trapframe *tf) { (void)tf; return (int64_t)ticks; }

/* open(path, flags) */
static int64_t sys_open(struct trapframe *tf)
{
    char path[PATHMAX];
    int flags = (int)ARG(1);
    int writable = (flags & (O_WRONLY | O_RDWR)) != 0;
    if (fetch_str(ARG(0), path, sizeof path) < 0 || !fs_mounted())
        return -1;
    if ((writable || (flags & O_CREATE)) && disk_read_only())
        return -1;
    begin_op();
    struct inode *ip = (flags & O_CREATE) ? fs_create(path, T_FILE) : namei(path);
    if (!ip || (inode_type(ip) == T_DIR && writable)) {
        if (ip)
            iput(ip);
        end_op();
        return -1;
    }
    if ((flags & O_TRUNC) && inode_type(ip) == T_FILE)
        itrunc(ip);
    end_op();
    struct file *f = file_inode(ip, !(flags & O_WRONLY), writable, (flags & O_APPEND) != 0);
    int fd = f ? fd_alloc(f) : -1;
    if (fd < 0) {
        if (f)
            file_close(f);
        else {
            begin_op();
            iput(ip);
            end_op();
        }
        return -1;
    }
    return fd;
}

/* unlink(path): -1 no such entry, -2 a directory that is not empty. */
static int64_t sys_unlink(struct trapframe *tf)
{
    char path[PATHMAX];
    if (fetch_str(ARG(0), path, sizeof path) < 0 || !fs_mounted() || disk_read_only())
        return -1;
    begin_op();
    int r = fs_unlink(path);
    end_op();
    return r;
}

/* mkdir(path) */
static int64_t sys_mkdir(struct trapframe *tf)
{
    char path[PATHMAX];
    if (fetch_str(ARG(0), path, sizeof path) < 0 || !fs_mounted() || disk_read_only())
        return -1;
    begin_op();
    struct inode *ip = fs_create(path, T_DIR);
    if (ip)
        iput(ip);
    end_op();
    return ip ? 0 : -1;
}

/* poweroff(code): turn the machine off. */
static int64_t sys_poweroff(struct trapframe *tf) { shutdown((int)ARG(0)); }

/* yield(): let another runnable process have the CPU. */
static int64_t sys_yield(struct trapframe *tf) { (void)tf; yield(); return 0; }

/* procinfo(slot, &info): one row of the process table, for ps. */
static int64_t sys_procinfo(struct trapframe *tf)
{
    uint64_t slot = ARG(0), uinfo = ARG(1);
    if (slot >= NPROC)
        return -1;
    if (!user_ok(uinfo, sizeof(struct procinfo), 1))
        return -1;
    struct proc *p = &proctab[slot];
    struct procinfo *pi = (struct procinfo *)uinfo;
    memset(pi, 0, sizeof *pi);
    pi->state = p->state;
    if (p->state == UNUSED)
        return 0;
    pi->pid = p->pid;
    pi->ppid = p->parent ? p->parent->pid : 0;
    pi->pgid = p->pgid;
    memcpy(pi->name, p->name, sizeof pi->name);
    pi->ticks = ticks - p->start_ticks;
    pi->preempted = p->preempted;
    pi->syscalls = p->syscalls;
    pi->memory = p->sz + USER_STACK_PAGES * PGSIZE;
    return 0;
}

/* setfg(pid): pid becomes a job of its own and the one Ctrl-C kills;
 * setfg(0) gives the terminal back to the caller's job. */
static int64_t sys_setfg(struct trapframe *tf)
{
    int pid = (int)ARG(0);
    if (pid == 0) {
        console_set_fg(myproc()->pgid);
        return 0;
    }
    for (int i = 0; i < NPROC; i++)
        if (proctab[i].pid == pid && proctab[i].state != UNUSED) {
            proctab[i].pgid = pid;
            console_set_fg(pid);
            return 0;
        }
    return -1;
}

/* lastfault(&info): the last user exception the kernel handled. */
static int64_t sys_lastfault(struct trapframe *tf)
{
    uint64_t u = ARG(0);
    if (!user_ok(u, sizeof(struct ufaultinfo), 1))
        return -1;
    struct ufaultinfo *fi = (struct ufaultinfo *)u;
    fi->pid = lastfault.pid;
    fi->cause = lastfault.cause;
    fi->pc = lastfault.pc;
    fi->addr = lastfault.addr;
    memcpy(fi->what, lastfault.what, sizeof fi->what);
    return 0;
}

/* sysinfo(&info): kernel counters. */
static int64_t sys_sysinfo(struct trapframe *tf)
{
    uint64_t u = ARG(0);
    if (!user_ok(u, sizeof(struct sysinfo), 1))
        return -1;
    struct sysinfo *si = (struct sysinfo *)u;
    si->ticks = ticks;
    si->tick_hz = TICKS_PER_SECOND;
    si->timebase = arch_timebase();
    si->time = arch_time();
    si->syscalls = stats.syscalls;
    si->preemptions = stats.preemptions;
    si->switches = stats.switches;
    si->uart_irqs = stats.uart_irqs;
    si->faults = stats.faults;
    si->free_pages = kalloc_free_pages();
    si->log_commits = log_commits;
    si->instret = arch_instret();
    fs_stats(&si->fs_free_blocks, &si->fs_blocks);
    return 0;
}

/* disktest(): the raw-disk part of selftest. */
static int64_t sys_disktest(struct trapframe *tf) { (void)tf; return disk_selftest(); }

/* progname(i, buf, n): the name of the i-th program of /bin, for ls. */
static int64_t sys_progname(struct trapframe *tf)
{
    const struct program *pg = program_at((int)ARG(0));
    uint64_t buf = ARG(1), n = ARG(2);
    if (!pg || n == 0 || n > 64 || !user_ok(buf, n, 1))
        return -1;
    strncpy((char *)buf, pg->name, n - 1);
    ((char *)buf)[n - 1] = 0;
    return pg->end - pg->start;
}

static const sysfn systab[] = {
    [SYS_fork] = sys_fork,         [SYS_exit] = sys_exit,         [SYS_wait] = sys_wait,
    [SYS_pipe] = sys_pipe,         [SYS_read] = sys_read,         [SYS_kill] = sys_kill,
    [SYS_exec] = sys_exec,         [SYS_fstat] = sys_fstat,       [SYS_chdir] = sys_chdir,
    [SYS_dup] = sys_dup,           [SYS_getpid] = sys_getpid,     [SYS_sbrk] = sys_sbrk,
    [SYS_sleep] = sys_sleep,       [SYS_uptime] = sys_uptime,     [SYS_open] = sys_open,
    [SYS_write] = sys_write,       [SYS_unlink] = sys_unlink,     [SYS_mkdir] = sys_mkdir,
    [SYS_close] = sys_close,       [SYS_poweroff] = sys_poweroff, [SYS_yield] = sys_yield,
    [SYS_procinfo] = sys_procinfo, [SYS_setfg] = sys_setfg,       [SYS_lastfault] = sys_lastfault,
    [SYS_sysinfo] = sys_sysinfo,   [SYS_disktest] = sys_disktest, [SYS_progname] = sys_progname,
};

/* Runs on every system call from U-mode: the result goes back to the caller. */
void syscall(struct trapframe *tf)
{
    uint64_t n = tf_sysnum(tf);
    stats.syscalls++;
    myproc()->syscalls++;
    if (n < sizeof systab / sizeof systab[0] && systab[n]) {
        tf_set_return(tf, (uint64_t)systab[n](tf));
    } else {
        printf("OS: %s (pid %d) unknown system call %lu\n", myproc()->name, myproc()->pid, n);
        tf_set_return(tf, (uint64_t)-1);
    }
}
