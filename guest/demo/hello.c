/* hello: the smallest bare-metal program. Runs in M-mode straight from reset,
 * prints who it is, and powers the machine off. */
#include "rt.h"

/* Runs at reset (from crt0), in M-mode. */
int main(void)
{
    uart_init();
    uint64_t misa = csr_read(misa);
    char ext[27];
    int n = 0;
    for (int i = 0; i < 26; i++)        /* misa bit i = extension 'A' + i */
        if (misa & (1UL << i))
            ext[n++] = (char)('a' + i);
    ext[n] = 0;
    printk("Hello from rvisor guest (M-mode, hart %lu)\n", csr_read(mhartid));
    printk("hello: misa = rv%d%s\n", (int)(misa >> 62) == 2 ? 64 : 32, ext);
    printk("hello: powering off through the test device\n");
    return 0;
}
