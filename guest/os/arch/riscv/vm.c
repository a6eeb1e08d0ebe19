/* Sv39 page tables. The kernel identity-maps devices and RAM without the U bit;
 * each process's table shares those kernel subtables (root entries 0 and 2)
 * and owns root entry 1, the user gigabyte at USER_BASE. */
#include "riscv.h"
#include "board.h"
#include "arch.h"
#include "../../kernel/kernel.h"

extern char etext[], _entry[];
static pagetable_t kernel_pt;

#define MEGA (2UL << 20)

/* Runs on every map/lookup: the level-0 PTE for va, creating tables if asked. */
static uint64_t *walk(pagetable_t pt, uint64_t va, int alloc)
{
    for (int level = 2; level > 0; level--) {
        uint64_t *pte = &pt[VPN(va, level)];
        if (*pte & PTE_V) {
            pt = (pagetable_t)PTE_PA(*pte);
        } else {
            if (!alloc || (pt = kalloc_zeroed()) == 0)
                return 0;
            *pte = PA_PTE(pt) | PTE_V;
        }
    }
    return &pt[VPN(va, 0)];
}

/* Runs at boot and process creation: map [va, va+size) to pa with perm. A and D
 * are preset so hardware never needs to update them. */
static int map_range(pagetable_t pt, uint64_t va, uint64_t pa, uint64_t size, uint64_t perm)
{
    for (uint64_t off = 0; off < size; off += PGSIZE) {
        uint64_t *pte = walk(pt, va + off, 1);
        if (!pte)
            return -1;
        if (*pte & PTE_V)
            panic("remap va=0x%lx", va + off);
        *pte = PA_PTE(pa + off) | perm | PTE_V | PTE_A | PTE_D;
    }
    return 0;
}

/* Runs once at boot: a 2 MiB leaf in the level-1 table for va (RAM beyond the
 * kernel image, so that mapping a gigabyte stays cheap). */
static void map_mega(pagetable_t pt, uint64_t va, uint64_t perm)
{
    uint64_t *pte = &pt[VPN(va, 2)];
    pagetable_t l1;
    if (*pte & PTE_V) {
        l1 = (pagetable_t)PTE_PA(*pte);
    } else {
        l1 = kalloc_zeroed();
        *pte = PA_PTE(l1) | PTE_V;
    }
    l1[VPN(va, 1)] = PA_PTE(va) | perm | PTE_V | PTE_A | PTE_D;
}

/* Runs once at boot: map one device window (whole pages). */
static void map_device(uint64_t base, uint64_t size)
{
    if (base)
        map_range(kernel_pt, PGROUND_DOWN(base), PGROUND_DOWN(base), PGROUND_UP(size), PTE_R | PTE_W);
}

/* Runs once at boot: build the kernel table from what the device tree listed
 * (devices, and RAM from the kernel to the end of memory) and turn paging on. */
void kvm_init(void)
{
    kernel_pt = kalloc_zeroed();
    uint64_t rw = PTE_R | PTE_W, start, stop;
    map_device(board.test, PGSIZE);
    map_device(board.plic, board.plic_size);
    map_device(board.uart, PGSIZE);
    for (int i = 0; i < board.nvirtio; i++)
        map_device(board.virtio[i], PGSIZE);
    arch_memory(&start, &stop);
    uint64_t kbase = (uint64_t)_entry;
    map_range(kernel_pt, kbase, kbase, (uint64_t)etext - kbase, PTE_R | PTE_X);
    uint64_t a = (uint64_t)etext;
    uint64_t mega_start = (a + MEGA - 1) & ~(MEGA - 1), mega_stop = stop & ~(MEGA - 1);
    if (mega_start > stop)
        mega_start = mega_stop = stop;
    map_range(kernel_pt, a, a, mega_start - a, rw);
    for (a = mega_start; a < mega_stop; a += MEGA)
        map_mega(kernel_pt, a, rw);
    map_range(kernel_pt, mega_stop, mega_stop, stop - mega_stop, rw);
    vm_switch(0);
}

/* Runs when the scheduler switches address spaces (0 = kernel table). */
void vm_switch(pagetable_t pt)
{
    csr_write(satp, SATP_SV39(pt ? pt : kernel_pt));
    __asm__ volatile("sfence.vma zero, zero");
}

/* Runs at process creation: an empty user space sharing the kernel mappings. */
pagetable_t uvm_create(void)
{
    pagetable_t pt = kalloc_zeroed();
    if (pt) {
        pt[0] = kernel_pt[0];
        pt[2] = kernel_pt[2];
    }
    return pt;
}

/* Runs at exec and sbrk: map one user page (always U, R, W; X if exec). */
int uvm_map(pagetable_t pt, uint64_t va, uint64_t pa, int exec)
{
    if (VPN(va, 2) != VPN(USER_BASE, 2))
        panic("uvm_map outside user space: 0x%lx", va);
    return map_range(pt, va, pa, PGSIZE, PTE_R | PTE_W | PTE_U | (exec ? PTE_X : 0));
}

/* Runs in fork(): give to a copy of every user page of from; -1 when out of memory. */
int uvm_copy(pagetable_t from, pagetable_t to)
{
    uint64_t l2 = from[VPN(USER_BASE, 2)];
    if (!(l2 & PTE_V))
        return 0;
    pagetable_t l1 = (pagetable_t)PTE_PA(l2);
    for (uint64_t i = 0; i < 512; i++) {
        if (!(l1[i] & PTE_V))
            continue;
        pagetable_t l0 = (pagetable_t)PTE_PA(l1[i]);
        for (uint64_t j = 0; j < 512; j++) {
            if (!(l0[j] & PTE_V))
                continue;
            uint64_t va = USER_BASE + (i << 21) + (j << 12);
            void *page = kalloc();
            if (!page)
                return -1;
            memcpy(page, (void *)PTE_PA(l0[j]), PGSIZE);
            if (uvm_map(to, va, (uint64_t)page, (l0[j] & PTE_X) != 0) < 0) {
                kfree(page);
                return -1;
            }
        }
    }
    return 0;
}

/* Runs when a zombie is reaped: free the user gigabyte's pages and tables. */
void uvm_free(pagetable_t pt)
{
    uint64_t l2 = pt[VPN(USER_BASE, 2)];
    if (l2 & PTE_V) {
        pagetable_t l1 = (pagetable_t)PTE_PA(l2);
        for (int i = 0; i < 512; i++) {
            if (!(l1[i] & PTE_V))
                continue;
            pagetable_t l0 = (pagetable_t)PTE_PA(l1[i]);
            for (int j = 0; j < 512; j++)
                if (l0[j] & PTE_V)
                    kfree((void *)PTE_PA(l0[j]));
            kfree(l0);
        }
        kfree(l1);
    }
    kfree(pt);
}

/* Runs on syscalls that take user pointers: 1 if [va, va+len) is user memory
 * (and writable if asked), so the kernel may access it directly. */
int uvm_check(pagetable_t pt, uint64_t va, uint64_t len, int write)
{
    if (va < USER_BASE || va + len < va || va + len > USER_TOP)
        return 0;
    for (uint64_t a = PGROUND_DOWN(va); a < va + len; a += PGSIZE) {
        uint64_t *pte = walk(pt, a, 0);
        if (!pte || !(*pte & PTE_V) || !(*pte & PTE_U) || (write && !(*pte & PTE_W)))
            return 0;
    }
    return 1;
}
