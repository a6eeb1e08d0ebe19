# System call stubs: number in a7, arguments already in a0..a2, result in a0.
#include "../kernel/syscall_nr.h"

    .macro SYSCALL name, nr
    .globl \name
\name:
    li      a7, \nr
    ecall
    ret
    .endm

    .text
    SYSCALL fork, SYS_fork
    SYSCALL exit, SYS_exit
    SYSCALL waitpid_any, SYS_wait
    SYSCALL pipe, SYS_pipe
    SYSCALL read, SYS_read
    SYSCALL kill, SYS_kill
    SYSCALL exec, SYS_exec
    SYSCALL fstat, SYS_fstat
    SYSCALL chdir, SYS_chdir
    SYSCALL dup, SYS_dup
    SYSCALL getpid, SYS_getpid
    SYSCALL sbrk, SYS_sbrk
    SYSCALL sleep, SYS_sleep
    SYSCALL uptime, SYS_uptime
    SYSCALL open, SYS_open
    SYSCALL write, SYS_write
    SYSCALL unlink, SYS_unlink
    SYSCALL mkdir, SYS_mkdir
    SYSCALL close, SYS_close
    SYSCALL poweroff, SYS_poweroff
    SYSCALL yield, SYS_yield
    SYSCALL procinfo, SYS_procinfo
    SYSCALL setfg, SYS_setfg
    SYSCALL lastfault, SYS_lastfault
    SYSCALL sysinfo, SYS_sysinfo
    SYSCALL disktest, SYS_disktest
    SYSCALL progname, SYS_progname
