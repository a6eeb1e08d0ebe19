# Trap vectors for bare-metal programs that run code in lower privilege modes
# (the privilege demo, the intloop_vm benchmark).
#
# Each vector swaps sp with its scratch CSR, which holds the top of that mode's
# trap stack, saves all registers in a 256-byte frame (x[i] at 8*i, x[2] = the
# interrupted sp), calls a C handler with a0 = frame, and restores the frame, so
# a handler can change registers (e.g. a syscall result in a0). They are meant
# for traps taken from a *lower* mode: the scratch CSR must hold a valid stack.

    .macro TRAP_VECTOR name, scratch, handler, ret
    .globl \name
    .align 2
\name:
    csrrw   sp, \scratch, sp
    addi    sp, sp, -256
    sd      x1, 8(sp)
    sd      x3, 24(sp)
    sd      x4, 32(sp)
    sd      x5, 40(sp)
    sd      x6, 48(sp)
    sd      x7, 56(sp)
    sd      x8, 64(sp)
    sd      x9, 72(sp)
    sd      x10, 80(sp)
    sd      x11, 88(sp)
    sd      x12, 96(sp)
    sd      x13, 104(sp)
    sd      x14, 112(sp)
    sd      x15, 120(sp)
    sd      x16, 128(sp)
    sd      x17, 136(sp)
    sd      x18, 144(sp)
    sd      x19, 152(sp)
    sd      x20, 160(sp)
    sd      x21, 168(sp)
    sd      x22, 176(sp)
    sd      x23, 184(sp)
    sd      x24, 192(sp)
    sd      x25, 200(sp)
    sd      x26, 208(sp)
    sd      x27, 216(sp)
    sd      x28, 224(sp)
    sd      x29, 232(sp)
    sd      x30, 240(sp)
    sd      x31, 248(sp)
    csrr    t0, \scratch          # the interrupted sp
    sd      t0, 16(sp)
    addi    t0, sp, 256           # scratch = stack top again, for the next trap
    csrw    \scratch, t0

    mv      a0, sp
    call    \handler

    ld      x1, 8(sp)
    ld      x3, 24(sp)
    ld      x4, 32(sp)
    ld      x5, 40(sp)
    ld      x6, 48(sp)
    ld      x7, 56(sp)
    ld      x8, 64(sp)
    ld      x9, 72(sp)
    ld      x10, 80(sp)
    ld      x11, 88(sp)
    ld      x12, 96(sp)
    ld      x13, 104(sp)
    ld      x14, 112(sp)
    ld      x15, 120(sp)
    ld      x16, 128(sp)
    ld      x17, 136(sp)
    ld      x18, 144(sp)
    ld      x19, 152(sp)
    ld      x20, 160(sp)
    ld      x21, 168(sp)
    ld      x22, 176(sp)
    ld      x23, 184(sp)
    ld      x24, 192(sp)
    ld      x25, 200(sp)
    ld      x26, 208(sp)
    ld      x27, 216(sp)
    ld      x28, 224(sp)
    ld      x29, 232(sp)
    ld      x30, 240(sp)
    ld      x31, 248(sp)
    ld      sp, 16(sp)
    \ret
    .endm

    .text
    TRAP_VECTOR m_trap_vector, mscratch, m_trap, mret
    TRAP_VECTOR s_trap_vector, sscratch, s_trap, sret

# Default handlers for programs that install only one of the vectors: report
# the trap as unexpected and fail (crt_unexpected_trap is in exit.c).
    .weak m_trap
m_trap:
    csrr    a0, mcause
    csrr    a1, mepc
    csrr    a2, mtval
    tail    crt_unexpected_trap

    .weak s_trap
s_trap:
    csrr    a0, scause
    csrr    a1, sepc
    csrr    a2, stval
    tail    crt_unexpected_trap
