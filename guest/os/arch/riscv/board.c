/* Board control: power off, with an exit code where the board can carry one. */
#include "board.h"
#include "arch.h"

/* Runs at the very end. Success goes through SBI's system reset; a failure code
 * goes to the test device when the device tree has one (QEMU and rvisor exit
 * with that code), else to SBI as a "system failure" shutdown. */
void board_poweroff(int code)
{
    if (code != 0 && board.test)
        MMIO32(board.test) = ((uint32_t)code << 16) | 0x3333;
    sbi_shutdown(code != 0);
    if (board.test)
        MMIO32(board.test) = code == 0 ? 0x5555 : (((uint32_t)code << 16) | 0x3333);
    for (;;)
        __asm__ volatile("wfi");
}
