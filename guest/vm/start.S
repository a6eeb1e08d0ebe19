# Entry of the VMM test guests: S-mode at 0x80200000, entered by an SBI firmware
# (rvisor's built-in one, OpenSBI or the VMM) with a0 = hart id, a1 = device tree.
    .section .text.start, "ax"
    .globl _start
_start:
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    la      sp, __stack_top

    # Trap vector first, so a fault during startup is reported, not looped.
    la      t0, vm_trap_entry
    csrw    stvec, t0
    csrw    sie, zero

#ifdef __riscv_flen
    # Turn the FPU on (sstatus.FS = Initial), otherwise any FP instruction traps.
    li      t0, (1 << 13)
    csrs    sstatus, t0
    csrw    fcsr, zero
#endif

    # The C code expects zeroed .bss (a0/a1 are kept for vm_start).
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:
    call    vm_start
    # vm_start powers off; never reached.
3:  wfi
    j       3b

# Runs on every S-mode trap: saves the caller-saved registers, calls the C
# handler (scause, sepc, stval), restores them and returns with sret.
    .align 2
    .globl vm_trap_entry
vm_trap_entry:
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
    csrr    a0, scause
    csrr    a1, sepc
    csrr    a2, stval
    call    vm_trap
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
