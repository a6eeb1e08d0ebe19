# User program entry, at USER_BASE. The kernel starts us with sp set and
# a0 = the spawn() argument; main's return value becomes the exit status.
    .section .text.start, "ax"
    .globl _start
_start:
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    call    main
    call    exit
