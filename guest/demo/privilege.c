/* privilege: walk through the privilege modes and the ways to move between
 * them, printing each step.
 *
 *   M-mode  reset; delegate some traps to S; arm the timer; mret -> S
 *   S-mode  install a trap vector; sret -> U
 *   U-mode  ecall -> S (system call) -> sret back
 *           spin -> timer interrupt -> M (machine timer cannot be delegated)
 *                   M forwards it as a supervisor software interrupt -> S
 *           csrr mstatus -> illegal instruction -> S skips it
 *           ecall "exit" -> S -> ecall -> M -> power off
 *
 * No paging: PMP lets S and U touch all memory, so U can print to the UART. */
#include "rt.h"
#include "trap.h"

#define INTR (1UL << 63)
#define SYS_HELLO 1
#define SYS_EXIT  2
#define TIMER_DELAY 100000      /* 10 ms at the 10 MHz timebase */

static uint8_t m_stack[4096] __attribute__((aligned(16)));
static uint8_t s_stack[4096] __attribute__((aligned(16)));
static uint8_t u_stack[4096] __attribute__((aligned(16)));
static volatile int tick_seen;

static const char *mode_name(uint64_t m) { return m == 3 ? "M" : m == 1 ? "S" : "U"; }

/* ---------------- U-mode ---------------- */

/* Runs in U-mode: trap into the S-mode kernel. */
static long u_ecall(long nr, long arg)
{
    register long a0 __asm__("a0") = arg;
    register long a7 __asm__("a7") = nr;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a7) : "memory");
    return a0;
}

/* Runs in U-mode, entered by sret from s_main. */
static void u_main(void)
{
    printk("[U] hello from U-mode (user code cannot read any M or S CSR)\n");
    printk("[U] ecall #%d ...\n", SYS_HELLO);
    long r = u_ecall(SYS_HELLO, 7);
    printk("[U] ecall returned %ld\n", r);
    printk("[U] spinning until the timer fires ...\n");
    while (!tick_seen)
        ;
    printk("[U] back in U-mode after the interrupt\n");
    printk("[U] executing csrr mstatus, an M-mode CSR ...\n");
    __asm__ volatile("csrr t0, mstatus" ::: "t0");
    printk("[U] resumed after the illegal instruction\n");
    printk("[U] ecall #%d (exit) ...\n", SYS_EXIT);
    u_ecall(SYS_EXIT, 0);
    for (;;)
        ;
}

/* ---------------- S-mode ---------------- */

/* Runs in S-mode on every trap from U-mode. */
void s_trap(struct frame *f)
{
    uint64_t cause = csr_read(scause), epc = csr_read(sepc);
    const char *from = (csr_read(sstatus) & SSTATUS_SPP) ? "S" : "U";
    if (cause == 8) {
        printk("[S] trap: scause=8 (ecall from %s-mode) sepc=0x%lx a7=%lu a0=%lu\n",
               from, epc, f->x[REG_A7], f->x[REG_A0]);
        csr_write(sepc, epc + 4);               /* return after the ecall */
        if (f->x[REG_A7] == SYS_EXIT) {
            printk("[S] exit requested: ecall to M-mode to power off\n");
            register long a7 __asm__("a7") = 0;
            __asm__ volatile("ecall" :: "r"(a7));
        }
        f->x[REG_A0] = f->x[REG_A0] * 6;        /* the "system call" result */
        printk("[S] sret back to U-mode with a0=%lu\n", f->x[REG_A0]);
    } else if (cause == (INTR | 1)) {
        printk("[S] trap: scause=0x%lx (supervisor software interrupt) from %s-mode, sepc=0x%lx\n",
               cause, from, epc);
        printk("[S] that is the forwarded timer tick; clearing sip.SSIP, sret\n");
        csr_clear(sip, 2);
        tick_seen = 1;
    } else if (cause == 2) {
        printk("[S] trap: scause=2 (illegal instruction) from %s-mode, sepc=0x%lx stval=0x%lx\n",
               from, epc, csr_read(stval));
        printk("[S] skipping the instruction and returning\n");
        csr_write(sepc, epc + 4);
    } else {
        printk("[S] unexpected trap scause=0x%lx sepc=0x%lx\n", cause, epc);
        exit(1);
    }
}

/* Runs in S-mode, entered by mret from main. */
static void __attribute__((noreturn)) s_main(void)
{
    printk("[S] now in S-mode (mret used MPP=S)\n");
    csr_write(stvec, (uintptr_t)s_trap_vector);
    csr_write(sscratch, (uintptr_t)(s_stack + sizeof s_stack));
    csr_set(sie, 2);                            /* accept the forwarded tick */
    csr_clear(sstatus, SSTATUS_SPP);            /* sret goes to U-mode */
    csr_write(sepc, (uintptr_t)u_main);
    printk("[S] stvec set; sret to U-mode (SPP=U)\n");
    __asm__ volatile("mv sp, %0\n\tsret" :: "r"(u_stack + sizeof u_stack));
    __builtin_unreachable();
}

/* ---------------- M-mode ---------------- */

/* Runs in M-mode on traps that stay in M: the timer and the final ecall. */
void m_trap(struct frame *f)
{
    uint64_t cause = csr_read(mcause), epc = csr_read(mepc);
    const char *from = mode_name((csr_read(mstatus) >> 11) & 3);
    (void)f;
    if (cause == (INTR | 7)) {
        printk("[M] trap: mcause=0x%lx (machine timer interrupt) from %s-mode, mepc=0x%lx\n",
               cause, from, epc);
        MMIO64(CLINT_MTIMECMP(0)) = ~0UL;       /* one tick is enough: disarm */
        csr_set(mip, 2);
        printk("[M] forwarding it to S-mode: set mip.SSIP, mret\n");
    } else if (cause == 9) {
        printk("[M] trap: mcause=9 (ecall from %s-mode), mepc=0x%lx\n", from, epc);
        printk("[M] powering off: privilege demo done\n");
        exit(0);
    } else {
        printk("[M] unexpected trap mcause=0x%lx mepc=0x%lx mtval=0x%lx\n",
               cause, epc, csr_read(mtval));
        exit(1);
    }
}

/* Runs first, in M-mode, at reset. */
int main(void)
{
    uart_init();
    printk("[M] reset: running in M-mode at pc=0x80000000, hart %lu\n", csr_read(mhartid));
    pmp_allow_all();
    csr_write(medeleg, (1UL << 8) | (1UL << 2));   /* U ecall, illegal insn -> S */
    csr_write(mideleg, 1UL << 1);                  /* supervisor software irq -> S */
    csr_write(mtvec, (uintptr_t)m_trap_vector);
    csr_write(mscratch, (uintptr_t)(m_stack + sizeof m_stack));
    printk("[M] medeleg=0x%lx mideleg=0x%lx: ecall-from-U and illegal instruction go to S\n",
           csr_read(medeleg), csr_read(mideleg));
    /* M-level interrupts are always enabled while a lower mode runs, so only
     * mie.MTIE is needed, not mstatus.MIE. */
    MMIO64(CLINT_MTIMECMP(0)) = MMIO64(CLINT_MTIME) + TIMER_DELAY;
    csr_set(mie, 1UL << 7);
    printk("[M] timer armed for +10 ms; mret to S-mode\n");
    csr_clear(mstatus, MSTATUS_MPP_MASK);
    csr_set(mstatus, MSTATUS_MPP_S);
    csr_write(mepc, (uintptr_t)s_main);
    __asm__ volatile("mret");
    return 1;
}
