/* scan: reads all of its RAM and counts the pages that hold SECRET_PATTERN and
 * the pages with any nonzero byte, outside its own image, stack and device tree. */
#include "vm.h"
#include "secret.h"

/* Runs per page: does [a, a + PAGE) overlap [lo, hi)? */
static int overlaps(uint64_t a, uint64_t lo, uint64_t hi)
{
    return a < hi && lo < a + PAGE;
}

/* Runs once: the scan, one line, poweroff. */
int main(void)
{
    uint64_t base = vm.ram_base, end = vm.ram_base + vm.ram_size;
    uint64_t img_lo = (uint64_t)(uintptr_t)__image_start, img_hi = (uint64_t)(uintptr_t)__image_end;
    uint64_t pages = 0, secret = 0, nonzero = 0;
    for (uint64_t a = base & ~(PAGE - 1); a < end; a += PAGE) {
        pages++;
        if (overlaps(a, img_lo, img_hi) || overlaps(a, vm.dtb, vm.dtb + vm.dtb_size))
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
