/* S-mode trap handling: system calls, timer and device interrupts, faults. */
#include "riscv.h"
#include "board.h"
#include "arch.h"
#include "../../kernel/kernel.h"

void uservec(void);
void kernelvec(void);
void userret(struct trapframe *tf) __attribute__((noreturn));

static uint64_t tick_interval;

/* The exception causes of the privileged spec (scause values 0..15). */
static const char *const exc_names[16] = {
    "instruction address misaligned", "instruction access fault", "illegal instruction",
    "breakpoint", "load address misaligned", "load access fault",
    "store/AMO address misaligned", "store/AMO access fault", "system call from U-mode",
    "system call from S-mode", "cause 10", "cause 11", "instruction page fault",
    "load page fault", "cause 14", "store/AMO page fault",
};

/* Runs once at boot: traps taken in S-mode go to kernelvec. */
void trap_init(void)
{
    csr_write(stvec, (uint64_t)kernelvec);
    csr_set(sstatus, SSTATUS_SUM);      /* syscalls read user buffers in place */
}

/* Runs once at boot: the first timer deadline (through SBI), timer and
 * external interrupts enabled in sie. */
void timer_init(void)
{
    tick_interval = board.timebase / TICK_HZ;
    sbi_set_timer(arch_time() + tick_interval);
    csr_set(sie, SIE_STIE | SIE_SEIE);
}

/* Runs on every trap: handle an interrupt. Returns 2 for a clock tick, 1 for a
 * device, 0 if the trap was not an interrupt. */
static int devintr(void)
{
    uint64_t scause = csr_read(scause);
    if (!(scause & SCAUSE_INTR))
        return 0;
    switch (scause & 0xff) {
    case IRQ_S_TIMER:
        sbi_set_timer(arch_time() + tick_interval);     /* also clears the pending bit */
        clock_tick();
        return 2;
    case IRQ_S_EXT: {
        int irq;
        while ((irq = plic_claim()) != 0) {
            if ((uint64_t)irq == board.uart_irq)
                uart_intr();
            else
                printf("OS: unexpected irq %d\n", irq);
            plic_complete(irq);
        }
        return 1;
    }
    default:
        printf("OS: unexpected interrupt scause=0x%lx\n", scause);
        return 1;
    }
}

/* Runs on every trap from U-mode (entered from uservec on the kernel stack). */
void usertrap(void)
{
    struct proc *p = myproc();
    csr_write(stvec, (uint64_t)kernelvec);

    uint64_t scause = csr_read(scause);
    if (scause == EXC_ECALL_U) {
        p->tf.epc += 4;                 /* return past the ecall */
        syscall(&p->tf);
    } else {
        int d = devintr();
        if (d == 2) {
            p->preempted++;
            stats.preemptions++;
            yield();                    /* time slice over */
        } else if (d == 0) {
            const char *what = scause < 16 ? exc_names[scause] : "unknown exception";
            proc_fault(what, scause, csr_read(sepc), csr_read(stval));
        }
    }
    if (p->killed)
        proc_exit(-1);
    usertrapret();
}

/* Runs at the end of every trap from U-mode and at a process's first start. */
void usertrapret(void)
{
    struct proc *p = myproc();
    intr_off();                         /* until sret, a trap would find stvec wrong */
    csr_write(stvec, (uint64_t)uservec);
    p->tf.kernel_sp = (uint64_t)proc_kstack_top(p);
    csr_clear(sstatus, SSTATUS_SPP);    /* sret to U-mode ... */
    csr_set(sstatus, SSTATUS_SPIE);     /* ... with interrupts enabled there */
    userret(&p->tf);
}

/* Runs on a trap taken in S-mode: only interrupts in the idle loop are expected,
 * since the kernel otherwise runs with interrupts off. */
void kerneltrap(void)
{
    uint64_t sepc = csr_read(sepc), sstatus = csr_read(sstatus);
    uint64_t scause = csr_read(scause);
    if (devintr() == 0)
        panic("kernel trap: %s (scause 0x%lx) at pc 0x%lx, stval 0x%lx",
              scause < 16 ? exc_names[scause] : "unknown", scause, sepc, csr_read(stval));
    csr_write(sepc, sepc);
    csr_write(sstatus, sstatus);
}

/* Runs in the scheduler when nothing is runnable: sleep until an interrupt. */
void intr_wait(void)
{
    intr_on();
    __asm__ volatile("wfi");
    intr_off();
}
