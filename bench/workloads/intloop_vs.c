/* intloop_vs: intloop_vm as a guest.  Its S-mode kernel runs in VS-mode and its user program
 * in VU-mode, under vsatp Sv39 (the kernel's own tables) and hgatp Sv39x4 (set up by a small
 * HS-mode harness); U-mode's ecalls are delegated to the guest kernel with hedeleg, so they
 * never leave the guest.  Measures two-stage translation with a warm TLB (the combined
 * translation is cached, a two-stage walk is paid once per page) and traps inside V=1.
 *
 *   M-mode:  PMP, medeleg (the guest's traps reach HS-level), counters -> mret to HS-mode
 *   HS-mode: G-stage identity map in 1 GiB user pages, hgatp, hedeleg, hcounteren -> sret to VS
 *   VS, VU:  intloop_vm's S-mode and U-mode, unchanged */
#define IL_NAME "intloop_vs"
#define IL_OWN_MAIN
#include "intloop_vm.c"

#define HSTATUS_SPV (1UL << 7)

static uint64_t g_root[2048] __attribute__((aligned(16384)));   /* Sv39x4 root: 16 KiB */
static uint8_t hs_stack[4096] __attribute__((aligned(16)));

/* Runs once in HS-mode: guest physical = host physical for devices and DRAM, then enter the
 * guest kernel in VS-mode.  A trap that reaches HS-mode is a failure (s_trap reports it). */
static void __attribute__((noreturn)) hs_main(void)
{
    g_root[0] = PTE_LEAF(0, PTE_R | PTE_W | PTE_U);                       /* 0-1 GiB: devices */
    g_root[2] = PTE_LEAF(0x80000000UL, PTE_R | PTE_W | PTE_X | PTE_U);    /* 2-3 GiB: DRAM */
    csr_write(hgatp, (8UL << 60) | ((uintptr_t)g_root >> 12));
    __asm__ volatile(".word 0x62000073" ::: "memory");                    /* hfence.gvma */
    csr_write(hedeleg, (1UL << 8) | (1UL << 2) | (1UL << 12) | (1UL << 13) | (1UL << 15));
    csr_write(hideleg, 0);
    csr_write(hcounteren, 7);          /* the guest kernel reads instret for the report */
    csr_write(vsatp, 0);
    csr_write(stvec, (uintptr_t)s_trap_vector);
    csr_write(sscratch, (uintptr_t)(hs_stack + sizeof hs_stack));
    csr_set(hstatus, HSTATUS_SPV);     /* sret enters V=1 ... */
    csr_set(sstatus, SSTATUS_SPP);     /* ... in VS-mode */
    csr_write(sepc, (uintptr_t)s_main);
    __asm__ volatile("sret");
    __builtin_unreachable();
}

/* Runs first, in M-mode: delegate what the guest and its hypervisor handle, mret to HS-mode. */
int main(void)
{
    uart_init();
    pmp_allow_all();
    csr_write(medeleg, (1UL << 8) | (1UL << 2) | (1UL << 12) | (1UL << 13) | (1UL << 15)
                           | (1UL << 10) | (1UL << 20) | (1UL << 21) | (1UL << 22) | (1UL << 23));
    csr_write(mideleg, 0);
    csr_write(mcounteren, 7);
    csr_write(scounteren, 0);
    csr_clear(mstatus, MSTATUS_MPP_MASK);
    csr_set(mstatus, MSTATUS_MPP_S);
    csr_write(mepc, (uintptr_t)hs_main);
    __asm__ volatile("mret");
    return 0;
}
