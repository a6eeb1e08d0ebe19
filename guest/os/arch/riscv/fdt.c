/* A small flattened-device-tree reader: finds RAM, the UART, the PLIC, the
 * virtio-mmio slots, the test device and the timebase. Cells are read as
 * QEMU virt lays them out (#address-cells = #size-cells = 2). */
#include "board.h"
#include "../../kernel/kernel.h"

#define FDT_MAGIC      0xd00dfeed
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE   2
#define FDT_PROP       3
#define FDT_NOP        4
#define FDT_END        9
#define MAXDEPTH       8

struct board board;

/* What one node said about itself, collected until its end token. */
struct node {
    const char *name;
    const char *compat;
    int compat_len;
    uint64_t reg, size;
    uint64_t irq;
    int is_memory;
};

/* Runs for every number in the tree: device trees are big-endian. */
static uint32_t be32(const void *p)
{
    const uint8_t *b = p;
    return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}

/* Runs for 64-bit cells (two big-endian words). */
static uint64_t be64(const void *p)
{
    return ((uint64_t)be32(p) << 32) | be32((const uint8_t *)p + 4);
}

/* Runs at each node's end: does its compatible list contain want? */
static int compatible(const struct node *n, const char *want)
{
    int i = 0;
    while (i < n->compat_len) {
        if (strcmp(n->compat + i, want) == 0)
            return 1;
        i += (int)strlen(n->compat + i) + 1;
    }
    return 0;
}

/* Runs at each node's end: remember the devices the kernel drives. */
static void classify(const struct node *n)
{
    if (n->is_memory && !board.ram_size) {
        board.ram_base = n->reg;
        board.ram_size = n->size;
    } else if (compatible(n, "ns16550a") && !board.uart) {
        board.uart = n->reg;
        board.uart_irq = n->irq;
    } else if ((compatible(n, "riscv,plic0") || compatible(n, "sifive,plic-1.0.0")) && !board.plic) {
        board.plic = n->reg;
        board.plic_size = n->size;
    } else if (compatible(n, "sifive,test0") && !board.test) {
        board.test = n->reg;
    } else if (compatible(n, "virtio,mmio") && board.nvirtio < MAX_VIRTIO) {
        int i = board.nvirtio++;            /* insertion sort by address */
        while (i > 0 && board.virtio[i - 1] > n->reg) {
            board.virtio[i] = board.virtio[i - 1];
            board.virtio_irq[i] = board.virtio_irq[i - 1];
            i--;
        }
        board.virtio[i] = n->reg;
        board.virtio_irq[i] = n->irq;
    }
}

/* Runs once at boot, before anything else touches RAM beyond the kernel. */
int fdt_parse(uint64_t dtb)
{
    const uint8_t *h = (const uint8_t *)dtb;
    if (!dtb || be32(h) != FDT_MAGIC)
        return -1;
    const uint8_t *p = h + be32(h + 8);
    const char *strings = (const char *)h + be32(h + 12);
    struct node stack[MAXDEPTH];
    int depth = -1;
    board.timebase = 10000000;              /* QEMU virt's, if the tree omits it */

    for (;;) {
        uint32_t tok = be32(p);
        p += 4;
        if (tok == FDT_BEGIN_NODE) {
            const char *name = (const char *)p;
            p += (strlen(name) + 4) & ~3UL;
            if (++depth >= MAXDEPTH)
                return -1;
            memset(&stack[depth], 0, sizeof stack[depth]);
            stack[depth].name = name;
            stack[depth].is_memory = memcmp(name, "memory@", 7) == 0;
        } else if (tok == FDT_PROP) {
            uint32_t len = be32(p), nameoff = be32(p + 4);
            const uint8_t *v = p + 8;
            const char *pname = strings + nameoff;
            struct node *n = &stack[depth];
            if (strcmp(pname, "compatible") == 0) {
                n->compat = (const char *)v;
                n->compat_len = (int)len;
            } else if (strcmp(pname, "reg") == 0 && len >= 16) {
                n->reg = be64(v);
                n->size = be64(v + 8);
            } else if (strcmp(pname, "interrupts") == 0 && len >= 4) {
                n->irq = be32(v);
            } else if (strcmp(pname, "device_type") == 0 && strcmp((const char *)v, "memory") == 0) {
                n->is_memory = 1;
            } else if (strcmp(pname, "timebase-frequency") == 0 && len == 4) {
                board.timebase = be32(v);
            }
            p += 8 + ((len + 3) & ~3U);
        } else if (tok == FDT_END_NODE) {
            if (depth < 0)
                return -1;
            classify(&stack[depth--]);
        } else if (tok == FDT_NOP) {
            continue;
        } else {
            break;                          /* FDT_END or garbage */
        }
    }
    return board.ram_size ? 0 : -1;
}
