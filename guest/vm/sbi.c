/* SBI calls, the console (DBCN, or legacy putchar) and poweroff (SRST). */
#include "vm.h"

#define SRST_SHUTDOWN       0
#define SRST_REASON_NONE    0
#define SRST_REASON_FAILURE 1

static int have_dbcn = -1, have_time = -1;
static char line[256];
static unsigned nline;

/* Runs for every SBI request: ecall with the extension in a7, function in a6. */
struct sbiret sbi_call(uint64_t ext, uint64_t fid, uint64_t a0, uint64_t a1, uint64_t a2)
{
    register uint64_t r0 __asm__("a0") = a0;
    register uint64_t r1 __asm__("a1") = a1;
    register uint64_t r2 __asm__("a2") = a2;
    register uint64_t r6 __asm__("a6") = fid;
    register uint64_t r7 __asm__("a7") = ext;
    __asm__ volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
    return (struct sbiret){ (long)r0, (long)r1 };
}

/* Runs once per extension: does the firmware implement it (BASE probe_extension)? */
int sbi_probe(uint64_t ext)
{
    struct sbiret r = sbi_call(SBI_EXT_BASE, 3, ext, 0, 0);
    return r.error == 0 && r.value != 0;
}

/* Runs whenever the program arms its timer: an interrupt at absolute time t. */
void sbi_set_timer(uint64_t t)
{
    if (have_time < 0)
        have_time = sbi_probe(SBI_EXT_TIME);
    if (have_time)
        sbi_call(SBI_EXT_TIME, 0, t, 0, 0);
    else
        sbi_call(SBI_EXT_LEGACY_SET_TIMER, 0, t, 0, 0);
}

/* Runs at each newline, when the line buffer is full, and before poweroff:
 * one DBCN write of the buffered bytes (satp is Bare, so its address is physical). */
void console_flush(void)
{
    if (nline == 0)
        return;
    if (have_dbcn < 0)
        have_dbcn = sbi_probe(SBI_EXT_DBCN);
    unsigned done = 0;
    while (have_dbcn && done < nline) {
        struct sbiret r = sbi_call(SBI_EXT_DBCN, 0, nline - done, (uint64_t)(uintptr_t)(line + done), 0);
        if (r.error != 0 || r.value <= 0)
            break;
        done += (unsigned)r.value;
    }
    for (; done < nline; done++)
        sbi_call(SBI_EXT_LEGACY_PUTCHAR, 0, (uint8_t)line[done], 0, 0);
    nline = 0;
}

/* Called by crt code and the workloads before printing: nothing to set up. */
void uart_init(void) {}

/* Called for every output byte (printk): buffered until a newline. */
void uart_putc(char c)
{
    line[nline++] = c;
    if (c == '\n' || nline == sizeof line)
        console_flush();
}

/* Called to print a NUL-terminated string. */
void uart_puts(const char *s)
{
    while (*s)
        uart_putc(*s++);
}

/* Called when a program ends: SRST shutdown, reason "none" for 0, "system failure"
 * otherwise; the legacy shutdown if SRST is missing; then park. */
void exit(int code)
{
    console_flush();
    if (sbi_probe(SBI_EXT_SRST))
        sbi_call(SBI_EXT_SRST, 0, SRST_SHUTDOWN, code ? SRST_REASON_FAILURE : SRST_REASON_NONE, 0);
    sbi_call(SBI_EXT_LEGACY_SHUTDOWN, 0, 0, 0, 0);
    vm_halt();
}

/* Called to wait forever: no interrupt is enabled, so WFI never returns for good. */
void vm_halt(void)
{
    console_flush();
    csr_clear(sstatus, 1 << 1);
    csr_write(sie, 0);
    for (;;)
        __asm__ volatile("wfi");
}
