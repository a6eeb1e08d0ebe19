/* trapdemo: cause each kind of trap a user program can cause and explain, in
 * the course's six steps, what the hardware did and what the kernel did.
 *   trapdemo            every case
 *   trapdemo CASE       one of: syscall illegal privileged load store fetch
 *                       misaligned breakpoint timer */
#include "ulib.h"

typedef void (*trigger_fn)(void);

/* Runs in the child of the "illegal" case: a CSR only S-mode may read. */
static void do_illegal(void) { __asm__ volatile("csrr t0, sstatus" ::: "t0"); }
/* Runs in the child of the "privileged" case: a return-from-trap instruction. */
static void do_privileged(void) { __asm__ volatile("sret"); }
/* Runs in the child of the "load" case: a load from an unmapped page. */
static void do_load(void)
{
    volatile uint64_t *volatile p = (uint64_t *)0x8;
    (void)*p;
}
/* Runs in the child of the "store" case: a store into the kernel's memory. */
static void do_store(void) { *(volatile uint64_t *)0x80200000UL = 1; }
/* Runs in the child of the "fetch" case: a jump into kernel code. */
static void do_fetch(void) { ((void (*)(void))0x80200000UL)(); }
/* Runs in the child of the "misaligned" case: an atomic add at an odd address. */
static void do_misaligned(void)
{
    static uint64_t words[2];
    volatile char *p = (volatile char *)words + 1;
    __asm__ volatile("amoadd.w zero, %1, (%0)" :: "r"(p), "r"(1) : "memory");
}
/* Runs in the child of the "breakpoint" case. */
static void do_breakpoint(void) { __asm__ volatile("ebreak"); }

struct fault_case {
    const char *name, *what, *event;
    trigger_fn fn;
};

static const struct fault_case faults[] = {
    { "illegal", "illegal instruction", "executes csrr sstatus: a CSR that U-mode may not read", do_illegal },
    { "privileged", "illegal instruction", "executes sret: an instruction only S-mode and M-mode may use",
      do_privileged },
    { "load", "load page fault", "loads from address 0x8: no page is mapped there", do_load },
    { "store", "store/AMO page fault", "stores to 0x80200000: kernel memory, its PTE lacks the U bit",
      do_store },
    { "fetch", "instruction page fault", "jumps to 0x80200000: kernel code is not executable in U-mode",
      do_fetch },
    { "misaligned", "store/AMO address misaligned",
      "runs amoadd.w at an odd address (atomics must be aligned)", do_misaligned },
    { "breakpoint", "breakpoint", "executes ebreak (what a debugger plants)", do_breakpoint },
};

/* Runs for every fault case: the child traps, the parent explains. */
static int fault_case(const struct fault_case *c)
{
    printf("trapdemo: %s: the program %s\n", c->name, c->event);
    int pid = fork();
    if (pid == 0) {
        c->fn();
        printf("trapdemo: %s: no trap happened\n", c->name);
        exit(0);
    }
    int status;
    wait(&status);
    struct ufaultinfo fi;
    lastfault(&fi);
    if (fi.pid != pid || status != -1) {
        printf("trapdemo: %s FAILED (no fault seen for pid %d)\n", c->name, pid);
        return 1;
    }
    printf("  1 event     pid %d, U-mode, pc 0x%lx: %s\n", pid, fi.pc, fi.what);
    printf("  2 hardware  saves pc in sepc (0x%lx), cause in scause (%d = %s), the address in stval "
           "(0x%lx), U -> S-mode, interrupts off, jumps to stvec\n", fi.pc, fi.cause, fi.what, fi.addr);
    printf("  3 save      uservec (trap.S) stores the user registers in the process's trapframe and "
           "moves to its kernel stack\n");
    printf("  4 dispatch  usertrap (trap.c) reads scause: an exception, not a system call or an "
           "interrupt\n");
    printf("  5 handle    the kernel cannot repair it: it prints one line and kills pid %d "
           "(wait() gets status %d)\n", pid, status);
    printf("  6 return    the dead process never returns; the scheduler runs the others "
           "(trapdemo, the shell)\n");
    printf("trapdemo: %s ok\n", c->name);
    return 0;
}

/* Runs for the "syscall" case: an ecall that the kernel serves and returns from. */
static int syscall_case(void)
{
    struct sysinfo before, after;
    printf("trapdemo: syscall: the program calls getpid(): a7 = 11, then ecall\n");
    sysinfo(&before);
    int pid = getpid();
    sysinfo(&after);
    printf("  1 event     pid %d executes ecall in U-mode\n", pid);
    printf("  2 hardware  sepc = the ecall's pc, scause = 8 (environment call from U-mode), "
           "U -> S-mode, jumps to stvec\n");
    printf("  3 save      uservec saves the user registers in the trapframe\n");
    printf("  4 dispatch  usertrap: scause 8 is a system call; syscall() looks up a7 in its table\n");
    printf("  5 handle    sys_getpid returns %d in a0; sepc += 4 so the ecall is not repeated "
           "(%lu system calls between the two sysinfo calls)\n", pid, after.syscalls - before.syscalls);
    printf("  6 return    userret restores the registers, sret goes back to U-mode after the ecall\n");
    printf("trapdemo: syscall ok\n");
    return after.syscalls - before.syscalls >= 2 ? 0 : 1;
}

/* Runs for the "timer" case: spin until the clock has interrupted us. */
static int timer_case(void)
{
    struct procinfo pi;
    int me = getpid(), slot = -1;
    uint64_t before = 0, after = 0;
    for (int i = 0; procinfo(i, &pi) == 0; i++)
        if (pi.state && pi.pid == me) {
            slot = i;
            before = pi.preempted;
        }
    printf("trapdemo: timer: the program spins in a loop without any system call\n");
    long start = uptime();
    volatile unsigned long work = 0;
    do {
        for (int i = 0; i < 20000; i++)
            work += (unsigned long)i;
    } while (uptime() - start < 5);
    if (slot >= 0 && procinfo(slot, &pi) == 0)
        after = pi.preempted;
    printf("  1 event     the SBI timer fires every %d ms (stimecmp / sbi_set_timer) while pid %d runs\n",
           1000 / tick_hz(), me);
    printf("  2 hardware  the pending supervisor timer interrupt is taken in U-mode: "
           "scause = 0x8000000000000005, sepc = the interrupted pc, jump to stvec\n");
    printf("  3 save      uservec saves the user registers in the trapframe\n");
    printf("  4 dispatch  usertrap: an interrupt, cause 5 (timer): clock_tick(), the next deadline\n");
    printf("  5 handle    the time slice is over: yield() lets the scheduler run another process\n");
    printf("  6 return    when pid %d is chosen again, sret resumes the loop where it was: "
           "%lu preemptions during the loop\n", me, after - before);
    if (after <= before) {
        printf("trapdemo: timer FAILED (no preemption seen)\n");
        return 1;
    }
    printf("trapdemo: timer ok\n");
    return 0;
}

/* Runs as a command: trapdemo [case] */
int main(int argc, char **argv)
{
    const char *want = argc > 1 ? argv[1] : 0;
    int failed = 0, ran = 0;
    if (!want || strcmp(want, "syscall") == 0) {
        failed += syscall_case();
        ran++;
    }
    for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++)
        if (!want || strcmp(want, faults[i].name) == 0) {
            failed += fault_case(&faults[i]);
            ran++;
        }
    if (!want || strcmp(want, "timer") == 0) {
        failed += timer_case();
        ran++;
    }
    if (!ran) {
        fprintf(2, "usage: trapdemo [syscall|illegal|privileged|load|store|fetch|misaligned|"
                   "breakpoint|timer]\n");
        return 2;
    }
    if (!want)
        printf("trapdemo: %d cases, %d failed\n", ran, failed);
    return failed ? 1 : 0;
}
