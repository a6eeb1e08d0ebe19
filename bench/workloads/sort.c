/* sort: quicksort of 1M 32-bit integers; loads, stores, compares, recursion. */
#include "bench.h"

#define EXPECTED 0x3266775cfecd5a36ULL

#define N (1u << 20)

/* Called recursively on [lo, hi]: Hoare partition around the middle element,
 * recursing into the smaller half so the stack stays O(log n). */
static void quicksort(int32_t *a, int64_t lo, int64_t hi)
{
    while (lo < hi) {
        int32_t pivot = a[lo + (hi - lo) / 2];
        int64_t i = lo - 1, j = hi + 1;
        for (;;) {
            do i++; while (a[i] < pivot);
            do j--; while (a[j] > pivot);
            if (i >= j)
                break;
            int32_t t = a[i]; a[i] = a[j]; a[j] = t;
        }
        if (j - lo < hi - j) {
            quicksort(a, lo, j);
            lo = j + 1;
        } else {
            quicksort(a, j + 1, hi);
            hi = j;
        }
    }
}

/* Runs at reset (from crt0): generate, sort, verify, report. */
int main(void)
{
    int32_t *a = (int32_t *)__heap_start;
    uint64_t seed = 12345, h = 0;
    uart_init();
    for (uint32_t i = 0; i < N; i++)
        a[i] = (int32_t)(lcg_next(&seed) >> 32);
    quicksort(a, 0, N - 1);
    for (uint32_t i = 0; i < N; i++) {
        if (i && a[i - 1] > a[i]) {
            printk("BENCH sort NOT SORTED at %u\n", i);
            exit(2);
        }
        h = mix(h, (uint32_t)a[i]);
    }
    bench_report("sort", h, EXPECTED);
}
