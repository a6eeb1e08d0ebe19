/* S-mode trap handling: system calls, device interrupts, faults. */
#include "riscv.h"
#include "board.h"
#include "arch.h"
#include "../../kernel/kernel.h"

void uservec(void);
void kernelvec(void);
void userret(struct trapframe *tf) __attribute__((noreturn));

/* Runs once at boot: traps taken in S-mode go to kernelvec. */
void trap_init(void)
{
    csr_write(stvec, (uint64_t)kernelvec);
}

/* Runs on every trap: handle an interrupt. Returns 2 for a clock tick, 1 for a
 * device, 0 if the trap was not an interrupt. */
static int devintr(void)
{
    uint64_t scause = csr_read(scause);
    if (!(scause & SCAUSE_INTR))
        return 0;
    switch (scause & 0xff) {
    case IRQ_S_SOFT:            /* the tick that M-mode's timervec forwarded */
        csr_clear(sip, SIP_SSIP);
        clock_tick();
        return 2;
    case IRQ_S_EXT: {
        int irq = plic_claim();
        if (irq == UART0_IRQ)
            uart_intr();
        else if (irq)
            printf("OS: unexpected irq %d\n", irq);
        if (irq)
            plic_complete(irq);
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
            stats.preemptions++;
            yield();                    /* time slice over */
        } else if (d == 0) {
            printf("OS: proc %s pid %d fault scause=0x%lx sepc=0x%lx stval=0x%lx, killed\n",
                   p->name, p->pid, scause, csr_read(sepc), csr_read(stval));
            p->killed = 1;
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
    if (devintr() == 0)
        panic("kernel trap scause=0x%lx sepc=0x%lx stval=0x%lx",
              csr_read(scause), sepc, csr_read(stval));
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
