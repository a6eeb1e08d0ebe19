/* Power-off through the SiFive test device (QEMU virt 0x100000). */
#include "rt.h"

#define TEST_PASS 0x5555
#define TEST_FAIL 0x3333

/* Called when a program ends: 0 = success poweroff, otherwise failure with code. */
void exit(int code)
{
    if (code == 0)
        MMIO32(TEST_BASE) = TEST_PASS;
    else
        MMIO32(TEST_BASE) = ((uint32_t)code << 16) | TEST_FAIL;
    /* Only reached on a board without the test device. */
    for (;;)
        __asm__ volatile("wfi");
}

/* Called from crt0 on an M-mode trap nobody expected: print it and fail. */
void crt_unexpected_trap(uint64_t mcause, uint64_t mepc, uint64_t mtval)
{
    printk("\nFATAL: unexpected trap mcause=0x%lx mepc=0x%lx mtval=0x%lx\n",
           mcause, mepc, mtval);
    exit(3);
}
