# First instructions of the kernel. An SBI firmware (rvisor's built-in one,
# OpenSBI, or a VMM) enters here in S-mode at 0x80200000 with
# a0 = hart id and a1 = the physical address of the device tree.
    .section .text.entry, "ax"
    .globl _entry
_entry:
    la      sp, boot_stack_top
    la      t0, bss_start           # C code expects zeroed .bss
    la      t1, bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:  call    kmain                   # kmain(hartid, dtb) never returns
3:  wfi
    j       3b

    .section .bss
    .align 4
boot_stack:
    .space  16384
    .globl boot_stack_top
boot_stack_top:
