/* Startup of the VMM test guests: device tree, bootargs, traps, small libc. */
#include "vm.h"

#define FDT_MAGIC      0xd00dfeed
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE   2
#define FDT_PROP       3
#define FDT_NOP        4
#define MAXDEPTH       16

#define SCAUSE_INTR    (1UL << 63)
#define IRQ_S_TIMER    5

struct vm_info vm;

/* Runs for every number in the tree: device trees are big-endian. */
static uint32_t be32(const void *p)
{
    const uint8_t *b = p;
    return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}

/* Runs for reg cells: one value of `cells` 32-bit words. */
static uint64_t cells_val(const uint8_t *p, uint32_t cells)
{
    uint64_t v = 0;
    for (uint32_t i = 0; i < cells; i++)
        v = (v << 32) | be32(p + 4 * i);
    return v;
}

/* Runs for each reserved range found in the tree (the header's map, /reserved-memory). */
static void add_resv(uint64_t base, uint64_t size)
{
    if (size && vm.nresv < VM_MAX_RESV) {
        vm.resv_base[vm.nresv] = base;
        vm.resv_size[vm.nresv++] = size;
    }
}

/* Runs once at boot: memory, bootargs, timebase and reserved memory from the flattened tree. */
static int fdt_parse(uint64_t dtb)
{
    const uint8_t *h = (const uint8_t *)(uintptr_t)dtb;
    if (!dtb || be32(h) != FDT_MAGIC)
        return -1;
    vm.dtb_size = be32(h + 4);
    const uint8_t *p = h + be32(h + 8);
    const uint8_t *end = h + vm.dtb_size;
    const char *strings = (const char *)h + be32(h + 12);
    const char *names[MAXDEPTH];
    uint32_t acells = 2, scells = 2;
    int depth = -1;

    for (const uint8_t *r = h + be32(h + 16); r + 16 <= end; r += 16) {
        uint64_t base = cells_val(r, 2), size = cells_val(r + 8, 2);
        if (!base && !size)
            break;
        add_resv(base, size);
    }

    while (p < end) {
        uint32_t tok = be32(p);
        p += 4;
        if (tok == FDT_BEGIN_NODE) {
            const char *name = (const char *)p;
            p += (strlen(name) + 4) & ~3UL;
            if (++depth >= MAXDEPTH)
                return -1;
            names[depth] = name;
        } else if (tok == FDT_PROP) {
            uint32_t len = be32(p), nameoff = be32(p + 4);
            const uint8_t *v = p + 8;
            const char *pn = strings + nameoff;
            const char *node = depth >= 1 ? names[1] : "";
            if (depth == 0 && strcmp(pn, "#address-cells") == 0 && len == 4) {
                acells = be32(v);
            } else if (depth == 0 && strcmp(pn, "#size-cells") == 0 && len == 4) {
                scells = be32(v);
            } else if (depth == 1 && memcmp(node, "memory", 6) == 0 && (node[6] == '@' || !node[6])
                       && strcmp(pn, "reg") == 0 && len >= 4 * (acells + scells) && !vm.ram_size) {
                vm.ram_base = cells_val(v, acells);
                vm.ram_size = cells_val(v + 4 * acells, scells);
            } else if (depth == 1 && strcmp(node, "chosen") == 0 && strcmp(pn, "bootargs") == 0) {
                vm.bootargs = (const char *)v;
            } else if (depth == 2 && strcmp(node, "reserved-memory") == 0 && strcmp(pn, "reg") == 0
                       && len >= 4 * (acells + scells)) {
                add_resv(cells_val(v, acells), cells_val(v + 4 * acells, scells));
            } else if (depth >= 1 && strcmp(node, "cpus") == 0 && strcmp(pn, "timebase-frequency") == 0
                       && len == 4) {
                vm.timebase = be32(v);
            }
            p += 8 + ((len + 3) & ~3U);
        } else if (tok == FDT_END_NODE) {
            if (--depth < -1)
                return -1;
        } else if (tok == FDT_NOP) {
            continue;
        } else {
            break;                          /* FDT_END or garbage */
        }
    }
    return vm.ram_size ? 0 : -1;
}

/* Runs from _start with the firmware's a0/a1: read the tree, then the program. */
void vm_start(uint64_t hartid, uint64_t dtb)
{
    vm.hartid = hartid;
    vm.dtb = dtb;
    vm.timebase = 10000000;                 /* QEMU virt's, if the tree omits it */
    vm.bootargs = "";
    if (fdt_parse(dtb) != 0) {
        printk("FATAL: no usable device tree at 0x%lx\n", dtb);
        exit(4);
    }
    exit(main());
}

/* Runs per page in secret and scan: is [lo, hi) somebody else's or the program's own? */
int vm_taken(uint64_t lo, uint64_t hi)
{
    uint64_t img_lo = (uint64_t)(uintptr_t)__image_start, img_hi = (uint64_t)(uintptr_t)__image_end;
    if (lo < img_hi && img_lo < hi)
        return 1;
    if (lo < vm.dtb + vm.dtb_size && vm.dtb < hi)
        return 1;
    for (int i = 0; i < vm.nresv; i++)
        if (lo < vm.resv_base[i] + vm.resv_size[i] && vm.resv_base[i] < hi)
            return 1;
    return 0;
}

/* Default timer hook for programs without one: disarm, so no interrupt storm. */
__attribute__((weak)) void vm_on_timer(void)
{
    sbi_set_timer(~0UL);
}

/* Runs on every S-mode trap (from vm_trap_entry): timer interrupts go to the
 * program, anything else is reported and ends the run with exit code 3. */
void vm_trap(uint64_t scause, uint64_t sepc, uint64_t stval)
{
    if (scause == (SCAUSE_INTR | IRQ_S_TIMER)) {
        vm_on_timer();
        return;
    }
    printk("\nFATAL: unexpected trap scause=0x%lx sepc=0x%lx stval=0x%lx\n", scause, sepc, stval);
    exit(3);
}

/* Runs when a program reads an option: the value of "key=N" in bootargs. */
uint64_t vm_arg(const char *key, uint64_t dflt)
{
    size_t k = strlen(key);
    const char *s = vm.bootargs;
    while (*s) {
        while (*s == ' ')
            s++;
        if (memcmp(s, key, k) == 0 && s[k] == '=') {
            const char *d = s + k + 1;
            uint64_t v = 0, base = 10;
            if (d[0] == '0' && (d[1] == 'x' || d[1] == 'X')) {
                base = 16;
                d += 2;
            }
            for (;; d++) {
                unsigned c = (unsigned char)*d, digit;
                if (c >= '0' && c <= '9')
                    digit = c - '0';
                else if (base == 16 && (c | 0x20) >= 'a' && (c | 0x20) <= 'f')
                    digit = (c | 0x20) - 'a' + 10;
                else
                    break;
                v = v * base + digit;
            }
            return v;
        }
        while (*s && *s != ' ')
            s++;
    }
    return dflt;
}

/* The few string and memory routines the programs (and gcc) need. */
size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

/* Compares NUL-terminated strings. */
int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}

/* Compares n bytes (stops early at the first difference). */
int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return x[i] - y[i];
    return 0;
}

/* Fills n bytes. */
void *memset(void *d, int c, size_t n)
{
    unsigned char *p = d;
    while (n--)
        *p++ = (unsigned char)c;
    return d;
}

/* Copies n bytes (no overlap). */
void *memcpy(void *d, const void *s, size_t n)
{
    unsigned char *p = d;
    const unsigned char *q = s;
    while (n--)
        *p++ = *q++;
    return d;
}
