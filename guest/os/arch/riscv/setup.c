/* Boot-time discovery: what the device tree says, and facts about the hart. */
#include "riscv.h"
#include "board.h"
#include "arch.h"
#include "../../kernel/kernel.h"

extern char end[];                          /* first byte after the kernel (kernel.ld) */

#define KERNEL_RAM_END 0xC0000000UL         /* the kernel maps one gigabyte of RAM (root PTE 2) */

/* Runs once, first thing in kmain: read the device tree, then bring up the UART. */
int arch_init(uint64_t hartid, uint64_t dtb)
{
    board.hart = (int)hartid;
    if (fdt_parse(dtb) < 0)
        return -1;
    if (board.uart)
        uart_init();
    return 0;
}

/* Runs once when the page allocator starts: RAM from the kernel's end to the
 * end of memory (or of the gigabyte the kernel maps). */
void arch_memory(uint64_t *start, uint64_t *stop)
{
    uint64_t top = board.ram_base + board.ram_size;
    if (top > KERNEL_RAM_END)
        top = KERNEL_RAM_END;
    *start = PGROUND_UP((uint64_t)end);
    *stop = top & ~(PGSIZE - 1);
}

/* Runs once at boot for the banner. */
const char *arch_describe(void)
{
    static char line[160];
    ksnprintf(line, sizeof line, "hart %d, %lu MiB RAM at 0x%lx, uart 0x%lx irq %lu, plic 0x%lx, %d virtio slots",
              board.hart, board.ram_size >> 20, board.ram_base, board.uart, board.uart_irq,
              board.plic, board.nvirtio);
    return line;
}

/* Runs whenever the kernel needs the time (clock ticks, uptime). */
uint64_t arch_time(void)
{
    return csr_read(time);
}

/* Runs when times are converted to seconds. */
uint64_t arch_timebase(void)
{
    return board.timebase;
}

/* Runs when a program asks how many instructions the hart has retired. */
uint64_t arch_instret(void)
{
    return csr_read(instret);
}
