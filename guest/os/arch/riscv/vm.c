/* Sv39 page tables. The kernel identity-maps devices and RAM without the U bit;
 * each process's table shares those kernel subtables (root entries 0 and 2)
 * and owns root entry 1, the user gigabyte at USER_BASE. */
#include "riscv.h"
#include "board.h"
#include "arch.h"
#include "../../kernel/kernel.h"

extern char etext[];
static pagetable_t kernel_pt;

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

/* Runs once at boot: build the kernel table and turn paging on. */
void kvm_init(void)
{
    kernel_pt = kalloc_zeroed();
    uint64_t rw = PTE_R | PTE_W;
    map_range(kernel_pt, TEST_DEV, TEST_DEV, PGSIZE, rw);
    map_range(kernel_pt, PLIC, PLIC, PLIC_SIZE, rw);
    map_range(kernel_pt, UART0, UART0, PGSIZE, rw);
    map_range(kernel_pt, VIRTIO_MMIO, VIRTIO_MMIO, VIRTIO_SLOTS * PGSIZE, rw);
    map_range(kernel_pt, DRAM_BASE, DRAM_BASE, (uint64_t)etext - DRAM_BASE, PTE_R | PTE_X);
    map_range(kernel_pt, (uint64_t)etext, (uint64_t)etext, PHYSTOP - (uint64_t)etext, rw);
    vm_switch(0);
    csr_set(sstatus, SSTATUS_SUM);      /* syscalls read user buffers in place */
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

/* Runs at process creation: map one user page (always U, R, W; X if exec). */
int uvm_map(pagetable_t pt, uint64_t va, uint64_t pa, int exec)
{
    if (VPN(va, 2) != VPN(USER_BASE, 2))
        panic("uvm_map outside user space: 0x%lx", va);
    return map_range(pt, va, pa, PGSIZE, PTE_R | PTE_W | PTE_U | (exec ? PTE_X : 0));
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
    if (va + len < va || va + len > (1UL << 38))
        return 0;
    for (uint64_t a = PGROUND_DOWN(va); a < va + len; a += PGSIZE) {
        uint64_t *pte = walk(pt, a, 0);
        if (!pte || !(*pte & PTE_V) || !(*pte & PTE_U) || (write && !(*pte & PTE_W)))
            return 0;
    }
    return 1;
}
