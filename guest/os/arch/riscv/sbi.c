/* Calls into the SBI firmware (M-mode, or the VMM): timer, console, power. */
#include "board.h"
#include "arch.h"

#define EXT_LEGACY_PUTCHAR  0x01
#define EXT_LEGACY_SHUTDOWN 0x08
#define EXT_BASE            0x10
#define EXT_TIME            0x54494D45
#define EXT_SRST            0x53525354

struct sbiret { long error, value; };

static int have_time = -1, have_srst = -1;

/* Runs for every SBI request: ecall with the extension in a7, function in a6. */
static struct sbiret sbi_call(uint64_t ext, uint64_t fid, uint64_t a0, uint64_t a1)
{
    register uint64_t r0 __asm__("a0") = a0;
    register uint64_t r1 __asm__("a1") = a1;
    register uint64_t r6 __asm__("a6") = fid;
    register uint64_t r7 __asm__("a7") = ext;
    __asm__ volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r6), "r"(r7) : "memory");
    return (struct sbiret){ (long)r0, (long)r1 };
}

/* Runs once per extension: does the firmware implement it (BASE probe_extension)? */
static int probe(uint64_t ext)
{
    struct sbiret r = sbi_call(EXT_BASE, 3, ext, 0);
    return r.error == 0 && r.value != 0;
}

/* Runs on every clock tick: the next timer interrupt at absolute time t. */
void sbi_set_timer(uint64_t t)
{
    if (have_time < 0)
        have_time = probe(EXT_TIME);
    if (have_time)
        sbi_call(EXT_TIME, 0, t, 0);
    else
        sbi_call(0x00, 0, t, 0);            /* legacy set_timer */
}

/* Runs for console output before the UART is known (early panics). */
void sbi_putchar(char c)
{
    sbi_call(EXT_LEGACY_PUTCHAR, 0, (uint8_t)c, 0);
}

/* Runs at poweroff: system reset, shutdown type, reason 0 (none) or 1 (failure). */
void sbi_shutdown(int failure)
{
    if (have_srst < 0)
        have_srst = probe(EXT_SRST);
    if (have_srst)
        sbi_call(EXT_SRST, 0, 0, failure ? 1 : 0);
    sbi_call(EXT_LEGACY_SHUTDOWN, 0, 0, 0);
}
