/* crash_spin: prints a marker, arms a timer it will never take, clears sstatus.SIE
 * and spins for ever. */
#include "vm.h"

/* Runs once: never returns. */
int main(void)
{
    printk("CRASH spin with interrupts off\n");
    console_flush();
    csr_clear(sstatus, 1 << 1);
    csr_set(sie, 1 << 5);
    sbi_set_timer(rdtime() + vm.timebase / 100);
    for (volatile uint64_t i = 0;; i++)
        ;
}
