/* scan: reads all of its RAM and counts the pages that hold SECRET_PATTERN and the pages
 * with any nonzero byte, outside its own image, stack, device tree and reserved memory. */
#include "vm.h"
#include "secret.h"

/* Runs once: the scan, one line, poweroff. */
int main(void)
{
    uint64_t base = vm.ram_base, end = vm.ram_base + vm.ram_size;
    uint64_t pages = 0, secret = 0, nonzero = 0;
    for (uint64_t a = base & ~(PAGE - 1); a < end; a += PAGE) {
        pages++;
        if (vm_taken(a, a + PAGE))
            continue;
        const volatile uint64_t *w = (const volatile uint64_t *)(uintptr_t)a;
        uint64_t any = 0, hit = 0;
        for (unsigned i = 0; i < PAGE / 8; i++) {
            uint64_t v = w[i];
            any |= v;
            hit |= v == SECRET_PATTERN;
        }
        secret += hit;
        nonzero += any != 0;
    }
    printk("SCAN pages=%lu secret=%lu nonzero=%lu\n", pages, secret, nonzero);
    return 0;
}
