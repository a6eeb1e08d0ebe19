/* Physical page allocator: a free list threaded through the free pages. */
#include "kernel.h"
#include "../arch/riscv/board.h"

extern char end[];          /* first page after the kernel image (kernel.ld) */

struct freepage { struct freepage *next; };
static struct freepage *freelist;
static uint64_t nfree;

/* Runs once at boot: every page between the kernel and the end of RAM is free. */
void kalloc_init(void)
{
    for (uint64_t pa = (uint64_t)end; pa + 4096 <= PHYSTOP; pa += 4096)
        kfree((void *)pa);
    printf("OS: memory %lu KiB free\n", nfree * 4);
}

/* Runs when a page is no longer used (page tables, user memory). */
void kfree(void *pa)
{
    if ((uint64_t)pa % 4096 || (uint64_t)pa < (uint64_t)end || (uint64_t)pa >= PHYSTOP)
        panic("kfree 0x%lx", (uint64_t)pa);
    struct freepage *f = pa;
    f->next = freelist;
    freelist = f;
    nfree++;
}

/* Runs when a page is needed; returns 0 when memory is exhausted. */
void *kalloc(void)
{
    struct freepage *f = freelist;
    if (f) {
        freelist = f->next;
        nfree--;
    }
    return f;
}

/* Runs like kalloc, for pages that must start out zero (page tables, bss). */
void *kalloc_zeroed(void)
{
    void *p = kalloc();
    if (p)
        memset(p, 0, 4096);
    return p;
}
