/*
 * rvisor's Linux guest: /init, the only program of the initramfs.
 *
 * It mounts proc, sysfs, devtmpfs and tmpfs, prints the boot markers, runs self-checks and prints
 * their results, then powers the machine off -- or, with rvisor.shell=1 on the kernel command line,
 * starts the shell of shell.c on the console.  Markers, one per line:
 *
 *   RVISOR-LINUX-BOOT-OK                          the file systems are mounted
 *   RVISOR-LINUX-CPUS online=N                    CPUs the kernel brought up
 *   RVISOR-LINUX-SMP-OK | RVISOR-LINUX-SMP-FAIL   the cross-CPU atomics check
 *   RVISOR-VDA-SECTOR0 <hex>                      the first 16 bytes of /dev/vda, when there is one
 *   RVISOR-LINUX-SELFTEST-RESULT pass=N fail=M
 *   RVISOR-LINUX-SELFTEST-DONE
 *
 * Each check prints "selftest NAME: ok|FAIL|skipped (details)".  Options (kernel command line):
 * rvisor.memsum_mib=N (memory checksum size, default 4, 0 skips it), rvisor.smp_iters=N (iterations
 * per CPU of the atomics check, default 20000), rvisor.shell=1 (shell instead of power-off).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rvisor.h"

static int passed, failed;
static char cmdline[4096];

/* Runs once at start: reads /proc/cmdline into cmdline. */
static void read_cmdline(void)
{
    int fd = open("/proc/cmdline", O_RDONLY);
    ssize_t n = fd < 0 ? 0 : read(fd, cmdline, sizeof cmdline - 1);
    if (fd >= 0)
        close(fd);
    cmdline[n > 0 ? n : 0] = '\0';
}

/* Runs when an option is looked up: the number after " rvisor.NAME=" in the command line. */
long cmdline_long(const char *name, long def)
{
    char key[64];
    const char *p = cmdline;
    size_t len = (size_t)snprintf(key, sizeof key, "rvisor.%s=", name);
    while ((p = strstr(p, key)) != NULL) {
        if (p == cmdline || p[-1] == ' ')
            return strtol(p + len, NULL, 0);
        p += len;
    }
    return def;
}

/* Runs after every check: prints its line and counts it. */
static void result(const char *name, int ok, const char *fmt, ...)
{
    char detail[512] = "";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    printf("selftest %s: %s%s%s\n", name, ok ? "ok" : "FAIL", detail[0] ? " " : "", detail);
    if (ok)
        passed++;
    else
        failed++;
}

/* Runs at start: one file system on its mount point, a message when that fails. */
static void mount_fs(const char *type, const char *dir)
{
    mkdir(dir, 0755);
    if (mount(type, dir, type, 0, NULL) != 0 && errno != EBUSY)
        printf("init: mount %s on %s failed: %s\n", type, dir, strerror(errno));
}

/* Runs when a file is shown (cpuinfo, the shell's cat): copies it to standard output. */
int cat_file(const char *path)
{
    char buf[1024];
    ssize_t n;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    fflush(stdout);
    while ((n = read(fd, buf, sizeof buf)) > 0)
        if (write(1, buf, (size_t)n) != n)
            break;
    close(fd);
    return n < 0 ? -1 : 0;
}

/* Runs at the end (or on the shell's poweroff): the kernel prints "reboot: Power down" and stops. */
void power_off(void)
{
    fflush(stdout);
    sync();
    reboot(RB_POWER_OFF);
    printf("init: reboot(RB_POWER_OFF) failed: %s\n", strerror(errno));
}

/* Runs as a check: a file written to tmpfs reads back the same. */
static void check_tmpfs(void)
{
    char wbuf[4096], rbuf[sizeof wbuf];
    size_t i;
    int fd, ok = 0;
    for (i = 0; i < sizeof wbuf; i++)
        wbuf[i] = (char)(i * 7 + 3);
    fd = open("/tmp/selftest.bin", O_CREAT | O_TRUNC | O_RDWR, 0644);
    if (fd >= 0 && write(fd, wbuf, sizeof wbuf) == (ssize_t)sizeof wbuf && lseek(fd, 0, SEEK_SET) == 0 &&
        read(fd, rbuf, sizeof rbuf) == (ssize_t)sizeof rbuf)
        ok = memcmp(wbuf, rbuf, sizeof wbuf) == 0;
    if (fd >= 0)
        close(fd);
    unlink("/tmp/selftest.bin");
    result("tmpfs", ok, "(%zu bytes written to /tmp and read back)", sizeof wbuf);
}

/* Runs as a check: fills N MiB with a pattern and sums it back (page faults, zeroing, caches). */
static void check_memsum(void)
{
    long mib = cmdline_long("memsum_mib", 4);
    size_t n, i;
    uint64_t *p, sum = 0, want = 0;
    if (mib <= 0) {
        printf("selftest memsum: skipped (rvisor.memsum_mib=0)\n");
        return;
    }
    n = (size_t)mib << 17; /* 64-bit words in mib MiB */
    p = malloc(n * sizeof *p);
    if (p == NULL) {
        result("memsum", 0, "(malloc of %ld MiB failed)", mib);
        return;
    }
    for (i = 0; i < n; i++)
        p[i] = i * 0x9E3779B97F4A7C15ull;
    for (i = 0; i < n; i++)
        sum += p[i];
    /* the sum of i*K over i < n is K * n(n-1)/2 modulo 2^64 */
    want = 0x9E3779B97F4A7C15ull * (uint64_t)(n / 2) * (uint64_t)(n - 1);
    free(p);
    result("memsum", sum == want, "(%ld MiB, sum=%016llx)", mib, (unsigned long long)sum);
}

/* Runs as a check: double-precision arithmetic in the FPU (Newton's square root of 2, fused multiply-add). */
static void check_fpu(void)
{
    volatile double two = 2.0, x = 1.0;
    double r = x;
    int i;
    for (i = 0; i < 8; i++)
        r = 0.5 * (r + two / r);
    double err = __builtin_fma(r, r, -two);
    result("fpu", err < 1e-15 && err > -1e-15 && r > 1.41421356 && r < 1.41421357, "(sqrt2=%.12f)", r);
}

/* Runs as a check: a forked child writes through a pipe and exits with a code the parent sees. */
static void check_fork(void)
{
    int fds[2], status = 0;
    char buf[32] = "";
    pid_t pid;
    if (pipe(fds) != 0) {
        result("fork", 0, "(pipe: %s)", strerror(errno));
        return;
    }
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        close(fds[0]);
        _exit(write(fds[1], "hello from child", 16) == 16 ? 42 : 1);
    }
    close(fds[1]);
    ssize_t n = pid > 0 ? read(fds[0], buf, sizeof buf - 1) : -1;
    close(fds[0]);
    if (pid > 0)
        waitpid(pid, &status, 0);
    buf[n > 0 ? n : 0] = '\0';
    result("fork", pid > 0 && strcmp(buf, "hello from child") == 0 && WIFEXITED(status) &&
                       WEXITSTATUS(status) == 42,
           "(child %d said \"%s\", exit status %d)", (int)pid, buf, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* Runs at start: the CPUs in /sys/devices/system/cpu/online ("0-3,5"), their numbers into cpus[]. */
static int online_cpus(int *cpus, int max)
{
    char buf[256] = "";
    int n = 0, fd = open("/sys/devices/system/cpu/online", O_RDONLY);
    ssize_t len = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
    if (fd >= 0)
        close(fd);
    if (len > 0) {
        char *p = buf;
        buf[len] = '\0';
        while (*p >= '0' && *p <= '9') {
            long lo = strtol(p, &p, 10), hi = lo;
            if (*p == '-')
                hi = strtol(p + 1, &p, 10);
            for (; lo <= hi && n < max; lo++)
                cpus[n++] = (int)lo;
            if (*p == ',')
                p++;
        }
    }
    if (n == 0) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        for (n = 0; n < c && n < max; n++)
            cpus[n] = n;
    }
    return n;
}

struct smp_shared {
    uint64_t amo;         /* incremented with amoadd.d */
    uint64_t lrsc;        /* incremented with a compare-and-swap loop (lr.d/sc.d) */
    int cpu_before[64];   /* where each child ran before and after its loop */
    int cpu_after[64];
};

/* Runs as a check: one child pinned to each online CPU, all incrementing two shared counters at once. */
static void check_smp(const int *cpus, int ncpu)
{
    long iters = cmdline_long("smp_iters", 20000);
    struct smp_shared *s = mmap(NULL, sizeof *s, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    int gate[2], i, ok = 1, bad_exit = 0, misplaced = 0;
    pid_t pids[64];
    char c;
    if (s == MAP_FAILED || pipe(gate) != 0) {
        result("smp", 0, "(mmap or pipe failed: %s)", strerror(errno));
        printf("RVISOR-LINUX-SMP-FAIL\n");
        return;
    }
    fflush(stdout);
    for (i = 0; i < ncpu; i++) {
        pids[i] = fork();
        if (pids[i] == 0) {
            cpu_set_t set;
            long k;
            close(gate[1]);
            CPU_ZERO(&set);
            CPU_SET(cpus[i], &set);
            if (sched_setaffinity(0, sizeof set, &set) != 0)
                _exit(2);
            s->cpu_before[i] = sched_getcpu();
            if (read(gate[0], &c, 1) != 0) /* blocks until the parent closes the write end */
                _exit(3);
            for (k = 0; k < iters; k++) {
                uint64_t old = __atomic_load_n(&s->lrsc, __ATOMIC_RELAXED);
                __atomic_fetch_add(&s->amo, 1, __ATOMIC_RELAXED);
                while (!__atomic_compare_exchange_n(&s->lrsc, &old, old + 1, 1, __ATOMIC_RELAXED,
                                                    __ATOMIC_RELAXED))
                    ;
            }
            s->cpu_after[i] = sched_getcpu();
            _exit(0);
        }
        if (pids[i] < 0) {
            ncpu = i;
            ok = 0;
            break;
        }
    }
    close(gate[0]);
    close(gate[1]); /* releases every child at once */
    for (i = 0; i < ncpu; i++) {
        int status = 0;
        waitpid(pids[i], &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            bad_exit++;
        else if (s->cpu_before[i] != cpus[i] || s->cpu_after[i] != cpus[i])
            misplaced++;
    }
    uint64_t want = (uint64_t)ncpu * (uint64_t)iters;
    ok = ok && bad_exit == 0 && misplaced == 0 && s->amo == want && s->lrsc == want;
    result("smp", ok, "(%d children pinned one per CPU, %ld iterations each: amoadd=%llu lr/sc=%llu want=%llu, "
           "%d bad exits, %d on the wrong CPU)", ncpu, iters, (unsigned long long)s->amo,
           (unsigned long long)s->lrsc, (unsigned long long)want, bad_exit, misplaced);
    printf("%s\n", ok ? "RVISOR-LINUX-SMP-OK" : "RVISOR-LINUX-SMP-FAIL");
    munmap(s, sizeof *s);
}

/* Runs as a check when there is a disk: the first sector of /dev/vda, its first 16 bytes in hex. */
static void check_vda(void)
{
    unsigned char sec[512];
    char hex[33];
    int i, fd = open("/dev/vda", O_RDONLY);
    if (fd < 0) {
        printf("selftest vda: skipped (no /dev/vda)\n");
        return;
    }
    ssize_t n = read(fd, sec, sizeof sec);
    close(fd);
    if (n != (ssize_t)sizeof sec) {
        result("vda", 0, "(read of sector 0 returned %zd: %s)", n, n < 0 ? strerror(errno) : "short");
        return;
    }
    for (i = 0; i < 16; i++)
        sprintf(hex + 2 * i, "%02x", sec[i]);
    printf("RVISOR-VDA-SECTOR0 %s\n", hex);
    result("vda", 1, "first16=%s", hex);
}

/* Runs as a check when there is an entropy device: 16 bytes from /dev/hwrng. */
static void check_hwrng(void)
{
    unsigned char buf[16];
    char cur[64] = "?";
    int fd = open("/sys/class/misc/hw_random/rng_current", O_RDONLY);
    if (fd >= 0) {
        ssize_t n = read(fd, cur, sizeof cur - 1);
        close(fd);
        cur[n > 0 ? n : 0] = '\0';
        cur[strcspn(cur, "\n")] = '\0';
    }
    fd = open("/dev/hwrng", O_RDONLY);
    if (fd < 0 || strcmp(cur, "none") == 0 || strcmp(cur, "?") == 0) {
        if (fd >= 0)
            close(fd);
        printf("selftest hwrng: skipped (no hw_random device)\n");
        return;
    }
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    result("hwrng", n == (ssize_t)sizeof buf, "(%zd bytes from %s)", n, cur);
}

/* Runs at the end of the checks: the entries of a sysfs class folder on one line. */
static void list_dir(const char *label, const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    printf("%s:", label);
    while (d != NULL && (e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            printf(" %s", e->d_name);
    if (d != NULL)
        closedir(d);
    printf("\n");
}

/* Runs as the first user process (pid 1). */
int main(void)
{
    struct utsname u;
    struct timespec t0, t1;
    int cpus[64], ncpu;

    setvbuf(stdout, NULL, _IOLBF, 0);
    mount_fs("proc", "/proc");
    mount_fs("sysfs", "/sys");
    mount_fs("devtmpfs", "/dev");
    mount_fs("tmpfs", "/tmp");
    mount_fs("tmpfs", "/run");
    read_cmdline();
    printf("\nRVISOR-LINUX-BOOT-OK\n");
    if (uname(&u) == 0)
        printf("init: %s %s %s %s\n", u.sysname, u.release, u.machine, u.version);
    printf("init: command line: %s", cmdline);
    printf("---- /proc/cpuinfo ----\n");
    cat_file("/proc/cpuinfo");
    printf("---- end /proc/cpuinfo ----\n");
    ncpu = online_cpus(cpus, 64);
    printf("RVISOR-LINUX-CPUS online=%d\n", ncpu);

    clock_gettime(CLOCK_MONOTONIC, &t0);
    check_tmpfs();
    check_memsum();
    check_fpu();
    check_fork();
    check_smp(cpus, ncpu);
    check_vda();
    check_hwrng();
    clock_gettime(CLOCK_MONOTONIC, &t1);
    list_dir("block devices", "/sys/class/block");
    list_dir("net devices", "/sys/class/net");
    list_dir("rtc devices", "/sys/class/rtc");
    printf("selftest time: %.3f s\n", (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
    printf("RVISOR-LINUX-SELFTEST-RESULT pass=%d fail=%d\n", passed, failed);
    printf("RVISOR-LINUX-SELFTEST-DONE\n");

    if (cmdline_long("shell", 0) != 0)
        run_shell();
    power_off();
    for (;;)
        pause();
}
