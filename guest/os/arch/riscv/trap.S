# S-mode trap entry and exit.
#
# The kernel is mapped (without the U bit) in every process's page table, so
# traps from U-mode need no trampoline: only registers are swapped. While a
# process runs in U-mode, sscratch holds its trapframe and stvec = uservec;
# while the kernel runs, stvec = kernelvec.
    .text

# Entered on any trap from U-mode.
    .globl uservec
    .align 2
uservec:
    csrrw   a0, sscratch, a0        # a0 = trapframe, sscratch = user a0
    sd      x1, 8(a0)
    sd      x2, 16(a0)
    sd      x3, 24(a0)
    sd      x4, 32(a0)
    sd      x5, 40(a0)
    sd      x6, 48(a0)
    sd      x7, 56(a0)
    sd      x8, 64(a0)
    sd      x9, 72(a0)
    sd      x11, 88(a0)
    sd      x12, 96(a0)
    sd      x13, 104(a0)
    sd      x14, 112(a0)
    sd      x15, 120(a0)
    sd      x16, 128(a0)
    sd      x17, 136(a0)
    sd      x18, 144(a0)
    sd      x19, 152(a0)
    sd      x20, 160(a0)
    sd      x21, 168(a0)
    sd      x22, 176(a0)
    sd      x23, 184(a0)
    sd      x24, 192(a0)
    sd      x25, 200(a0)
    sd      x26, 208(a0)
    sd      x27, 216(a0)
    sd      x28, 224(a0)
    sd      x29, 232(a0)
    sd      x30, 240(a0)
    sd      x31, 248(a0)
    csrr    t0, sscratch
    sd      t0, 80(a0)              # user a0
    csrr    t0, sepc
    sd      t0, 256(a0)
    ld      sp, 264(a0)             # onto this process's kernel stack
    call    usertrap                # does not return here

# userret(trapframe): restore user registers and sret to U-mode.
    .globl userret
userret:
    csrw    sscratch, a0            # for the next trap from U-mode
    ld      t0, 256(a0)
    csrw    sepc, t0
    ld      x1, 8(a0)
    ld      x2, 16(a0)
    ld      x3, 24(a0)
    ld      x4, 32(a0)
    ld      x5, 40(a0)
    ld      x6, 48(a0)
    ld      x7, 56(a0)
    ld      x8, 64(a0)
    ld      x9, 72(a0)
    ld      x11, 88(a0)
    ld      x12, 96(a0)
    ld      x13, 104(a0)
    ld      x14, 112(a0)
    ld      x15, 120(a0)
    ld      x16, 128(a0)
    ld      x17, 136(a0)
    ld      x18, 144(a0)
    ld      x19, 152(a0)
    ld      x20, 160(a0)
    ld      x21, 168(a0)
    ld      x22, 176(a0)
    ld      x23, 184(a0)
    ld      x24, 192(a0)
    ld      x25, 200(a0)
    ld      x26, 208(a0)
    ld      x27, 216(a0)
    ld      x28, 224(a0)
    ld      x29, 232(a0)
    ld      x30, 240(a0)
    ld      x31, 248(a0)
    ld      a0, 80(a0)
    sret

# Entered on a trap taken while in S-mode (interrupts in the idle loop, or a
# kernel bug). Saves caller-saved registers on the current kernel stack.
    .globl kernelvec
    .align 2
kernelvec:
    addi    sp, sp, -144
    sd      ra, 0(sp)
    sd      t0, 8(sp)
    sd      t1, 16(sp)
    sd      t2, 24(sp)
    sd      a0, 32(sp)
    sd      a1, 40(sp)
    sd      a2, 48(sp)
    sd      a3, 56(sp)
    sd      a4, 64(sp)
    sd      a5, 72(sp)
    sd      a6, 80(sp)
    sd      a7, 88(sp)
    sd      t3, 96(sp)
    sd      t4, 104(sp)
    sd      t5, 112(sp)
    sd      t6, 120(sp)
    call    kerneltrap
    ld      ra, 0(sp)
    ld      t0, 8(sp)
    ld      t1, 16(sp)
    ld      t2, 24(sp)
    ld      a0, 32(sp)
    ld      a1, 40(sp)
    ld      a2, 48(sp)
    ld      a3, 56(sp)
    ld      a4, 64(sp)
    ld      a5, 72(sp)
    ld      a6, 80(sp)
    ld      a7, 88(sp)
    ld      t3, 96(sp)
    ld      t4, 104(sp)
    ld      t5, 112(sp)
    ld      t6, 120(sp)
    addi    sp, sp, 144
    sret
