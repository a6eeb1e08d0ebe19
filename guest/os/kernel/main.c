/* Kernel start-up in S-mode, and shutdown. */
#include "kernel.h"

struct kstats stats;

/* Runs once, in S-mode, entered from _entry with the hart id and the device
 * tree that the SBI firmware passed. */
void kmain(uint64_t hartid, uint64_t dtb)
{
    if (arch_init(hartid, dtb) < 0)
        panic("no usable device tree at 0x%lx", dtb);
    printf("\nOS: boot rvisor teaching OS (S-mode on SBI, %s)\n", arch_describe());
    trap_init();
    kalloc_init();
    kvm_init();
    printf("OS: paging on (Sv39), %lu KiB free\n", kalloc_free_pages() * (PGSIZE / 1024));
    plic_init();
    timer_init();

    int d = disk_init();
    if (d > 0)
        fs_init();
    else if (d == 0)
        printf("OS: fs: no disk, no file system\n");

    proc_init_first();
    scheduler();
}

/* Runs on the poweroff() system call and when init exits. */
void shutdown(int code)
{
    printf("OS: poweroff (code %d) after %lu ticks: %lu switches, %lu preemptions, "
           "%lu system calls, %lu faults\n",
           code, ticks, stats.switches, stats.preemptions, stats.syscalls, stats.faults);
    board_poweroff(code);
}
