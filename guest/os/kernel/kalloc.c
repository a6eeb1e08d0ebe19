/* Physical page allocator: a free list threaded through the freed pages, and the pages never
 * used yet handed out in address order, so that RAM the kernel never needs is never touched
 * (a VM's host backs only the pages its guest touches). */
#include "kernel.h"

struct freepage { struct freepage *next; };
static struct freepage *freelist;
static uint64_t nfree, mem_start, mem_end, unused;

/* Runs once at boot: every page between the kernel and the end of RAM is free
 * (the machine layer says where that is, from the device tree); none is touched here. */
void kalloc_init(void)
{
    arch_memory(&mem_start, &mem_end);
    unused = mem_start;
    nfree = (mem_end - mem_start) / PGSIZE;
}

/* Runs for ps/sysinfo: pages still free. */
uint64_t kalloc_free_pages(void)
{
    return nfree;
}

/* Runs when a page is no longer used (page tables, user memory). */
void kfree(void *pa)
{
    if ((uint64_t)pa % PGSIZE || (uint64_t)pa < mem_start || (uint64_t)pa >= mem_end)
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
        return f;
    }
    if (unused < mem_end) {
        void *p = (void *)unused;
        unused += PGSIZE;
        nfree--;
        return p;
    }
    return 0;
}

/* Runs like kalloc, for pages that must start out zero (page tables, bss). */
void *kalloc_zeroed(void)
{
    void *p = kalloc();
    if (p)
        memset(p, 0, 4096);
    return p;
}
