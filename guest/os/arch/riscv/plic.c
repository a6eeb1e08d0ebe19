/* PLIC: route the UART's interrupt to this hart's S-mode context
 * (context 2 * hart + 1 on QEMU virt: M and S contexts per hart). */
#include "board.h"
#include "arch.h"

#define PLIC_PRIORITY(irq)  (board.plic + 4 * (irq))
#define PLIC_SENABLE(ctx)   (board.plic + 0x2000 + 0x80 * (ctx))
#define PLIC_THRESH(ctx)    (board.plic + 0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx)     (PLIC_THRESH(ctx) + 4)
#define SCTX                (2 * board.hart + 1)

/* Runs once at boot: priority 1 for the UART, enable it, accept any priority. */
void plic_init(void)
{
    if (!board.plic || !board.uart)
        return;
    MMIO32(PLIC_PRIORITY(board.uart_irq)) = 1;
    MMIO32(PLIC_SENABLE(SCTX) + 4 * (board.uart_irq / 32)) = 1u << (board.uart_irq % 32);
    MMIO32(PLIC_THRESH(SCTX)) = 0;
}

/* Runs on an external interrupt: which source fired (0 = none). */
int plic_claim(void)
{
    return (int)MMIO32(PLIC_CLAIM(SCTX));
}

/* Runs after the device was serviced: the source may interrupt again. */
void plic_complete(int irq)
{
    MMIO32(PLIC_CLAIM(SCTX)) = (uint32_t)irq;
}
