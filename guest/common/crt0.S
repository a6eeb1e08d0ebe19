# Reset entry for bare-metal M-mode programs (-bios none, pc = 0x80000000).
    .section .text.start, "ax"
    .globl _start
_start:
    # Only hart 0 runs the program; any other hart sleeps forever.
    csrr    t0, mhartid
    bnez    t0, park

    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    la      sp, __stack_top

    # Trap vector first, so a fault during startup is reported, not looped.
    la      t0, crt_trap
    csrw    mtvec, t0

#ifdef __riscv_flen
    # Turn the FPU on (mstatus.FS = Initial), otherwise any FP instruction traps.
    li      t0, (1 << 13)
    csrs    mstatus, t0
    csrw    fcsr, zero
#endif

    # The C code expects zeroed .bss.
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:
    li      a0, 0
    li      a1, 0
    call    main
    # Returning from main powers the machine off with main's return code.
    call    exit

park:
    wfi
    j       park

# Runs on any unexpected M-mode trap during a program: report and fail.
    .align 2
crt_trap:
    la      sp, __stack_top
    csrr    a0, mcause
    csrr    a1, mepc
    csrr    a2, mtval
    call    crt_unexpected_trap
    j       park
