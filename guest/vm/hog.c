/* hog: CPU-bound guest. "hog.iters=N" xorshift rounds (0 = forever), then its checksum. */
#include "vm.h"

#define DEFAULT_ITERS 40000000UL    /* ~280M instructions: a few seconds on rvisor */

/* Runs once: the work, then "HOG done <checksum>" and poweroff. */
int main(void)
{
    uint64_t iters = vm_arg("hog.iters", DEFAULT_ITERS);
    uint64_t x = 0x9e3779b97f4a7c15ULL, acc = 0;
    printk("HOG start iters=%lu\n", iters);
    for (uint64_t i = 0; iters == 0 || i < iters; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        acc += x ^ i;
    }
    printk("HOG done 0x%016lx\n", acc);
    return 0;
}
