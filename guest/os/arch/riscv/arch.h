/* What the portable kernel needs from the machine-dependent layer. */
#ifndef ARCH_H
#define ARCH_H

#include <stdint.h>

/* User registers saved on a trap from U-mode. Offsets are used by trap.S. */
struct trapframe {
    uint64_t x[32];         /* x[i] at 8*i; x[0] unused */
    uint64_t epc;           /* 256: user pc */
    uint64_t kernel_sp;     /* 264: top of this process's kernel stack */
};

/* Callee-saved registers kept across swtch(). */
struct context {
    uint64_t ra, sp, s[12];
};

#define TF_SP 2
#define TF_A0 10
#define TF_A7 17

typedef uint64_t *pagetable_t;

/* swtch.S: save the current context in old, resume new. */
void swtch(struct context *old, struct context *new);

/* trap.c */
void trap_init(void);
void usertrapret(void) __attribute__((noreturn));
void intr_wait(void);                  /* idle: enable interrupts, wfi, disable */

/* vm.c */
void kvm_init(void);
pagetable_t uvm_create(void);
int uvm_map(pagetable_t pt, uint64_t va, uint64_t pa, int writable);
void uvm_free(pagetable_t pt);
int uvm_check(pagetable_t pt, uint64_t va, uint64_t len, int write);
void vm_switch(pagetable_t pt);        /* 0 = the kernel's own table */

/* uart.c, plic.c, virtio_blk.c */
void uart_init(void);
void uart_putc(char c);
void plic_init(void);
int virtio_blk_init(void);             /* 0 ok, -1 no usable disk, -2 broken */
int virtio_blk_rw(uint64_t sector, void *buf, int write);
uint64_t virtio_blk_capacity(void);

/* board.c */
void board_poweroff(int code) __attribute__((noreturn));

#define USER_BASE      0x40000000UL    /* user VA range: root PTE 1, 1 GiB */
#define USER_STACK_TOP 0x40100000UL
#define USER_STACK_PAGES 2

/* Used only inside the machine-dependent layer. */
void uart_intr(void);
int plic_claim(void);
void plic_complete(int irq);

#endif
