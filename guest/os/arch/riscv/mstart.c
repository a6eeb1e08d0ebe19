/* M-mode setup: everything the S-mode kernel cannot do for itself. */
#include <stdint.h>
#include "riscv.h"
#include "board.h"

void kmain(void);
void timervec(void);

/* Scratch area for timervec: three saved registers, &mtimecmp, interval. */
static uint64_t timer_scratch[5];

/* Runs once in M-mode at boot: first timer deadline and the M trap vector. */
static void timer_init(void)
{
    uint64_t interval = TIMEBASE_HZ / TICK_HZ;
    MMIO64(CLINT_MTIMECMP(0)) = MMIO64(CLINT_MTIME) + interval;
    timer_scratch[3] = CLINT_MTIMECMP(0);
    timer_scratch[4] = interval;
    csr_write(mscratch, (uint64_t)timer_scratch);
    csr_write(mtvec, (uint64_t)timervec);
    csr_set(mie, MIE_MTIE);
    csr_set(mstatus, MSTATUS_MIE);  /* M interrupts fire even while S/U run */
}

/* Runs once in M-mode from _entry: hand the machine over to the S-mode kernel. */
void mstart(void)
{
    /* mret will "return" to kmain in S-mode with paging off */
    csr_clear(mstatus, MSTATUS_MPP_MASK);
    csr_set(mstatus, MSTATUS_MPP_S);
    csr_write(mepc, (uint64_t)kmain);
    csr_write(satp, 0);

    /* All exceptions except ecalls from S/M, and all S-level interrupts, go
     * straight to S-mode; M-mode keeps only its timer. */
    csr_write(medeleg, 0xb1ff);
    csr_write(mideleg, (1 << 1) | (1 << 5) | (1 << 9));
    csr_set(sie, SIE_SSIE | SIE_SEIE);

    /* Without a PMP entry QEMU denies S/U every access: allow all of memory. */
    csr_write(pmpaddr0, 0x3fffffffffffffUL);
    csr_write(pmpcfg0, 0xf);

    csr_write(mcounteren, 7);       /* S/U may read time, cycle, instret */
    timer_init();
    __asm__ volatile("mret");
}

/* Runs in M-mode on any trap other than the timer: nothing sensible to do. */
void mfatal(uint64_t mcause, uint64_t mepc, uint64_t mtval)
{
    const char *msg = "\nOS: PANIC unexpected M-mode trap, mcause/mepc/mtval:";
    while (*msg)
        MMIO8(UART0) = *msg++;
    uint64_t v[3] = { mcause, mepc, mtval };
    for (int i = 0; i < 3; i++) {
        MMIO8(UART0) = ' ';
        for (int s = 60; s >= 0; s -= 4)
            MMIO8(UART0) = "0123456789abcdef"[(v[i] >> s) & 15];
    }
    MMIO8(UART0) = '\n';
    MMIO32(TEST_DEV) = (9 << 16) | 0x3333;
    for (;;)
        ;
}
