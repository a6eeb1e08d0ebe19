/* crash_jump: prints a marker, then jumps to an address outside RAM and devices. */
#include "vm.h"

#define GARBAGE 0x4deadbee0UL

/* Runs once: the jump never returns. */
int main(void)
{
    printk("CRASH jump to 0x%lx\n", GARBAGE);
    console_flush();
    ((void (*)(void))GARBAGE)();
    printk("CRASH jump returned\n");
    return 5;
}
