/*
 * Machine-mode start and S-mode trap entry of the "v" environment.
 *
 * M-mode: clear registers, mtvec, PMP open, satp probe, no delegation, then
 * vm_build() (C, bare) builds the Sv39 tables; page faults and U ecalls are
 * delegated, satp written, and mret enters kernel_entry in S-mode.  The only
 * trap M expects afterwards is the kernel's fallback ecall (a0 = tohost value);
 * anything else ends the run with exit code 1500 + mcause.
 */
#include "../encoding.h"

    .section .text.init, "ax", @progbits
    .option push
    .option norvc
    .globl _start
_start:
    .irp r, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    li x\r, 0
    .endr
    la t0, m_trap
    csrw mtvec, t0
    la t0, 1f
    csrw mtvec, t0
    li t0, -1
    csrw pmpaddr0, t0
    li t0, PMP_NAPOT | PMP_R | PMP_W | PMP_X
    csrw pmpcfg0, t0
    .align 2
1:  la t0, 1f
    csrw mtvec, t0
    csrwi satp, 0
    .align 2
1:  la t0, m_trap
    csrw mtvec, t0
    csrwi medeleg, 0
    csrwi mideleg, 0
    csrwi mie, 0
    la sp, m_stack_top
    call vm_build
    li t0, (1 << CAUSE_USER_ECALL) | (1 << CAUSE_FETCH_PAGE_FAULT) | (1 << CAUSE_LOAD_PAGE_FAULT) | (1 << CAUSE_STORE_PAGE_FAULT)
    csrw medeleg, t0
    li t0, 7
    csrw mcounteren, t0
    csrw scounteren, t0
    la t0, sv39_root
    srli t0, t0, 12
    li t1, SATP_SV39
    or t0, t0, t1
    csrw satp, t0
    sfence.vma
    li t0, MSTATUS_MPP
    csrc mstatus, t0
    li t0, MSTATUS_MPP_S | MSTATUS_FS_INIT
    csrs mstatus, t0
    csrwi fcsr, 0
    la t0, kernel_entry
    csrw mepc, t0
    mret

    .align 2
m_trap:
    csrr t5, mcause
    li t6, CAUSE_SUPERVISOR_ECALL
    bne t5, t6, 2f
1:  sd a0, tohost, t5
    j 1b
2:  addi t5, t5, 1500
    slli t5, t5, 1
    ori t5, t5, 1
3:  la t6, tohost
    sd t5, 0(t6)
    j 3b
    .option pop

    .text
    .align 2
kernel_entry:
    la sp, k_stack_top
    csrw sscratch, sp
    la t0, s_trap
    csrw stvec, t0
    li t0, MSTATUS_SPP
    csrc sstatus, t0
    call user_entry_va
    csrw sepc, a0
    .irp r, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    li x\r, 0
    .endr
    sret

    .align 2
s_trap:
    csrrw sp, sscratch, sp
    addi sp, sp, -256
    .irp r, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    sd x\r, 8*\r(sp)
    .endr
    csrr t0, sscratch
    sd t0, 16(sp)
    mv a0, sp
    call handle_trap
    .irp r, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    ld x\r, 8*\r(sp)
    .endr
    addi sp, sp, 256
    csrrw sp, sscratch, sp
    sret

    .bss
    .align 12
m_stack: .skip 4096
m_stack_top:
k_stack: .skip 8192
k_stack_top:

    .section .tohost, "aw", @progbits
    .align 6
    .globl tohost
tohost: .dword 0
    .size tohost, 8
    .align 6
    .globl fromhost
fromhost: .dword 0
    .size fromhost, 8
