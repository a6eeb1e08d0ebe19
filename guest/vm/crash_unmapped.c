/* crash_unmapped: prints a marker, then loads from guest-physical 0x40000000, where
 * the virt machine maps nothing. */
#include "vm.h"

#define NOWHERE 0x40000000UL

/* Runs once: the load never completes in a VM. */
int main(void)
{
    printk("CRASH unmapped load from 0x%lx\n", NOWHERE);
    console_flush();
    uint64_t v = MMIO64(NOWHERE);
    printk("CRASH unmapped read 0x%lx\n", v);
    return 5;
}
