# M-mode trap vector. Only the machine timer is expected here: it reprograms
# mtimecmp for the next tick and raises a supervisor software interrupt, which
# the S-mode kernel sees as its clock tick (S-mode cannot touch mtimecmp).
# mscratch -> [saved a1, a2, a3, &mtimecmp, interval].
    .text
    .globl timervec
    .align 2
timervec:
    csrrw   a0, mscratch, a0
    sd      a1, 0(a0)
    sd      a2, 8(a0)
    sd      a3, 16(a0)

    csrr    a1, mcause
    li      a2, 0x8000000000000007  # interrupt, machine timer
    bne     a1, a2, not_timer

    ld      a1, 24(a0)              # mtimecmp += interval
    ld      a2, 32(a0)
    ld      a3, 0(a1)
    add     a3, a3, a2
    sd      a3, 0(a1)

    li      a1, 2                   # sip.SSIP: forward the tick to S-mode
    csrs    sip, a1

    ld      a3, 16(a0)
    ld      a2, 8(a0)
    ld      a1, 0(a0)
    csrrw   a0, mscratch, a0
    mret

not_timer:
    la      sp, mfatal_stack_top
    csrr    a0, mcause
    csrr    a1, mepc
    csrr    a2, mtval
    call    mfatal

    .section .bss
    .align 4
    .space  1024
mfatal_stack_top:
