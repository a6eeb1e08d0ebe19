/* secret: fills all of its RAM outside its image and stack (and memory the firmware
 * reserved) with SECRET_PATTERN, says how much, then waits in WFI for ever. */
#include "vm.h"
#include "secret.h"

/* Runs once: page by page over RAM; the device tree is overwritten too (it is read). */
int main(void)
{
    uint64_t base = vm.ram_base, end = vm.ram_base + vm.ram_size, n = 0;
    vm.dtb_size = 0;                        /* vm_taken: the tree's pages are filled too */
    for (uint64_t a = base & ~(PAGE - 1); a < end; a += PAGE) {
        if (a < base || vm_taken(a, a + PAGE))
            continue;
        volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)a;
        for (unsigned i = 0; i < PAGE / 8; i++)
            p[i] = SECRET_PATTERN;
        n += PAGE;
    }
    printk("SECRET filled %lu\n", n);
    vm_halt();
}
