/* selftest: checks the kernel's services from user space and prints one line
 * per check, then "selftest: all N checks passed" (exit 0) or "selftest: FAILED". */
#include "ulib.h"

static int failures, checks;

/* Runs after every check. */
static void report(const char *name, int ok, const char *detail)
{
    checks++;
    if (!ok)
        failures++;
    printf("selftest: %s %s%s%s\n", name, ok ? "ok" : "FAILED", detail[0] ? ": " : "", detail);
}

/* Runs in the preemption check's children: spin for n ticks, exit with the
 * number of times the timer preempted us. */
static void spinner(long n)
{
    volatile unsigned long work = 0;
    long start = uptime();
    while (uptime() - start < n)
        for (int i = 0; i < 1000; i++)
            work += (unsigned long)i;
    struct procinfo pi;
    int me = getpid();
    for (int i = 0; procinfo(i, &pi) == 0; i++)
        if (pi.state && pi.pid == me)
            exit(pi.preempted > 100 ? 100 : (int)pi.preempted);
    exit(0);
}

/* Runs as a command: selftest */
int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    char detail[96];
    int status;

    /* the clock */
    long t0 = uptime();
    sleep(3);
    snprintf(detail, sizeof detail, "sleep(3) took %ld ticks", uptime() - t0);
    report("clock", uptime() - t0 >= 3, detail);

    /* fork, exec with arguments, wait and the exit status */
    int pid = fork();
    if (pid == 0) {
        char *ev[] = { "echo", "selftest:", "exec", "echo", "with", "arguments", 0 };
        exec("echo", ev);
        exit(99);
    }
    int w = wait(&status);
    snprintf(detail, sizeof detail, "child %d exited with %d", pid, status);
    report("fork/exec/wait", w == pid && status == 0, detail);

    /* preemption: two spinners share the CPU */
    int a = fork();
    if (a == 0)
        spinner(10);
    int b = fork();
    if (b == 0)
        spinner(10);
    int sa = 0, sb = 0;
    for (int i = 0; i < 2; i++) {
        int p = wait(&status);
        if (p == a)
            sa = status;
        else if (p == b)
            sb = status;
    }
    snprintf(detail, sizeof detail, "preempted %d and %d times", sa, sb);
    report("preemption", sa > 0 && sb > 0, detail);

    /* a pipe between two processes */
    int fds[2];
    char buf[64];
    memset(buf, 0, sizeof buf);
    pipe(fds);
    if (fork() == 0) {
        close(fds[0]);
        write(fds[1], "through the pipe", 16);
        exit(0);
    }
    close(fds[1]);
    long n = 0, r;
    while ((r = read(fds[0], buf + n, sizeof buf - 1 - n)) > 0)
        n += r;
    close(fds[0]);
    wait(&status);
    report("pipe", n == 16 && strcmp(buf, "through the pipe") == 0, "");

    /* a faulting child dies alone */
    pid = fork();
    if (pid == 0) {
        *(volatile int *)0 = 1;
        exit(0);
    }
    wait(&status);
    struct ufaultinfo fi;
    lastfault(&fi);
    snprintf(detail, sizeof detail, "pid %d: %s, status %d", fi.pid, fi.what, status);
    report("fault contained", fi.pid == pid && status == -1, detail);

    /* kill a sleeping child */
    pid = fork();
    if (pid == 0) {
        sleep(100000);
        exit(0);
    }
    yield();
    kill(pid);
    wait(&status);
    report("kill", status == -1, "");

    /* the file system: write, read back, remove */
    struct sysinfo si;
    sysinfo(&si);
    if (si.fs_blocks == 0) {
        report("file system", 1, "skipped (no file system)");
    } else {
        static char data[3000], back[3000];
        for (int i = 0; i < (int)sizeof data; i++)
            data[i] = (char)(i * 31 + 7);
        int fd = open("/selftest.tmp", O_WRONLY | O_CREATE | O_TRUNC);
        int ok = fd >= 0 && write(fd, data, sizeof data) == sizeof data;
        close(fd);
        fd = open("/selftest.tmp", O_RDONLY);
        ok = ok && fd >= 0 && read(fd, back, sizeof back) == sizeof back &&
             memcmp(data, back, sizeof data) == 0;
        close(fd);
        ok = ok && unlink("/selftest.tmp") == 0 && open("/selftest.tmp", O_RDONLY) < 0;
        report("file system", ok, "3000 bytes written, read back, removed");
    }

    /* the raw disk */
    int d = disktest();
    report("disk", d >= 0, d > 0 ? "sector 1 written and verified twice" : "skipped (no file system)");

    if (failures)
        printf("selftest: FAILED (%d of %d checks)\n", failures, checks);
    else
        printf("selftest: all %d checks passed\n", checks);
    return failures ? 1 : 0;
}
