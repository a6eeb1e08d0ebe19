/*
 * Sv39 set-up and the S-mode kernel of the "v" environment.
 *
 * Physical image at 0x80000000 (DRAM).  The kernel sees it identity-mapped by
 * one global gigapage (no U).  The user sees the same image at USER_VA_BASE +
 * offset, through a level-0 table that starts empty: each first touch of a
 * page faults to S, which copies the page into a fresh frame and maps it.
 * Pages with an even index are mapped with A and D clear (the hart either
 * sets them or faults again, and the kernel sets them, as the privileged
 * specification allows both); odd pages are mapped with A and D already set.
 *
 * Exit codes besides the body's: 1100 + scause for a user fault outside the
 * image, 1200 + scause for an unexpected trap to S, 1300 for a page fault on a
 * page whose PTE already allowed the access, 1400 when the frame pool is
 * empty, 1000 + n when the S-mode store of (n << 1) | 1 to tohost did not end
 * the run (the M-mode fallback then ends it).
 */
#include <stdint.h>
#include "../encoding.h"

#define PGSIZE 4096UL
#define DRAM_BASE 0x80000000UL
#define USER_VA_BASE 0x40000000UL
#define NFRAMES 96

extern char _end[];
extern char userstart[];
extern volatile uint64_t tohost;

uint64_t sv39_root[512] __attribute__((aligned(4096)));
static uint64_t user_l1[512] __attribute__((aligned(4096)));
static uint64_t user_l0[512] __attribute__((aligned(4096)));
static char frames[NFRAMES][PGSIZE] __attribute__((aligned(4096)));
static int next_frame;
/* counts kept for the body: faults taken, A/D set by the kernel */
volatile uint64_t vm_stats[4];

#define PPN_PTE(pa) (((uint64_t)(pa) >> 12) << 10)

void vm_build(void)
{
    for (int i = 0; i < 512; i++) {
        sv39_root[i] = 0;
        user_l1[i] = 0;
        user_l0[i] = 0;
    }
    sv39_root[DRAM_BASE >> 30] = PPN_PTE(DRAM_BASE) | PTE_V | PTE_R | PTE_W | PTE_X | PTE_G | PTE_A | PTE_D;
    sv39_root[USER_VA_BASE >> 30] = PPN_PTE(user_l1) | PTE_V;
    user_l1[0] = PPN_PTE(user_l0) | PTE_V;
    next_frame = 0;
}

uint64_t user_entry_va(void)
{
    return USER_VA_BASE + ((uint64_t)userstart - DRAM_BASE);
}

static inline void sfence_page(uint64_t va)
{
    asm volatile("sfence.vma %0, zero" : : "r"(va) : "memory");
}

static void terminate(uint64_t code)
{
    tohost = code;
    for (volatile int i = 0; i < 1000; i++)
        ;
    register uint64_t a0 asm("a0") = (((code >> 1) + 1000) << 1) | 1;
    asm volatile("ecall" : : "r"(a0));
    for (;;)
        ;
}

static void fail_code(uint64_t n)
{
    terminate((n << 1) | 1);
}

static void handle_fault(uint64_t va, uint64_t cause)
{
    uint64_t image = (uint64_t)_end - DRAM_BASE;
    if (va < USER_VA_BASE || va >= USER_VA_BASE + image)
        fail_code(1100 + cause);
    uint64_t idx = (va - USER_VA_BASE) / PGSIZE;
    uint64_t pte = user_l0[idx];
    vm_stats[0]++;
    if (pte & PTE_V) {
        if (!(pte & PTE_A)) {
            pte |= PTE_A;
            if (cause == CAUSE_STORE_PAGE_FAULT)
                pte |= PTE_D;
        } else if (cause == CAUSE_STORE_PAGE_FAULT && !(pte & PTE_D)) {
            pte |= PTE_D;
        } else {
            fail_code(1300);
        }
        vm_stats[1]++;
        user_l0[idx] = pte;
        sfence_page(va);
        return;
    }
    if (next_frame >= NFRAMES)
        fail_code(1400);
    char *frame = frames[next_frame++];
    const char *src = (const char *)(DRAM_BASE + idx * PGSIZE);
    for (unsigned long i = 0; i < PGSIZE; i += 8)
        *(volatile uint64_t *)(frame + i) = *(const uint64_t *)(src + i);
    asm volatile("fence.i" ::: "memory");
    pte = PPN_PTE(frame) | PTE_V | PTE_U | PTE_R | PTE_W | PTE_X;
    if (idx & 1)
        pte |= PTE_A | PTE_D;
    user_l0[idx] = pte;
    sfence_page(va);
}

void handle_trap(uint64_t *regs)
{
    uint64_t cause, tval, epc;
    asm volatile("csrr %0, scause" : "=r"(cause));
    asm volatile("csrr %0, stval" : "=r"(tval));
    asm volatile("csrr %0, sepc" : "=r"(epc));
    if (cause == CAUSE_USER_ECALL) {
        terminate(regs[10]);
    } else if (cause == CAUSE_FETCH_PAGE_FAULT || cause == CAUSE_LOAD_PAGE_FAULT ||
               cause == CAUSE_STORE_PAGE_FAULT) {
        handle_fault(tval, cause);
        return;
    }
    (void)epc;
    fail_code(1200 + cause);
}
