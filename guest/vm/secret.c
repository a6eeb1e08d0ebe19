/* secret: fills all of its RAM outside its image and stack with SECRET_PATTERN,
 * says how much, then waits in WFI for ever. */
#include "vm.h"
#include "secret.h"

/* Runs for each free range: 64-bit stores of the pattern over [lo, hi). */
static uint64_t fill(uint64_t lo, uint64_t hi)
{
    volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)lo;
    volatile uint64_t *e = (volatile uint64_t *)(uintptr_t)hi;
    while (p < e)
        *p++ = SECRET_PATTERN;
    return hi > lo ? hi - lo : 0;
}

/* Runs once: RAM below and above the image (the device tree is overwritten too). */
int main(void)
{
    uint64_t lo = vm.ram_base, hi = vm.ram_base + vm.ram_size;
    uint64_t img_lo = (uint64_t)(uintptr_t)__image_start, img_hi = (uint64_t)(uintptr_t)__image_end;
    uint64_t n = 0;
    if (img_lo > lo)
        n += fill(lo, img_lo < hi ? img_lo : hi);
    if (img_hi < hi)
        n += fill(img_hi > lo ? img_hi : lo, hi);
    printk("SECRET filled %lu\n", n);
    vm_halt();
}
