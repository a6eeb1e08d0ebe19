/* idle: a timer every 100 ms, WFI in between; "idle.secs=S" then poweroff (0 = forever). */
#include "vm.h"

#define SIE_STIE    (1UL << 5)
#define SSTATUS_SIE (1UL << 1)
#define TICKS_PER_S 10

static volatile uint64_t ticks;
static uint64_t period, deadline;

/* Runs on each supervisor timer interrupt: count it and arm the next one
 * (a fixed rate; after a long gap the next tick is one period from now). */
void vm_on_timer(void)
{
    uint64_t now = rdtime();
    ticks++;
    deadline += period;
    if (deadline <= now)
        deadline = now + period;
    sbi_set_timer(deadline);
}

/* Runs once: arm the timer and sleep; report every 10th tick. */
int main(void)
{
    uint64_t secs = vm_arg("idle.secs", 0);
    uint64_t printed = 0;
    period = vm.timebase / TICKS_PER_S;
    printk("IDLE start secs=%lu\n", secs);
    deadline = rdtime() + period;
    sbi_set_timer(deadline);
    csr_set(sie, SIE_STIE);
    csr_set(sstatus, SSTATUS_SIE);
    for (;;) {
        __asm__ volatile("wfi");
        while (printed + 10 <= ticks) {
            printed += 10;
            printk("IDLE tick %lu\n", printed);
        }
        if (secs && ticks >= secs * TICKS_PER_S)
            break;
    }
    csr_clear(sstatus, SSTATUS_SIE);
    printk("IDLE done ticks=%lu\n", (uint64_t)ticks);
    return 0;
}
