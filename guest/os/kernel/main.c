/* Kernel start-up in S-mode, and the final verdict at shutdown. */
#include "kernel.h"

struct kstats stats;
static int disk_result;     /* 1 passed, 0 no disk, -1 failed */

/* Runs once, in S-mode, entered by mret from mstart(). */
void kmain(void)
{
    uart_init();
    printf("\nOS: boot rvisor teaching OS (S-mode kernel, hart 0)\n");
    trap_init();
    kalloc_init();
    kvm_init();
    printf("OS: paging on (Sv39)\n");
    plic_init();

    /* The tick reaches S-mode only through M-mode's timervec: seeing ticks
     * advance here proves the whole forwarding path. */
    while (ticks < 2)
        intr_wait();
    printf("OS: timer ok (%lu ticks forwarded from M-mode)\n", ticks);

    disk_result = disk_selftest();

    if (proc_spawn("init", 0, 0) < 0)
        panic("cannot start init");
    printf("OS: starting scheduler\n");
    scheduler();
}

/* Runs on the poweroff() system call: print the verdict and turn off. The exit
 * code is init's code, unless a kernel-side test failed. */
void shutdown(int code)
{
    printf("OS: stats ticks=%lu switches=%lu preemptions=%lu syscalls=%lu uart_irqs=%lu\n",
           ticks, stats.switches, stats.preemptions, stats.syscalls, stats.uart_irqs);
    if (code == 0 && disk_result < 0) {
        printf("OS: tests FAILED (disk)\n");
        code = 3;
    } else if (code == 0 && stats.preemptions == 0) {
        printf("OS: tests FAILED (no preemption seen)\n");
        code = 4;
    } else if (code == 0) {
        printf(disk_result ? "OS: all tests passed\n"
                           : "OS: tests passed (disk test skipped: no usable disk)\n");
    } else {
        printf("OS: tests FAILED (code %d)\n", code);
    }
    board_poweroff(code);
}
