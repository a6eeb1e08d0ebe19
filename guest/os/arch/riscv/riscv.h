/* RISC-V privileged-architecture definitions and CSR access helpers. */
#ifndef RISCV_H
#define RISCV_H

#include <stdint.h>

#define csr_read(csr) ({ uint64_t __v; \
    __asm__ volatile("csrr %0, " #csr : "=r"(__v)); __v; })
#define csr_write(csr, val) \
    __asm__ volatile("csrw " #csr ", %0" :: "rK"((uint64_t)(val)))
#define csr_set(csr, val) \
    __asm__ volatile("csrs " #csr ", %0" :: "rK"((uint64_t)(val)))
#define csr_clear(csr, val) \
    __asm__ volatile("csrc " #csr ", %0" :: "rK"((uint64_t)(val)))

#define SSTATUS_SUM      (1UL << 18)   /* S-mode may touch U pages */
#define SSTATUS_SPP      (1UL << 8)
#define SSTATUS_SPIE     (1UL << 5)
#define SSTATUS_SIE      (1UL << 1)

#define SIE_STIE (1UL << 5)
#define SIE_SEIE (1UL << 9)

#define SCAUSE_INTR     (1UL << 63)
#define IRQ_S_TIMER     5
#define IRQ_S_EXT       9
#define EXC_ECALL_U     8

/* Sv39 */
#define PGROUND_DOWN(a) ((a) & ~(PGSIZE - 1))
#define PGROUND_UP(a)   (((a) + PGSIZE - 1) & ~(PGSIZE - 1))
#define PTE_V (1UL << 0)
#define PTE_R (1UL << 1)
#define PTE_W (1UL << 2)
#define PTE_X (1UL << 3)
#define PTE_U (1UL << 4)
#define PTE_A (1UL << 6)
#define PTE_D (1UL << 7)
#define PTE_PA(pte)  (((pte) >> 10) << 12)
#define PA_PTE(pa)   ((((uint64_t)(pa)) >> 12) << 10)
#define VPN(va, level) ((((uint64_t)(va)) >> (12 + 9 * (level))) & 511)
#define SATP_SV39(root) ((8UL << 60) | (((uint64_t)(root)) >> 12))

/* Runs in S-mode: interrupts on/off for the current hart. */
static inline void intr_on(void)  { csr_set(sstatus, SSTATUS_SIE); }
static inline void intr_off(void) { csr_clear(sstatus, SSTATUS_SIE); }

#endif
