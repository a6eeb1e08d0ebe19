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

/* The portable layer reads and sets user registers only through these. */
static inline uint64_t tf_arg(const struct trapframe *tf, int n) { return tf->x[10 + n]; }
static inline uint64_t tf_sysnum(const struct trapframe *tf) { return tf->x[17]; }
static inline void tf_set_return(struct trapframe *tf, uint64_t v) { tf->x[10] = v; }
static inline uint64_t tf_pc(const struct trapframe *tf) { return tf->epc; }
/* A fresh program: start at pc with this stack and main(arg0, arg1). */
static inline void tf_set_entry(struct trapframe *tf, uint64_t pc, uint64_t stack,
                                uint64_t arg0, uint64_t arg1)
{
    for (int i = 0; i < 32; i++)
        tf->x[i] = 0;
    tf->epc = pc;
    tf->x[2] = stack;
    tf->x[10] = arg0;
    tf->x[11] = arg1;
}

typedef uint64_t *pagetable_t;

/* swtch.S: save the current context in old, resume new. */
void swtch(struct context *old, struct context *new);
/* A new kernel thread: its first swtch() "returns" into fn on stack top. */
static inline void context_init(struct context *c, void (*fn)(void), void *stack_top)
{
    c->ra = (uint64_t)fn;
    c->sp = (uint64_t)stack_top;
}

/* setup.c: boot-time discovery and machine facts */
int arch_init(uint64_t hartid, uint64_t dtb);   /* device tree, UART; 0 ok */
void arch_memory(uint64_t *start, uint64_t *end);/* free RAM after the kernel */
const char *arch_describe(void);                /* one line: hart, RAM, devices */
uint64_t arch_time(void);                       /* the time counter */
uint64_t arch_timebase(void);                   /* its ticks per second */
uint64_t arch_instret(void);

/* trap.c */
void trap_init(void);
void timer_init(void);
void usertrapret(void) __attribute__((noreturn));
void intr_wait(void);                  /* idle: enable interrupts, wfi, disable */

/* vm.c: Sv39; every table shares the kernel's mappings */
void kvm_init(void);
pagetable_t uvm_create(void);
int uvm_map(pagetable_t pt, uint64_t va, uint64_t pa, int exec);
void uvm_free(pagetable_t pt);
int uvm_copy(pagetable_t from, pagetable_t to);
int uvm_check(pagetable_t pt, uint64_t va, uint64_t len, int write);
void vm_switch(pagetable_t pt);        /* 0 = the kernel's own table */

/* uart.c, plic.c, virtio_blk.c, sbi.c */
void uart_init(void);
void uart_putc(char c);
void uart_rx_resume(void);
void plic_init(void);
int virtio_blk_init(void);             /* 0 ok, -1 no usable disk, -2 broken */
int virtio_blk_rw(uint64_t sector, void *buf, uint32_t nsect, int write);
uint64_t virtio_blk_capacity(void);
int virtio_blk_read_only(void);
void sbi_set_timer(uint64_t t);
void sbi_putchar(char c);
void sbi_shutdown(int failure);

/* board.c */
void board_poweroff(int code) __attribute__((noreturn));

#define TICKS_PER_SECOND 100             /* the scheduler tick: 10 ms */
#define USER_BASE        0x40000000UL    /* user VA range: root PTE 1, 1 GiB */
#define USER_TOP         0x80000000UL
#define USER_STACK_PAGES 8
#define USER_STACK_TOP   USER_TOP
#define PGSIZE           4096UL

/* Used only inside the machine-dependent layer. */
void uart_intr(void);
int plic_claim(void);
void plic_complete(int irq);

#endif
