# System call stubs: number in a7, arguments already in a0..a2, result in a0.
#include "../kernel/syscall_nr.h"

    # (the number is passed in: cpp has already run when the macro expands)
    .macro SYSCALL name, nr
    .globl \name
\name:
    li      a7, \nr
    ecall
    ret
    .endm

    .text
    SYSCALL write, SYS_write
    SYSCALL read, SYS_read
    SYSCALL getpid, SYS_getpid
    SYSCALL yield, SYS_yield
    SYSCALL exit, SYS_exit
    SYSCALL spawn, SYS_spawn
    SYSCALL wait, SYS_wait
    SYSCALL kill, SYS_kill
    SYSCALL sleep, SYS_sleep
    SYSCALL uptime, SYS_uptime
    SYSCALL poweroff, SYS_poweroff
