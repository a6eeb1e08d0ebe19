/* crash_storm: prints a marker, then SBI calls and device reads in a tight loop for ever. */
#include "vm.h"

#define RTC_TIME_LOW 0x101000UL     /* goldfish RTC on QEMU virt */

/* Runs once: never returns. */
int main(void)
{
    printk("CRASH storm of SBI calls and device reads\n");
    console_flush();
    for (uint64_t i = 0;; i++) {
        sbi_call(SBI_EXT_BASE, 0, 0, 0, 0);            /* get_spec_version */
        (void)MMIO32(RTC_TIME_LOW);
        if ((i & 1023) == 0)
            sbi_call(SBI_EXT_BASE, 3, SBI_EXT_DBCN, 0, 0);
    }
}
