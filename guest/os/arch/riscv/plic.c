/* PLIC: route UART interrupts to hart 0's S-mode context. */
#include "board.h"
#include "arch.h"

#define PLIC_PRIORITY(irq)  (PLIC + 4 * (irq))
#define PLIC_SENABLE(hart)  (PLIC + 0x2000 + 0x80 * (2 * (hart) + 1))
#define PLIC_STHRESH(hart)  (PLIC + 0x200000 + 0x1000 * (2 * (hart) + 1))
#define PLIC_SCLAIM(hart)   (PLIC_STHRESH(hart) + 4)

/* Runs once at boot: priority 1 for the UART, enable it, accept any priority. */
void plic_init(void)
{
    MMIO32(PLIC_PRIORITY(UART0_IRQ)) = 1;
    MMIO32(PLIC_SENABLE(0)) = 1u << UART0_IRQ;
    MMIO32(PLIC_STHRESH(0)) = 0;
}

/* Runs on an external interrupt: which source fired (0 = none). */
int plic_claim(void)
{
    return (int)MMIO32(PLIC_SCLAIM(0));
}

/* Runs after the device was serviced: the source may interrupt again. */
void plic_complete(int irq)
{
    MMIO32(PLIC_SCLAIM(0)) = (uint32_t)irq;
}
