# User program entry, at USER_BASE. exec starts us with sp set, a0 = argc and
# a1 = argv; main's return value becomes the exit status.
    .section .text.start, "ax"
    .globl _start
_start:
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    call    main
    call    exit
