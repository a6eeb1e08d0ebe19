/* intloop_vm: the intloop kernel again, but in U-mode under Sv39 paging, with a
 * system call (ecall to S-mode) every IL_CHUNK iterations (~3.5k instructions).
 * Measures the cost of address translation on fetch, traps and sret.
 *
 *   M-mode: PMP, delegation, counters -> mret to S-mode
 *   S-mode: build Sv39 tables, satp, stvec -> sret to U-mode
 *   U-mode: compute; ecall SYS_PROGRESS per chunk; ecall SYS_EXIT at the end */
#include "bench.h"
#include "trap.h"
#include "intloop_kernel.h"

#define EXPECTED 0xdfed8f13c348bd26ULL     /* same result as intloop */
#ifndef IL_NAME
#define IL_NAME "intloop_vm"               /* intloop_vs.c runs this file's kernel in VS/VU */
#endif

#define USER_TEXT __attribute__((section(".user.text"), noinline))
#define USER_DATA __attribute__((section(".user.data")))

#define SYS_PROGRESS 1
#define SYS_EXIT     2

/* Sv39 PTE bits */
#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define PTE_LEAF(pa, flags) ((((uint64_t)(pa) >> 12) << 10) | (flags) | PTE_V | PTE_A | PTE_D)
#define PTE_TABLE(pa) ((((uint64_t)(pa) >> 12) << 10) | PTE_V)

extern char __user_start[], __user_end[], __user_stack_top[];

static uint64_t root[512] __attribute__((aligned(4096)));
static uint64_t l1_dram[512] __attribute__((aligned(4096)));
static uint64_t l0_user[512] __attribute__((aligned(4096)));
static uint8_t s_stack[8192] __attribute__((aligned(16)));
static uint64_t progress_calls;

/* ---------------- U-mode ---------------- */

USER_DATA static volatile uint64_t user_seed = IL_SEED;

/* Runs in U-mode: a system call with one argument. */
static inline __attribute__((always_inline)) uint64_t u_syscall(uint64_t n, uint64_t arg)
{
    register uint64_t a0 __asm__("a0") = arg;
    register uint64_t a7 __asm__("a7") = n;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a7) : "memory");
    return a0;
}

/* Runs in U-mode: the whole user program; never returns. */
USER_TEXT void user_main(void)
{
    struct il_state s = { user_seed, 0 };
    for (uint32_t c = 0; c < IL_CHUNKS; c++) {
        il_run(&s, IL_CHUNK);
        u_syscall(SYS_PROGRESS, c);
    }
    u_syscall(SYS_EXIT, s.acc ^ s.x);
    for (;;)
        ;
}

/* ---------------- S-mode ---------------- */

/* Runs in S-mode on every trap from U-mode (ecall or fault). */
void s_trap(struct frame *f)
{
    uint64_t cause = csr_read(scause);
    if (cause != 8) {
        printk("BENCH " IL_NAME " FATAL scause=0x%lx sepc=0x%lx stval=0x%lx\n",
               cause, csr_read(sepc), csr_read(stval));
        exit(4);
    }
    csr_write(sepc, csr_read(sepc) + 4);    /* resume after the ecall */
    if (f->x[REG_A7] == SYS_PROGRESS) {
        /* the argument is the chunk number, so a lost or repeated trap shows */
        if (f->x[REG_A0] != progress_calls++) {
            printk("BENCH " IL_NAME " FATAL syscall %lu out of order\n", f->x[REG_A0]);
            exit(5);
        }
        f->x[REG_A0] = 0;
    } else if (f->x[REG_A7] == SYS_EXIT) {
        if (progress_calls != IL_CHUNKS) {
            printk("BENCH " IL_NAME " FATAL %lu syscalls\n", progress_calls);
            exit(5);
        }
        bench_report(IL_NAME, f->x[REG_A0], EXPECTED);
    } else {
        printk("BENCH " IL_NAME " FATAL unknown syscall %lu\n", f->x[REG_A7]);
        exit(6);
    }
}

/* Runs once in S-mode: identity-map the kernel (S only) and devices, map the
 * user region with 4 KiB U pages, turn on Sv39 and drop to U-mode. */
static void __attribute__((noreturn, used)) s_main(void)
{
    root[0] = PTE_LEAF(0, PTE_R | PTE_W);              /* 0-1 GiB: UART, test dev */
    root[2] = PTE_TABLE(l1_dram);                      /* 2-3 GiB: DRAM */
    for (int i = 0; i < 64; i++)                       /* 128 MiB in 2 MiB pages */
        l1_dram[i] = PTE_LEAF(0x80000000UL + (i << 21), PTE_R | PTE_W | PTE_X);
    l1_dram[1] = PTE_TABLE(l0_user);                   /* ... except the user 2 MiB */
    for (uintptr_t va = (uintptr_t)__user_start; va < (uintptr_t)__user_end; va += 4096)
        l0_user[(va >> 12) & 511] = PTE_LEAF(va, PTE_R | PTE_W | PTE_X | PTE_U);

    csr_write(satp, (8UL << 60) | ((uintptr_t)root >> 12));
    __asm__ volatile("sfence.vma zero, zero");

    csr_write(stvec, (uintptr_t)s_trap_vector);
    csr_write(sscratch, (uintptr_t)(s_stack + sizeof s_stack));
    csr_clear(sstatus, SSTATUS_SPP);                   /* sret goes to U-mode */
    csr_write(sepc, (uintptr_t)user_main);
    __asm__ volatile("mv sp, %0\n\tsret" :: "r"(__user_stack_top));
    __builtin_unreachable();
}

/* ---------------- M-mode ---------------- */
#ifndef IL_OWN_MAIN

/* Runs first, in M-mode: configure what S and U may do, then mret to S-mode. */
int main(void)
{
    uart_init();
    pmp_allow_all();
    /* U-mode ecalls, illegal instructions and page faults go to S-mode */
    csr_write(medeleg, (1UL << 8) | (1UL << 2) | (1UL << 12) | (1UL << 13) | (1UL << 15));
    csr_write(mideleg, 0);
    csr_write(mcounteren, 7);          /* S-mode may read instret for the report */
    csr_write(scounteren, 0);
    csr_clear(mstatus, MSTATUS_MPP_MASK);
    csr_set(mstatus, MSTATUS_MPP_S);
    csr_write(mepc, (uintptr_t)s_main);
    __asm__ volatile("mret");
    return 0;
}
#endif
