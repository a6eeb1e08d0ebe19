/* System call numbers: the ABI between user programs and the kernel.
 * Call: a7 = number, a0..a2 = arguments, ecall; result in a0 (<0 = error). */
#ifndef SYSCALL_NR_H
#define SYSCALL_NR_H

#define SYS_write    1    /* write(fd, buf, n) -> n */
#define SYS_read     2    /* read(fd, buf, n) -> n, blocks until input */
#define SYS_getpid   3    /* getpid() -> pid */
#define SYS_yield    4    /* yield() -> 0, give up the CPU */
#define SYS_exit     5    /* exit(status), does not return */
#define SYS_spawn    6    /* spawn(program name, arg) -> child pid */
#define SYS_wait     7    /* wait(&status) -> pid of an exited child */
#define SYS_kill     8    /* kill(pid) -> 0 */
#define SYS_sleep    9    /* sleep(ticks) -> 0 */
#define SYS_uptime  10    /* uptime() -> ticks since boot */
#define SYS_poweroff 11   /* poweroff(code), does not return */

#endif
