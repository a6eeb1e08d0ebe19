# First instructions of the kernel: QEMU -bios none jumps here in M-mode.
    .section .text.entry, "ax"
    .globl _entry
_entry:
    csrr    t0, mhartid
    bnez    t0, 2f                  # a uniprocessor kernel: other harts sleep

    la      sp, boot_stack_top
    la      t0, bss_start           # C code expects zeroed .bss
    la      t1, bss_end
1:  bgeu    t0, t1, 3f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
3:  call    mstart                  # M-mode setup, ends with mret to kmain
2:  wfi
    j       2b

    .section .bss
    .align 4
boot_stack:
    .space  16384
    .globl boot_stack_top
boot_stack_top:
