/* Register frame built by the vectors in trap.S. */
#ifndef TRAP_H
#define TRAP_H

#include <stdint.h>

struct frame {
    uint64_t x[32];     /* x[0] unused; x[2] is the interrupted sp */
};

#define REG_A0 10
#define REG_A7 17

void m_trap_vector(void);
void s_trap_vector(void);

/* Handlers the program provides (only the ones whose vector it installs). */
void m_trap(struct frame *f);
void s_trap(struct frame *f);

#define MSTATUS_MPP_MASK (3UL << 11)
#define MSTATUS_MPP_S    (1UL << 11)
#define MSTATUS_MPIE     (1UL << 7)
#define MSTATUS_MIE      (1UL << 3)
#define SSTATUS_SPP      (1UL << 8)
#define SSTATUS_SPIE     (1UL << 5)
#define SSTATUS_SIE      (1UL << 1)

/* Called before leaving M-mode: let S/U access all memory (QEMU enforces PMP
 * for lower modes, and with no entry configured they could touch nothing). */
static inline void pmp_allow_all(void)
{
    __asm__ volatile("csrw pmpaddr0, %0" :: "r"(0x3fffffffffffffULL));
    __asm__ volatile("csrw pmpcfg0, %0" :: "r"(0x0fULL));   /* TOR, R W X */
}

#endif
