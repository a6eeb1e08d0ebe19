/* Runtime of the VMM test guests: S-mode programs on SBI (see README.md). */
#ifndef VM_H
#define VM_H

#include "rt.h"

#define VM_MAX_RESV 8

/* What the device tree told the guest at boot (filled before main runs). */
struct vm_info {
    uint64_t hartid;
    uint64_t dtb, dtb_size;          /* the tree itself lives in RAM */
    uint64_t ram_base, ram_size;     /* first /memory node */
    uint64_t timebase;               /* /cpus timebase-frequency, Hz */
    const char *bootargs;            /* /chosen/bootargs, "" if none */
    int nresv;                       /* RAM the firmware keeps (OpenSBI's own, say) */
    uint64_t resv_base[VM_MAX_RESV], resv_size[VM_MAX_RESV];
};
extern struct vm_info vm;

/* Linker symbols: the whole image (code, data, bss, stack) is [start, end). */
extern char __image_start[], __image_end[];

/* SBI (v2.0 binary encoding): a7 = extension, a6 = function. */
#define SBI_EXT_LEGACY_SET_TIMER 0x00
#define SBI_EXT_LEGACY_PUTCHAR   0x01
#define SBI_EXT_LEGACY_SHUTDOWN  0x08
#define SBI_EXT_BASE             0x10
#define SBI_EXT_TIME             0x54494D45
#define SBI_EXT_SRST             0x53525354
#define SBI_EXT_DBCN             0x4442434E

struct sbiret { long error, value; };
struct sbiret sbi_call(uint64_t ext, uint64_t fid, uint64_t a0, uint64_t a1, uint64_t a2);
int sbi_probe(uint64_t ext);
void sbi_set_timer(uint64_t stime);
void console_flush(void);

/* The time CSR (timebase ticks). */
static inline uint64_t rdtime(void) { return csr_read(time); }

/* Does [lo, hi) overlap the image, the device tree or memory the firmware reserved? */
int vm_taken(uint64_t lo, uint64_t hi);

/* Bootargs "key=N" (decimal, or 0x hex): N, or dflt when the key is absent. */
uint64_t vm_arg(const char *key, uint64_t dflt);

/* A program may define this to receive supervisor timer interrupts. */
void vm_on_timer(void);

/* Parks the hart for good: WFI with every interrupt disabled. */
void vm_halt(void) __attribute__((noreturn));

size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int memcmp(const void *a, const void *b, size_t n);
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

int main(void);

#endif
